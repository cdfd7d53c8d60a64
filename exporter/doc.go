// Package exporter writes a module's records out of a storage.Store into
// a file, and writes the import templates users fill in.
//
// # Exports
//
// Export streams the records a query selects from Store.Scan into a file
// of any format registered with a writer (formats.Register): a CSV file,
// an XLSX workbook, a PDF report, vCard contacts, or a format of the
// program's own. ExportTo writes into a formats.Writer the caller made.
//
//	res, err := exporter.Export(ctx, store, people, w, &exporter.Options{
//		Format: exporter.XLSX,
//		Fields: []string{"first_name", "last_name", "email", "phone/mobile"},
//		Where:  []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("qualified")}},
//		Scope:  userScope, // what this user may see
//	})
//
// It never holds the records: memory stays flat however many there are,
// a PDF report's too (its pages are written as they fill).
//
// Files round-trip: each field becomes the columns crmio.ColumnName names
// ("Email", "Phone (Mobile)", "Address (Work) - City"), which the mapping
// suggester maps straight back, and values are written so that importing
// them yields the same values: exact decimal digits, ISO 8601 dates, RFC
// 3339 instants (in Options.Location), true or false, references by their
// key. XLSX cells are typed: numbers, dates and booleans are real
// spreadsheet numbers, dates and booleans. See Columns for how multi-value
// fields and addresses spread over columns; several values in one column
// are joined with ValueSeparator (" ::: ", as Google Contacts writes them).
//
// # Choosing the columns
//
// Options.Fields names fields ("email") or a field and one of its labels
// ("email/work"). A multi-value field named alone exports the columns of
// its labels that hold values in the exported records, so that --fields
// email of people with one work email each is one column, "Email (Work)";
// Export reads the records once more, for those fields alone, to know.
// Without Fields every column of every field is written: the module's full
// shape, the same whatever the data, for backups and other programs.
//
// # PDF reports
//
// A PDF report is made to be read: one column per field, a multi-value
// field's items in one cell with their labels ("Mobile: +1 415 555 0102 ·
// Work: +1 212 555 0134"), choices by their label. By default it shows the
// module's ListFields (crmio.Module.ListFields), then other fields while
// they fit the page; columns no record fills are left out; widths, font
// size and orientation are fitted to the records, which Export reads twice
// for it; a selection too wide for a page is split into column groups that
// repeat the columns that name a record. The first page says what the
// report holds: its title, the module, the filter in words, whose records
// and when. See formats/pdf.
//
// # Saved reports
//
// A Report is a named query over a module, with the fields it shows. It
// marshals to JSON, so a CRM can store its users' reports, and
// ExportReport runs one. DescribeQuery says in words what a query selects;
// a PDF report prints it as its filter.
//
// # Visibility
//
// Options.Scope is the caller's visibility rule (storage.Scope). It is
// part of the query the store runs, so records outside it are never read
// out of the store, let alone written; a Report cannot widen it.
//
// # CSV injection
//
// A spreadsheet runs a cell that starts with "=", "+", "-" or "@" (or a
// full-width or other Unicode form of them) as a formula, which a hostile
// value can use to exfiltrate data or start programs. By default Export
// neutralizes such text cells of a CSV file by prefixing a single quote
// (see Neutralize), while negative numbers and international phone
// numbers stay as they are; importing the file (formats.Open) takes the
// quote off again. XLSX text cells are never formulas and are left as
// they are, as are PDF reports and vCards. Set
// Options.DisableInjectionGuard for CSV files that feed another program.
//
// # Import templates
//
// Template writes a CSV or XLSX file with the header an import expects and
// one example row whose values import cleanly, and returns a description of
// each column (required or not, what it takes). Required columns are marked
// without changing their names, which would break the mapping: an XLSX
// template colours their headers and adds an Instructions sheet; a CSV
// template leaves the marking to the caller's UI.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzNeutralize$' -fuzzminimizetime 0 ./exporter
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package exporter
