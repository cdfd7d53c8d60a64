package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crmio/crmio"
)

// Role says what a column holds for its Target.
type Role string

// The roles. Most columns hold values (RoleValue, the zero Role). A
// RoleLabel column holds the label of the item its Group builds: Google
// Contacts writes "Phone 1 - Type" = "Mobile" next to "Phone 1 - Value" =
// "+1 415 555 0102", so the first column maps to
// Target{Field: "phone", Group: "1", Role: RoleLabel} and the second to
// Target{Field: "phone", Group: "1"}.
//
// A RoleWholeName column holds whole names ("Ana García", "García, Ana",
// "Ludwig van Beethoven") for a module that keeps first and last name
// apart: Compile splits each into the given names, which go to Field, and
// the family name, which goes to Family (see SplitName).
const (
	RoleValue     Role = ""
	RoleLabel     Role = "label"
	RoleWholeName Role = "whole_name"
)

// Target is where a column's text goes: a field of the module, and for a
// multi-value field the label of its item, for an address the part.
type Target struct {
	// Field is the name of the module's field. The zero Target (no Field)
	// means "not imported".
	Field string `json:"field"`
	// Label is the label of a multi-value field's item, lower-case
	// ("mobile", "work"), or empty for an unlabelled item. A RoleLabel
	// column of the same Group overrides it row by row.
	Label string `json:"label,omitempty"`
	// Part is the address part the column holds, for an address field.
	Part crmio.AddressPart `json:"part,omitempty"`
	// Group ties together the columns that build one item of a
	// multi-value field: the parts of one address, or a value and the
	// column holding its label. Columns of an address with the same Label
	// and Group build one address. Any text will do ("1", "billing").
	Group string `json:"group,omitempty"`
	// Role is RoleLabel for a column holding the label of its group's item,
	// RoleWholeName for a column of whole names split into Field (the
	// given names) and Family.
	Role Role `json:"role,omitempty"`
	// Family is the field that takes the family name of a RoleWholeName
	// column ("last_name").
	Family string `json:"family,omitempty"`
}

// IsZero reports whether t maps the column nowhere.
func (t Target) IsZero() bool { return t == Target{} }

// String describes t for people and logs: "phone (mobile)",
// "address (work) city", "phone #1 label".
func (t Target) String() string {
	if t.Field == "" {
		return "(not imported)"
	}
	if t.Role == RoleWholeName {
		return t.Field + " + " + t.Family + " (whole name)"
	}
	s := t.Field
	if t.Label != "" {
		s += " (" + t.Label + ")"
	}
	if t.Group != "" {
		s += " #" + t.Group
	}
	if t.Part != "" {
		s += " " + string(t.Part)
	}
	if t.Role == RoleLabel {
		s += " label"
	}
	return s
}

// Suggestion is a Suggester's proposal for one column.
type Suggestion struct {
	Column     int        `json:"column"` // 0-based
	Header     string     `json:"header"`
	Target     Target     `json:"target"` // the zero Target: no suggestion
	Confidence Confidence `json:"confidence"`
	// Score orders suggestions within a confidence level, in [0, 1].
	Score float64 `json:"score"`
	// Reason explains the suggestion to a user: "'E-mail Address' is a
	// known name for Email; 20 of 20 samples are email addresses".
	Reason string `json:"reason,omitempty"`
}

// ColumnMapping maps one column of the file.
type ColumnMapping struct {
	// Column is the 0-based column index.
	Column int `json:"column"`
	// Header is the column's title when the mapping was made. When set,
	// Compile checks that the file's column still has this title, and
	// finds the column by its title when it moved (a saved mapping applied
	// to a later export with an extra column).
	Header string `json:"header,omitempty"`
	Target
	// DateOrder overrides the date order of a date column; AutoOrder
	// decides from the sample.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// DecimalComma, when set, says whether the column's numbers use a
	// decimal comma ("1.234,56"), instead of deciding from the sample.
	DecimalComma *bool `json:"decimal_comma,omitempty"`
}

// String describes the column mapping: `column 4 "Mobile" → phone (mobile)`.
func (c ColumnMapping) String() string {
	s := fmt.Sprintf("column %d", c.Column+1)
	if c.Header != "" {
		s += fmt.Sprintf(" %q", c.Header)
	}
	return s + " → " + c.Target.String()
}

// StaticValue sets a field on every record whose row leaves it without a
// value ("lead_source" = "Trade show 2024"). Value is text, coerced like a
// cell of the field; Label labels the item of a multi-value field.
type StaticValue struct {
	Field string `json:"field"`
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
}

// Mapping says where each column of a file goes. It is plain data: it
// serializes to JSON, so it can be saved as a template and reused for the
// next file from the same source. Compile checks it against a module.
type Mapping struct {
	Columns []ColumnMapping `json:"columns"`
	Static  []StaticValue   `json:"static,omitempty"`
	// Options, when set, are the coercion options saved with the mapping;
	// Compile uses them when it is given none.
	Options *Options `json:"options,omitempty"`
}

// FromSuggestions returns the mapping of every suggestion whose confidence
// is at least min. A label column (Role RoleLabel) is left out when none
// of the values it labels is in.
func FromSuggestions(s []Suggestion, min Confidence) Mapping {
	var m Mapping
	for _, sg := range s {
		if sg.Confidence >= min && !sg.Target.IsZero() {
			m.Accept(sg)
		}
	}
	m.Columns = slices.DeleteFunc(m.Columns, func(c ColumnMapping) bool {
		return c.Role == RoleLabel && !slices.ContainsFunc(m.Columns, func(v ColumnMapping) bool {
			return v.Field == c.Field && v.Group == c.Group && v.Role == RoleValue
		})
	})
	return m
}

// Accept maps the suggestion's column to its target, replacing any
// mapping of that column.
func (m *Mapping) Accept(s Suggestion) {
	m.set(s.Column, s.Header, s.Target)
}

// Set maps column (0-based) to t, replacing any mapping of that column. A
// zero t clears it.
func (m *Mapping) Set(column int, t Target) {
	header := ""
	if i := m.index(column); i >= 0 {
		header = m.Columns[i].Header
	}
	m.set(column, header, t)
}

func (m *Mapping) set(column int, header string, t Target) {
	if t.IsZero() {
		m.Clear(column)
		return
	}
	if i := m.index(column); i >= 0 {
		m.Columns[i].Target = t
		if header != "" {
			m.Columns[i].Header = header
		}
		return
	}
	m.Columns = append(m.Columns, ColumnMapping{Column: column, Header: header, Target: t})
	slices.SortStableFunc(m.Columns, func(a, b ColumnMapping) int { return a.Column - b.Column })
}

// Clear stops importing column.
func (m *Mapping) Clear(column int) {
	m.Columns = slices.DeleteFunc(m.Columns, func(c ColumnMapping) bool { return c.Column == column })
}

// Target returns the target of column, if it is mapped.
func (m *Mapping) Target(column int) (Target, bool) {
	if i := m.index(column); i >= 0 {
		return m.Columns[i].Target, true
	}
	return Target{}, false
}

// SetStatic sets the static value of field (and label), replacing any.
// An empty value removes it.
func (m *Mapping) SetStatic(field, label, value string) {
	m.Static = slices.DeleteFunc(m.Static, func(s StaticValue) bool {
		return s.Field == field && strings.EqualFold(s.Label, label)
	})
	if value != "" {
		m.Static = append(m.Static, StaticValue{Field: field, Label: label, Value: value})
	}
}

func (m *Mapping) index(column int) int {
	for i := range m.Columns {
		if m.Columns[i].Column == column {
			return i
		}
	}
	return -1
}
