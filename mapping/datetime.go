package mapping

import (
	"strings"
	"time"

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

// number reads up to 9 digits; n is how many (0 if none).
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

// monthNames maps lower-case English and German month names and their
// abbreviations to month numbers.
var monthNames = map[string]int{
	"jan": 1, "january": 1, "januar": 1, "jän": 1, "jänner": 1,
	"feb": 2, "february": 2, "februar": 2, "febr": 2,
	"mar": 3, "march": 3, "mär": 3, "märz": 3, "mrz": 3, "maerz": 3,
	"apr": 4, "april": 4,
	"may": 5, "mai": 5,
	"jun": 6, "june": 6, "juni": 6,
	"jul": 7, "july": 7, "juli": 7,
	"aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "okt": 10, "oktober": 10,
	"nov": 11, "november": 11,
	"dec": 12, "december": 12, "dez": 12, "dezember": 12,
}

var weekdayNames = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true, "wednesday": true,
	"thu": true, "thur": true, "thurs": true, "thursday": true, "fri": true, "friday": true, "sat": true,
	"saturday": true, "sun": true, "sunday": true,
	"mo": true, "di": true, "mi": true, "do": true, "fr": true, "sa": true, "so": true, "montag": true,
	"dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true, "samstag": true, "sonntag": true,
}

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

// parseDateTime parses a date, optionally followed by a time of day and a
// zone. It reads:
//
//	2024-01-15  2024/1/15  2024.01.15  20240115           year first
//	01/15/2024  15/01/2024  1-15-24  15.01.2024           numeric, see order
//	15 Jan 2024  15-Jan-24  15. Januar 2024                day, month name, year
//	January 15, 2024  Jan 15th 2024  Mon, 15 Jan 2024       month name, day, year
//
// each optionally followed by a time: "T10:30", " 10:30:15", " 10:30 PM",
// ".123", and a zone: "Z", "+02:00", "+0200", " UTC", " GMT".
//
// A numeric date whose first two numbers could each be the month is read
// in order (dates with dots are always day first: 03.04.2024 is 3 April).
// When order gives no valid date but the other order does (13/01/2024
// read month-first), the date is read the other way and swapped is set.
func parseDateTime(s string, order DateOrder) (dt dateTime, swapped, ok bool) {
	p := dateScanner{s: s}
	p.spaces()
	if isLetter(p.peek()) {
		save := p.i
		if _, wd := lookupWord(weekdayNames, p.word()); wd {
			p.skip(".,")
		} else {
			p.i = save
		}
	}
	switch c := p.peek(); {
	case isDigit(c):
		a, na := p.number()
		switch {
		case na == 8 && (p.eof() || p.peek() == 'T' || p.peek() == ' '):
			dt.year, dt.month, dt.day = a/10000, a/100%100, a%100
		case na == 4: // year first
			sep := p.peek()
			if sep != '-' && sep != '/' && sep != '.' {
				return dt, false, false
			}
			p.i++
			dt.year = a
			if isLetter(p.peek()) {
				m, found := lookupWord(monthNames, p.word())
				if !found {
					return dt, false, false
				}
				dt.month = m
			} else {
				m, nm := p.number()
				if nm == 0 || nm > 2 {
					return dt, false, false
				}
				dt.month = m
			}
			if p.peek() != sep {
				return dt, false, false
			}
			p.i++
			d, nd := p.number()
			if nd == 0 || nd > 2 {
				return dt, false, false
			}
			dt.day = d
		case na == 1 || na == 2:
			sep := p.peek()
			if (sep == '/' || sep == '-' || sep == '.') && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
				p.i++
				b, nb := p.number()
				if nb == 0 || nb > 2 || p.peek() != sep {
					return dt, false, false
				}
				p.i++
				y, ny := p.number()
				year, good := fullYear(y, ny)
				if !good {
					return dt, false, false
				}
				dt.year = year
				first := order
				if sep == '.' {
					first = DayFirst
				}
				m, d := a, b
				if first == DayFirst {
					m, d = b, a
				}
				if !validDate(year, m, d) && validDate(year, d, m) {
					m, d, swapped = d, m, true
				}
				dt.month, dt.day = m, d
			} else {
				// 15 Jan 2024, 15-Jan-24, 15. Januar 2024
				p.skip(".-/")
				m, found := lookupWord(monthNames, p.word())
				if !found {
					return dt, false, false
				}
				p.skip(".-/,")
				y, ny := p.number()
				year, good := fullYear(y, ny)
				if !good {
					return dt, false, false
				}
				dt.year, dt.month, dt.day = year, m, a
			}
		default:
			return dt, false, false
		}
	case isLetter(c):
		// January 15, 2024; Jan 15th 2024
		m, found := lookupWord(monthNames, p.word())
		if !found {
			return dt, false, false
		}
		p.skip(".-/")
		d, nd := p.number()
		if nd == 0 || nd > 2 {
			return dt, false, false
		}
		if isLetter(p.peek()) {
			switch suffix := p.word(); strings.ToLower(suffix) {
			case "st", "nd", "rd", "th":
			default:
				return dt, false, false
			}
		}
		p.skip(",-/")
		y, ny := p.number()
		year, good := fullYear(y, ny)
		if !good {
			return dt, false, false
		}
		dt.year, dt.month, dt.day = year, m, d
	default:
		return dt, false, false
	}
	if !validDate(dt.year, dt.month, dt.day) {
		return dt, false, false
	}
	if p.eof() {
		return dt, swapped, true
	}
	// The time of day.
	switch p.peek() {
	case 'T', 't':
		p.i++
	case ' ', '\t', ',':
		p.skip(",")
	default:
		return dt, false, false
	}
	if p.eof() {
		return dt, swapped, true
	}
	if !parseClock(&p, &dt) {
		return dt, false, false
	}
	return dt, swapped, true
}

// parseClock reads "10:30", "10:30:15.123", "10:30 PM" and a zone.
func parseClock(p *dateScanner, dt *dateTime) bool {
	h, nh := p.number()
	if nh == 0 || nh > 2 || p.peek() != ':' {
		return false
	}
	p.i++
	m, nm := p.number()
	if nm != 2 {
		return false
	}
	sec := 0
	if p.peek() == ':' {
		p.i++
		s, ns := p.number()
		if ns != 2 {
			return false
		}
		sec = s
		if c := p.peek(); (c == '.' || c == ',') && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]) {
			p.i++
			f, nf := p.number()
			if nf > 9 {
				return false
			}
			for i := nf; i < 9; i++ {
				f *= 10
			}
			dt.nsec = f
		}
	}
	p.spaces()
	if isLetter(p.peek()) && p.peek()|0x20 != 'z' {
		save := p.i
		switch w := strings.ToLower(p.word()); w {
		case "am", "a":
			if h < 1 || h > 12 {
				return false
			}
			if h == 12 {
				h = 0
			}
			p.skip(".m")
		case "pm", "p":
			if h < 1 || h > 12 {
				return false
			}
			if h != 12 {
				h += 12
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
		switch strings.ToUpper(p.word()) {
		case "UTC", "GMT":
			dt.hasZone = true
			p.spaces()
			if c := p.peek(); c == '+' || c == '-' {
				if !parseOffset(p, dt) {
					return false
				}
			}
		default:
			return false
		}
	default:
		return false
	}
	p.spaces()
	return p.eof()
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
	if hh > 14 || mm > 59 {
		return false
	}
	dt.hasZone = true
	dt.offset = sign * (hh*3600 + mm*60)
	return true
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
