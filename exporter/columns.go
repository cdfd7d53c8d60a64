package exporter

import (
	"fmt"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
)

// ValueSeparator joins several values that land in one cell: the items of
// a multi-value field without labels, or several items with the same label.
// It is the separator Google Contacts writes and package mapping splits
// multi-value cells on, so such cells import back as several values.
const ValueSeparator = " ::: "

// Column is one column of an export or an import template: a field, and
// for a multi-value field one label, and for an address one part.
type Column struct {
	// Name is the column's title, crmio.ColumnName(Field, Label, Part):
	// "Email", "Phone (Mobile)", "Address (Work) - City". The mapping
	// suggester maps these titles straight back to their field.
	Name string
	// Field is the module's field the column shows.
	Field *crmio.Field
	// Label is the label of the items this column holds, for a
	// multi-value field with Labels; "" for the column holding the
	// field's unlabelled items (and the items whose label is not among
	// Labels), and for single-value fields.
	Label string
	// Part is the part of the address this column holds; "" for fields
	// that are not addresses.
	Part crmio.AddressPart
}

// Columns returns the columns that show the named fields of m, in the
// order given; nil fields means every field of m, in m's order. Unknown
// names fail with an error wrapping crmio.ErrUnknownField.
//
// A single-value field is one column. A multi-value field with Labels is a
// column for its unlabelled items ("Phone"), then one per label in Labels
// order ("Phone (Mobile)", "Phone (Work)"); without Labels it is one
// column. An address is one column per part ("Address - City"), for each
// label of a multi-value address ("Address (Work) - City").
func Columns(m *crmio.Module, fields []string) ([]Column, error) {
	var chosen []*crmio.Field
	if fields == nil {
		for i := range m.Fields {
			chosen = append(chosen, &m.Fields[i])
		}
	} else {
		seen := map[string]bool{}
		for _, name := range fields {
			f := m.Field(name)
			if f == nil {
				return nil, fmt.Errorf("exporter: %w: module %q has no field %q", crmio.ErrUnknownField, m.Name, name)
			}
			if seen[name] {
				return nil, fmt.Errorf("exporter: field %q is listed twice", name)
			}
			seen[name] = true
			chosen = append(chosen, f)
		}
	}
	var cols []Column
	for _, f := range chosen {
		labels := []string{""}
		if f.Multi {
			labels = append(labels, f.Labels...)
		}
		for _, label := range labels {
			if f.Type == crmio.TypeAddress {
				for _, part := range crmio.AddressParts {
					cols = append(cols, Column{Name: crmio.ColumnName(f, label, part), Field: f, Label: label, Part: part})
				}
				continue
			}
			cols = append(cols, Column{Name: crmio.ColumnName(f, label, ""), Field: f, Label: label})
		}
	}
	return cols, nil
}

// Names returns the columns' names.
func Names(cols []Column) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// holds reports whether column c holds an item with the given label: for
// a multi-value field with Labels, the items with the column's label (the
// unlabelled column takes the items whose label is not among Labels);
// otherwise every item.
func (c *Column) holds(label string) bool {
	if !c.Field.Multi || len(c.Field.Labels) == 0 {
		return true
	}
	if c.Label == "" {
		return label == "" || !c.Field.HasLabel(label)
	}
	return strings.EqualFold(label, c.Label)
}

// render turns values into cells, the way re-importing them yields the
// same values: numbers keep their digits, dates are ISO 8601, instants
// RFC 3339 in loc, booleans true or false, references their key.
type render struct {
	loc          *time.Location
	choiceLabels bool     // a choice shows its label (for people), not its value (for import)
	texts        []string // scratch for cell
}

// cell returns the cell of column c for rec.
func (r *render) cell(c *Column, rec *crmio.Record) formats.Cell {
	v, ok := rec.Values[c.Field.Name]
	if !ok || v.IsZero() {
		return formats.Cell{}
	}
	if v.Kind() != crmio.KindList { // a single value: an unlabelled item
		if !c.holds("") {
			return formats.Cell{}
		}
		return r.value(c, v)
	}
	var first formats.Cell
	n := 0
	r.texts = r.texts[:0]
	for _, it := range v.List() {
		if it.Value.IsZero() || !c.holds(it.Label) {
			continue
		}
		cell := r.value(c, it.Value)
		if n++; n == 1 {
			first = cell
		}
		if s := cell.String(); s != "" {
			r.texts = append(r.texts, s)
		}
	}
	if n <= 1 {
		return first
	}
	return formats.TextCell(strings.Join(r.texts, ValueSeparator))
}

// value renders one value (one item of a list) for column c.
func (r *render) value(c *Column, v crmio.Value) formats.Cell {
	if c.Part != "" {
		if a, ok := v.Address(); ok {
			return formats.TextCell(a.Part(c.Part))
		}
		if c.Part != crmio.PartStreet {
			return formats.Cell{} // a value that is not an address shows in the street column
		}
	}
	switch v.Kind() {
	case crmio.KindNull:
		return formats.Cell{}
	case crmio.KindText:
		if r.choiceLabels && c.Field.Type == crmio.TypeChoice {
			if ch, ok := c.Field.Choice(v.Str()); ok {
				return formats.TextCell(ch.Display())
			}
		}
		return formats.TextCell(v.Str())
	case crmio.KindNumber:
		d, _ := v.Number()
		return formats.NumberCell(d.String())
	case crmio.KindBool:
		b, _ := v.Bool()
		return formats.BoolCell(b)
	case crmio.KindDate:
		d, _ := v.Date()
		return formats.DateCell(d.Year, d.Month, d.Day)
	case crmio.KindDateTime:
		t, _ := v.Time()
		return formats.DateTimeCell(t.In(r.loc))
	case crmio.KindRef:
		ref, _ := v.Ref()
		if ref.Key != "" {
			return formats.TextCell(ref.Key)
		}
		return formats.TextCell(ref.ID)
	}
	// Email, phone, URL, and values of an unexpected kind for the field
	// (an address in a text field, a list in a single-value field).
	return formats.TextCell(v.String())
}
