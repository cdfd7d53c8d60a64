package exporter

import (
	"fmt"
	"slices"
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

	// whole: the column holds every item of the field, each with its
	// label, as a report shows a multi-value field in one cell.
	whole bool
}

// Columns returns the columns that show the selected fields of m, in the
// order given; nil fields means every field of m, in m's order. An entry
// names a field ("email"), or one label of a multi-value field with
// Labels ("email/work": that label's column alone; "address/home": the
// parts of the home address). Unknown fields fail with an error wrapping
// crmio.ErrUnknownField; unknown labels, a label on a field without
// Labels and a field selected twice fail too.
//
// A single-value field is one column. A multi-value field with Labels is a
// column for its unlabelled items ("Phone"), then one per label in Labels
// order ("Phone (Mobile)", "Phone (Work)"); without Labels it is one
// column. An address is one column per part ("Address - City"), for each
// label of a multi-value address ("Address (Work) - City").
//
// Columns lists every column a selection can have. An export of a
// selection (Options.Fields) leaves out the columns of a multi-value field
// named without a label that no exported record fills: --fields email of
// records with one work email each is one column, "Email (Work)".
func Columns(m *crmio.Module, fields []string) ([]Column, error) {
	sel, err := parseSelection(m, fields)
	if err != nil {
		return nil, err
	}
	return tableColumns(sel), nil
}

// selected is one entry of a field selection: a field, and the label
// chosen ("email/work"), if any.
type selected struct {
	field    *crmio.Field
	label    string
	hasLabel bool
}

// parseSelection reads a field selection (see Columns); nil means every
// field of m.
func parseSelection(m *crmio.Module, fields []string) ([]selected, error) {
	var sel []selected
	if fields == nil {
		for i := range m.Fields {
			sel = append(sel, selected{field: &m.Fields[i]})
		}
		return sel, nil
	}
	seen := map[string]bool{}
	for _, entry := range fields {
		name, label, hasLabel := strings.Cut(entry, "/")
		name, label = strings.TrimSpace(name), strings.TrimSpace(label)
		f := m.Field(name)
		if f == nil {
			return nil, fmt.Errorf("exporter: %w: module %q has no field %q", crmio.ErrUnknownField, m.Name, name)
		}
		if hasLabel {
			switch {
			case !f.Multi || len(f.Labels) == 0:
				return nil, fmt.Errorf("exporter: %q: field %q has no labelled columns to choose from", entry, f.Name)
			case !f.HasLabel(label):
				return nil, fmt.Errorf("exporter: %q: field %q has no label %q (its labels: %s)", entry, f.Name, label, strings.Join(f.Labels, ", "))
			}
			for _, l := range f.Labels {
				if strings.EqualFold(l, label) {
					label = l
				}
			}
		}
		key := strings.ToLower(f.Name + "/" + label)
		if seen[key] || seen[strings.ToLower(f.Name)+"/"] || (!hasLabel && hasAnyLabel(seen, f.Name)) {
			return nil, fmt.Errorf("exporter: field %q is selected twice", entry)
		}
		seen[key] = true
		sel = append(sel, selected{field: f, label: label, hasLabel: hasLabel})
	}
	return sel, nil
}

func hasAnyLabel(seen map[string]bool, field string) bool {
	prefix := strings.ToLower(field) + "/"
	for k := range seen {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// tableColumns returns the columns of a selection, as Columns describes.
func tableColumns(sel []selected) []Column {
	var cols []Column
	for _, s := range sel {
		f := s.field
		labels := []string{""}
		switch {
		case s.hasLabel:
			labels = []string{s.label}
		case f.Multi:
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
	return cols
}

// reportColumns returns the columns of a selection as a printed report
// shows them: one column per field, which holds every item of a
// multi-value field with its label ("Mobile: +1 415 555 0102 · Work:
// ..."), or, for a field selected with a label ("email/work"), that
// label's items.
func reportColumns(sel []selected) []Column {
	cols := make([]Column, len(sel))
	for i, s := range sel {
		if s.hasLabel {
			cols[i] = Column{Name: crmio.ColumnName(s.field, s.label, ""), Field: s.field, Label: s.label}
			continue
		}
		cols[i] = Column{Name: s.field.DisplayLabel(), Field: s.field, whole: true}
	}
	return cols
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
	if c.whole || !c.Field.Multi || len(c.Field.Labels) == 0 {
		return true
	}
	if c.Label == "" {
		return label == "" || !c.Field.HasLabel(label)
	}
	return strings.EqualFold(label, c.Label)
}

// render turns values into cells, the way re-importing them yields the
// same values: numbers keep their digits, dates are ISO 8601, instants
// RFC 3339 in loc, booleans true or false, references their key. For a
// report, which is read rather than imported, choices show their labels,
// a multi-value field shows its items with their labels in one cell, and
// phone numbers hold together with no-break spaces.
type render struct {
	loc    *time.Location
	report bool
	texts  []string // scratch for cell
	b      strings.Builder
}

// Text joiners of a report (formats/pdf reads them): a no-break space
// holds a label to its value and a separator to the item before it, and
// is where an item too long for its column breaks first; a narrow
// no-break space holds the groups of a phone number together for good.
const (
	reportItemSeparator = "\u00a0· " // "Mobile: +1 415 555 0102 · Work: ..."
	reportLabelJoin     = ":\u00a0"
	reportNoBreak       = "\u202f"
)

// cell returns the cell of column c for rec.
func (r *render) cell(c *Column, rec *crmio.Record) formats.Cell {
	v, ok := rec.Values[c.Field.Name]
	if !ok || v.IsZero() {
		return formats.Cell{}
	}
	return r.cellOf(c, v)
}

// span is a run of consecutive columns of one field (Columns puts a
// field's columns together: a multi-value field's, an address's parts).
type span struct {
	start, end int
	// at is the place of the span's field among the fields fieldSpans
	// returns: in a row of values, the field's value.
	at int
	// classes is, for a multi-value field with Labels that shows a label a
	// column, each column's label as its labelClass: the columns an item
	// goes to, found once per item. nil for other fields.
	classes []int
}

// maxLabelled bounds the columns of a span rendered by labelled (an
// address with four labels has 25).
const maxLabelled = 64

// fieldSpans returns the spans of cols, and the fields they show, each
// once, in the order of their first span.
func fieldSpans(cols []Column) ([]span, []string) {
	var spans []span
	var fields []string
	for k := 0; k < len(cols); {
		end := k + 1
		for end < len(cols) && cols[end].Field == cols[k].Field {
			end++
		}
		f := cols[k].Field
		at := slices.Index(fields, f.Name)
		if at < 0 {
			at = len(fields)
			fields = append(fields, f.Name)
		}
		sp := span{start: k, end: end, at: at}
		whole := slices.ContainsFunc(cols[k:end], func(c Column) bool { return c.whole })
		if f.Multi && len(f.Labels) > 0 && !whole && end-k <= maxLabelled {
			sp.classes = make([]int, end-k)
			for j := range sp.classes {
				sp.classes[j] = labelClass(f, cols[k+j].Label)
			}
		}
		spans = append(spans, sp)
		k = end
	}
	return spans, fields
}

// labelClass is the index of label among f's Labels, or -1 for no label
// or one not among them: the column an item with that label goes to, as
// Column.holds says.
func labelClass(f *crmio.Field, label string) int {
	if label == "" {
		return -1
	}
	for i, l := range f.Labels {
		if strings.EqualFold(l, label) {
			return i
		}
	}
	return -1
}

// row renders the cells of a record into row, one per column of cols,
// from values, the record's value of each field of the spans (as
// fieldSpans lists them): a field's value serves all of its columns (a
// contact's 38 columns are 13 fields), and a list's items are each sent
// to their columns once.
func (r *render) row(cols []Column, spans []span, values []crmio.Value, row []formats.Cell) {
	for _, sp := range spans {
		v := values[sp.at]
		if v.IsZero() {
			clear(row[sp.start:sp.end])
			continue
		}
		if sp.classes != nil && v.Kind() == crmio.KindList {
			r.labelled(cols[sp.start:sp.end], sp.classes, v, row[sp.start:sp.end])
			continue
		}
		for k := sp.start; k < sp.end; k++ {
			row[k] = r.cellOf(&cols[k], v)
		}
	}
}

// labelled renders into row the cells of cols, the columns of a list
// field with a column per label, whose classes are given: each item goes
// to the columns of its label. A column that holds one item shows it, as
// cellOf does; one that holds several is left to cellOf, which joins them.
func (r *render) labelled(cols []Column, classes []int, v crmio.Value, row []formats.Cell) {
	var held [maxLabelled]int
	clear(row)
	f := cols[0].Field
	for _, it := range v.List() {
		if it.Value.IsZero() {
			continue
		}
		class := labelClass(f, it.Label)
		for k, c := range classes {
			if c != class {
				continue
			}
			if held[k]++; held[k] == 1 {
				row[k] = r.value(&cols[k], it.Value)
			}
		}
	}
	for k := range cols {
		if held[k] > 1 {
			row[k] = r.cellOf(&cols[k], v)
		}
	}
}

// cellOf returns the cell of column c for v, a value that is not zero.
func (r *render) cellOf(c *Column, v crmio.Value) formats.Cell {
	if v.Kind() != crmio.KindList { // a single value: an unlabelled item
		if !c.holds("") {
			return formats.Cell{}
		}
		return r.value(c, v)
	}
	if c.whole {
		return r.items(c, v.List())
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
	sep := ValueSeparator
	if r.report {
		sep = reportItemSeparator
	}
	return formats.TextCell(strings.Join(r.texts, sep))
}

// items is the report cell of every item of a list: "Mobile: … · Work: …".
// A single unlabelled item keeps its kind (a number still aligns right).
func (r *render) items(c *Column, items []crmio.Item) formats.Cell {
	r.b.Reset()
	n := 0
	var first formats.Cell
	firstLabelled := false
	for _, it := range items {
		if it.Value.IsZero() {
			continue
		}
		cell := r.value(c, it.Value)
		text := cell.String()
		if text == "" {
			continue
		}
		if n++; n == 1 {
			first, firstLabelled = cell, it.Label != ""
		} else {
			r.b.WriteString(reportItemSeparator)
		}
		if it.Label != "" {
			r.b.WriteString(crmio.Title(it.Label))
			r.b.WriteString(reportLabelJoin)
		}
		r.b.WriteString(text)
	}
	switch {
	case n == 0:
		return formats.Cell{}
	case n == 1 && !firstLabelled:
		return first
	}
	return formats.TextCell(r.b.String())
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
		if r.report && c.Field.Type == crmio.TypeChoice {
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
	case crmio.KindPhone:
		if r.report {
			return formats.TextCell(strings.ReplaceAll(v.String(), " ", reportNoBreak))
		}
	case crmio.KindAddress:
		if a, ok := v.Address(); ok && r.report {
			return formats.TextCell(addressLine(a))
		}
	}
	// Email, phone, URL, and values of an unexpected kind for the field
	// (an address in a text field, a list in a single-value field).
	return formats.TextCell(v.String())
}

// addressLine is an address on one line, for a report: "1 Rue de Rivoli,
// 75001 Paris, FR".
func addressLine(a crmio.Address) string {
	var parts []string
	for _, p := range []string{a.Street, strings.TrimSpace(a.Zip + " " + a.City), a.State, a.Country} {
		if p = strings.TrimSpace(strings.ReplaceAll(p, "\n", ", ")); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
