// Package crmio is the shared vocabulary of crmio, a library that gives any
// CRM a complete import and export pipeline for its records.
//
// # The flow
//
// An import reads a file, maps its columns to a module's fields, finds the
// duplicates and references, and writes the records in batches:
//
//	file ─► formats.Reader ─► mapping (row → Record, row errors)
//	     ─► importer batch ─► ReferenceResolver ─► dedupe.Matcher ─► dedupe.Merger
//	     ─► storage.Store (one round trip per batch) ─► Summary, job history
//
// An export streams records out of a store into a file:
//
//	storage.Store.Scan(Query, Scope) ─► exporter ─► formats.Writer ─► file
//
// Data moves one way through each flow and no stage holds the whole file:
// memory is bounded by the batch size, not the file size.
//
// # Packages
//
//   - crmio (this package): modules, fields, records, values, match keys and
//     the errors every layer shares. No I/O.
//   - formats and formats/csv, formats/xlsx, formats/xls, formats/vcard:
//     streaming readers that never crash on a bad file; writers for CSV,
//     XLSX, vCard and PDF (formats/pdf); a registry any other format
//     plugs into (formats.Register).
//   - mapping: suggests which column is which field, with a confidence;
//     turns a row of text into a Record with row errors and warnings.
//   - dedupe: finds existing records a row duplicates and merges them.
//   - storage: the batch-oriented Store interface, its optional
//     capabilities, the memory, SQLite and PostgreSQL adapters, and
//     storage/storetest, the conformance kit for adapter authors.
//   - importer and exporter: the pipelines, built on everything above.
//
// # The vocabulary
//
// A Module (people, accounts, leads, tasks, or any custom one) is a list of
// Fields, each with a FieldType. Module.Validate and Schema.Validate say
// what is wrong with a definition.
//
// A Record is an id and a map of field name to Value. A Value is a tagged
// union in the spirit of log/slog.Value: a Kind, constructors (TextValue,
// EmailValue, PhoneValue, NumberValue, DateValue, ListValue, ...) and
// accessors. Numbers are exact Decimals that keep the digits typed
// ("1234.50"); dates are calendar Dates, not instants; a multi-value field
// holds a List of labelled Items (Phone "Mobile", Phone "Work"); an address
// has street, city, state, zip and country. A Value's JSON form
// round-trips exactly, which is how SQL stores keep records.
//
// MatchKey gives a value's canonical match key: the one function that
// decides whether two values are "the same" for duplicates, references and
// store lookups.
//
// Problems with one row are data, not failures: a RowError keeps a row out
// of an import, a Warning does not; both carry the row number the user
// sees in their spreadsheet. Failures of the system are errors that wrap
// the sentinels of this package (ErrNotFound, ErrConflict, ...): test them
// with errors.Is.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzParseDecimal$' -fuzzminimizetime 0 .
//	go test -run '^$' -fuzz '^FuzzValueJSON$' -fuzzminimizetime 0 .
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package crmio
