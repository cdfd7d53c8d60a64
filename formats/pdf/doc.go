// Package pdf writes tabular reports as PDF documents: what a person
// prints or archives, where CSV and XLSX are what a program or a
// spreadsheet reads. It registers itself as the "pdf" format, written
// only.
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
//	err = w.Close() // writes the last page and the fonts
//
// # Layout
//
// The report has the title and details on its first page, then the table,
// whose header row repeats at the top of every page, and "Page x of y" in
// the footer of every page. The layout is fitted to the content (see
// Writer): column widths to their text, never narrower than their widest
// word, so that email addresses and phone numbers stay whole; text longer
// than its column wraps at spaces; the font size (Options.FontSize down to
// Options.MinFontSize) and the orientation are chosen so that the table
// fits the page. Options.Essential makes the leading columns the ones
// shown first, the rest only while they fit; a table that fits no page is
// split into column groups that repeat its key columns
// (Options.KeyColumns). Columns that no row fills are left out.
//
// A Writer that is measured (formats.Measurer: each row given to Measure
// before any is written, as the exporter does) fits the layout to every
// row; otherwise to its first Options.SampleRows rows.
//
// Text wraps at spaces and line breaks; a no-break space (U+00A0) holds
// two words together, as the exporter does within a phone number. A word
// longer than its column breaks inside it: an email or web address only
// after "@", ".", "/" or "-".
//
// # Fonts
//
// Text is set in the Go fonts (golang.org/x/image/font/gofont), embedded
// and subset, which cover Latin, Greek and Cyrillic scripts. For other
// scripts pass a TrueType font that covers them in Options.Font (and
// Options.BoldFont), for example Noto Sans CJK or Droid Sans Fallback for
// Chinese, Japanese and Korean names. Characters the font lacks print as
// its missing-glyph box. Text is embedded with its Unicode mapping, so it
// can be searched, copied and extracted (pdftotext).
//
// # Size
//
// The writer writes the PDF file itself, page by page, as the pages fill:
// its memory holds a page of rows and the set of glyphs used, however many
// rows there are (10,000 rows: about 5 MB at the peak, a bare table of the
// same rows in codeberg.org/go-pdf/fpdf about 50 MB; see the package's
// benchmark). What the pages share is written by Close: the font subsets
// and the page count, which every footer shows through a form XObject.
// Options.MaxRows caps the rows when a caller wants a cap; by default
// there is none.
//
// On error, what was written is an incomplete document: discard it (the
// crmio command writes to a temporary file and renames it when complete).
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzCellText$' -fuzzminimizetime 0 ./formats/pdf
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package pdf
