package mapping

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// dateTime is a parsed date with an optional time of day and zone.
type dateTime struct {
	year, month, day int
	hasTime          bool
	hour, min, sec   int
	nsec             int
	hasZone          bool
	offset           int // seconds east of UTC
	// unknownZone is a zone abbreviation the text names but crmio cannot
	// tell the offset of ("CEST", "BRST"): a date reads, a date-time not.
	unknownZone string
}

func (dt dateTime) date() crmio.Date { return crmio.NewDate(dt.year, time.Month(dt.month), dt.day) }

// instant returns the moment dt names: in its own zone when it has one,
// else in loc.
func (dt dateTime) instant(loc *time.Location) time.Time {
	if dt.hasZone {
		t := time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.min, dt.sec, dt.nsec, time.UTC)
		return t.Add(-time.Duration(dt.offset) * time.Second)
	}
	return time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.min, dt.sec, dt.nsec, loc)
}

// dateStatus is what reading a text as a date found.
type dateStatus uint8

const (
	notADate   dateStatus = iota
	dateRead              // a date, in the order asked for where it mattered
	otherOrder            // a numeric date that reads only in the other order (13/01/2024 month first); dateTime holds that reading
)

// readDate reads s as a date, with an optional time of day and zone, in
// any of the forms doc.go lists. order says how to read numeric dates
// whose first two numbers could each be the month (never AutoOrder);
// dates with dots are read day first.
//
// The common forms take a fast path that reads left to right and
// allocates nothing; a text it cannot read whole goes to the general
// reader, which splits the text into words and numbers and sorts out
// what each is. Neither allocates, so a column of free-form dates, or of
// texts that are no dates at all, is not slow either.
func readDate(s string, order DateOrder, dt *dateTime) dateStatus {
	if st := fastDate(s, order, dt); st != notADate {
		return st
	}
	*dt = dateTime{}
	return freeDate(s, order, dt)
}

// parseDateTime is readDate for callers that take a date in the other
// order as a date (with swapped set), such as the suggester's reading of
// samples.
func parseDateTime(s string, order DateOrder) (dt dateTime, swapped, ok bool) {
	st := readDate(s, order, &dt)
	return dt, st == otherOrder, st != notADate
}

// dateScanner reads a date left to right without allocating.
type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) eof() bool { return p.i >= len(p.s) }

func (p *dateScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *dateScanner) spaces() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// skip consumes any of the bytes in set, and spaces.
func (p *dateScanner) skip(set string) {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || strings.IndexByte(set, p.s[p.i]) >= 0) {
		p.i++
	}
}

// skipOne consumes spaces, at most one of the bytes in set, and spaces.
func (p *dateScanner) skipOne(set string) {
	p.spaces()
	if p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
	p.spaces()
}

// number reads up to 9 digits; n is how many (0 if none, 10 if more).
func (p *dateScanner) number() (v, n int) {
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if n == 9 {
			return v, 10 // too long for any part of a date
		}
		v = v*10 + int(p.s[p.i]-'0')
		n++
		p.i++
	}
	return v, n
}

// word reads letters (ASCII, and any UTF-8 multi-byte letter, for "März").
func (p *dateScanner) word() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') }

// lookupWord finds a lower-cased word in m without allocating for short
// ASCII words.
func lookupWord[V any](m map[string]V, w string) (V, bool) {
	var buf [16]byte
	if len(w) <= len(buf) {
		b := buf[:len(w)]
		for i := 0; i < len(w); i++ {
			c := w[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b[i] = c
		}
		v, ok := m[string(b)] // no allocation: the compiler reads b in place
		if ok {
			return v, ok
		}
	}
	v, ok := m[strings.ToLower(w)]
	return v, ok
}

// fullYear turns a two-digit year into a four-digit one the way
// spreadsheets do: 00-29 are 2000-2029, 30-99 are 1930-1999.
func fullYear(y, digits int) (int, bool) {
	switch digits {
	case 4:
		return y, true
	case 2:
		if y < 30 {
			return 2000 + y, true
		}
		return 1900 + y, true
	}
	return 0, false
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func validDate(y, m, d int) bool {
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(m, y)
}

// orderDate picks month and day from the first two numbers a and b of a
// numeric date in the given order, or in the other one when only that
// reads (status otherOrder).
func orderDate(year, a, b int, order DateOrder) (m, d int, st dateStatus) {
	m, d = a, b
	if order == DayFirst {
		m, d = b, a
	}
	switch {
	case validDate(year, m, d):
		return m, d, dateRead
	case validDate(year, d, m):
		return d, m, otherOrder
	}
	return m, d, notADate
}

// fastDate reads the forms most files hold, left to right:
//
//	2024-01-15  2024/1/15  2024.01.15  20240115           year first
//	01/15/2024  15/01/2024  1-15-24  15.01.2024           numeric, see order
//	15 Jan 2024  15-Jan-24  15. Januar 2024  15 janvier 2024   day, month name, year
//	January 15, 2024  Jan 15th 2024  Mon, 15 Jan 2024       month name, day, year
//
// each optionally followed by a time: "T10:30", "T103015", " 10:30:15",
// " 10:30 PM", ".123", and a zone: "Z", "+02:00", "+0200", " UTC", " EST".
// It returns notADate for anything else, which readDate then hands to
// the general reader.
func fastDate(s string, order DateOrder, dt *dateTime) (st dateStatus) {
	p := dateScanner{s: s}
	p.spaces()
	if isLetter(p.peek()) {
		save := p.i
		if dw, ok := lookupDateWord(p.word()); ok && dw.role&roleWeekday != 0 && dw.role&roleMonth == 0 {
			p.skipOne(".")
			p.skipOne(",")
		} else {
			p.i = save
		}
	}
	st = dateRead
	switch c := p.peek(); {
	case isDigit(c):
		a, na := p.number()
		switch {
		case na == 8 && (p.eof() || p.peek() == 'T' || p.peek() == 't' || p.peek() == ' '):
			dt.year, dt.month, dt.day = a/10000, a/100%100, a%100
		case na == 4: // year first
			sep := p.peek()
			if sep != '-' && sep != '/' && sep != '.' {
				return notADate
			}
			p.i++
			dt.year = a
			if isLetter(p.peek()) {
				m := monthOf(p.word())
				if m == 0 {
					return notADate
				}
				dt.month = m
			} else {
				m, nm := p.number()
				if nm == 0 || nm > 2 {
					return notADate
				}
				dt.month = m
			}
			if p.peek() != sep {
				return notADate
			}
			p.i++
			d, nd := p.number()
			if nd == 0 || nd > 2 {
				return notADate
			}
			dt.day = d
		case na == 1 || na == 2:
			sep := p.peek()
			if (sep == '/' || sep == '-' || sep == '.') && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
				p.i++
				b, nb := p.number()
				if nb == 0 || nb > 2 || p.peek() != sep {
					return notADate
				}
				p.i++
				y, ny := p.number()
				year, good := fullYear(y, ny)
				if !good {
					return notADate
				}
				if sep == '.' {
					order = DayFirst
				}
				dt.year = year
				dt.month, dt.day, st = orderDate(year, a, b, order)
				if st == notADate {
					return notADate
				}
			} else {
				// 15 Jan 2024, 15-Jan-24, 15. Januar 2024
				p.skipOne(".-/")
				m := monthOf(p.word())
				if m == 0 {
					return notADate
				}
				p.skipOne(".")
				p.skipOne("-/,")
				y, ny := p.number()
				year, good := fullYear(y, ny)
				if !good {
					return notADate
				}
				dt.year, dt.month, dt.day = year, m, a
			}
		default:
			return notADate
		}
	case isLetter(c):
		// January 15, 2024; Jan 15th 2024
		m := monthOf(p.word())
		if m == 0 {
			return notADate
		}
		p.skipOne(".")
		p.skipOne("-/")
		d, nd := p.number()
		if nd == 0 || nd > 2 {
			return notADate
		}
		if isLetter(p.peek()) {
			switch suffix := p.word(); strings.ToLower(suffix) {
			case "st", "nd", "rd", "th":
			default:
				return notADate
			}
		}
		p.skipOne(",-/")
		y, ny := p.number()
		year, good := fullYear(y, ny)
		if !good {
			return notADate
		}
		dt.year, dt.month, dt.day = year, m, d
	default:
		return notADate
	}
	if !validDate(dt.year, dt.month, dt.day) {
		return notADate
	}
	if p.eof() {
		return st
	}
	// The time of day.
	iso := false
	switch p.peek() {
	case 'T', 't':
		p.i++
		iso = true
	case ' ', '\t', ',':
		p.skip(",")
	default:
		return notADate
	}
	if p.eof() {
		if iso {
			return notADate // "2024-01-15T": a time is missing
		}
		return st
	}
	if !parseClock(&p, dt, iso) {
		return notADate
	}
	return st
}

// parseClock reads "10:30", "10:30:15.123", "10:30 PM" and a zone; after
// the "T" of an ISO date (iso) also the basic forms "10", "1030" and
// "103015.5".
func parseClock(p *dateScanner, dt *dateTime, iso bool) bool {
	h, nh := p.number()
	m, sec := 0, 0
	switch {
	case iso && (nh == 4 || nh == 6):
		if nh == 6 {
			h, sec = h/100, h%100
		}
		h, m = h/100, h%100
		if nh == 6 && !clockFraction(p, dt) {
			return false
		}
	case iso && nh == 2 && p.peek() != ':':
		// "T10": the hour alone
	case nh == 1 || nh == 2:
		if p.peek() != ':' {
			return false
		}
		p.i++
		var nm int
		m, nm = p.number()
		if nm != 2 {
			return false
		}
		if p.peek() == ':' {
			p.i++
			s, ns := p.number()
			if ns != 2 {
				return false
			}
			sec = s
			if !clockFraction(p, dt) {
				return false
			}
		}
	default:
		return false
	}
	p.spaces()
	if isLetter(p.peek()) && p.peek()|0x20 != 'z' {
		save := p.i
		switch w := strings.ToLower(p.word()); w {
		case "am", "a", "pm", "p":
			ap := uint8(1)
			if w[0] == 'p' {
				ap = 2
			}
			var ok bool
			if h, ok = withAMPM(h, ap); !ok {
				return false
			}
			p.skip(".m")
		default:
			p.i = save
		}
		if strings.HasPrefix(p.s[p.i:], ".") { // "p.m."
			p.i++
		}
		p.spaces()
	}
	if h > 23 || m > 59 || sec > 60 {
		return false
	}
	if sec == 60 {
		sec = 59 // a leap second: the nearest representable instant
	}
	dt.hasTime, dt.hour, dt.min, dt.sec = true, h, m, sec
	if p.eof() {
		return true
	}
	// The zone.
	switch c := p.peek(); {
	case c == 'Z' || c == 'z':
		p.i++
		dt.hasZone = true
	case c == '+' || c == '-':
		if !parseOffset(p, dt) {
			return false
		}
	case isLetter(c):
		w := p.word()
		off, ok := lookupWord(rfc5322Zones, w)
		if !ok {
			return false
		}
		dt.hasZone, dt.offset = true, int(off)
		p.spaces()
		if c := p.peek(); (c == '+' || c == '-') && off == 0 {
			if !parseOffset(p, dt) {
				return false
			}
		}
	default:
		return false
	}
	p.spaces()
	return p.eof()
}

// clockFraction reads the fraction of a second after ".", or ",": "10:30:15.250".
func clockFraction(p *dateScanner, dt *dateTime) bool {
	if c := p.peek(); (c == '.' || c == ',') && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
		p.i++
		f, nf := p.number()
		if nf > 9 {
			return false
		}
		dt.nsec = nanos(f, nf)
	}
	return true
}

// nanos turns the nf digits f of a fraction of a second into nanoseconds.
func nanos(f, nf int) int {
	for i := nf; i < 9; i++ {
		f *= 10
	}
	return f
}

// parseOffset reads "+02:00", "+0200" or "+02".
func parseOffset(p *dateScanner, dt *dateTime) bool {
	sign := 1
	if p.peek() == '-' {
		sign = -1
	}
	p.i++
	v, n := p.number()
	var hh, mm int
	switch n {
	case 1, 2:
		hh = v
		if p.peek() == ':' {
			p.i++
			m, nm := p.number()
			if nm != 2 {
				return false
			}
			mm = m
		}
	case 4:
		hh, mm = v/100, v%100
	default:
		return false
	}
	return dt.setOffset(sign, hh, mm)
}

// setOffset sets the zone to sign × hh:mm, false if it is beyond ±14:59.
func (dt *dateTime) setOffset(sign, hh, mm int) bool {
	if hh > 14 || mm > 59 {
		return false
	}
	dt.hasZone = true
	dt.offset = sign * (hh*3600 + mm*60)
	return true
}

// withAMPM turns the hour h of a 12-hour time into 0-23: ap is 1 for
// AM, 2 for PM. false when h is not 1 to 12.
func withAMPM(h int, ap uint8) (int, bool) {
	if h < 1 || h > 12 {
		return h, false
	}
	h %= 12
	if ap == 2 {
		h += 12
	}
	return h, true
}

// Excel serial dates: the number of days since 1899-12-30 in the 1900 date
// system (the 1900 leap-year bug only affects serials before 61, outside
// the range read here). A plain number in a date column is read as a
// serial when it names a day from 1910 to 2099, the range of birthdays,
// deals and activities; other numbers in a date column are errors.
const (
	minExcelSerial = 3654  // 1910-01-01
	maxExcelSerial = 73050 // 2099-12-31
)

// excelSerial reads "45306" or "45306.4375" (a date and time of day).
func excelSerial(s string) (dt dateTime, ok bool) {
	days, frac, fracDigits := 0, 0, 0
	i := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		if i >= 6 {
			return dt, false
		}
		days = days*10 + int(s[i]-'0')
	}
	if i == 0 {
		return dt, false
	}
	if i < len(s) {
		if s[i] != '.' || i+1 == len(s) {
			return dt, false
		}
		for i++; i < len(s); i++ {
			if !isDigit(s[i]) {
				return dt, false
			}
			if fracDigits < 9 {
				frac = frac*10 + int(s[i]-'0')
				fracDigits++
			}
		}
	}
	if days < minExcelSerial || days > maxExcelSerial {
		return dt, false
	}
	t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	dt.year, dt.month, dt.day = t.Year(), int(t.Month()), t.Day()
	if fracDigits > 0 {
		scale := 1
		for range fracDigits {
			scale *= 10
		}
		// Round to the second, as Excel displays it.
		secs := (frac*86400 + scale/2) / scale
		if secs >= 86400 {
			secs = 86399
		}
		dt.hasTime = true
		dt.hour, dt.min, dt.sec = secs/3600, secs/60%60, secs%60
	}
	return dt, true
}

// dateOrderEvidence says which order a numeric date proves: MonthFirst
// for 12/25/2024, DayFirst for 25/12/2024, AutoOrder when both read (or
// neither, or it is not a slash or dash date). ambiguous reports a date
// that reads both ways with different results (03/04/2024).
func dateOrderEvidence(s string) (o DateOrder, ambiguous bool) {
	p := dateScanner{s: s}
	p.spaces()
	a, na := p.number()
	if na == 0 || na > 2 {
		return AutoOrder, false
	}
	sep := p.peek()
	if sep != '/' && sep != '-' {
		return AutoOrder, false
	}
	p.i++
	b, nb := p.number()
	if nb == 0 || nb > 2 || p.peek() != sep {
		return AutoOrder, false
	}
	p.i++
	y, ny := p.number()
	year, ok := fullYear(y, ny)
	if !ok {
		return AutoOrder, false
	}
	mf, df := validDate(year, a, b), validDate(year, b, a)
	switch {
	case mf && !df:
		return MonthFirst, false
	case df && !mf:
		return DayFirst, false
	}
	return AutoOrder, mf && df && a != b
}

// isSpaceRune reports the spaces a date may hold between its parts: ASCII
// blanks, the no-break spaces spreadsheets and CLDR patterns use.
func isSpaceRune(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// isWordRune reports the runes of a word in a date: letters, the
// combining marks of decomposed accents, and the ordinal indicators.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == '°'
}
