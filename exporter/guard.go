package exporter

import "github.com/crmio/crmio/internal/guard"

// Neutralize defuses CSV (formula) injection, as OWASP recommends: a
// spreadsheet program runs a cell that begins with "=", "+", "-" or "@" as
// a formula, and a tab or carriage return at the start can smuggle one
// past a check, so such a cell gets a leading single quote, which makes a
// spreadsheet show it as text. The full-width and small forms of those
// characters ("＝", "﹢", "＠"), which some spreadsheets read as the
// characters themselves, and the other forms that normalize to them
// (superscripts, subscripts, the minus sign "−") count as well.
//
// Export applies it to every text cell (and column name) of a format whose
// text a spreadsheet may run as formulas (formats.Format.Formulas: CSV),
// unless Options.DisableInjectionGuard is set. It does nothing to the cells
// of an XLSX workbook, whose text cells are never formulas, nor to a PDF
// report or a vCard file.
//
// Two kinds of text keep their leading sign because they are data, not
// formulas, and cannot do harm: a plain number ("-12.5", "+3"), and a
// phone number in international form ("+1 415 555 0102"): "+" followed by
// digits, spaces, dashes, dots and parentheses only. A spreadsheet may
// compute such a cell ("+1-415" as -414) but no formula made of those
// characters can call a function, reach another cell or another program.
//
// The quote comes off again on import: formats.Open strips it from the
// fields of a CSV file (see formats.Options.KeepFormulaGuard), so a value
// exported and imported back is the value it was. For that to hold
// exactly, a text that already starts with quotes in front of a formula
// ("'=1+1") gets one more quote.
func Neutralize(s string) string { return guard.Neutralize(s) }

// Dangerous reports whether a spreadsheet could run s as a formula, which
// is when Neutralize quotes it (it also quotes the text that is quotes in
// front of such a formula, to keep the round trip exact).
func Dangerous(s string) bool { return guard.Dangerous(s) }
