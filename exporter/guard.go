package exporter

// Neutralize defuses CSV (formula) injection, as OWASP recommends: a
// spreadsheet program runs a cell that begins with "=", "+", "-" or "@" as
// a formula, and a tab or carriage return at the start can smuggle one
// past a check, so such a cell gets a leading single quote, which makes a
// spreadsheet show it as text. Export applies it to every text cell of a
// CSV or XLSX file unless Options.DisableInjectionGuard is set.
//
// Two kinds of text keep their leading sign because they are data, not
// formulas, and cannot do harm: a plain number ("-12.5", "+3"), and a
// phone number in international form ("+1 415 555 0102"): "+" followed by
// digits, spaces, dashes, dots and parentheses only. A spreadsheet may
// compute such a cell ("+1-415" as -414) but no formula made of those
// characters can call a function, reach another cell or another program.
//
// The quote stays in the value: a neutralized cell re-imports with it
// ("'=1+1"). Exports meant for another program, not a person's
// spreadsheet, can turn the guard off.
func Neutralize(s string) string {
	if !Dangerous(s) {
		return s
	}
	return "'" + s
}

// Dangerous reports whether Neutralize would change s: whether a
// spreadsheet could run s as a formula.
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
