package formats

// NoHeaderRow is the Options.HeaderRow of a table without a header: every
// row is data, and the columns are called "Column 1", "Column 2"... A
// reader that finds the first row reading as data (see Options.HeaderRow)
// reads the table so by itself and reports it in Info.Headerless.
const NoHeaderRow = -1
