// Package xlsx reads Excel workbooks in the Office Open XML format (.xlsx,
// .xlsm, .xltx) as a formats.Reader: one sheet, streamed row by row, in
// memory bounded by the widest row rather than by the file.
//
// Importing the package registers the "xlsx" format with formats.Open and
// formats.NewReader, which recognise a workbook by its content:
//
//	import _ "github.com/crmio/crmio/formats/xlsx"
//
//	r, err := formats.Open("contacts.xlsx", nil)
//
// A program that knows it holds an XLSX file may call Open directly.
//
// # What a row holds
//
// Every cell arrives as text, as a person reads it in Excel, with the
// types a CRM import needs kept recognisable:
//
//   - A number formatted as a date or time (built-in formats 14-22 and
//     45-47, the East Asian date formats, and any custom format with date or
//     time tokens outside quotes and brackets) becomes ISO 8601 text:
//     "2006-01-02" for a whole day, "2006-01-02T15:04:05" with a time of day,
//     "15:04:05" for a time format, "27:30:00" for an elapsed-time format
//     such as [h]:mm:ss. The workbook's 1904 date system is honoured. The
//     cell's own display format (d/m/yyyy or m/d/yy) plays no part, so a
//     date never changes meaning with the locale that saved the file.
//   - Booleans are TRUE and FALSE; errors are as Excel shows them (#N/A).
//   - Other numbers are written as Excel shows them in a General cell: the
//     shortest text that reads back as the stored value rounded to the 15
//     significant digits Excel keeps, whatever text the writer stored:
//     "72.0" is "72", "1.5E-3" is "0.0015", 0.1+0.2 is "0.3", not
//     "0.30000000000000004". An XLS file saved from the same workbook
//     gives the same text (formats/xls renders numbers alike). Currency and
//     percent formats are not applied: 12.5% is "0.125".
//   - Text is kept as it is, including text that looks like a number
//     ("0042") or a date; Excel's _x000D_ escapes are decoded.
//
// Row numbers are the sheet's own: the header is usually row 1, blank rows
// and rows missing from the file count but are never returned. Each row is
// padded with "" to the header's width; cells right of the last named
// column are kept in columns named "Column 10" and so on, and one notice
// lists the rows that have them.
//
// # Sheets and header
//
// formats.Options.Sheet picks a sheet by name (without regard to case, as
// Excel compares them) and SheetIndex by position, counting from 1. Without
// either, the reader takes the first visible worksheet, skipping hidden
// sheets and chart sheets. Info().Sheets lists every sheet. Asking for a
// sheet the workbook lacks is an error wrapping formats.ErrNoSheet that
// names the sheets there are.
//
// formats.Options.HeaderRow names the header row, or is formats.NoHeaderRow
// for a sheet without one. Without it the header is the first non-blank
// row, unless that row begins a preamble of notes (rows with at most one
// value above a table whose rows mostly have two or more), or reads as data
// (email addresses, dates, numbers like the rows under it: then there is no
// header), the rules the CSV reader uses too. Header names are trimmed; an
// empty name becomes "Column 3" and a repeated one "Email (2)", each with a
// notice. Info().EstimatedRows comes from the dimension the sheet records,
// when it records one.
//
// # Errors and limits
//
// Errors wrap the formats sentinels. A file over the size limit
// (formats.Options.MaxSize) is formats.ErrTooLarge. An XLSX file is a zip
// archive, and a few megabytes of zip can inflate to gigabytes, so the
// reader checks the sizes the zip directory declares for the parts it
// reads (the workbook, its relationships, the styles, the shared strings
// and the one sheet; never the others, such as images) before it inflates
// any, and refuses with formats.ErrTooLarge, at once:
//
//   - parts that expand to more than ten times the size limit (1000 MiB
//     for the default 100 MiB; 4 GiB without a limit);
//   - a part over 16 MiB that expands more than 100 times its compressed
//     size: real workbooks' parts expand 5 to 50 times, the "zip bomb"
//     files made to exhaust readers hundreds of times (a 5.8 MB workbook
//     inflating to 1.5 GB is refused in well under a millisecond);
//   - shared strings, which are held in memory, of more than eight times
//     the file's size (at least 64 MiB), and a workbook, relationships or
//     styles part over 16 MiB.
//
// archive/zip fails a part that inflates to more than the directory
// declares, so the checks hold for a lying directory too. The sheet is
// streamed: its memory is one row. A cell's text longer than 1 MiB in the
// file (Excel holds at most 32,767 characters in a cell) is a
// *formats.ParseError wrapping formats.ErrTooLarge for its row, read past
// without being held; reading goes on with the next row. An entity the
// workbook would have to define (the "billion laughs" files) is
// formats.ErrCorrupt.
//
// An encrypted workbook (an OLE2 container holding EncryptedPackage) is
// formats.ErrEncrypted; an .xlsb, .ods, .docx or another zip is
// formats.ErrUnsupportedFormat naming what it is; damaged content is
// formats.ErrCorrupt, or a *formats.ParseError with the file, the sheet and
// the row when one row cannot be read (the next Read continues after it),
// or when the sheet breaks off (the rows before it are read). A panic on
// hostile input would be a bug; it is contained all the same and returned
// as formats.ErrCorrupt: the host never goes down with a bad file.
//
// Not supported: passwords (decrypting an encrypted workbook), the binary
// .xlsb format, formulas (the value Excel last computed is read; a formula
// saved without one reads as ""), merged cells (only the top-left cell holds
// the value), and number formats beyond dates and times.
//
// # Implementation
//
// The reader is crmio's own, over archive/zip: a byte scanner finds the
// tags of the sheet in the bytes as they are inflated, decodes the text of
// the values and skips the rest without copying it, where encoding/xml
// decoding each cell into a Go value (as excelize does) spent 70% of an
// import's time and allocated gigabytes. The shared strings are read once
// into one string, the cells' substrings of it. BenchmarkReadSideBySide
// reads a 200,000 × 15 workbook through this package and through
// excelize's raw Rows iteration in turn: this package is 5 to 7 times
// faster in wall time and 6 to 7 times in CPU time (1.85 s of CPU against
// 12.6 s), allocating 30 MB where excelize allocates 3.4 GB, with typed
// cells that raw Rows lacks.
//
// # Fuzzing
//
// FuzzXLSX opens arbitrary bytes as a workbook, seeded with small
// hand-made packages; the corpus workbooks seed it too when the test
// corpus is present. Run it with
//
//	go test ./formats/xlsx -run '^$' -fuzz FuzzXLSX -fuzztime 1m -fuzzminimizetime 0
//
// (-fuzzminimizetime 0 keeps the workers fuzzing instead of minimising a
// large input for minutes).
//
// The package also writes workbooks with github.com/xuri/excelize/v2: see
// NewWriter.
package xlsx
