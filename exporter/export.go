package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/storage"
)

// Format is a file format an export writes.
type Format string

// The formats.
const (
	CSV  Format = "csv"  // for programs and spreadsheets; any size
	XLSX Format = "xlsx" // for spreadsheets, with typed cells; up to 1,048,575 records
	PDF  Format = "pdf"  // a report to print or archive; up to pdf.Options.MaxRows records
)

// ErrUnknownFormat is returned for a Format other than CSV, XLSX and PDF
// (or, for a template, CSV and XLSX).
var ErrUnknownFormat = errors.New("exporter: unknown format")

// Options configure an export. A nil *Options means defaults: every field
// of the module, every record, as CSV.
type Options struct {
	// Format is the file format. Zero means CSV.
	Format Format
	// Query selects, orders and limits the records (its Where, Order and
	// Limit). Its Fields, when Fields is nil, selects the fields.
	Query storage.Query
	// Fields names the fields to export, in column order. Nil means
	// Query.Fields, or when that is nil too every field of the module.
	Fields []string
	// Scope is the caller's visibility rule. It goes into the query the
	// store runs, so that a record outside it is never read. It is
	// combined with Query.Scope, if any: a record must satisfy both.
	Scope *storage.Scope
	// Location is the time zone instants are written in. Nil means UTC.
	Location *time.Location
	// DisableInjectionGuard writes text cells of CSV and XLSX files as
	// they are, without neutralizing the ones a spreadsheet would run as
	// formulas (see Neutralize). Leave it unset for files people open.
	DisableInjectionGuard bool
	// CSV, XLSX and PDF configure the writer of their format; nil means
	// its defaults. An XLSX sheet is named after the module unless
	// XLSX.SheetName is set. A PDF report's title defaults to the report's
	// name or the module's label, and its details (module, filter, scope,
	// time of generation) are filled in unless PDF.Details is set.
	CSV  *csv.WriterOptions
	XLSX *xlsx.WriterOptions
	PDF  *pdf.Options
	// GeneratedAt is the time a PDF report says it was generated. Zero
	// means now.
	GeneratedAt time.Time
}

// Result describes a finished export.
type Result struct {
	// Rows is the number of records written.
	Rows int
	// Columns are the names of the columns written, in order.
	Columns []string
}

// Export writes the records of module m that opts selects to w, in
// opts.Format, streaming them from store.Scan: it never holds more than
// a row (or, for XLSX and PDF, the rows sampled to fit column widths; a
// PDF document itself is built in memory, under its row cap).
//
// Each field becomes one or more columns (see Columns), titled so that the
// file maps straight back onto m when imported. Values are written so that
// importing them yields the same values: numbers with their exact digits,
// dates as ISO 8601 dates, instants in RFC 3339, booleans as true or false,
// references by their key, choices by their value (a PDF report, which is
// read rather than imported, shows choices by their label and instants as
// date and time of day).
//
// The caller's opts.Scope is part of the query the store runs: records
// outside it are never read. Text cells (and column names) of CSV and XLSX
// files that a spreadsheet would run as formulas are neutralized (see
// Neutralize) unless opts.DisableInjectionGuard is set.
//
// w receives the file; Export does not close it. On error the content
// written to w is incomplete and must be discarded (a PDF export writes
// nothing before it succeeds). A PDF export of more records than its row
// cap fails with an error wrapping formats.ErrTooManyRows.
func Export(ctx context.Context, store storage.Store, m *crmio.Module, w io.Writer, opts *Options) (Result, error) {
	if opts == nil {
		opts = &Options{}
	}
	return export(ctx, store, m, w, opts, "")
}

// ExportReport exports a saved Report: its query and fields replace
// opts.Query and opts.Fields, and its name titles a PDF report. The
// caller's opts.Scope still applies. The report must be of module m.
func ExportReport(ctx context.Context, store storage.Store, m *crmio.Module, r Report, w io.Writer, opts *Options) (Result, error) {
	if r.Module != "" && r.Module != m.Name {
		return Result{}, fmt.Errorf("exporter: report %q is of module %q, not %q", r.Name, r.Module, m.Name)
	}
	o := Options{}
	if opts != nil {
		o = *opts
	}
	o.Query, o.Fields = r.Query, r.Fields
	return export(ctx, store, m, w, &o, r.Name)
}

func export(ctx context.Context, store storage.Store, m *crmio.Module, w io.Writer, opts *Options, title string) (Result, error) {
	if m == nil {
		return Result{}, errors.New("exporter: no module")
	}
	format := opts.Format
	if format == "" {
		format = CSV
	}
	fields := opts.Fields
	if fields == nil {
		fields = opts.Query.Fields
	}
	cols, err := Columns(m, fields)
	if err != nil {
		return Result{}, err
	}
	q, err := buildQuery(m, opts, cols)
	if err != nil {
		return Result{}, err
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	r := render{loc: loc, choiceLabels: format == PDF}
	guard := !opts.DisableInjectionGuard && format != PDF

	fw, err := newWriter(w, format, m, opts, q, title)
	if err != nil {
		return Result{}, err
	}
	res := Result{Columns: Names(cols)}
	if err := writeRows(ctx, store, m, q, cols, &r, guard, fw, &res); err != nil {
		fw.Close() // releases temporary files; the output is incomplete anyway
		return res, err
	}
	if err := fw.Close(); err != nil {
		return res, fmt.Errorf("exporter: %w", err)
	}
	return res, nil
}

// buildQuery is the query the store runs: the caller's filters, order and
// limit, the fields the columns need, and the scopes combined.
func buildQuery(m *crmio.Module, opts *Options, cols []Column) (storage.Query, error) {
	q := opts.Query
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
	for i, c := range cols {
		if i == 0 || c.Field != cols[i-1].Field {
			q.Fields = append(q.Fields, c.Field.Name)
		}
	}
	q.Scope = q.Scope.And(opts.Scope)
	if err := q.Scope.Check(m); err != nil {
		return q, fmt.Errorf("exporter: %w", err)
	}
	if err := q.Validate(); err != nil {
		return q, fmt.Errorf("exporter: %w", err)
	}
	return q, nil
}

// checkEvery is how often, in rows, a long export checks its context
// (stores check it too, but a fast store may not yield often enough).
const checkEvery = 1024

func writeRows(ctx context.Context, store storage.Store, m *crmio.Module, q storage.Query, cols []Column,
	r *render, guard bool, fw formats.Writer, res *Result) error {
	header := res.Columns
	if guard {
		header = make([]string, len(res.Columns))
		for i, n := range res.Columns {
			header[i] = Neutralize(n)
		}
	}
	if err := fw.WriteHeader(header); err != nil {
		return fmt.Errorf("exporter: %w", err)
	}
	cells := make([]formats.Cell, len(cols))
	for rec, err := range store.Scan(ctx, m.Name, q) {
		if err != nil {
			return fmt.Errorf("exporter: reading %s: %w", m.Name, err)
		}
		if res.Rows%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for i := range cols {
			c := r.cell(&cols[i], &rec)
			if guard && c.Kind() == formats.CellText && Dangerous(c.String()) {
				c = formats.TextCell(Neutralize(c.String()))
			}
			cells[i] = c
		}
		if err := fw.WriteRow(cells); err != nil {
			return fmt.Errorf("exporter: record %s: %w", rec.ID, err)
		}
		res.Rows++
	}
	return ctx.Err()
}

// newWriter returns the writer of format.
func newWriter(w io.Writer, format Format, m *crmio.Module, opts *Options, q storage.Query, title string) (formats.Writer, error) {
	switch format {
	case CSV:
		return csv.NewWriter(w, opts.CSV)
	case XLSX:
		var xo xlsx.WriterOptions
		if opts.XLSX != nil {
			xo = *opts.XLSX
		}
		if xo.SheetName == "" {
			xo.SheetName = moduleLabel(m)
		}
		return xlsx.NewWriter(w, &xo)
	case PDF:
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
		return pdf.NewWriter(w, &po)
	}
	return nil, fmt.Errorf("%w %q (want %q, %q or %q)", ErrUnknownFormat, format, CSV, XLSX, PDF)
}

func moduleLabel(m *crmio.Module) string {
	if m.Label != "" {
		return m.Label
	}
	return crmio.Title(m.Name)
}
