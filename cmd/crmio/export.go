package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

var exportFlags struct {
	module string
	format string
	where  listFlag
	scope  listFlag
	fields string
	order  string
	limit  int
	bom    bool
	output string
}

var exportCmd = &command{
	name:    "export",
	args:    "--module M --format csv|xlsx|pdf|vcf [--where 'field op value']... [--fields a,b,...] [--order a,-b] [--limit N] [--bom] -o FILE",
	summary: "export a module's records to CSV, XLSX, PDF or vCard",
	help: `Export writes the records of module M to FILE ("-" is the standard output) as
CSV, XLSX, a PDF report or vCard contacts (the format defaults to FILE's
extension: .csv, .xlsx, .pdf, .vcf). The columns are titled so that the file
imports straight back.

--fields picks the columns: field names, or a field and one of its labels
(email/work). A multi-value field named alone (email) exports the columns of
its labels that hold values, not the empty ones; without --fields every
column of every field is written (a PDF report shows the module's list
fields first, then others while they fit the page).

--where keeps the records a filter selects; repeat it to combine filters
(all must hold). A filter is 'FIELD OP VALUE', OP one of = != contains < <=
> >=; VALUE is read as the field's type, so dates, numbers and phone
numbers compare as such, and a reference compares by the record its key
names (account = Acme):

	crmio export --module people --where 'status = qualified' --where 'birthday < 1990-01-01' -o people.xlsx`,
	flags: func(fs *flag.FlagSet) {
		f := &exportFlags
		fs.StringVar(&f.module, "module", "", "the `MODULE` to export (required)")
		fs.StringVar(&f.format, "format", "", "the file `FORMAT`: csv, xlsx, pdf or vcf (default: from the file's extension, else csv)")
		fs.Var(&f.where, "where", "keep the records where `'field op value'` holds (repeatable)")
		scopeFlag(fs, &f.scope)
		fs.StringVar(&f.fields, "fields", "", "the `fields` to export, comma-separated, in column order; field/label for one label (default: all)")
		fs.StringVar(&f.order, "order", "", "sort by these `fields`, comma-separated; -field sorts descending")
		fs.IntVar(&f.limit, "limit", 0, "export at most `N` records")
		fs.BoolVar(&f.bom, "bom", false, "start a CSV file with a UTF-8 byte order mark (for Excel)")
		fs.StringVar(&f.output, "o", "", "the `FILE` to write; - for the standard output")
	},
	run: runExport,
}

func runExport(ctx context.Context, e *env, _ []string) error {
	f := &exportFlags
	m, err := e.module(f.module)
	if err != nil {
		return err
	}
	if f.output == "" {
		return usagef("-o FILE is required (- for the standard output)")
	}
	format, err := fileFormat(f.format, f.output, exportFormats())
	if err != nil {
		return err
	}
	if f.limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	opts := &exporter.Options{Format: format, Limit: f.limit}
	for _, w := range f.where {
		filter, err := parseWhere(m, w)
		if err != nil {
			return err
		}
		opts.Where = append(opts.Where, filter)
	}
	if f.fields != "" {
		opts.Fields = splitList(f.fields)
		if err := checkSelection(m, opts.Fields); err != nil {
			return err
		}
	}
	for _, name := range splitList(f.order) {
		o := storage.Order{Field: strings.TrimPrefix(name, "-"), Desc: strings.HasPrefix(name, "-")}
		if err := checkFields(m, []string{o.Field}, "--order"); err != nil {
			return err
		}
		opts.Order = append(opts.Order, o)
	}
	if f.bom {
		if format != exporter.CSV {
			return usagef("--bom is for CSV files")
		}
		opts.CSV = &csv.WriterOptions{BOM: true}
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	if err := resolveRefFilters(ctx, store, e.schema, m, opts.Where); err != nil {
		return err
	}
	if opts.Scope, err = parseScope(ctx, e, m, f.scope); err != nil {
		return err
	}

	var res exporter.Result
	err = writeOutput(f.output, e.stdout, func(w io.Writer) error {
		var err error
		res, err = exporter.Export(ctx, store, m, w, opts)
		return err
	})
	if err != nil {
		return err
	}
	if f.output != "-" {
		fmt.Fprintf(e.stdout, "Exported %d %s to %s (%d columns).\n", res.Rows, m.Name, f.output, len(res.Columns))
	}
	return nil
}

// checkSelection checks --fields: field names, or field/label.
func checkSelection(m *crmio.Module, fields []string) error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i], _, _ = strings.Cut(f, "/")
	}
	if err := checkFields(m, uniqueNames(names), "--fields"); err != nil {
		return err
	}
	if _, err := exporter.Columns(m, fields); err != nil {
		return usagef("--fields: %s", plain(err.Error()))
	}
	return nil
}

// uniqueNames returns names without repeats (email/work,email/home name one
// field twice, which is fine).
func uniqueNames(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// exportFormats are the formats export writes: crmio's own, then any
// other registered format with a writer.
func exportFormats() []exporter.Format {
	out := []exporter.Format{exporter.CSV, exporter.XLSX, exporter.PDF, exporter.VCard}
	for _, name := range formats.Registered() {
		if f, _ := formats.Lookup(name); f.NewWriter != nil && !slices.Contains(out, exporter.Format(name)) {
			out = append(out, exporter.Format(name))
		}
	}
	return out
}

// fileFormat returns the format the flag names, else the one of the file's
// extension (.vcard is vcf), else CSV.
func fileFormat(flagValue, output string, allowed []exporter.Format) (exporter.Format, error) {
	name := strings.ToLower(flagValue)
	if name == "" {
		name = string(exporter.CSV)
		if ext := filepath.Ext(output); ext != "" && output != "-" {
			if f, ok := formats.ForExtension(ext); ok {
				name = f.Name
			}
		}
		for _, a := range allowed {
			if string(a) == name {
				return a, nil
			}
		}
		name = string(exporter.CSV) // an extension of no format written here (".txt"): CSV
	}
	for _, a := range allowed {
		if string(a) == name {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", usagef("--format %q: want %s", flagValue, strings.Join(names, ", "))
}

// writeOutput runs write on the file named output, or on stdout for "-".
// A file is written under a temporary name and renamed when complete, so
// that a failed export leaves no truncated file behind (nor replaces a
// good one).
func writeOutput(output string, stdout *bufio.Writer, write func(io.Writer) error) error {
	if output == "-" {
		if err := write(stdout); err != nil {
			return err
		}
		return stdout.Flush()
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), output)
}

// The operators of --where, longest first so that "<=" is not read as "<".
var whereOps = []storage.Op{storage.Ne, storage.Le, storage.Ge, storage.Eq, storage.Lt, storage.Gt}

// parseWhere parses a --where filter, 'field op value', and coerces the
// value to the field's type with mapping.Coerce, so that the filter
// compares in the field's kind: a date with dates, "1,5" with numbers,
// "(415) 555-0102" with phone numbers. "contains" keeps the text as typed:
// it matches part of a value, which need not be a valid value itself.
func parseWhere(m *crmio.Module, s string) (storage.Filter, error) {
	return parseFilter("--where", m, s)
}

// parseFilter parses a filter of the flag named flag (--where, --scope).
func parseFilter(flag string, m *crmio.Module, s string) (storage.Filter, error) {
	bad := func(format string, args ...any) (storage.Filter, error) {
		return storage.Filter{}, usagef("%s %q: %s", flag, s, fmt.Sprintf(format, args...))
	}
	t := strings.TrimSpace(s)
	end := strings.IndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("=!<>", r) })
	if end <= 0 {
		return bad("want 'field op value', op one of = != contains < <= > >=")
	}
	name, rest := t[:end], strings.TrimLeftFunc(t[end:], unicode.IsSpace)
	field := m.Field(name)
	if field == nil {
		return bad("module %s has no field %q (its fields: %s)", m.Name, name, fieldNames(m))
	}
	var op storage.Op
	for _, o := range whereOps {
		if strings.HasPrefix(rest, string(o)) {
			op, rest = o, rest[len(o):]
			break
		}
	}
	if op == "" {
		if word, after, _ := strings.Cut(rest, " "); strings.EqualFold(word, string(storage.Contains)) {
			op, rest = storage.Contains, after
		} else {
			return bad("unknown operator after %q: want one of = != contains < <= > >=", name)
		}
	}
	text := unquote(strings.TrimSpace(rest))
	if op == storage.Contains {
		if text == "" {
			return bad("contains what?")
		}
		return storage.Filter{Field: field.Name, Op: op, Value: crmio.TextValue(text)}, nil
	}
	v, err := mapping.Coerce(field, text, nil)
	if err != nil {
		return bad("%v", err)
	}
	f := storage.Filter{Field: field.Name, Op: op, Value: v}
	if err := (storage.Query{Where: []storage.Filter{f}}).Validate(); err != nil {
		return bad("%s", plain(err.Error()))
	}
	return f, nil
}

// resolveRefFilters turns the keys that filters on reference fields name
// ("account = Acme Corp") into the records' ids: a stored reference
// compares by the id of the record it points to.
func resolveRefFilters(ctx context.Context, store storage.Store, schema *crmio.Schema, m *crmio.Module, filters []storage.Filter) error {
	return resolveRefs(ctx, "--where", store, schema, m, filters)
}

// resolveRefs is resolveRefFilters for the filters of flag.
func resolveRefs(ctx context.Context, flag string, store storage.Store, schema *crmio.Schema, m *crmio.Module, filters []storage.Filter) error {
	for i := range filters {
		ref, ok := filters[i].Value.Ref()
		if !ok || ref.ID != "" {
			continue
		}
		f := m.Field(filters[i].Field)
		target := schema.Module(f.Ref)
		if target == nil || target.Key == "" {
			continue
		}
		found, err := importer.KeyResolver{}.Resolve(ctx, store, target, []string{ref.Key})
		if err != nil {
			return err
		}
		// No such record: an id no record has, so that = matches nothing
		// and != everything.
		id := "(no such record)"
		if ids := found[ref.Key]; len(ids) == 1 {
			id = ids[0]
		} else if len(ids) > 1 {
			return usagef("%s: %q names %d %s records; a filter on %s names one", flag, ref.Key, len(ids), target.Name, f.Name)
		}
		filters[i].Value = crmio.RefValue(id, ref.Key)
	}
	return nil
}

// unquote removes one pair of matching quotes around s, if any.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
