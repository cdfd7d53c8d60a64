package crmio

import (
	"unicode"
	"unicode/utf8"
)

// ColumnName returns the column title crmio's exports and import templates
// use for a field, one label of a multi-value field and one part of an
// address:
//
//	Email                      a single-value field
//	Phone (Mobile)             one label of a multi-value field
//	Address - City             one part of a single address
//	Address (Work) - City      one part of one labelled address
//
// The mapping suggester recognizes these titles with High confidence, so a
// file crmio exported maps straight back onto the module it came from.
func ColumnName(f *Field, label string, part AddressPart) string {
	name := f.DisplayLabel()
	if label != "" {
		name += " (" + Title(label) + ")"
	}
	if part != "" {
		name += " - " + Title(string(part))
	}
	return name
}

// Title returns s with its first letter upper-cased: "mobile" → "Mobile".
func Title(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
