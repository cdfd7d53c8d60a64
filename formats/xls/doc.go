// Package xls reads legacy Excel workbooks (.xls, Excel 97-2003 and Excel
// 5.0/95) as a formats.Reader of one sheet.
//
// Importing the package registers the "xls" format with formats.Open and
// formats.NewReader, which send every OLE2 compound file here:
//
//	import _ "github.com/crmio/crmio/formats/xls"
//
//	r, err := formats.Open("contacts.xls", nil)
//
// Open, NewReader and Parse read a file, a stream or bytes directly.
//
// # What a row holds
//
// Rows hold text exactly as the xlsx package gives it, so that a file
// saved as .xls and as .xlsx reads the same cell for cell: numbers whose
// format is a date or time become ISO 8601 text ("2006-01-02",
// "2006-01-02T15:04:05", "15:04:05", "27:30:00" for elapsed time), with the
// 1904 date system of old Mac workbooks honoured; booleans are TRUE and
// FALSE; errors are as Excel shows them (#N/A); other numbers are rounded to
// the shortest text that reads back as the number rounded to the 15
// significant digits Excel shows (3, 72, 0.525625), as formats/xlsx
// renders them; a formula gives the value Excel last computed. Row numbers
// are the sheet's own; blank rows count but are not returned. Sheet
// choice, the header row (formats.NoHeaderRow for a sheet without one,
// detected when the first row reads as data), the naming of empty and
// repeated columns, the columns of cells right of the last named one
// ("Column 9", named from the start: the sheet is read whole) and the
// notices follow the xlsx package's rules (see its documentation).
//
// # Formats
//
// BIFF8 (Excel 97 to 2003, the "Workbook" stream) is read in full: shared
// strings split across CONTINUE records, rich and phonetic strings, RK and
// MULRK numbers, formulas with their cached results, FORMAT and XF records
// for dates. BIFF5 (Excel 5.0 and 95, the "Book" stream) is read with its
// text decoded from the workbook's code page (the CODEPAGE record: Windows
// code pages, Mac Roman, Shift JIS, GBK, Big5, EUC-KR). Files older than
// BIFF5 (Excel 2.x to 4.0) and other compound files are
// formats.ErrUnsupportedFormat, named: "a Word document (.doc)", "an OLE2
// compound file without a workbook". A workbook protected with a password
// to open (the FILEPASS record: XOR or RC4 obfuscation) and an encrypted
// .xlsx (an OLE2 file holding EncryptionInfo and EncryptedPackage streams)
// are formats.ErrEncrypted. A protection that only locks sheets against
// editing is no obstacle.
//
// # Limits
//
// An XLS file is a compound file of sectors that can only be read at
// random, so the reader holds it whole: the file within the size limit
// (formats.Options.MaxSize), then the sheet's cells in a compact form
// (about 32 bytes a cell, strings shared with the file's string table).
// Every length and offset read from the file is checked against the bytes
// that hold it; a count is never trusted for an allocation; a stream longer
// than the file is refused. Damaged input gives formats.ErrCorrupt, or as
// much of the sheet as precedes the damage with a notice. A panic would be
// a bug: it is contained all the same and returned as formats.ErrCorrupt.
// Cells right of column IV (256), which Excel cannot hold, are ignored with
// a notice.
//
// # Implementation
//
// The compound file is read with github.com/richardlehane/mscfb, which
// excelize already depends on; the BIFF records are decoded here. The
// existing Go XLS readers were measured and set aside: github.com/extrame/xls
// calls log.Fatal on some damaged files (ending the host process), made a
// truncated file allocate 24 GB and panics on number cells with built-in
// formats; github.com/shakinm/xlsReader panics on damaged input (a panic
// that can be recovered) and brings a compound-file reader of its own. A
// small record reader over mscfb, with a bounds check on every read and
// fuzzed with the corpus, keeps every failure in view and adds no module.
//
// # Fuzzing
//
// FuzzBIFF parses arbitrary bytes as a workbook stream, the BIFF records
// without the compound file around them, and runs well with a plain
// go test -fuzz. FuzzXLS parses arbitrary bytes as a whole file, seeded
// with the test writer's workbooks and the corpus files under 8 KiB; a
// compound file is 5 KiB at least, and minimising each new input of that
// size takes the workers most of their time, so run it with
//
//	go test ./formats/xls -run '^$' -fuzz '^FuzzXLS$' -fuzztime 1m -fuzzminimizetime 0
//	go test ./formats/xls -run '^$' -fuzz '^FuzzBIFF$' -fuzztime 1m
package xls
