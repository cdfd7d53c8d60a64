package mapping

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmio/crmio/mapping/lexicon"
	"golang.org/x/text/unicode/norm"
)

// wordRole says what a word in a date means; a word may have several
// ("mar" is March in English and Tuesday in French).
type wordRole uint16

const (
	roleMonth    wordRole = 1 << iota // a month name; dateWord.month says which
	roleWeekday                       // a weekday name: read, then ignored
	roleAM                            // "AM", "a. m."
	rolePM                            // "PM", "p. m."
	roleNoon                          // "noon", "midi": 12:00
	roleMidnight                      // "midnight", "minuit": 00:00
	roleFiller                        // a word of the language's date patterns: "de", "à", "the", "Uhr"
	roleOrdinal                       // a suffix after a day number: "st", "er", "º"
	roleHour                          // the "h" of "14h30"
	roleZone                          // a time zone abbreviation with a known offset
	roleT                             // the "T" between an ISO date and its time
	roleEra                           // a word of the name of an era ("n", "Chr", "Cristo")
	roleEraStart                      // the first word of the name of an era ("AD", "n", "después")
)

// dateWord is what the calendar vocabulary knows of a word.
type dateWord struct {
	role   wordRole
	month  int8  // 1-12 for roleMonth
	offset int32 // seconds east of UTC for roleZone
}

// maxDateWord bounds the bytes of a folded date word; longer words are
// no date word ("unsererzeitrechnung" is 19).
const maxDateWord = 32

// dateWords maps folded words (see foldWord) to their meaning; eraKeys
// holds the folded names of the common era with their spaces and dots
// removed ("n. Chr." is "nchr"). Both are built once from package lexicon
// and read-only afterwards.
var dateWords, eraKeys = buildDateWords()

// dateWordConflicts lists the names that would name two months (the first
// one wins); TestDateWords checks that there are none.
var dateWordConflicts []string

// rfc5322Zones are the zone names RFC 5322 section 4.3 (obs-zone) gives
// offsets for, plus UTC and Z: the only abbreviations with one meaning
// worldwide (CST is also China, IST India, Ireland and Israel).
var rfc5322Zones = map[string]int32{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
}

func buildDateWords() (map[string]dateWord, map[string]bool) {
	words := map[string]dateWord{}
	eras := map[string]bool{}
	add := func(name string, role wordRole, month int) {
		for _, key := range wordKeys(name) {
			w := words[key]
			w.role |= role
			if role == roleMonth {
				if w.month != 0 && int(w.month) != month {
					dateWordConflicts = append(dateWordConflicts, key)
					continue
				}
				w.month = int8(month)
			}
			words[key] = w
		}
	}
	cals := append(lexicon.Calendars[:len(lexicon.Calendars):len(lexicon.Calendars)], lexicon.Supplement)
	for _, c := range cals {
		for m, names := range c.Months {
			for _, n := range names {
				add(n, roleMonth, m+1)
			}
		}
		for _, names := range c.Weekdays {
			for _, n := range names {
				add(n, roleWeekday, 0)
			}
		}
		for _, list := range []struct {
			names []string
			role  wordRole
		}{{c.AM, roleAM}, {c.PM, rolePM}, {c.Noon, roleNoon}, {c.Midnight, roleMidnight}, {c.Words, roleFiller}, {c.Ordinals, roleOrdinal}} {
			for _, n := range list.names {
				key := squash(n)
				if list.role == roleAM || list.role == rolePM || list.role == roleOrdinal {
					// "a. m." and ".º" are read token by token: keep the letters.
					add(key, list.role, 0)
					continue
				}
				add(n, list.role, 0)
			}
		}
		for _, n := range c.Eras {
			for _, key := range wordKeys(n) {
				eras[squash(key)] = true
			}
			// Each word of the name, for the tokenizer to know it.
			words := strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '.' || r == '-' || r == '\'' || r == '’' })
			for k, w := range words {
				role := roleEra
				if k == 0 {
					role |= roleEraStart
				}
				add(w, role, 0)
			}
		}
	}
	// "h" of "14h30" (CLDR fr and pt hour patterns "HH 'h'") is an hour
	// mark, not only a filler.
	if w, ok := words["h"]; ok {
		w.role = w.role&^roleFiller | roleHour
		words["h"] = w
	}
	for name, off := range rfc5322Zones {
		w := words[name]
		w.role |= roleZone
		w.offset = off
		words[name] = w
	}
	t := words["t"]
	t.role |= roleT
	words["t"] = t
	return words, eras
}

// wordKeys returns the folded spellings of a name people may type: as
// is, without its trailing dot, without accents ("Déc." gives "déc",
// "dec").
func wordKeys(name string) []string {
	name = strings.TrimSuffix(name, ".")
	var b [maxDateWord]byte
	k := string(foldWord(&b, name))
	keys := []string{k}
	if plain := stripAccents(k); plain != k {
		keys = append(keys, plain)
	}
	return keys
}

// squash removes the spaces, dots, hyphens and apostrophes of a folded
// name: "n. Chr." is "nchr", "a. m." is "am".
func squash(s string) string {
	var b [maxDateWord]byte
	s = string(foldWord(&b, s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\'', '’':
			return -1
		}
		return r
	}, s)
}

func stripAccents(s string) string {
	var out []rune
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			out = append(out, r)
		}
	}
	return string(out)
}

// foldWord lower-cases w into buf, dropping combining marks (so that a
// decomposed "é" finds the accent-free spelling), without allocating. It
// returns nil when w does not fit.
func foldWord(buf *[maxDateWord]byte, w string) []byte {
	b := buf[:0]
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if len(b) == len(buf) {
				return nil
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		i += size
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if len(b)+utf8.RuneLen(r) > len(buf) {
			return nil
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

// lookupDateWord finds what w means in a date.
func lookupDateWord(w string) (dateWord, bool) {
	var buf [maxDateWord]byte
	b := foldWord(&buf, w)
	if b == nil {
		return dateWord{}, false
	}
	dw, ok := dateWords[string(b)] // no allocation: the compiler reads b in place
	return dw, ok
}

// monthOf returns the month a word names, or 0.
func monthOf(w string) int {
	if dw, ok := lookupDateWord(w); ok && dw.role&roleMonth != 0 {
		return int(dw.month)
	}
	return 0
}
