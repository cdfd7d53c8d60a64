package exporter

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/formats/xlsx"
)

// TemplateOptions configure an import template. A nil *TemplateOptions
// means defaults: every field, as CSV.
type TemplateOptions struct {
	// Format is CSV or XLSX. Zero means CSV.
	Format Format
	// Fields names the fields to include, in column order; nil means all.
	// Required fields are included whether named or not.
	Fields []string
	// Examples overrides the example value of a field, by field name. Use
	// it to name a record that exists for a reference ("Acme Inc."), or a
	// value that reads naturally in your CRM.
	Examples map[string]string
	// Schema, when set, lets a reference's example be an example of its
	// target module's key (an email for a reference to people).
	Schema *crmio.Schema
	// CSV and XLSX configure the writer; nil means its defaults.
	CSV  *csv.WriterOptions
	XLSX *xlsx.WriterOptions
}

// TemplateColumn describes one column of an import template, for a CRM to
// show next to it: which field it fills, whether it is required, and what
// a value looks like.
type TemplateColumn struct {
	Column
	// Required is set for the columns of required fields. A required
	// multi-value field or address needs a value in at least one of its
	// columns.
	Required bool
	// Example is the example row's value ("" for columns left empty).
	Example string
	// Hint says what the column takes: "a date, YYYY-MM-DD".
	Hint string
}

// The sheets of an XLSX template.
const (
	instructionsSheet = "Instructions"
)

// Template writes an import template for module m to w: the header an
// export of m would have (the same column names, which the mapping
// suggester maps straight back), and one example row whose values import
// cleanly: a valid email, an E.164 phone number, an ISO date, a value of
// each choice field's choices, and so on. It returns the description of
// each column.
//
// Required fields are marked without touching the column names (a marker
// such as "Email *" would no longer map to the field):
//
//   - In an XLSX template their headers are orange instead of blue, and a
//     second sheet, "Instructions", lists every column with whether it is
//     required, what it takes, and its example. Importers read the first
//     sheet, so the instructions never import.
//   - A CSV file cannot carry notes that would not import as data, so a
//     CSV template is the header and the example row alone: show the
//     returned TemplateColumns beside it (Required and Hint).
//
// In a multi-value field the example fills the column of its first label
// ("Phone (Mobile)"); the unlabelled column ("Phone") and the other labels
// stay empty. A reference's example is only resolvable when a record with
// that key exists: set TemplateOptions.Examples to name one.
func Template(w io.Writer, m *crmio.Module, opts *TemplateOptions) ([]TemplateColumn, error) {
	if opts == nil {
		opts = &TemplateOptions{}
	}
	format := opts.Format
	if format == "" {
		format = CSV
	}
	if format != CSV && format != XLSX {
		return nil, fmt.Errorf("%w %q for a template (want %q or %q)", ErrUnknownFormat, format, CSV, XLSX)
	}
	fields := opts.Fields
	if fields != nil {
		fields = withRequired(m, fields)
	}
	cols, err := Columns(m, fields)
	if err != nil {
		return nil, err
	}
	tcols := make([]TemplateColumn, len(cols))
	row := make([]formats.Cell, len(cols))
	for i, c := range cols {
		tc := TemplateColumn{Column: c, Required: c.Field.Required, Hint: hint(c)}
		if fillsExample(c) {
			row[i] = exampleCell(c, opts)
			tc.Example = row[i].String()
		}
		tcols[i] = tc
	}

	var fw formats.Writer
	var xw *xlsx.Writer
	switch format {
	case CSV:
		fw, err = csv.NewWriter(w, opts.CSV)
	case XLSX:
		var xo xlsx.WriterOptions
		if opts.XLSX != nil {
			xo = *opts.XLSX
		}
		if xo.SheetName == "" {
			xo.SheetName = moduleLabel(m)
		}
		for _, tc := range tcols {
			if tc.Required {
				xo.Emphasize = append(xo.Emphasize, tc.Name)
			}
		}
		xw, err = xlsx.NewWriter(w, &xo)
		fw = xw
	}
	if err != nil {
		return nil, err
	}
	if err := writeTemplate(fw, xw, tcols, row); err != nil {
		fw.Close()
		return nil, fmt.Errorf("exporter: template: %w", err)
	}
	if err := fw.Close(); err != nil {
		return nil, fmt.Errorf("exporter: template: %w", err)
	}
	return tcols, nil
}

func writeTemplate(fw formats.Writer, xw *xlsx.Writer, tcols []TemplateColumn, row []formats.Cell) error {
	names := make([]string, len(tcols))
	for i, tc := range tcols {
		names[i] = tc.Name
	}
	if err := fw.WriteHeader(names); err != nil {
		return err
	}
	if err := fw.WriteRow(row); err != nil {
		return err
	}
	if xw == nil {
		return nil
	}
	if err := xw.NewSheet(instructionsSheet); err != nil {
		return err
	}
	if err := xw.WriteHeader([]string{"Column", "Required", "What it takes", "Example"}); err != nil {
		return err
	}
	for _, tc := range tcols {
		required := ""
		if tc.Required {
			required = "required"
		}
		if err := xw.WriteRow([]formats.Cell{formats.TextCell(tc.Name), formats.TextCell(required),
			formats.TextCell(tc.Hint), formats.TextCell(tc.Example)}); err != nil {
			return err
		}
	}
	return xw.WriteRow([]formats.Cell{formats.TextCell(""), formats.TextCell(""),
		formats.TextCell("Required columns have an orange header. Keep the column names: they tell the import which field each column fills.")})
}

// withRequired adds m's required fields that fields leaves out.
func withRequired(m *crmio.Module, fields []string) []string {
	out := append([]string(nil), fields...)
	for _, f := range m.Fields {
		if f.Required && !containsString(out, f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fillsExample reports whether the example row fills column c: every
// column of a single-value field, and of a multi-value field the first
// label's (or the only, unlabelled, column when it has no labels).
func fillsExample(c Column) bool {
	f := c.Field
	if !f.Multi || len(f.Labels) == 0 {
		return true
	}
	return strings.EqualFold(c.Label, f.Labels[0])
}

// Example values, one per field type, each valid for its type.
var (
	exampleAddress = crmio.Address{Street: "1 Main St", City: "Springfield", State: "IL", Zip: "62701", Country: "US"}
	exampleDate    = crmio.NewDate(2024, time.March, 15)
	exampleTime    = time.Date(2024, time.March, 15, 9, 30, 0, 0, time.UTC)
	exampleTexts   = map[string]string{
		"first_name": "Ada", "last_name": "Lovelace", "name": "Acme Inc.", "full_name": "Ada Lovelace",
		"company": "Acme Inc.", "title": "Engineer", "job_title": "Engineer", "subject": "Call about the renewal",
		"industry": "Software", "notes": "Met at the spring conference", "description": "Met at the spring conference",
		"city": "Springfield", "country": "US",
	}
)

// exampleCell is the example value of column c, typed as an export writes
// it (so an XLSX template has a real date cell).
func exampleCell(c Column, opts *TemplateOptions) formats.Cell {
	f := c.Field
	if s, ok := opts.Examples[f.Name]; ok {
		return formats.TextCell(s)
	}
	if c.Part != "" {
		return formats.TextCell(exampleAddress.Part(c.Part))
	}
	switch f.Type {
	case crmio.TypeNumber:
		return formats.NumberCell("1234.5")
	case crmio.TypeBool:
		return formats.BoolCell(true)
	case crmio.TypeDate:
		return formats.DateCell(exampleDate.Year, exampleDate.Month, exampleDate.Day)
	case crmio.TypeDateTime:
		return formats.DateTimeCell(exampleTime)
	case crmio.TypeReference:
		if opts.Schema != nil {
			if s := referenceExample(opts.Schema, f.Ref); s != "" {
				return formats.TextCell(s)
			}
		}
		return formats.TextCell("Acme Inc.")
	}
	return formats.TextCell(exampleText(f))
}

// exampleText is the example of a field that holds text of some kind.
func exampleText(f *crmio.Field) string {
	switch f.Type {
	case crmio.TypeEmail:
		return "ada@example.com"
	case crmio.TypePhone:
		return "+14155550102"
	case crmio.TypeURL:
		return "https://www.example.com"
	case crmio.TypeChoice:
		if len(f.Choices) > 0 {
			return f.Choices[0].Value
		}
	case crmio.TypeNumber:
		return "1234.5"
	case crmio.TypeBool:
		return "true"
	case crmio.TypeDate:
		return exampleDate.String()
	case crmio.TypeDateTime:
		return exampleTime.Format(time.RFC3339)
	case crmio.TypeAddress:
		return exampleAddress.Street
	}
	if s, ok := exampleTexts[f.Name]; ok {
		return s
	}
	return "Example " + strings.ToLower(f.DisplayLabel())
}

// referenceExample is an example key of module target: its key fields'
// examples, joined with spaces for a composite key ("Ada Lovelace").
func referenceExample(s *crmio.Schema, target string) string {
	m := s.Module(target)
	if m == nil {
		return ""
	}
	var parts []string
	for _, k := range m.KeyFields() {
		f := m.Field(k)
		if f == nil || f.Type == crmio.TypeReference || f.Type == crmio.TypeAddress {
			return ""
		}
		parts = append(parts, exampleText(f))
	}
	return strings.Join(parts, " ")
}

// hint says what column c takes.
func hint(c Column) string {
	f := c.Field
	if c.Part != "" {
		return "the " + string(c.Part) + " of the address" + labelNote(c)
	}
	var s string
	switch f.Type {
	case crmio.TypeText:
		s = "text"
	case crmio.TypeEmail:
		s = "an email address"
	case crmio.TypePhone:
		s = "a phone number, best in international form (+14155550102)"
	case crmio.TypeURL:
		s = "a web address"
	case crmio.TypeNumber:
		s = "a number, with a dot before the decimals (1234.5)"
	case crmio.TypeBool:
		s = "true or false (yes or no)"
	case crmio.TypeDate:
		s = "a date, YYYY-MM-DD"
	case crmio.TypeDateTime:
		s = "a date and time, YYYY-MM-DDThh:mm:ssZ (RFC 3339)"
	case crmio.TypeChoice:
		vals := make([]string, len(f.Choices))
		for i, ch := range f.Choices {
			vals[i] = ch.Value
		}
		s = "one of: " + strings.Join(vals, ", ")
	case crmio.TypeReference:
		s = "the key of a record of " + f.Ref + " (it must exist)"
	default:
		s = string(f.Type)
	}
	return s + labelNote(c)
}

func labelNote(c Column) string {
	if c.Field.Multi && c.Label != "" {
		return " (" + c.Label + ")"
	}
	return ""
}
