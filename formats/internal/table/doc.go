// Package table holds the rules every reader of the formats packages
// applies to the rows of a table, so that a table reads the same whether it
// was saved as CSV, XLSX or XLS:
//
//   - HeaderIndex finds the header below a preamble of notes;
//   - ReadsAsData tells a first row that holds data (emails, phone
//     numbers, dates, numbers like the rows under it) from a header;
//   - Columns names the columns: trimmed, non-empty, unique names from a
//     header row, "Column 1", "Column 2"... for a table without one, and
//     more "Column N" as rows longer than the header are met;
//   - Ragged counts the rows longer or shorter than the header and turns
//     them into one notice each, however many rows there are.
//
// The package is internal: the readers' behaviour is documented in the
// formats package and in each reader's own.
package table
