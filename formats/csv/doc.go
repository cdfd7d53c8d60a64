// Package csv reads and writes CSV files for crmio: the text tables every
// CRM, address book and spreadsheet exports, in whatever shape they come.
//
// Importing the package registers the "csv" format with the formats
// package, so that formats.Open and formats.NewReader read CSV files:
//
//	import _ "github.com/crmio/crmio/formats/csv"
//
// NewReader reads text known to be CSV without the detour through format
// detection; the Reader it returns implements formats.Reader, and follows
// that contract for headers, blank rows, ragged rows (the columns past the
// header are "Column 4" and on), row numbers and errors. NewWriter writes
// CSV for exports.
//
// # What the reader detects
//
// A CSV file says nothing about itself, so the reader looks at its first
// 64 KiB, and Info reports what it decided (to show the user, who can
// override it in formats.Options):
//
//   - Encoding. A byte order mark decides: UTF-8 (the mark is dropped),
//     UTF-16 little- or big-endian (Excel's "Unicode Text"). UTF-16 without
//     a mark is recognised by its zero bytes. Otherwise text that is valid
//     UTF-8 is UTF-8, and anything else is Windows-1252, the encoding Excel
//     writes on Western Windows systems (a superset of ISO-8859-1), with a
//     Notice. The rest of the file is watched as it is read: a file that
//     is plain ASCII for 64 KiB and then has a Windows-1252 "é" switches to
//     Windows-1252 there (nothing is lost: ASCII is common to both), and
//     UTF-8 that turns invalid further on gets a Notice at its row.
//     Options.Encoding names the encoding instead: "iso-8859-15",
//     "macintosh", "windows-1250", "ibm850", "koi8-r" and more; an
//     unknown name is an error listing the known ones.
//   - Delimiter. One of , ; tab and |, whichever splits the first records
//     into the most consistent number of fields, quoted fields aside (so
//     decimal commas in a semicolon file, or semicolons in a note, do not
//     mislead it). Excel's "sep=;" first line names it and is skipped.
//     Options.Delimiter sets it.
//   - Line ends. LF, CRLF, and the lone CR of old Mac exports.
//   - Header row. The first row, unless notes precede the table, or the
//     row reads as data (an email address, a phone number, a date like the
//     rows below it: then the file has no header, and its columns are
//     "Column 1"...; see the formats package). Options.HeaderRow sets it,
//     or formats.NoHeaderRow reads every row as data.
//
// # Parsing
//
// Records follow RFC 4180, parsed as encoding/csv parses them: fields may
// be quoted, quoted fields may hold delimiters, doubled quotes and line
// breaks, and the fields and errors are encoding/csv's (a fuzz test
// compares them). A line break inside a field reads as the file has it:
// "\n", or "\r\n" where the file wrote one (encoding/csv alone would turn
// it into "\n"), so nothing of a field is lost. A file whose lines end with
// a lone CR reads as if they ended with "\n". The Writer writes a field's
// line breaks as they are, so a value survives a round trip byte for byte.
// Quotes are strict (as encoding/csv without LazyQuotes): a lenient parser
// reads a stray quote inside a quoted field as text and goes on to swallow
// the following lines into that field, merging rows without a word.
// Strictly, a malformed row is a *formats.ParseError carrying the file's
// name, the row and the column, such as
//
//	contacts.csv: row 7, column 2: bare " in non-quoted-field (a field holding a " must be enclosed in quotes, with the " doubled; line 11 of the text)
//
// and the next Read continues with the following row. Every other row of
// the file is still imported; the user fixes the one row.
//
// # Memory and performance
//
// Rows are streamed: memory is bounded by the longest record, not by the
// file, and by a small multiple of that record. A record is parsed from
// the read buffer where it lies; a line longer than the buffer is parsed as
// it streams by, and a record over a megabyte is gathered in blocks and
// copied once into the string its fields share. A 50 MB field costs a
// process about 110 MB at its peak, preview included (TestHugeFieldMemory
// in formats/all measures it in a child process), where encoding/csv's own
// buffers, grown by doubling and kept, held 250 to 300 MB. There is no
// limit on a field's length but the file's size limit.
//
// Reading costs little over encoding/csv with ReuseRecord, the ceiling
// (BenchmarkReadContacts compares them): one allocation a row, the string
// of its fields. Info().EstimatedRows extrapolates from the bytes read so
// far, so a progress bar needs no second pass over the file.
//
// # Fuzzing
//
// FuzzCSVReader reads arbitrary bytes in every encoding the reader knows
// and checks the rows against encoding/csv's; FuzzParser compares the
// record parser with encoding/csv over a tiny read buffer, so that records
// span many reads. Run each with
//
//	go test ./formats/csv -run '^$' -fuzz '^FuzzParser$' -fuzztime 1m -fuzzminimizetime 0
//
// (-fuzzminimizetime 0 keeps the workers fuzzing instead of minimising
// each new input for up to a minute).
package csv
