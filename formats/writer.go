package formats

import (
	"errors"
	"strconv"
	"time"
)

// Errors that writers return, wrapped with the row at fault.
var (
	// ErrWriteOrder: WriteHeader called twice or after WriteRow, WriteRow
	// called before WriteHeader, or a write after Close.
	ErrWriteOrder = errors.New("formats: writer used out of order")
	// ErrRowTooWide: a row holds more cells than the header has columns.
	ErrRowTooWide = errors.New("formats: row has more cells than the header")
	// ErrTooManyRows: the format cannot hold another row (a worksheet's
	// 1,048,576 rows, the cap a PDF report was given). The wrapping error says the
	// limit and what to use instead: CSV has none.
	ErrTooManyRows = errors.New("formats: too many rows for this format")
)

// Writer writes one table (a CSV file, a worksheet, the table of a PDF
// report): a header, then rows of typed cells. Writers are what an export
// streams records into; they know nothing of modules or records.
//
// Call WriteHeader once, then WriteRow for each row, then Close. A row may
// hold fewer cells than the header (the rest are empty) but not more.
// Writers buffer: nothing is guaranteed to reach the underlying io.Writer
// until Close returns nil. Close finishes the file (flushes the CSV, writes
// the workbook or the PDF document) but does not close the underlying
// io.Writer, as gzip.Writer and zip.Writer do not.
//
// Errors are sticky: after WriteHeader or WriteRow fails, every later call
// returns the same error, and Close releases what the writer holds (its
// temporary files) without writing more. Always call Close, also after an
// error: a writer that was not closed may leave temporary files behind.
//
// A Writer is not safe for concurrent use.
type Writer interface {
	// WriteHeader writes the column names. It must be called once,
	// before the first WriteRow.
	WriteHeader(names []string) error
	// WriteRow writes one row. The writer does not keep cells after the
	// call returns, so the caller may reuse the slice.
	WriteRow(cells []Cell) error
	// Close finishes the file and releases the writer's resources.
	Close() error
}

// A Measurer is a Writer that lays its table out better when it sees
// every row before it writes the first: a PDF report fits its column
// widths to all of them and leaves out the columns that hold nothing. A
// caller that can produce its rows twice (an export can run its query
// twice) calls Measure with each row after WriteHeader and before the
// first WriteRow, then writes the rows. Measure, like WriteRow, does not
// keep the cells. A Measurer that is not measured lays its table out from
// its first rows.
type Measurer interface {
	Writer
	Measure(cells []Cell) error
}

// A RowEncoder is a Writer whose rows can be encoded apart from being
// written, so that a caller with many rows (an export) encodes them on
// several goroutines and writes them in order. AppendRow appends to dst
// the bytes WriteRow would write for cells, keeping nothing; after
// WriteHeader it may be called from several goroutines at once, and
// concurrently with WriteEncoded. WriteEncoded writes the bytes of n rows
// AppendRow encoded, in place of n calls of WriteRow. A format whose rows
// depend on the rows before them (shared strings, a page layout) is not
// one.
type RowEncoder interface {
	Writer
	AppendRow(dst []byte, cells []Cell) ([]byte, error)
	WriteEncoded(rows []byte, n int) error
}

// CellKind is the kind of a Cell.
type CellKind uint8

// The kinds of Cell.
const (
	CellEmpty    CellKind = iota // no value; the zero Cell
	CellText                     // a string, written as text
	CellNumber                   // an exact decimal number
	CellBool                     // true or false
	CellDate                     // a calendar date, with no time of day or zone
	CellDateTime                 // an instant, shown in its location's wall clock
)

var cellKindNames = [...]string{
	CellEmpty:    "empty",
	CellText:     "text",
	CellNumber:   "number",
	CellBool:     "bool",
	CellDate:     "date",
	CellDateTime: "datetime",
}

func (k CellKind) String() string {
	if int(k) < len(cellKindNames) {
		return cellKindNames[k]
	}
	return "CellKind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is one typed value written by a Writer. Each format shows the kind
// as best it can: a spreadsheet writes numbers as numbers and dates as
// dates with a date format, CSV writes the canonical text of String, and a
// PDF report aligns numbers to the right. The zero Cell is empty. Build
// cells with the constructors (TextCell, NumberCell, ...); cells are
// immutable values.
type Cell struct {
	kind CellKind
	text string    // the canonical text (see String)
	t    time.Time // CellDate: midnight UTC of the date; CellDateTime: the instant
}

// TextCell returns a text cell.
func TextCell(s string) Cell { return Cell{kind: CellText, text: s} }

// NumberCell returns a number cell from the exact decimal text of a number:
// an optional "-", digits, and an optional "." and fraction digits
// ("-1234.50"), as crmio.Decimal.String writes it. The writer keeps the
// digits: CSV writes them as given; a spreadsheet writes a number (with as
// many decimal places shown as given) when the value survives Excel's 15
// significant digits, and the text otherwise. Text that is not such a
// number is written as text.
func NumberCell(decimal string) Cell { return Cell{kind: CellNumber, text: decimal} }

// BoolCell returns a boolean cell.
func BoolCell(b bool) Cell { return Cell{kind: CellBool, text: strconv.FormatBool(b)} }

// DateCell returns a calendar date cell.
func DateCell(year int, month time.Month, day int) Cell {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Cell{kind: CellDate, text: t.Format(time.DateOnly), t: t}
}

// DateTimeCell returns an instant. Its text is RFC 3339 in t's location
// ("2024-03-15T09:30:00+01:00"); spreadsheets, which have no time zones,
// show the wall clock of t's location.
func DateTimeCell(t time.Time) Cell {
	t = t.Round(0)
	return Cell{kind: CellDateTime, text: t.Format(time.RFC3339Nano), t: t}
}

// Kind returns the cell's kind.
func (c Cell) Kind() CellKind { return c.kind }

// String returns the cell's canonical text, the form CSV writes: text as
// is, a number's digits, "true" or "false", a date in ISO 8601
// ("2024-03-15"), an instant in RFC 3339, and "" for an empty cell.
func (c Cell) String() string { return c.text }

// Time returns the instant of a DateTime cell, or midnight UTC of the day
// of a Date cell; the zero time for other kinds.
func (c Cell) Time() time.Time { return c.t }

// Bool returns the value of a Bool cell, false for other kinds.
func (c Cell) Bool() bool { return c.kind == CellBool && c.text == "true" }

// IsEmpty reports whether the cell holds nothing: the empty cell or an
// empty text.
func (c Cell) IsEmpty() bool { return c.text == "" }
