package mapping

import (
	"strings"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// parseNumber reads a number as people type it: thousands separators
// (",", ".", spaces, "'"), a decimal comma when decimalComma is set,
// currency symbols and codes ("$1,200", "1.200 €", "EUR 5"), a trailing
// percent sign (kept as typed: "15%" is 15), a sign or accounting
// parentheses for negatives ("(1,200.00)"), an exponent ("1.5E-3"), and
// the apostrophe spreadsheets put before text ("'-6.13"). The result keeps
// the digits typed: "1.234,50" is 1234.50.
func parseNumber(s string, decimalComma bool) (crmio.Decimal, bool) {
	if plainNumber(s, decimalComma) {
		d, err := crmio.ParseDecimal(s)
		return d, err == nil
	}
	s = strings.TrimPrefix(s, "'")
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
			return crmio.Decimal{}, false
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
	if s == "" || len(s) > 200 {
		return crmio.Decimal{}, false
	}
	decimalSep, groupSep := byte('.'), byte(',')
	if decimalComma {
		decimalSep, groupSep = ',', '.'
	}
	var buf [256]byte
	out := buf[:0]
	if neg {
		out = append(out, '-')
	}
	group := -1   // digits in the current group since a group separator; -1 before any
	first := 0    // digits before the first separator
	seenSep := "" // the group separator in use
	point, exp := false, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			out = append(out, c)
			if group >= 0 {
				group++
			} else {
				first++
			}
			i++
			continue
		case c == decimalSep && !point && !exp:
			if group >= 0 && group != 3 {
				return crmio.Decimal{}, false
			}
			point, group = true, -2
			out = append(out, '.')
			i++
			continue
		case (c == 'e' || c == 'E') && !exp && seenSep == "" && len(out) > 0:
			exp, group = true, -2
			out = append(out, 'e')
			i++
			if i < len(s) && (s[i] == '-' || s[i] == '+') {
				out = append(out, s[i])
				i++
			}
			continue
		}
		// A group separator.
		sep, size := groupSeparator(s[i:], groupSep)
		if sep == "" || point || exp || (seenSep != "" && sep != seenSep) {
			return crmio.Decimal{}, false
		}
		if group == -1 {
			if first == 0 || first > 3 {
				return crmio.Decimal{}, false
			}
		} else if group != 3 {
			return crmio.Decimal{}, false
		}
		seenSep, group = sep, 0
		i += size
	}
	if group >= 0 && group != 3 {
		return crmio.Decimal{}, false
	}
	if exp && !smallExponent(out) {
		return crmio.Decimal{}, false
	}
	d, err := crmio.ParseDecimal(string(out))
	return d, err == nil
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

// groupSeparator returns the thousands separator at the start of s: sep
// (the one the style uses), a space, a no-break space, a thin space or an
// apostrophe.
func groupSeparator(s string, sep byte) (string, int) {
	switch {
	case s[0] == sep:
		return s[:1], 1
	case s[0] == ' ' || s[0] == '\'':
		return s[:1], 1
	case strings.HasPrefix(s, "\u00a0"), strings.HasPrefix(s, "\u202f"), strings.HasPrefix(s, "\u2009"), strings.HasPrefix(s, "’"):
		_, size := utf8.DecodeRuneInString(s)
		return s[:size], size
	}
	return "", 0
}

var currencySymbols = []string{"$", "€", "£", "¥", "₹", "₽", "₩", "₺", "₪", "₫", "₱", "฿", "₴", "zł", "kr", "Fr.", "CHF", "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "INR", "CNY", "BRL", "MXN", "ZAR", "US$", "C$", "A$", "R$"}

// stripCurrency removes one currency symbol or code from either end.
func stripCurrency(s string) string {
	s = strings.TrimSpace(s)
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

// maxExponent bounds the exponent of a number in a cell: float64's range,
// far beyond what a spreadsheet writes, and small enough that the decimal
// stays short.
const maxExponent = 300

// smallExponent reports whether the exponent at the end of b ("1.5e-3")
// is at most maxExponent.
func smallExponent(b []byte) bool {
	i := len(b)
	for i > 0 && b[i-1] >= '0' && b[i-1] <= '9' {
		i--
	}
	digits := b[i:]
	if len(digits) == 0 || len(digits) > 3 {
		return false
	}
	n := 0
	for _, c := range digits {
		n = n*10 + int(c-'0')
	}
	return n <= maxExponent
}
