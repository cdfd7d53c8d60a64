// Package similarity holds the string similarity measures more than one
// package of crmio needs: the mapping suggester's near misses of column
// titles ("Emial") and dedupe's fuzzy matching of people's names.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzJaroWinkler$' -fuzzminimizetime 0 ./internal/similarity
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package similarity

import "unicode/utf8"

// JaroWinkler returns the Jaro-Winkler similarity of a and b, from 0 (nothing
// in common) to 1 (equal), comparing runes exactly: normalize first.
//
// It is the standard definition: the Jaro similarity counts the runes that
// match within a window of half the longer string's length and the
// transpositions among them; the Winkler step raises it by 0.1 for each rune
// of common prefix, up to four. So JaroWinkler("MARTHA", "MARHTA") is about
// 0.961 and JaroWinkler("DWAYNE", "DUANE") 0.84. Two empty strings are equal
// (1); an empty string and another are not alike at all (0).
//
// The cost grows with len(a)·len(b) in the worst case: callers comparing
// untrusted text should bound its length.
func JaroWinkler(a, b string) float64 {
	// Short strings, which names are, are decoded into arrays on the stack:
	// the comparison then allocates nothing.
	var abuf, bbuf [stackRunes]rune
	return Runes(AppendRunes(abuf[:0], a), AppendRunes(bbuf[:0], b))
}

// stackRunes is the length up to which JaroWinkler works without allocating.
const stackRunes = 64

// Winkler's constants: the weight of each rune of common prefix and the
// longest prefix that counts.
const (
	prefixScale = 0.1
	maxPrefix   = 4
)

// AppendRunes appends the runes of s to dst: a caller comparing one string
// with many decodes it once, and compares with Runes.
func AppendRunes(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, rune(c))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		dst = append(dst, r)
		i += size
	}
	return dst
}

// Runes is JaroWinkler on decoded strings.
func Runes(a, b []rune) float64 {
	j := jaro(a, b)
	prefix := 0
	for prefix < maxPrefix && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*prefixScale*(1-j)
}

// jaro is the Jaro similarity of a and b.
func jaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a // a is the shorter: its flags fit the window loop below
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}

	var aBuf, bBuf [stackRunes]bool
	var aMatched, bMatched []bool
	if len(b) <= stackRunes {
		aMatched, bMatched = aBuf[:len(a)], bBuf[:len(b)]
	} else {
		aMatched, bMatched = make([]bool, len(a)), make([]bool, len(b))
	}

	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !bMatched[k] && b[k] == r {
				aMatched[i], bMatched[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}

	// Transpositions: the matched runes of a and b, read in order, that
	// differ. Half their number counts.
	transposed, k := 0, 0
	for i, r := range a {
		if !aMatched[i] {
			continue
		}
		for !bMatched[k] {
			k++
		}
		if r != b[k] {
			transposed++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transposed)/2)/m) / 3
}
