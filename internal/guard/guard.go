// Package guard is the CSV-injection (formula injection) guard crmio's
// exports apply and its imports undo, kept in one place so that the two
// sides agree: exporter.Neutralize adds the guard, formats.Open takes it
// off again when it reads a CSV file.
//
// A spreadsheet runs a text cell that begins with "=", "+", "-" or "@" as a
// formula, and a tab or carriage return in front can smuggle one past a
// check. Some spreadsheets read the full-width and small forms of those
// characters ("＝", "﹢"), and the superscript, subscript and minus-sign
// forms normalize to them, so they count too. Such a cell gets a leading
// single quote, which makes a spreadsheet show it as text.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzGuard$' -fuzzminimizetime 0 ./internal/guard
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package guard

import "unicode/utf8"

// Dangerous reports whether a spreadsheet could run s as a formula: s
// starts with a formula character or a form of one, and is not a plain
// number ("-12.5") nor an international phone number ("+1 415 555 0102"),
// which are data that no formula made of their characters could abuse.
func Dangerous(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+':
		return !plainNumber(s) && !phoneShaped(s)
	case '-':
		return !plainNumber(s)
	}
	return s[0] >= 0x80 && formulaForm(s)
}

// Neutralize returns s with a leading single quote when a spreadsheet
// could run it as a formula. A text that already starts with quotes in
// front of such a formula ("'=1+1") gets one more, so that Strip gives
// back exactly the text that was guarded.
func Neutralize(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Strip undoes Neutralize: it removes the leading quote Neutralize would
// have added, and leaves any other text as it is. Strip(Neutralize(s)) is
// s for every s.
func Strip(s string) string {
	if len(s) > 1 && s[0] == '\'' && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}

// Guarded reports whether Strip would change s: cheaper than comparing.
func Guarded(s string) bool {
	return len(s) > 1 && s[0] == '\'' && needsQuote(s[1:])
}

// NeedsQuote reports whether Neutralize would change s: whether s is
// quotes (none or more) in front of a dangerous text.
func NeedsQuote(s string) bool { return needsQuote(s) }

func needsQuote(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return Dangerous(s[i:])
}

// formulaForm reports whether s starts with a character whose
// compatibility form (NFKC) is "=", "+", "-" or "@", or is a minus sign
// (U+2212, what the superscript and subscript minus normalize to). The
// guard's test checks this list against the Unicode tables.
func formulaForm(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '\uFF1D', '\uFE66', '\u207C', '\u208C', // = full-width, small, superscript, subscript
		'\uFF0B', '\uFE62', '\u207A', '\u208A', '\uFB29', // + full-width, small, superscript, subscript, Hebrew alternative plus
		'\uFF0D', '\uFE63', // - full-width, small hyphen-minus
		'\uFF20', '\uFE6B', // @ full-width, small
		'\u2212', '\u207B', '\u208B': // − minus sign, superscript and subscript minus
		return true
	}
	return false
}

// plainNumber reports whether s is a decimal number with an optional sign:
// "-12", "+3.5", "-.5".
func plainNumber(s string) bool {
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// phoneShaped reports whether s is "+" followed by digits, spaces, dashes,
// dots and parentheses only, with at least one digit.
func phoneShaped(s string) bool {
	if s[0] != '+' {
		return false
	}
	digits := 0
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits > 0
}
