package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/internal/guard"
	"github.com/crmio/crmio/storage"
)

// Format names a file format an export writes: any format registered with
// a writer (formats.Register). CSV, XLSX and PDF are always available;
// VCard once formats/vcard (or formats/all) is imported.
type Format string

// The formats crmio ships.
const (
	CSV   Format = "csv"  // for programs and spreadsheets; any size
	XLSX  Format = "xlsx" // for spreadsheets, with typed cells; up to 1,048,575 records
	PDF   Format = "pdf"  // a report to print or archive
	VCard Format = "vcf"  // contacts for phones and address books (import formats/vcard)
)

// ErrUnknownFormat is returned for a Format no registered writer writes
// (or, for a template, one other than CSV and XLSX).
var ErrUnknownFormat = errors.New("exporter: unknown format")

// Options configure an export. A nil *Options means defaults: every field
// of the module, every record, as CSV.
type Options struct {
	// Format is the file format. Zero means CSV.
	Format Format
	// Fields selects the columns, in order: field names ("email"), or a
	// field and one of its labels ("email/work"); see Columns. A
	// multi-value field named without a label exports the columns of its
	// labels that hold values in the exported records, not the empty ones.
	// Nil means every field with every column, the full shape of the
	// module (what a backup or another program wants), except in a PDF
	// report, which shows the module's ListFields first, then the other
	// fields while they fit the page.
	Fields []string
	// Where, Order and Limit select the records, sort them and cap their
	// number, as storage.Query does.
	Where []storage.Filter
	Order []storage.Order
	Limit int
	// Scope is the caller's visibility rule. It goes into the query the
	// store runs, so that a record outside it is never read.
	Scope *storage.Scope
	// Location is the time zone instants are written in. Nil means UTC.
	Location *time.Location
	// DisableInjectionGuard writes the text cells of a format a
	// spreadsheet may run as formulas (CSV) as they are, without
	// neutralizing the ones that would run (see Neutralize). Leave it
	// unset for files people open.
	DisableInjectionGuard bool
	// CSV, XLSX and PDF configure the writer of their format; nil means
	// its defaults. An XLSX sheet is named after the module unless
	// XLSX.SheetName is set. A PDF report's title defaults to the report's
	// name or the module's label, its details (module, filter, scope, time
	// of generation) are filled in unless PDF.Details is set, and so are
	// its essential and key columns (see Export) unless set.
	CSV  *csv.WriterOptions
	XLSX *xlsx.WriterOptions
	PDF  *pdf.Options
	// FormatOptions are the options of the writer of any other format, of
	// the type its package takes (*vcard.WriterOptions for VCard); nil
	// means its defaults.
	FormatOptions any
	// GeneratedAt is the time a PDF report says it was generated. Zero
	// means now.
	GeneratedAt time.Time
}

// Result describes a finished export.
type Result struct {
	// Rows is the number of records written.
	Rows int
	// Columns are the names of the columns written, in order. A PDF
	// report may leave out some of them: the empty ones, and those that
	// do not fit its pages beside the module's list fields.
	Columns []string
}

// Export writes the records of module m that opts selects to w, in
// opts.Format, streaming them from store.Scan: it never holds more than a
// row (an XLSX writer holds the rows it samples to fit column widths).
//
// Each field becomes one or more columns (see Columns), titled so that the
// file maps straight back onto m when imported. Values are written so that
// importing them yields the same values: numbers with their exact digits,
// dates as ISO 8601 dates, instants in RFC 3339, booleans as true or false,
// references by their key, choices by their value.
//
// A PDF report is read rather than imported: it shows one column per
// field, a multi-value field's items in one cell with their labels
// ("Mobile: +1 415 555 0102 · Work: +1 212 555 0134"), choices by their
// label and instants as date and time of day. By default it shows the
// module's ListFields, then the other fields while they fit the page
// (pdf.Options.Essential); a selection too wide for a page is split into
// column groups that repeat the columns naming a record (the module's key
// fields, or the leading columns up to the first required field:
// pdf.Options.KeyColumns). Its layout is fitted to every record, which
// Export reads twice for it (formats.Measurer).
//
// The caller's opts.Scope is part of the query the store runs: records
// outside it are never read. Text cells (and column names) of a format a
// spreadsheet may run as formulas (formats.Format.Formulas: CSV) are
// neutralized (see Neutralize) unless opts.DisableInjectionGuard is set;
// an XLSX workbook's text cells are never formulas and are written as
// they are.
//
// w receives the file; Export does not close it. On error the content
// written to w is incomplete and must be discarded.
func Export(ctx context.Context, store storage.Store, m *crmio.Module, w io.Writer, opts *Options) (Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	return export(ctx, store, m, w, nil, opts, "")
}

// ExportTo writes the records of module m that opts selects to fw, a
// writer the caller made (of a format of its own, or configured as Export
// would not), and closes it. opts.Format and the writers' options are not
// used; the rest applies as in Export. The injection guard applies unless
// opts.DisableInjectionGuard is set, since Export cannot know what will
// read fw's output. A Writer that implements formats.Measurer is
// measured with every row first.
func ExportTo(ctx context.Context, store storage.Store, m *crmio.Module, fw formats.Writer, opts *Options) (Result, error) {
	if fw == nil {
		return Result{}, errors.New("exporter: ExportTo without a writer")
	}
	if opts == nil {
		opts = &Options{}
	}
	return export(ctx, store, m, nil, fw, opts, "")
}

// ExportReport exports a saved Report: its fields, filters, order and
// limit replace those of opts, and its name titles a PDF report. The
// caller's opts.Scope still applies. The report must be of module m.
func ExportReport(ctx context.Context, store storage.Store, m *crmio.Module, r Report, w io.Writer, opts *Options) (Result, error) {
	if r.Module != "" && r.Module != m.Name {
		return Result{}, fmt.Errorf("exporter: report %q is of module %q, not %q", r.Name, r.Module, m.Name)
	}
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.Fields, o.Where, o.Order, o.Limit = r.Fields, r.Where, r.Order, r.Limit
	return export(ctx, store, m, w, nil, &o, r.Name)
}

func export(ctx context.Context, store storage.Store, m *crmio.Module, w io.Writer, fw formats.Writer, opts *Options, title string) (Result, error) {
	if m == nil {
		return Result{}, errors.New("exporter: no module")
	}
	format := opts.Format
	if format == "" {
		format = CSV
	}
	var f formats.Format
	if fw == nil {
		var ok bool
		if f, ok = formats.Lookup(string(format)); !ok || f.NewWriter == nil {
			return Result{}, fmt.Errorf("%w %q (the formats with a writer: %s)", ErrUnknownFormat, format, strings.Join(writerFormats(), ", "))
		}
	}
	report := fw == nil && format == PDF
	sel, err := parseSelection(m, opts.Fields)
	if err != nil {
		return Result{}, err
	}
	var cols []Column
	essential := 0
	if report {
		if opts.Fields == nil {
			sel, essential = listSelection(m)
		}
		cols = reportColumns(sel)
	} else {
		cols = tableColumns(sel)
	}
	q, err := buildQuery(m, opts, cols)
	if err != nil {
		return Result{}, err
	}
	if !report && opts.Fields != nil {
		if cols, err = dropEmptyLabels(ctx, store, m, q, sel, cols); err != nil {
			return Result{}, err
		}
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	r := render{loc: loc, report: report}
	guarded := !opts.DisableInjectionGuard && (fw != nil || f.Formulas)

	if fw == nil {
		if fw, err = newWriter(w, f, m, opts, q, title, cols, essential); err != nil {
			return Result{}, err
		}
	}
	res := Result{Columns: Names(cols)}
	if err := writeRows(ctx, store, m, q, cols, &r, guarded, fw, &res); err != nil {
		fw.Close() // releases temporary files; the output is incomplete anyway
		return res, err
	}
	if err := fw.Close(); err != nil {
		return res, fmt.Errorf("exporter: %w", err)
	}
	return res, nil
}

// writerFormats lists the registered formats that have a writer.
func writerFormats() []string {
	var names []string
	for _, name := range formats.Registered() {
		if f, _ := formats.Lookup(name); f.NewWriter != nil {
			names = append(names, name)
		}
	}
	return names
}

// listSelection is a report's default selection: the module's list
// fields, then the others. essential is how many columns the list fields
// make (one, the first field's, when the module names none).
func listSelection(m *crmio.Module) (sel []selected, essential int) {
	fields, first := m.ListOrder()
	for _, f := range fields {
		sel = append(sel, selected{field: f})
	}
	return sel, max(first, 1)
}

// keyColumns is how many leading columns of a report name a record: the
// module's key fields when the columns start with them (single-value
// fields), else the columns up to the first required field (at most
// three), else the first.
func keyColumns(m *crmio.Module, cols []Column) int {
	if keys := m.KeyFields(); len(keys) > 0 && len(keys) <= len(cols) {
		leads := true
		for i, k := range keys {
			leads = leads && cols[i].Field.Name == k && !cols[i].Field.Multi
		}
		if leads {
			return len(keys)
		}
	}
	for i := 0; i < len(cols) && i < 3; i++ {
		if cols[i].Field.Required {
			return i + 1
		}
	}
	return 1
}

// buildQuery is the query the store runs: the caller's filters, order and
// limit, the fields the columns need, and the scope.
func buildQuery(m *crmio.Module, opts *Options, cols []Column) (storage.Query, error) {
	q := storage.Query{Where: opts.Where, Order: opts.Order, Limit: opts.Limit, Scope: opts.Scope}
	for _, f := range q.Where {
		if m.Field(f.Field) == nil {
			return q, fmt.Errorf("exporter: filter %s: %w: module %q has no field %q", f, crmio.ErrUnknownField, m.Name, f.Field)
		}
	}
	for _, o := range q.Order {
		if m.Field(o.Field) == nil {
			return q, fmt.Errorf("exporter: order: %w: module %q has no field %q", crmio.ErrUnknownField, m.Name, o.Field)
		}
	}
	q.Fields = make([]string, 0, len(cols))
	for _, c := range cols {
		if !slices.Contains(q.Fields, c.Field.Name) {
			q.Fields = append(q.Fields, c.Field.Name)
		}
	}
	if len(q.Fields) == len(m.Fields) {
		// Every field: no selection. A store would otherwise cut every
		// record down to all it holds (PostgreSQL rebuilding each
		// record's JSON, the others copying its map).
		q.Fields = nil
	}
	if err := q.Scope.Check(m); err != nil {
		return q, fmt.Errorf("exporter: %w", err)
	}
	if err := q.Validate(); err != nil {
		return q, fmt.Errorf("exporter: %w", err)
	}
	return q, nil
}

// dropEmptyLabels leaves out the columns of the multi-value fields the
// selection names without a label that no record of q fills, reading the
// records once for those fields alone. A field no record fills keeps its
// first column, so that the file still shows it was asked for. An address
// keeps or drops a label's parts together.
func dropEmptyLabels(ctx context.Context, store storage.Store, m *crmio.Module, q storage.Query, sel []selected, cols []Column) ([]Column, error) {
	census := map[string]bool{} // fields whose label columns depend on the data
	for _, s := range sel {
		if !s.hasLabel && s.field.Multi && len(s.field.Labels) > 0 {
			census[s.field.Name] = true
		}
	}
	if len(census) == 0 {
		return cols, nil
	}
	q.Fields = q.Fields[:0:0]
	for name := range census {
		q.Fields = append(q.Fields, name)
	}
	slices.Sort(q.Fields)
	filled := make([]bool, len(cols))
	r := render{loc: time.UTC}
	n := 0
	for rec, err := range store.Scan(ctx, m.Name, q) {
		if err != nil {
			return nil, fmt.Errorf("exporter: reading %s: %w", m.Name, err)
		}
		if n++; n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for i := range cols {
			if !filled[i] && census[cols[i].Field.Name] && !r.cell(&cols[i], &rec).IsEmpty() {
				filled[i] = true
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A label of an address is kept when any of its parts is filled.
	group := func(c *Column) string { return c.Field.Name + "\x00" + c.Label }
	keep := map[string]bool{}
	anyKept := map[string]bool{}
	for i := range cols {
		if filled[i] {
			keep[group(&cols[i])] = true
			anyKept[cols[i].Field.Name] = true
		}
	}
	out := cols[:0:0]
	for i := range cols {
		c := &cols[i]
		name := c.Field.Name
		switch {
		case !census[name], keep[group(c)]:
			out = append(out, *c)
		case !anyKept[name] && c.Label == "":
			out = append(out, *c) // nothing filled: the field's first column
		}
	}
	return out, nil
}

// checkEvery is how often, in rows, a long export checks its context
// (stores check it too, but a fast store may not yield often enough).
const checkEvery = 1024

func writeRows(ctx context.Context, store storage.Store, m *crmio.Module, q storage.Query, cols []Column,
	r *render, guarded bool, fw formats.Writer, res *Result) error {
	header := res.Columns
	if guarded {
		header = make([]string, len(res.Columns))
		for i, n := range res.Columns {
			header[i] = guard.Neutralize(n)
		}
	}
	if err := fw.WriteHeader(header); err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	if mw, ok := fw.(formats.Measurer); ok {
		err := scanRendered(ctx, store, m, q, cols, r, guarded, nil, func(c *chunk) error {
			for i := range c.len() {
				if err := mw.Measure(c.row(i, len(cols))); err != nil {
					return fmt.Errorf("exporter: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if enc, ok := fw.(formats.RowEncoder); ok {
		return scanRendered(ctx, store, m, q, cols, r, guarded, enc, func(c *chunk) error {
			if err := enc.WriteEncoded(c.encoded, c.rows); err != nil {
				return fmt.Errorf("exporter: %w", err)
			}
			res.Rows += c.rows
			return nil
		})
	}
	return scanRendered(ctx, store, m, q, cols, r, guarded, nil, func(c *chunk) error {
		for i := range c.len() {
			if err := fw.WriteRow(c.row(i, len(cols))); err != nil {
				return fmt.Errorf("exporter: record %s: %w", c.id(i), err)
			}
			res.Rows++
		}
		return nil
	})
}

// newWriter returns the writer of format f, configured for m.
func newWriter(w io.Writer, f formats.Format, m *crmio.Module, opts *Options, q storage.Query, title string, cols []Column, essential int) (formats.Writer, error) {
	var o any = opts.FormatOptions
	switch Format(f.Name) {
	case CSV:
		o = opts.CSV
	case XLSX:
		var xo xlsx.WriterOptions
		if opts.XLSX != nil {
			xo = *opts.XLSX
		}
		if xo.SheetName == "" {
			xo.SheetName = moduleLabel(m)
		}
		o = &xo
	case PDF:
		o = pdfOptions(m, opts, q, title, cols, essential)
	}
	fw, err := f.NewWriter(w, o)
	if err != nil {
		return nil, fmt.Errorf("exporter: %w", err)
	}
	return fw, nil
}

// pdfOptions fills in what a PDF report says about itself: its title, the
// module, the filter, whose records it shows and when it was made, and
// which columns are essential and which name a record.
func pdfOptions(m *crmio.Module, opts *Options, q storage.Query, title string, cols []Column, essential int) *pdf.Options {
	var po pdf.Options
	if opts.PDF != nil {
		po = *opts.PDF
	}
	generated := opts.GeneratedAt
	if generated.IsZero() {
		generated = time.Now()
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	generated = generated.In(loc)
	if po.Title == "" {
		po.Title = title
	}
	if po.Title == "" {
		po.Title = moduleLabel(m)
	}
	if po.Details == nil {
		po.Details = []pdf.Detail{
			{Label: "Module", Value: moduleLabel(m)},
			{Label: "Filter", Value: DescribeQuery(m, q)},
		}
		if q.Scope != nil && q.Scope.Name != "" {
			po.Details = append(po.Details, pdf.Detail{Label: "Visible to", Value: q.Scope.Name})
		}
		po.Details = append(po.Details, pdf.Detail{Label: "Generated", Value: generated.Format("2006-01-02 15:04 MST")})
	}
	if po.Created.IsZero() {
		po.Created = generated
	}
	if po.Essential == 0 {
		po.Essential = essential
	}
	if po.KeyColumns == 0 && len(cols) > 0 {
		po.KeyColumns = keyColumns(m, cols)
	}
	return &po
}

func moduleLabel(m *crmio.Module) string {
	if m.Label != "" {
		return m.Label
	}
	return crmio.Title(m.Name)
}
