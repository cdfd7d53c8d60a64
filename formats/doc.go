// Package formats reads and writes the tables people move in and out of a
// CRM: CSV files, Excel workbooks, vCard files, PDF reports. A table is a
// header of column names and rows of cells; the package knows nothing of
// modules or records (that is the mapping package's job).
//
// Each format lives in its own package and registers itself, as
// database/sql drivers and image formats do: formats/csv, formats/xlsx,
// formats/xls, formats/vcard, formats/pdf. Import them all for their side
// effect with
//
//	import _ "github.com/crmio/crmio/formats/all"
//
// # Reading
//
// Open a file by path, or read any stream (an upload, a download) with
// NewReader; either identifies the format from the content and returns a
// Reader:
//
//	r, err := formats.Open("contacts.csv", nil)
//	if err != nil {
//		return err // ErrUnsupportedFormat, ErrTooLarge, ErrEncrypted, ...
//	}
//	defer r.Close()
//	header := r.Header()
//	for {
//		row, err := r.Read()
//		if err == io.EOF {
//			break
//		}
//		var bad *formats.ParseError
//		if errors.As(err, &bad) {
//			report(bad.Row, bad.Column, bad.Err) // one malformed row: read on
//			continue
//		}
//		if err != nil {
//			return err // the input cannot be read further
//		}
//		use(row.Number, header, row.Fields)
//	}
//
// Preview reads the first rows as copies, for a person to check the file
// and map its columns before the import runs.
//
// # The Reader contract
//
// A Reader streams one table: a CSV file, or one sheet of a workbook
// (Options.Sheet or Options.SheetIndex picks it; the first visible sheet
// by default). Every Reader, whatever its format, behaves alike:
//
//   - Header returns the column names, trimmed, never empty and never
//     repeated: an unnamed column is called "Column 3", a second "Email"
//     becomes "Email (2)", and a Notice says so.
//   - Read returns the next row that holds anything, then io.EOF. A row's
//     Fields are the cells in column order, as text. Nothing is dropped: a
//     row longer than the header keeps its cells, the columns beyond the
//     header get names ("Column 4"; Header grows to include them) and one
//     Notice lists the rows that were longer. A CSV row shorter than the
//     header is returned as it is, also with a Notice; a workbook row is
//     padded with "" to the header's width. The Fields slice may be reused
//     by the next Read: copy it to keep it.
//   - A malformed row (a stray quote in a CSV file) is a *ParseError
//     carrying the file's name, its row and column; the next Read
//     continues after it. Any other error ends the reading and every later
//     Read returns it.
//   - Info describes what was found: the format, for CSV the encoding and
//     the delimiter, the header's row, the sheets of a workbook, the size,
//     an estimate of the number of rows, and Notices (renamed columns,
//     ragged rows, a skipped preamble), at most MaxNotices of them.
//   - Close releases the Reader's files, temporary ones included. A Reader
//     is not safe for concurrent use.
//
// # Row numbers
//
// Row.Number, ParseError.Row and Notice.Row are the row numbers the user
// sees when opening the file in a spreadsheet program, so that "row 1,204:
// invalid email" can be found and fixed there:
//
//   - the file's first row is 1, so the header is row 1 unless something
//     precedes it;
//   - a CSV record whose quoted fields span several lines is one row;
//   - blank rows count, though Read never returns them;
//   - Excel's "sep=;" first line, which Excel does not show, is no row.
//
// # Header row
//
// The header is the first row, unless notes precede the table, as in
// LinkedIn's Connections export (three lines of notes, the header on row
// 4) or a report with a title row: then the header is the first row with
// two or more names, provided a table follows it.
//
// A table may have no header at all: contacts exported as bare rows. When
// the row that would be the header reads as data (values of the kinds the
// rows below hold: email addresses, phone numbers, dates, numbers, where
// a header holds words), it is read as data, the columns are called
// "Column 1", "Column 2"..., Info.Headerless is true and a Notice says
// why, so that no record is lost. The detection is conservative: a word
// over a column of data ("Email" over addresses) makes a header.
//
// Options.HeaderRow names the header's row when detection is wrong, or is
// NoHeaderRow to read every row as data.
//
// # Detection
//
// Detect identifies content from its bytes, never from a file name (a
// ".xls" download is often HTML, a ".csv" may be UTF-16 text). It asks the
// registered formats in the order they registered, each by its Magic
// prefixes and its Match function, and the Fallback formats (CSV, which
// takes any text) last: a zip archive holding xl/workbook.xml is "xlsx",
// an OLE2 compound file is "xls" (the xls reader reports an encrypted
// workbook, also an encrypted .xlsx, which is an OLE2 file, as
// ErrEncrypted), text starting BEGIN:VCARD is "vcf", and other text in any
// encoding is "csv". Everything else is an error wrapping
// ErrUnsupportedFormat that says what it is, so the user can be told what
// to do: a PDF document, an ODS or XLSB workbook, a Word document, an
// Excel 2003 XML spreadsheet, an HTML page, an image, other binary data,
// an empty file.
//
// # Limits
//
// Untrusted input must not exhaust the host. Options.MaxSize caps the
// input, DefaultMaxSize (100 MiB) unless set; a negative value lifts the
// cap. Open refuses a file over the limit from its size, before reading
// it; NewReader reads at most limit+1 bytes of a stream (LimitReader does
// it) and fails with ErrTooLarge when there are more. CSV is streamed, its
// memory bounded by a small multiple of a row, whatever the file's size (a
// 50 MB field costs about 110 MB at the peak). The parts of an XLSX file
// may expand to ten times the limit, and none over 16 MiB more than 100
// times its compressed size: a zip bomb is refused from the zip directory
// before anything is inflated (see formats/xlsx). A workbook stream is
// spooled to a temporary file first, since workbooks are read at random;
// the file is removed on Close and on every error.
//
// # Formats and registration
//
// A format package calls Register from its init with a Format: its name
// and file name extensions, how it is recognised (Magic prefixes, with "?"
// for any byte, as image.RegisterFormat takes them, and a Match function;
// LooksLikeText, TextStartsWith and ZipHolds are ready ones), and its
// Open, its NewWriter or both. Open receives an Input (the content,
// already checked against the limit and identified as its format; a path
// on disk for a format with NeedsFile) and the Options. NewWriter takes
// the format's own options type, adapted with Writes.
//
// Registered lists the formats available, Lookup and ForExtension find
// one, NewWriter makes a writer of one by name. Open and NewReader answer
// one of crmio's own formats that is recognised but not registered with an
// error naming the package to import.
//
// A program registers formats of its own the same way, and Open, the
// importer and the exporter then read and write them like the others:
//
//	formats.Register(formats.Format{
//		Name: "jsonl", Extensions: []string{".jsonl"},
//		Match: func(s *formats.Sample) bool { return bytes.HasPrefix(s.Head, []byte("{")) },
//		Open: openJSONLines, NewWriter: formats.Writes(newJSONLinesWriter),
//	})
//
// # CSV injection
//
// Text in a format with Formulas set (CSV) may run as a formula when a
// spreadsheet opens the file; exports guard such text with a leading
// quote ("'=1+1"), as crmio's exporter and many other programs do. Open
// and NewReader strip that quote again from the header and the fields, so
// that what was exported imports as it was; Options.KeepFormulaGuard keeps
// it.
//
// # Errors
//
// Errors are values to test with errors.Is and errors.As:
//
//   - ErrUnsupportedFormat: no registered format reads it; the message
//     names what it is.
//   - ErrTooLarge: over Options.MaxSize; the message gives size and limit.
//   - ErrEncrypted: a password-protected workbook.
//   - ErrCorrupt: a workbook or zip archive that cannot be decoded.
//   - ErrNoHeader: no header row (an empty file, a blank Options.HeaderRow).
//   - ErrNoSheet: Options.Sheet or SheetIndex names no sheet.
//   - *ParseError: a malformed row, with the file's name (File), Sheet,
//     Row and Column; its message starts with the name, so that it can be
//     shown as it is: "contacts.csv: row 3, column 2: ...".
//
// Other errors from Open and NewReader are prefixed with the file's name.
//
// # Writing
//
// A Writer writes a table of typed Cells (text, exact decimals, booleans,
// dates) in one format: formats/csv, formats/xlsx, formats/vcard and
// formats/pdf each provide one, for exports. A Writer may implement
// Measurer, to see every row before the first is written (a PDF report
// fits its columns to them).
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzDetect$' -fuzzminimizetime 0 ./formats
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package formats
