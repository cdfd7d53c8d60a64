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
//   - Other numbers keep the digits stored in the file, rounded to the 15
//     significant digits Excel shows when they carry more (0.1+0.2 is
//     "0.3", not "0.30000000000000004"). Currency and percent formats are
//     not applied: 12.5% is "0.125".
//   - Text is kept as it is, including text that looks like a number
//     ("0042") or a date.
//
// Row numbers are the sheet's own: the header is usually row 1, blank rows
// and rows missing from the file count but are never returned. Each row is
// padded with "" to the header's width; values right of the last named
// column are kept and reported in Info().Notices.
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
// formats.Options.HeaderRow names the header row; without it the header is
// the first non-blank row, unless that row begins a preamble of notes (rows
// with at most one value above a table whose rows mostly have two or more),
// the rule the CSV reader uses too. Header names are trimmed; an empty name
// becomes "Column 3" and a repeated one "Email (2)", each with a notice.
// Info().EstimatedRows comes from the dimension the sheet records, when it
// records one.
//
// # Errors and limits
//
// Errors wrap the formats sentinels. A file over the size limit
// (formats.Options.MaxSize) is formats.ErrTooLarge, and so is a package
// whose parts would expand beyond limits derived from it: the whole package
// may expand to 16 times the size limit (at least 256 MiB, at most 4 GiB),
// the parts held in memory to twice it (at least 64 MiB), and the shared
// strings to eight times the file's own size (at least 64 MiB), because
// excelize indexes every shared string in memory. These checks read only
// the zip directory: a zip bomb is refused before anything is inflated.
// The sheet read and the shared strings, when larger than 16 MiB, are first
// scanned for an XML token (a text, a tag, a comment) over 1 MiB, which no
// spreadsheet writes and which would cost excelize twice its size in memory
// (one megabyte of zip can hold a gigabyte of spaces). An
// encrypted workbook (an OLE2 container holding EncryptedPackage) is
// formats.ErrEncrypted; an .xlsb, .ods, .docx or another zip is
// formats.ErrUnsupportedFormat naming what it is; damaged content is
// formats.ErrCorrupt, or a *formats.ParseError with the sheet and row when
// one row cannot be read (the next Read continues after it). A panic in the
// XLSX decoder on hostile input is contained and returned as
// formats.ErrCorrupt: the host never goes down with a bad file.
//
// Not supported: passwords (decrypting an encrypted workbook), the binary
// .xlsb format, formulas (the value Excel last computed is read; a formula
// saved without one reads as ""), merged cells (only the top-left cell holds
// the value), and number formats beyond dates and times.
//
// # Implementation
//
// The package streams with github.com/xuri/excelize/v2: OpenFile with its
// unzip limits always set, then Rows and Columns with raw cell values,
// which is 3.4 times faster than formatted values and leaves dates as serial
// numbers instead of two-digit-year text. Raw values do not say which cells
// are dates or booleans, and excelize's per-cell style lookup loads the
// whole sheet into memory, so the reader scans the same worksheet XML
// alongside with a byte scanner that reads only the type and style
// attributes of each cell. With the token check above, reading a large
// sheet costs about a fifth more time than excelize's raw values alone
// (BenchmarkRead: 200,000 rows) and no more memory. excelize keeps
// worksheets and shared strings larger than 16 MiB in temporary files:
// Close removes them.
//
// The package also writes workbooks: see NewWriter.
package xlsx
