package csv

import (
	"bytes"
	"unicode/utf8"
)

// delimiters are the candidates sniffDelimiter chooses among, in order of
// preference when the evidence is even.
var delimiters = [...]byte{',', ';', '\t', '|'}

// sniffRecords bounds how many records sniffDelimiter examines.
const sniffRecords = 50

// sniffDelimiter chooses the delimiter that splits the records at the start
// of text most consistently: for each candidate it counts the occurrences
// outside quoted fields in each record, and scores it by how many records
// share the most common non-zero count. A preamble of notes or a field of
// free text with stray semicolons changes a few counts, never the mode. The
// more consistent candidate wins, then the one splitting into more fields,
// then the earlier in the list. Text with none of them is one column: ','.
//
// complete reports whether text is the whole input; when it is not, the
// last record, which may be cut short, is left out.
func sniffDelimiter(text []byte, complete bool) byte {
	var counts [len(delimiters)][]int
	var current [len(delimiters)]int
	records := 0
	nonBlank := false  // the current record has something besides spaces
	inQuotes := false  // inside a quoted field
	fieldStart := true // at the start of a field, where a quote opens one
	endRecord := func() {
		if nonBlank {
			for k := range delimiters {
				counts[k] = append(counts[k], current[k])
			}
			records++
		}
		current = [len(delimiters)]int{}
		nonBlank, fieldStart = false, true
	}
	for i := 0; i < len(text) && records < sniffRecords; i++ {
		c := text[i]
		if inQuotes {
			if c == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					i++ // an escaped quote
				} else {
					inQuotes = false
				}
			}
			continue
		}
		switch c {
		case '\n', '\r':
			endRecord()
			continue
		case '"':
			if fieldStart {
				inQuotes, fieldStart, nonBlank = true, false, true
				continue
			}
		case ' ':
			continue // leading spaces keep a field's start for its quote
		}
		if k := bytes.IndexByte(delimiters[:], c); k >= 0 {
			current[k]++
			fieldStart = true
			nonBlank = true
			continue
		}
		fieldStart = false
		nonBlank = true
	}
	if complete && !inQuotes {
		endRecord()
	}

	best, bestAgree, bestMode := byte(','), 0, 0
	for k, d := range delimiters {
		mode, agree := modeOf(counts[k])
		if agree > bestAgree || (agree == bestAgree && mode > bestMode) {
			best, bestAgree, bestMode = d, agree, mode
		}
	}
	return best
}

// modeOf returns the most common non-zero value of counts and how many
// times it occurs (the larger value on a tie).
func modeOf(counts []int) (mode, freq int) {
	seen := map[int]int{}
	for _, c := range counts {
		if c == 0 {
			continue
		}
		seen[c]++
		if n := seen[c]; n > freq || (n == freq && c > mode) {
			mode, freq = c, n
		}
	}
	return mode, freq
}

// sepDirective recognises Excel's "sep=;" first line, which names the
// delimiter and which Excel does not show as a row. It returns the
// delimiter and the length of the line with its line end.
func sepDirective(text []byte) (delimiter rune, length int) {
	const prefix = "sep="
	if !bytes.HasPrefix(text, []byte(prefix)) {
		return 0, 0
	}
	r, size := utf8.DecodeRune(text[len(prefix):])
	if r == utf8.RuneError || r == '\r' || r == '\n' {
		return 0, 0
	}
	rest := text[len(prefix)+size:]
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		return r, len(prefix) + size + 2
	case bytes.HasPrefix(rest, []byte("\n")), bytes.HasPrefix(rest, []byte("\r")):
		return r, len(prefix) + size + 1
	case len(rest) == 0:
		return r, len(prefix) + size
	}
	return 0, 0
}
