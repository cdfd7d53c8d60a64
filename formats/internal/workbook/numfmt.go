package workbook

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says how a number format presents a number: as a number, or as a
// point in time (a serial date).
type Kind uint8

const (
	// Number is any format that is not a date or time: General, 0.00, @, ...
	Number Kind = iota
	// Date is a calendar date, possibly with a time of day (d/m/yyyy,
	// yyyy-mm-dd hh:mm). A value below one day is shown as a time of day.
	Date
	// Time is a time of day only (hh:mm:ss, h:mm AM/PM).
	Time
	// Duration is elapsed time ([h]:mm:ss): hours may exceed 24.
	Duration
)

func (k Kind) String() string {
	switch k {
	case Date:
		return "date"
	case Time:
		return "time"
	case Duration:
		return "duration"
	default:
		return "number"
	}
}

// BuiltinKind classifies the number formats that Excel identifies by number
// alone (ECMA-376 Part 1, 18.8.30), without a format code in the file.
func BuiltinKind(id int) Kind {
	switch {
	case id >= 14 && id <= 17, id == 22:
		return Date
	case id >= 18 && id <= 21, id == 45, id == 47:
		return Time
	case id == 46:
		return Duration
	case id >= 27 && id <= 36, id >= 50 && id <= 58:
		// East Asian locale dates and times. Date also renders a value below
		// one day as a time of day, which covers the time variants.
		return Date
	}
	return Number
}

// FormatKind classifies a number format code such as "dd/mm/yyyy hh:mm",
// "[$-409]mmmm d, yyyy;@" or "#,##0.00". It looks at the first section (the
// one for positive numbers) and ignores what is quoted, escaped, padded or in
// brackets (colours, locales, conditions), as Excel does. A format is a date
// or time only when it holds date or time tokens and no digit placeholders
// (0 # ?) other than fractions of a second.
func FormatKind(code string) Kind {
	var (
		hasDate, hasTime, hasMonth, elapsed bool
		afterSeconds                        bool // "ss." permits "0" placeholders for fractions
	)
	for i := 0; i < len(code); {
		c := code[i]
		switch {
		case c == ';':
			i = len(code) // only the first section decides
			continue
		case c == '"':
			end := strings.IndexByte(code[i+1:], '"')
			if end < 0 {
				i = len(code)
				continue
			}
			i += end + 2
			afterSeconds = false
			continue
		case c == '\\' || c == '_' || c == '*':
			// An escaped literal, a space the width of the next character,
			// or a fill character: the next character is not a token.
			i++
			if i < len(code) {
				_, size := utf8.DecodeRuneInString(code[i:])
				i += size
			}
			afterSeconds = false
			continue
		case c == '[':
			end := strings.IndexByte(code[i:], ']')
			if end < 0 {
				i = len(code)
				continue
			}
			inner := strings.ToLower(code[i+1 : i+end])
			if isRepeated(inner, 'h') || isRepeated(inner, 'm') || isRepeated(inner, 's') {
				elapsed = true
			}
			i += end + 1
			continue
		case c == '@':
			return Number // text format
		case c == '0' || c == '#' || c == '?':
			if !afterSeconds || c != '0' {
				return Number
			}
			i++
			continue
		case c == '.':
			i++
			continue // keeps afterSeconds for "ss.000"
		}
		lower := c | 0x20
		switch {
		case lower == 'g' && hasPrefixFold(code[i:], "general"):
			return Number
		case lower == 'e' && i+1 < len(code) && (code[i+1] == '+' || code[i+1] == '-'):
			return Number // scientific notation: 0.00E+00
		case hasPrefixFold(code[i:], "am/pm"):
			hasTime = true
			i += len("am/pm")
			afterSeconds = false
			continue
		case hasPrefixFold(code[i:], "a/p"):
			hasTime = true
			i += len("a/p")
			afterSeconds = false
			continue
		case lower == 'y' || lower == 'd' || lower == 'e' || lower == 'b':
			// e is the era year (zh-TW, ja-JP), b the Buddhist year (th-TH).
			hasDate = true
		case lower == 'h':
			hasTime = true
		case lower == 's':
			hasTime = true
			for i+1 < len(code) && code[i+1]|0x20 == 's' {
				i++
			}
			i++
			afterSeconds = true
			continue
		case lower == 'm':
			hasMonth = true
		}
		afterSeconds = false
		i++
	}
	switch {
	case elapsed && !hasDate:
		return Duration
	case hasDate:
		return Date
	case hasTime:
		return Time // m between h and s means minutes
	case hasMonth:
		return Date // "mmm yy" without y is still a month
	}
	return Number
}

func isRepeated(s string, c byte) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Serial dates: day 1 is 1900-01-01 in the 1900 date system, which counts a
// 29 February 1900 that never was (a Lotus 1-2-3 bug Excel keeps), so from
// day 61 (1900-03-01) on the epoch is 1899-12-30. In the 1904 date system
// (old Mac workbooks) day 0 is 1904-01-01.
var (
	epoch1900      = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)
	epoch1900Early = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC)
	epoch1904      = time.Date(1904, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial is the first day Excel cannot show: 10000-01-01.
const maxSerial = 2958466

// SerialTime converts an Excel serial date to a time in UTC, rounded to the
// second. It reports false for values Excel cannot show as a date: negative,
// not finite, or from the year 10000 on. Day 60 of the 1900 system, the
// fictitious 1900-02-29, becomes 1900-02-28 (as Excel's own conversion
// functions do not agree on it, neither do we pretend).
func SerialTime(serial float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(serial) || serial < 0 || serial >= maxSerial {
		return time.Time{}, false
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	var t time.Time
	switch d := int(days); {
	case date1904:
		t = epoch1904.AddDate(0, 0, d)
	case d >= 61:
		t = epoch1900.AddDate(0, 0, d)
	case d == 60:
		t = epoch1900Early.AddDate(0, 0, 59)
	default:
		t = epoch1900Early.AddDate(0, 0, d)
	}
	return t.Add(time.Duration(secs) * time.Second), true
}

// FormatSerial renders a serial date number as ISO 8601 text the way a
// person reads the cell: "2006-01-02" for a whole day, "2006-01-02T15:04:05"
// with a time of day, "15:04:05" for a time (or a date format holding less
// than a day), "27:30:00" for a duration. It reports false when the value
// cannot be a date; the caller then keeps the number.
func FormatSerial(serial float64, date1904 bool, kind Kind) (string, bool) {
	switch kind {
	case Duration:
		if math.IsNaN(serial) || math.Abs(serial) >= maxSerial {
			return "", false
		}
		total := int64(math.Round(math.Abs(serial) * 86400))
		sign := ""
		if serial < 0 && total > 0 {
			sign = "-"
		}
		h, m, s := total/3600, total/60%60, total%60
		return sign + strconv.FormatInt(h, 10) + ":" + twoDigits(m) + ":" + twoDigits(s), true
	case Time:
		t, ok := SerialTime(serial-math.Floor(serial), date1904)
		if !ok {
			return "", false
		}
		return t.Format(time.TimeOnly), true
	case Date:
		t, ok := SerialTime(serial, date1904)
		if !ok {
			return "", false
		}
		hasClock := t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0
		switch {
		case serial < 1 && !date1904:
			// Day 0 is no date ("1900-01-00" in Excel): a time typed into a
			// date-time format.
			return t.Format(time.TimeOnly), true
		case hasClock:
			return t.Format("2006-01-02T15:04:05"), true
		default:
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// FormatNumber renders a number as Excel shows it in a General cell:
// rounded to 15 significant digits, which undoes binary noise such as
// 0.30000000000000004, without exponent for ordinary magnitudes.
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		r = v
	}
	if r == 0 {
		return "0" // -0 too
	}
	if a := math.Abs(r); a < 1e-9 || a >= 1e21 {
		return strconv.FormatFloat(r, 'g', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// CleanNumber returns the number text s as FormatNumber would render it when
// it carries more than 15 significant digits, and s itself otherwise, so that
// the common case costs no parsing.
func CleanNumber(s string) string {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == 'e' || c == 'E' {
			break
		}
	}
	if digits <= 15 && !strings.ContainsAny(s, "eE") {
		return s
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return s
	}
	return FormatNumber(v)
}
