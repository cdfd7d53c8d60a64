// Package pdf writes tabular reports as PDF documents: what a person
// prints or archives, where CSV and XLSX are what a program or a
// spreadsheet reads.
//
// A Writer implements formats.Writer. Give it a title and a few labelled
// details, then a header and rows of typed cells:
//
//	w, err := pdf.NewWriter(file, &pdf.Options{
//		Title:   "Open deals",
//		Details: []pdf.Detail{{"Module", "Deals"}, {"Filter", "Stage = open"}},
//	})
//	if err != nil { ... }
//	w.WriteHeader([]string{"Name", "Amount", "Close date"})
//	w.WriteRow([]formats.Cell{formats.TextCell("Acme"), formats.NumberCell("1200.00"), formats.DateCell(2025, 6, 30)})
//	err = w.Close() // writes the document
//
// The report has the title and details on its first page, then the table,
// whose header row repeats at the top of every page, and "Page x of y" in
// the footer of every page. Column widths fit the content of the first
// rows, between a minimum and a maximum; longer text wraps within its
// column. Numbers align right; instants show as date and time of day (in
// their location), booleans as Yes or No. A table too wide for a portrait
// page is set on landscape pages (Options.Orientation), and one too wide
// for that with a smaller font.
//
// # Fonts
//
// Text is set in the Go fonts (golang.org/x/image/font/gofont), embedded
// and subset, which cover Latin, Greek and Cyrillic scripts. For other
// scripts pass a TrueType font that covers them in Options.Font (and
// Options.BoldFont), for example Noto Sans CJK for Chinese, Japanese and
// Korean names. Characters the font lacks print as blanks; characters
// beyond the Basic Multilingual Plane (emoji) print as "?".
//
// # Size
//
// The document is built in memory and written by Close, as the PDF library
// (codeberg.org/go-pdf/fpdf) works. Memory therefore grows with the rows,
// about 3.4 KB a row, so a Writer caps the rows at Options.MaxRows
// (DefaultMaxRows, 20,000, unless set): past it WriteRow fails with an
// error wrapping ErrTooManyRows, which says to export as CSV instead.
// Since nothing is written before Close, a report that fails leaves the
// destination untouched.
package pdf
