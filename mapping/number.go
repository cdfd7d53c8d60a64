package mapping

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// parseNumber reads a number as people type it (see readNumber).
func parseNumber(s string, decimalComma bool) (crmio.Decimal, bool) {
	d, problem := readNumber(s, decimalComma)
	return d, problem == ""
}

// badNumber is the problem of a text that is no number at all; the
// other problems of readNumber say why after the plain "is not a number".
const badNumber = "-"

// readNumber reads a number as people type it and returns "" as its
// problem, else badNumber or a reason for a person. It reads:
//
//   - group separators as CLDR's locale data writes them: ",", ".", a
//     space, a no-break or narrow no-break space, a thin space, "'" and
//     "’" (Switzerland), "٬" (Arabic); in groups of three, or Indian
//     groups of two above the last three ("12,34,567.89", the #,##,##0
//     pattern of en-IN, hi, bn and the other South Asian locales);
//   - a decimal comma when decimalComma is set, else a decimal point;
//     "٫", the Arabic decimal separator, always;
//   - the digits of any script's decimal numbering system ("١٢٣", "१२३");
//   - currency symbols and codes ("$1,200", "1.200 €", "EUR 5"), a
//     trailing percent sign (kept as typed: "15%" is 15), a sign, a
//     trailing minus, accounting parentheses ("(1,200.00)"), and the
//     apostrophe spreadsheets put before text ("'-6.13");
//   - an exponent ("1.5E-3", "3,45E-1" with a decimal comma).
//
// The result keeps the digits typed: "1.234,50" is 1234.50. A number must
// fit the range of a float64, the double of spreadsheets, JSON and SQL
// databases: at most about 1.8e308 in size, and, unless zero, at least
// about 4.9e-324 (its smallest subnormal); beyond, it is refused with a
// reason rather than becoming infinity or zero elsewhere.
func readNumber(s string, decimalComma bool) (crmio.Decimal, string) {
	if plainNumber(s, decimalComma) {
		d, err := crmio.ParseDecimal(s)
		if err != nil {
			return d, badNumber
		}
		return d, ""
	}
	if len(s) > 400 {
		return crmio.Decimal{}, badNumber
	}
	s = strings.TrimPrefix(s, "'")
	s = stripMarks(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = stripCurrency(s)
	if strings.HasSuffix(s, "%") {
		s = strings.TrimSpace(s[:len(s)-1])
	}
	s = stripCurrency(s)
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "\u2212"):
		if neg {
			return crmio.Decimal{}, badNumber
		}
		neg = true
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasSuffix(s, "-") && !neg:
		neg, s = true, s[:len(s)-1]
	}
	s = stripCurrency(s)
	if s == "" {
		return crmio.Decimal{}, badNumber
	}
	decimalSep, groupSep := byte('.'), byte(',')
	if decimalComma {
		decimalSep, groupSep = ',', '.'
	}
	var buf [512]byte
	out := buf[:0]
	if neg {
		out = append(out, '-')
	}
	var g grouping
	seenSep := "" // the group separator in use
	digits := 0   // digits before the exponent
	nonzero := false
	point, exp := false, false
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case unicode.IsDigit(r):
				v, ok := digitValue(r)
				if !ok {
					return crmio.Decimal{}, badNumber
				}
				c, i = byte('0'+v), i+size-1 // read on as that ASCII digit
			case r == '٫' && !point && !exp: // ARABIC DECIMAL SEPARATOR
				if !g.point() {
					return crmio.Decimal{}, badNumber
				}
				point = true
				out = append(out, '.')
				i += size
				continue
			}
		}
		switch {
		case c >= '0' && c <= '9':
			if len(out) == cap(out) {
				return crmio.Decimal{}, badNumber
			}
			out = append(out, c)
			if !exp {
				digits++
				nonzero = nonzero || c != '0'
			}
			g.digit()
			i++
			continue
		case c == decimalSep && !point && !exp:
			if !g.point() {
				return crmio.Decimal{}, badNumber
			}
			point = true
			out = append(out, '.')
			i++
			continue
		case (c == 'e' || c == 'E') && !exp && seenSep == "" && digits > 0:
			exp = true
			g.stop()
			out = append(out, 'e')
			i++
			if i < len(s) && (s[i] == '-' || s[i] == '+') {
				out = append(out, s[i])
				i++
			}
			if i == len(s) {
				return crmio.Decimal{}, badNumber
			}
			continue
		}
		// A group separator.
		sep, size := groupSeparator(s[i:], groupSep)
		if sep == "" || point || exp || (seenSep != "" && sep != seenSep) || !g.separator() {
			return crmio.Decimal{}, badNumber
		}
		seenSep = sep
		i += size
	}
	if digits == 0 || !g.end() {
		return crmio.Decimal{}, badNumber
	}
	if exp || digits > 300 {
		if problem := float64Range(out, nonzero); problem != "" {
			return crmio.Decimal{}, problem
		}
	}
	d, err := crmio.ParseDecimal(string(out))
	if err != nil {
		return d, badNumber
	}
	return d, ""
}

// grouping checks the digit groups of the integer part of a number as it
// is read: groups of three ("1,234,567"), or Indian groups of two above
// the last three ("12,34,567"), the first group one to three digits (one
// or two for Indian grouping).
type grouping struct {
	groups  int  // separators seen
	first   int  // digits before the first separator
	current int  // digits since the last separator
	threes  bool // every closed group after the first had three digits
	twos    bool // every closed group after the first had two digits
	done    bool // past the integer part
}

func (g *grouping) digit() {
	if g.done {
		return
	}
	if g.groups == 0 {
		g.first++
	} else {
		g.current++
	}
}

// separator closes a group; false when the group cannot end there.
func (g *grouping) separator() bool {
	if g.groups == 0 {
		if g.first == 0 || g.first > 3 {
			return false
		}
		g.threes, g.twos = true, g.first <= 2
	} else {
		g.threes = g.threes && g.current == 3
		g.twos = g.twos && g.current == 2
		if !g.threes && !g.twos {
			return false
		}
	}
	g.groups++
	g.current = 0
	return true
}

// point ends the integer part at a decimal separator.
func (g *grouping) point() bool {
	ok := g.end()
	g.done = true
	return ok
}

func (g *grouping) stop() { g.done = true }

// end checks the last group of the integer part.
func (g *grouping) end() bool {
	if g.done || g.groups == 0 {
		return true
	}
	if g.current != 3 {
		return false
	}
	// 1,234,567 (threes) or 12,34,567 (twos above the last three; one
	// separator alone is "1,234", which threes covers).
	return g.threes || g.twos && g.groups >= 2
}

// float64Range checks that the number in b, an ASCII decimal with an
// optional exponent, is within the range of a float64.
func float64Range(b []byte, nonzero bool) string {
	f, err := strconv.ParseFloat(string(b), 64)
	switch {
	case err != nil && math.IsInf(f, 0):
		return "it is beyond the range of numbers a spreadsheet or database can hold (about ±1.8e308)"
	case err != nil:
		return badNumber
	case f == 0 && nonzero:
		return "it is too small to keep: a number other than 0 must be at least about 4.9e-324 in size, the smallest a spreadsheet or database can hold"
	}
	return ""
}

// digitValue returns the value of a decimal digit of any script: Unicode
// encodes each script's digits as a run of ten from zero.
func digitValue(r rune) (int, bool) {
	start := r
	for k := 0; k < 100 && unicode.IsDigit(start-1); k++ {
		start--
	}
	if !unicode.IsDigit(start - 1) {
		return int(r-start) % 10, true
	}
	return 0, false
}

// stripMarks removes the invisible direction marks CLDR's patterns put
// around a sign (LRM, RLM, ALM: "\u200e-9,876").
func stripMarks(s string) string {
	if !strings.ContainsAny(s, "\u200e\u200f\u061c") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\u200e' || r == '\u200f' || r == '\u061c' {
			return -1
		}
		return r
	}, s)
}

// plainNumber reports whether s is digits with an optional leading minus
// and at most one decimal point, which ParseDecimal reads as is.
func plainNumber(s string, decimalComma bool) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && !decimalComma:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// groupSeparator returns the group separator at the start of s: sep (the
// one the style uses), a space, a no-break space, a narrow no-break
// space, a thin space, an apostrophe, a right single quotation mark or
// the Arabic thousands separator.
func groupSeparator(s string, sep byte) (string, int) {
	switch {
	case s[0] == sep:
		return s[:1], 1
	case s[0] == ' ' || s[0] == '\'':
		return s[:1], 1
	case strings.HasPrefix(s, "\u00a0"), strings.HasPrefix(s, "\u202f"), strings.HasPrefix(s, "\u2009"),
		strings.HasPrefix(s, "’"), strings.HasPrefix(s, "٬"):
		_, size := utf8.DecodeRuneInString(s)
		return s[:size], size
	}
	return "", 0
}

var currencySymbols = []string{"$", "€", "£", "¥", "₹", "₽", "₩", "₺", "₪", "₫", "₱", "฿", "₴", "zł", "kr", "Fr.", "CHF", "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "INR", "CNY", "BRL", "MXN", "ZAR", "US$", "C$", "A$", "R$"}

// stripCurrency removes one currency symbol or code from either end.
func stripCurrency(s string) string {
	s = strings.TrimSpace(s) // no-break spaces too
	if s == "" {
		return s
	}
	// Most numbers start and end with a digit: no symbol to look for.
	if first, last := s[0], s[len(s)-1]; (isDigit(first) || first == '-' || first == '+' || first == '(') && (isDigit(last) || last == ')' || last == '%') {
		return s
	}
	for _, c := range currencySymbols {
		if strings.HasPrefix(s, c) {
			return strings.TrimSpace(s[len(c):])
		}
		if strings.HasSuffix(s, c) {
			return strings.TrimSpace(s[:len(s)-len(c)])
		}
	}
	return s
}

// decimalEvidence says which decimal separator a number proves: +1 a
// comma ("12,5", "1.234,56"), -1 a point ("12.5", "1,234.56"), 0 neither
// ("1,234" and "1.234" read both ways; "12" has none).
func decimalEvidence(s string) int {
	lastComma, lastDot := strings.LastIndexByte(s, ','), strings.LastIndexByte(s, '.')
	commas, dots := strings.Count(s, ","), strings.Count(s, ".")
	digitsAfter := func(i int) int {
		n := 0
		for j := i + 1; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			n++
		}
		return n
	}
	switch {
	case commas > 0 && dots > 0:
		if lastComma > lastDot {
			return +1
		}
		return -1
	case commas == 1:
		if digitsAfter(lastComma) != 3 {
			return +1
		}
	case commas > 1:
		return -1
	case dots == 1:
		if digitsAfter(lastDot) != 3 {
			return -1
		}
	case dots > 1:
		return +1
	}
	return 0
}
