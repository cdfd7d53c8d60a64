// Package exporter writes a module's records out of a storage.Store into
// a file, and writes the import templates users fill in.
//
// # Exports
//
// Export streams the records a query selects from Store.Scan into a CSV
// file, an XLSX workbook or a PDF report:
//
//	res, err := exporter.Export(ctx, store, people, w, &exporter.Options{
//		Format: exporter.XLSX,
//		Query:  storage.Query{Where: []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("qualified")}}},
//		Scope:  userScope, // what this user may see
//	})
//
// It never holds the records: memory stays flat with CSV and XLSX however
// many records there are. A PDF document is built in memory, so a PDF
// export stops at a row cap (pdf.DefaultMaxRows, 20,000) with an error
// wrapping formats.ErrTooManyRows that suggests CSV.
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
// A spreadsheet runs a cell that starts with "=", "+", "-" or "@" as a
// formula, which a hostile value can use to exfiltrate data or start
// programs. By default Export neutralizes such text cells in CSV and XLSX
// files by prefixing a single quote (see Neutralize), while negative
// numbers and international phone numbers stay as they are. Set
// Options.DisableInjectionGuard for files that feed another program.
//
// # Import templates
//
// Template writes a CSV or XLSX file with the header an import expects and
// one example row whose values import cleanly, and returns a description of
// each column (required or not, what it takes). Required columns are marked
// without changing their names, which would break the mapping: an XLSX
// template colours their headers and adds an Instructions sheet; a CSV
// template leaves the marking to the caller's UI.
package exporter
