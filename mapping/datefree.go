package mapping

import (
	"unicode/utf8"
)

// The general date reader: the forms the fast path does not read.
//
//	the 2nd of June 2019  21st Jan 2020  1er août 2012  31ste maart 2016   ordinals
//	Tue Mar  5 10:20:30 2019  Sat, June 1, '19  mardi 5 mars 2019           weekdays, apostrophe years
//	9:15 a.m., March 3, 2018  10:06am Dec 11, 2014                         the time first
//	22 janvier 2015 à 14h40  martes 21 de octubre de 2014                 the words of a language's dates
//	14.03.2021 08.30  05. 11.22  30 . 09 . 22  2003 09 25                   dotted times, spaced separators
//	1996.July.10 AD 12:08 PM  10 agosto 88 d. C.                           eras
//	Thu Sep 25 10:36:28 BRST 2003                                           zones without a known offset
//
// It splits the text into numbers, words and punctuation (at most
// maxDateTokens), finds the time of day, then the date among what is
// left: one month name with a day and a year, or three numbers with the
// same separator. Every word must be known (a month, a weekday, a word of
// the date patterns of one of the languages of package lexicon, an era,
// AM or PM, a zone) and every number used, so that "call me on the 5th"
// or "10:00 - 11:00" is no date.

// maxDateTokens bounds the parts of a date text; a longer text is no date.
const maxDateTokens = 32

type tokenKind uint8

const (
	tokNumber tokenKind = iota + 1
	tokWord
	tokPunct
)

// dateToken is one part of a date text.
type dateToken struct {
	s     string // the text of the token, a slice of the input
	kind  tokenKind
	space bool  // spaces come before it
	c     byte  // tokPunct: the character ('\'' for ’ too)
	n     uint8 // tokNumber: its digits (10 for more than 9)
	v     int32 // tokNumber: its value
	ampm  uint8 // tokWord: 1 for a.m., 2 for p.m. written with dots ("a.m.", "p. m.")
	info  dateWord
	known bool // info was found
	used  bool
}

// tokenizeDate splits s into tokens; ok is false for characters no date
// holds or too many tokens.
func tokenizeDate(s string, toks *[maxDateTokens]dateToken) (n int, ok bool) {
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune = rune(c)
		size := 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isSpaceRune(r) {
			space = true
			i += size
			continue
		}
		if n == maxDateTokens {
			return n, false
		}
		t := &toks[n]
		*t = dateToken{space: space}
		space = false
		start := i
		switch {
		case isDigit(c):
			var v int32
			digits := 0
			for i < len(s) && isDigit(s[i]) {
				if digits < 9 {
					v = v*10 + int32(s[i]-'0')
				}
				digits++
				i++
			}
			t.kind, t.v, t.n = tokNumber, v, uint8(min(digits, 10))
		case isWordRune(r):
			i = scanDateWord(s, i)
			t.kind = tokWord
			if i-start == 1 && (c|0x20 == 'a' || c|0x20 == 'p') {
				// "a.m.", "a. m.", "a.m": one word
				if end, ok := dottedAMPM(s, i); ok {
					i = end
					t.ampm = 1
					if c|0x20 == 'p' {
						t.ampm = 2
					}
				}
			}
		default:
			switch r {
			case '/', '-', '.', ',', ':', '\'', '+', '(', ')', '[', ']':
			case '’':
				c = '\''
			default:
				return n, false
			}
			i += size
			t.kind, t.c = tokPunct, c
		}
		t.s = s[start:i]
		if t.kind == tokWord {
			t.info, t.known = lookupDateWord(t.s)
			if !t.known && t.ampm == 0 && !zoneLike(t.s) {
				return n, false // a word no date holds: stop here
			}
		}
		n++
	}
	return n, true
}

// scanDateWord returns the end of the word starting at i: its letters,
// and hyphens between letters ("segunda-feira", "meio-dia").
func scanDateWord(s string, i int) int {
	for i < len(s) {
		r, size := rune(s[i]), 1
		if s[i] >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if isWordRune(r) {
			i += size
			continue
		}
		if r == '-' && i+1 < len(s) && isWordRune(rune(s[i+1])) && s[i+1] < utf8.RuneSelf {
			i++
			continue
		}
		break
	}
	return i
}

// dottedAMPM reads the rest of "a.m.", "a. m." or "a.m" after its first
// letter at i, returning where it ends.
func dottedAMPM(s string, i int) (int, bool) {
	if i >= len(s) || s[i] != '.' {
		return i, false
	}
	j := i + 1
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j]|0x20 != 'm' {
		return i, false
	}
	j++
	if j < len(s) && s[j] == '.' {
		j++
	}
	if j < len(s) && isLetter(s[j]) {
		return i, false
	}
	return j, true
}

// freeDate reads s with the general reader.
func freeDate(s string, order DateOrder, dt *dateTime) (st dateStatus) {
	var buf [maxDateTokens]dateToken
	n, ok := tokenizeDate(s, &buf)
	if !ok || n == 0 {
		return notADate
	}
	t := buf[:n]
	era := markEras(t)
	markComment(t)
	clock := findClock(t, dt)
	if clock < 0 {
		return notADate
	}

	// The month name, if any: a word that is both a month and a weekday
	// ("mar") is the weekday when another word names the month.
	monthAt, months := -1, 0
	for i := range t {
		if !t[i].used && t[i].kind == tokWord && t[i].info.role&roleMonth != 0 {
			months++
		}
	}
	for i := range t {
		w := &t[i]
		if w.used || w.kind != tokWord || w.info.role&roleMonth == 0 {
			continue
		}
		if months > 1 && w.info.role&roleWeekday != 0 {
			w.used = true
			months--
			continue
		}
		if monthAt >= 0 {
			return notADate // two months
		}
		monthAt = i
	}

	var nums [8]int
	count := 0
	for i := range t {
		if !t[i].used && t[i].kind == tokNumber {
			if count == len(nums) {
				return notADate
			}
			nums[count] = i
			count++
		}
	}
	if monthAt >= 0 && count >= 3 && t[monthAt].info.role&roleWeekday != 0 {
		// "mar. 15/01/2024": the numbers are the date, "mar" a weekday.
		t[monthAt].used = true
		monthAt = -1
	}
	need := 3
	switch {
	case monthAt >= 0:
		need = 2
	case count == 1 && t[nums[0]].n == 8:
		need = 1 // 20240115
	}
	if count > need && clock == 0 {
		// A dotted time after the date: "14.03.2021 08.30", "12.16 pm".
		if !dottedClock(t, nums[need:count], dt) {
			return notADate
		}
		count = need
	}
	if count != need {
		return notADate
	}
	if monthAt >= 0 {
		t[monthAt].used = true
		if !namedDate(t, nums[0], nums[1], era, dt) {
			return notADate
		}
		dt.month = int(t[monthAt].info.month)
		if !validDate(dt.year, dt.month, dt.day) {
			return notADate
		}
		st = dateRead
	} else if need == 1 {
		v := int(t[nums[0]].v)
		t[nums[0]].used = true
		dt.year, dt.month, dt.day = v/10000, v/100%100, v%100
		if !validDate(dt.year, dt.month, dt.day) {
			return notADate
		}
		st = dateRead
	} else {
		if st = numericDate(t, nums[0], nums[1], nums[2], order, dt); st == notADate {
			return notADate
		}
	}
	if !leftoversFit(t, dt) {
		return notADate
	}
	return st
}

// markEras marks the words naming the common era ("AD", "n. Chr.", "d.
// C.", "na Christus"): the longest run of words (and the dots between
// them) whose letters are an era name, and reports whether it found one.
func markEras(t []dateToken) (found bool) {
	for i := 0; i < len(t); i++ {
		if t[i].kind != tokWord || t[i].info.role&roleEraStart == 0 {
			continue
		}
		var key [maxDateWord]byte
		k := key[:0]
		end := -1
		for j := i; j < len(t) && j < i+8; j++ {
			if t[j].kind == tokPunct && (t[j].c == '.' || t[j].c == '-' || t[j].c == '\'') {
				continue
			}
			if t[j].kind != tokWord {
				break
			}
			var b [maxDateWord]byte
			f := foldWord(&b, t[j].s)
			if f == nil || len(k)+len(f) > len(key) {
				break
			}
			k = append(k, f...)
			if eraKeys[string(k)] {
				end = j
			}
		}
		if end < 0 {
			continue
		}
		found = true
		for j := i; j <= end; j++ {
			t[j].used = true
		}
		if end+1 < len(t) && t[end+1].kind == tokPunct && t[end+1].c == '.' {
			t[end+1].used = true // "d. C."
		}
		i = end
	}
	return found
}

// markComment marks a trailing parenthesized comment, as RFC 5322 allows
// after a date: "10:49:41 -0300 (BRST)".
func markComment(t []dateToken) {
	n := len(t)
	if n < 3 || t[n-1].kind != tokPunct || t[n-1].c != ')' {
		return
	}
	for i := n - 2; i >= 0; i-- {
		switch {
		case t[i].kind == tokPunct && t[i].c == '(':
			for j := i; j < n; j++ {
				t[j].used = true
			}
			return
		case t[i].kind != tokWord:
			return
		}
	}
}

// findClock finds the time of day, marks its tokens used and sets it in
// dt. It returns 1 when it found one, 0 when there is none, -1 when the
// text holds a time that is not valid (25:00, 13:44 PM).
func findClock(t []dateToken, dt *dateTime) int {
	for i := range t {
		if t[i].used || t[i].kind != tokNumber {
			continue
		}
		isoBasic := i > 0 && t[i-1].kind == tokWord && t[i-1].info.role&roleT != 0 && !t[i].space && !t[i-1].space &&
			(t[i].n == 2 || t[i].n == 4 || t[i].n == 6) && (i+1 == len(t) || !isPunct(t[i+1], ':'))
		if t[i].n > 2 && !isoBasic {
			continue
		}
		h := int(t[i].v)
		m, sec := 0, 0
		end := -1 // the last token of the time
		switch {
		case isoBasic:
			// After an ISO date's "T": "T10", "T1049", "T104941.5".
			end = i
			switch t[i].n {
			case 4:
				h, m = h/100, h%100
			case 6:
				h, m, sec = h/10000, h/100%100, h%100
				var ok bool
				if end, ok = tokenFraction(t, end, dt); !ok {
					return -1
				}
			}
		case i+2 < len(t) && isPunct(t[i+1], ':') && !t[i+1].space && t[i+2].kind == tokNumber && !t[i+2].space:
			if t[i+2].n != 2 {
				return -1
			}
			m, end = int(t[i+2].v), i+2
			if end+2 < len(t) && isPunct(t[end+1], ':') && !t[end+1].space && t[end+2].kind == tokNumber && !t[end+2].space {
				if t[end+2].n != 2 {
					return -1
				}
				sec, end = int(t[end+2].v), end+2
				var ok bool
				if end, ok = tokenFraction(t, end, dt); !ok {
					return -1
				}
			}
		case i+1 < len(t) && t[i+1].kind == tokWord && t[i+1].info.role&roleHour != 0:
			// 14h40, 14 h 40, 10h
			end = i + 1
			if end+1 < len(t) && t[end+1].kind == tokNumber && t[end+1].n == 2 {
				m, end = int(t[end+1].v), end+1
			}
		case i+1 < len(t) && isAMPM(t[i+1]) != 0 && (len(t[i+1].s) > 1 || !t[i+1].space) &&
			(i == 0 || !isPunct(t[i-1], '.') || t[i].space):
			// (not the minutes of a dotted time: "12.16 pm" is read below)
			// "10am", "1 a.m", "3p": the hour alone, AM or PM below (a
			// lone "a" after a space is a word: "10 a 22 agosto")
			end = i
		default:
			continue
		}
		for j := i; j <= end; j++ {
			t[j].used = true
		}
		if end+1 < len(t) {
			if ap := isAMPM(t[end+1]); ap != 0 {
				var ok bool
				if h, ok = withAMPM(h, ap); !ok {
					return -1
				}
				end++
				t[end].used = true
				if end+1 < len(t) && isPunct(t[end+1], '.') && !t[end+1].space {
					end++ // "p.m" and a full stop
					t[end].used = true
				}
			}
		}
		if h > 23 || m > 59 || sec > 60 {
			return -1
		}
		if sec == 60 {
			sec = 59
		}
		dt.hasTime, dt.hour, dt.min, dt.sec = true, h, m, sec
		if !clockZone(t, end+1, dt) {
			return -1
		}
		return 1
	}
	return 0
}

// tokenFraction reads the fraction of a second after the seconds at
// token end (".250", ",5"), returning the new end; false for more than
// nine digits.
func tokenFraction(t []dateToken, end int, dt *dateTime) (int, bool) {
	if end+2 < len(t) && (isPunct(t[end+1], '.') || isPunct(t[end+1], ',')) && !t[end+1].space &&
		t[end+2].kind == tokNumber && !t[end+2].space {
		if t[end+2].n > 9 {
			return end, false
		}
		dt.nsec = nanos(int(t[end+2].v), int(t[end+2].n))
		end += 2
	}
	return end, true
}

// clockZone reads a zone after the time, from token i: "Z", "+02:00",
// "-0300", "UTC", "UTC+5", "EST", or an abbreviation crmio cannot tell
// the offset of ("BRST"), kept in unknownZone. false means a zone that
// is not valid.
func clockZone(t []dateToken, i int, dt *dateTime) bool {
	if i >= len(t) {
		return true
	}
	switch w := &t[i]; {
	case w.kind == tokPunct && (w.c == '+' || w.c == '-'):
		return clockOffset(t, i, dt)
	case w.kind == tokWord && w.known && w.info.role&roleZone != 0:
		w.used = true
		dt.hasZone, dt.offset = true, int(w.info.offset)
		if w.info.offset == 0 && i+1 < len(t) && t[i+1].kind == tokPunct && (t[i+1].c == '+' || t[i+1].c == '-') && !t[i+1].space {
			return clockOffset(t, i+1, dt)
		}
	case w.kind == tokWord && !w.used && !w.known && zoneLike(w.s):
		w.used = true
		dt.unknownZone = w.s
	}
	return true
}

// clockOffset reads "+02:00", "+0200" or "+02" at token i.
func clockOffset(t []dateToken, i int, dt *dateTime) bool {
	if i+1 >= len(t) || t[i+1].kind != tokNumber || t[i+1].space {
		return true // a dash, not an offset: the date reader decides
	}
	sign := 1
	if t[i].c == '-' {
		sign = -1
	}
	var hh, mm int
	end := i + 1
	switch v := int(t[i+1].v); t[i+1].n {
	case 1, 2:
		hh = v
		if i+3 < len(t) && isPunct(t[i+2], ':') && t[i+3].kind == tokNumber && t[i+3].n == 2 {
			mm, end = int(t[i+3].v), i+3
		}
	case 4:
		hh, mm = v/100, v%100
	default:
		return true
	}
	for j := i; j <= end; j++ {
		t[j].used = true
	}
	return dt.setOffset(sign, hh, mm)
}

// zoneLike reports a zone abbreviation: two to five capital ASCII letters.
func zoneLike(s string) bool {
	if len(s) < 2 || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isPunct(t dateToken, c byte) bool { return t.kind == tokPunct && t.c == c }

// isAMPM returns 1 for an AM word, 2 for PM, else 0.
func isAMPM(t dateToken) uint8 {
	if t.kind != tokWord || t.used {
		return 0
	}
	if t.ampm != 0 {
		return t.ampm
	}
	switch {
	case t.info.role&roleAM != 0:
		return 1
	case t.info.role&rolePM != 0:
		return 2
	}
	return 0
}

// dottedClock reads the numbers at idx as a time written with dots:
// "08.30", "13.12.05", each part right after the previous one's dot, and
// an optional AM or PM.
func dottedClock(t []dateToken, idx []int, dt *dateTime) bool {
	if len(idx) < 2 || len(idx) > 3 {
		return false
	}
	for k := 1; k < len(idx); k++ {
		if idx[k] != idx[k-1]+2 || !isPunct(t[idx[k]-1], '.') || t[idx[k]-1].space || t[idx[k]].space || t[idx[k]].n != 2 {
			return false
		}
	}
	if t[idx[0]].n > 2 {
		return false
	}
	h, m, sec := int(t[idx[0]].v), int(t[idx[1]].v), 0
	if len(idx) == 3 {
		sec = int(t[idx[2]].v)
	}
	last := idx[len(idx)-1]
	for j := idx[0]; j <= last; j++ {
		t[j].used = true
	}
	if last+1 < len(t) {
		if ap := isAMPM(t[last+1]); ap != 0 {
			var ok bool
			if h, ok = withAMPM(h, ap); !ok {
				return false
			}
			t[last+1].used = true
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return false
	}
	dt.hasTime, dt.hour, dt.min, dt.sec = true, h, m, sec
	return true
}

// namedDate finds the day and the year among the two numbers of a date
// with a month name (at token indexes i and j, in text order): the year
// is the one with four digits, an apostrophe ('19), an era or a value
// over 31; of two one- or two-digit numbers, the later (00 is a year,
// never a day). A day written as
// an ordinal ("2nd", "1er", "31ste") is the day.
func namedDate(t []dateToken, i, j int, era bool, dt *dateTime) bool {
	a, b := &t[i], &t[j]
	a.used, b.used = true, true
	ordinal(t, i)
	ordinal(t, j)
	yearLike := func(k int) bool {
		x := &t[k]
		return x.n == 4 || apostrophe(t, k) || x.v > 31 || (era && x.n == 3)
	}
	dayLike := func(k int) bool {
		x := &t[k]
		return x.n <= 2 && x.v >= 1 && x.v <= 31 && !apostrophe(t, k)
	}
	day, year := -1, -1
	switch {
	case yearLike(i) && !yearLike(j) && dayLike(j):
		day, year = j, i
	case yearLike(j) && !yearLike(i) && dayLike(i):
		day, year = i, j
	case dayLike(i) && (dayLike(j) || t[j].n == 2 && t[j].v == 0):
		// Two small numbers: the later is the year, "00" too (2000, as
		// the fast path reads "15 Jan 00").
		day, year = i, j
	default:
		return false
	}
	y := &t[year]
	switch {
	case y.n == 4 || (era && y.n <= 3):
		dt.year = int(y.v)
	case y.n == 2:
		dt.year, _ = fullYear(int(y.v), 2)
	default:
		return false
	}
	dt.day = int(t[day].v)
	return true
}

// apostrophe reports a number written after an apostrophe: '96.
func apostrophe(t []dateToken, k int) bool {
	if k == 0 || t[k].space || !isPunct(t[k-1], '\'') {
		return false
	}
	t[k-1].used = true
	return t[k].n == 2
}

// ordinal marks the suffix written right after a day number: "2nd",
// "1er", "1.º", "31ste", "12de".
func ordinal(t []dateToken, k int) {
	next := k + 1
	if next+1 < len(t) && isPunct(t[next], '.') && !t[next+1].space && t[next+1].kind == tokWord && t[next+1].info.role&roleOrdinal != 0 {
		t[next].used = true // 1.º, 1.er
		next++
	}
	if next < len(t) && !t[next].space && t[next].kind == tokWord && t[next].info.role&roleOrdinal != 0 && t[k].n <= 2 {
		t[next].used = true
	}
}

// numericDate reads three numbers as a date: year first when the first
// has four digits, else by order (dots: day first), the year last. The
// numbers must be separated by one separator each, the same ("/", "-",
// "." with or without spaces around it: "05. 11.22"), or by spaces alone
// when the year has four digits ("25 09 2003").
func numericDate(t []dateToken, i, j, k int, order DateOrder, dt *dateTime) dateStatus {
	sep1, ok1 := separator(t, i, j)
	sep2, ok2 := separator(t, j, k)
	if !ok1 || !ok2 || sep1 != sep2 {
		return notADate
	}
	a, b, c := &t[i], &t[j], &t[k]
	a.used, b.used, c.used = true, true, true
	if sep1 == ' ' && a.n != 4 && c.n != 4 {
		return notADate
	}
	if a.n == 4 {
		if b.n > 2 || c.n > 2 {
			return notADate
		}
		dt.year, dt.month, dt.day = int(a.v), int(b.v), int(c.v)
		if !validDate(dt.year, dt.month, dt.day) {
			return notADate
		}
		return dateRead
	}
	if a.n > 2 || b.n > 2 {
		return notADate
	}
	year, ok := fullYear(int(c.v), int(c.n))
	if !ok {
		return notADate
	}
	if sep1 == '.' {
		order = DayFirst
	}
	var st dateStatus
	dt.year = year
	dt.month, dt.day, st = orderDate(year, int(a.v), int(b.v), order)
	return st
}

// separator returns what separates the numbers at token indexes i < j:
// one punctuation character ('/', '-', '.'), or ' ' for spaces alone.
func separator(t []dateToken, i, j int) (byte, bool) {
	switch {
	case j == i+1 && t[j].space:
		return ' ', true
	case j == i+2 && t[i+1].kind == tokPunct && !t[i+1].used:
		switch c := t[i+1].c; c {
		case '/', '-', '.':
			t[i+1].used = true
			return c, true
		}
	}
	return 0, false
}

// leftoversFit checks what the readers did not use: weekdays, the words
// of date patterns, commas, full stops, dashes and slashes may remain; noon or
// midnight set the time when there is none. Anything else makes the text
// no date.
func leftoversFit(t []dateToken, dt *dateTime) bool {
	for i := range t {
		w := &t[i]
		if w.used {
			continue
		}
		switch w.kind {
		case tokNumber:
			return false
		case tokPunct:
			switch w.c {
			case ',', '.', '-', '/': // "Sep/25/2003", "15-Jan-2024", "Mon, 15 Jan 2024."
			default:
				return false
			}
		case tokWord:
			role := w.info.role
			switch {
			case role&(roleWeekday|roleFiller) != 0:
			case role&roleT != 0 && w.kind == tokWord && dt.hasTime:
			case role&(roleNoon|roleMidnight) != 0 && !dt.hasTime:
				dt.hasTime = true
				if role&roleNoon != 0 {
					dt.hour = 12
				}
			default:
				return false
			}
		}
	}
	return true
}
