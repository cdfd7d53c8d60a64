package formats

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxSize is the size limit applied when Options.MaxSize is zero.
const DefaultMaxSize int64 = 100 << 20 // 100 MiB

// Sentinel errors. Readers wrap them so callers can use errors.Is.
var (
	// ErrUnsupportedFormat is returned for content that no registered
	// format reads. The wrapping error names what was found ("PDF
	// document", "ODS spreadsheet", ...).
	ErrUnsupportedFormat = errors.New("formats: unsupported format")
	// ErrEncrypted is returned for an encrypted or password-protected workbook.
	ErrEncrypted = errors.New("formats: encrypted or password-protected workbook")
	// ErrTooLarge is returned when the input exceeds Options.MaxSize.
	ErrTooLarge = errors.New("formats: file too large")
	// ErrNoHeader is returned when the input holds no header row.
	ErrNoHeader = errors.New("formats: no header row")
	// ErrNoSheet is returned when the requested sheet does not exist.
	ErrNoSheet = errors.New("formats: no such sheet")
	// ErrCorrupt is returned when a file is recognised but cannot be decoded.
	ErrCorrupt = errors.New("formats: corrupt file")
)

// Row is one data row of a file.
type Row struct {
	// Number is the row's number as the user's spreadsheet shows it when
	// the file is opened there: the file's first row is 1 (so the header is
	// row 1 unless a preamble precedes it), a CSV record spanning several
	// lines is one row, and blank rows count but are never returned.
	Number int
	// Fields holds the cells, in column order. A ragged row may hold fewer
	// fields than the header (CSV), or more: the reader keeps them all,
	// names the columns beyond the header "Column N" (Reader.Header grows)
	// and reports the rows in Info().Notices.
	Fields []string
}

// Reader streams the rows of one table (a CSV file or one sheet of a
// workbook). It is not safe for concurrent use.
type Reader interface {
	// Header returns the column names, made unique and non-empty. It grows
	// when a row longer than the header is read: the columns beyond it are
	// "Column N", N their position.
	Header() []string
	// Read returns the next non-blank data row, or io.EOF after the last.
	// The returned Row.Fields may be reused by the next call to Read;
	// callers that keep it must copy it.
	Read() (Row, error)
	// Info describes what was detected. Notices grow as rows are read.
	Info() Info
	// Close releases the reader's resources (temporary files included).
	Close() error
}

// Info describes a reader's input as detected or as configured, so that a
// user can see it and override it.
type Info struct {
	Format    string   // the format's registered name: "csv", "xlsx", "xls", "vcf", ...
	Encoding  string   // CSV: "utf-8", "utf-16le", "utf-16be", "windows-1252", ...
	Delimiter rune     // CSV only
	HeaderRow int      // source row number of the header (1 unless a preamble precedes it); 0 when Headerless
	Sheet     string   // workbooks: the sheet being read
	Sheets    []string // workbooks: every sheet, in workbook order
	Size      int64    // bytes of input, -1 when unknown
	// EstimatedRows estimates the number of data rows without reading the
	// file twice (exact for workbooks that record their dimension, else
	// extrapolated from the bytes read so far). Zero when unknown.
	EstimatedRows int
	// Notices are non-fatal findings: renamed headers, ragged rows, a skipped
	// preamble, a first row read as data. At most MaxNotices are kept;
	// NoticesDropped counts the rest.
	Notices        []Notice
	NoticesDropped int
	// Headerless reports that the table is read without a header: every
	// row is data, the columns are called "Column 1", "Column 2"... Either
	// Options.HeaderRow is NoHeaderRow, or the first row read as data (a
	// Notice says why; Options.HeaderRow 1 takes it as the header).
	Headerless bool
}

// MaxNotices bounds Info.Notices so that a bad file cannot grow it without limit.
const MaxNotices = 100

// Notice is a non-fatal finding about the input.
type Notice struct {
	Row     int    // source row number, 0 when it concerns the whole file
	Column  int    // 1-based column, 0 when it concerns a whole row
	Message string // for a person: "column 3 has no name; called it \"Column 3\""
}

func (n Notice) String() string {
	switch {
	case n.Row > 0 && n.Column > 0:
		return fmt.Sprintf("row %d, column %d: %s", n.Row, n.Column, n.Message)
	case n.Row > 0:
		return fmt.Sprintf("row %d: %s", n.Row, n.Message)
	default:
		return n.Message
	}
}

// ParseError is a problem at a position of the input. Row and Column are
// 1-based source positions as the user's spreadsheet shows them.
type ParseError struct {
	// File is the file's name as the reader was given it (Input.Name):
	// "contacts.csv". Empty when the reader was given none. The message
	// starts with it, so that a program can print the error as it is.
	File   string
	Sheet  string // workbooks: the sheet
	Row    int
	Column int // 0 when the problem concerns the whole row
	Err    error
}

func (e *ParseError) Error() string {
	where := ""
	if e.File != "" {
		where = e.File + ": "
	}
	if e.Sheet != "" {
		where += fmt.Sprintf("sheet %q, ", e.Sheet)
	}
	if e.Column > 0 {
		return fmt.Sprintf("%srow %d, column %d: %v", where, e.Row, e.Column, e.Err)
	}
	return fmt.Sprintf("%srow %d: %v", where, e.Row, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Options configure opening a file. A nil *Options means defaults.
type Options struct {
	// MaxSize is the largest input accepted, in bytes. Zero means
	// DefaultMaxSize; a negative value means no limit.
	MaxSize int64 `json:"max_size,omitempty"`
	// Sheet names the worksheet to read; SheetIndex (1-based) picks one by
	// position. Both zero: the first visible sheet.
	Sheet      string `json:"sheet,omitempty"`
	SheetIndex int    `json:"sheet_index,omitempty"`
	// HeaderRow is the 1-based row holding the column names, or
	// NoHeaderRow for a table without a header (every row is data, the
	// columns are "Column 1", "Column 2"...). Zero: detect. The header is
	// then the first row, or the first row after a preamble of notes,
	// unless that row reads as data: values of the kinds the rows below
	// hold (email addresses, phone numbers, dates, numbers) where a header
	// holds words. Then no row is the header, Info.Headerless says so, and
	// a Notice says why; HeaderRow 1 takes the first row as the header.
	HeaderRow int `json:"header_row,omitempty"`
	// Encoding names the CSV text encoding ("utf-8", "windows-1252",
	// "iso-8859-1", "utf-16le", ...). Empty: detect.
	Encoding string `json:"encoding,omitempty"`
	// Delimiter is the CSV field delimiter. Zero: sniff among , ; tab |.
	Delimiter rune `json:"delimiter,omitempty"`
	// KeepFormulaGuard keeps the quote that guards a formula-like text in
	// a CSV file ("'=1+1", as crmio's exports and others write it against
	// CSV injection): by default Open and NewReader remove it from the
	// header and the fields of a format whose text spreadsheets may run as
	// formulas (Format.Formulas), so that "'=1+1" reads as "=1+1". Only
	// the quote the guard adds goes: "'quoted'" stays as it is.
	KeepFormulaGuard bool `json:"keep_formula_guard,omitempty"`
}

// Limit returns the effective size limit (-1: none).
func (o *Options) Limit() int64 {
	switch {
	case o == nil || o.MaxSize == 0:
		return DefaultMaxSize
	case o.MaxSize < 0:
		return -1
	default:
		return o.MaxSize
	}
}

// Input is what an Opener receives: the content of one file, already
// checked against the size limit and identified as the opener's format.
type Input struct {
	// Name is the file's name for messages ("contacts.csv"); may be empty.
	Name string
	// Path is the file on disk. Always set for a format with NeedsFile (a
	// workbook: a stream is spooled to a temporary file first); may be
	// empty for the others (CSV), which read R.
	Path string
	// R yields the content from its first byte. It fails with ErrTooLarge
	// past the size limit.
	R io.Reader
	// Size is the content's size in bytes, or -1 when not yet known.
	Size int64
}

// An Opener opens one format: it is a Format's Open.
//
// The Input belongs to the caller (Open or NewReader): the Opener reads R
// or opens Path, and its Reader's Close releases only what the Opener
// itself opened. The caller closes R and removes a temporary Path after
// the Reader's Close, or at once when the Opener returns an error.
type Opener func(in *Input, opts *Options) (Reader, error)
