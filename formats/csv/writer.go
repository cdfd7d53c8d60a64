package csv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
)

// ErrInvalidWriterDelimiter is returned by NewWriter for a delimiter that
// cannot separate fields: a quote, a line break, or not a valid rune.
var ErrInvalidWriterDelimiter = errors.New("csv: invalid delimiter for writing")

// utf8ByteOrderMark is written first when WriterOptions.BOM is set.
const utf8ByteOrderMark = "\uFEFF"

// WriterOptions configure a Writer. A nil *WriterOptions means defaults:
// comma-separated, CRLF line ends, no byte order mark.
type WriterOptions struct {
	// Delimiter separates fields. Zero means ','. Spreadsheets in locales
	// whose decimal separator is a comma expect ';'.
	Delimiter rune
	// BOM writes a UTF-8 byte order mark first. Excel needs it to read a
	// CSV file as UTF-8 rather than the Windows code page, which turns
	// "é" into "Ã©". Programs other than spreadsheets may not expect it
	// (crmio's reader drops it).
	BOM bool
	// LF ends records with "\n" alone. By default records end with
	// "\r\n", as RFC 4180 says and as Excel writes CSV itself. A line break
	// inside a value ("\n", "\r\n" or a lone "\r") is written as it is, in
	// a quoted field, as Excel does; crmio's reader reads it back the same.
	LF bool
}

// Writer writes a CSV file: UTF-8 text, fields quoted as RFC 4180 says
// (when they hold the delimiter, a quote or a line break, or begin with a
// space), every row as wide as the header. Each Cell is written as its
// canonical text (formats.Cell.String): numbers with their exact digits,
// dates in ISO 8601, instants in RFC 3339, booleans as true or false. A
// field is quoted exactly when encoding/csv quotes it, and written as its
// Writer (with UseCRLF false) writes it, line breaks inside a field as
// they are.
//
// Writer implements formats.Writer and formats.RowEncoder: a caller with
// many rows may encode them on several goroutines (AppendRow) and write
// them in order (WriteEncoded). It streams: a row reaches the underlying
// io.Writer when the buffer fills, and everything by Close.
type Writer struct {
	buf     *bufio.Writer
	delim   rune
	crlf    bool // records end with "\r\n", else "\n"
	bom     bool
	columns int // the header's width; -1 before WriteHeader
	row     int // the row last written, as a spreadsheet numbers it (header = 1)
	line    []byte
	closed  bool
	err     error
}

// NewWriter returns a Writer writing to w. A nil opts means defaults.
func NewWriter(w io.Writer, opts *WriterOptions) (*Writer, error) {
	if opts == nil {
		opts = &WriterOptions{}
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = ','
	}
	if delim == '"' || delim == '\r' || delim == '\n' || !utf8.ValidRune(delim) || delim == utf8.RuneError {
		return nil, fmt.Errorf("%w: %q", ErrInvalidWriterDelimiter, delim)
	}
	return &Writer{buf: bufio.NewWriterSize(w, 64<<10), delim: delim, crlf: !opts.LF, bom: opts.BOM, columns: -1}, nil
}

// appendRecord appends one record of fields, count of them (the fields
// past len(fields) empty), ending with the file's line end.
func (w *Writer) appendRecord(dst []byte, count int, field func(i int) string) []byte {
	for i := range count {
		if i > 0 {
			dst = utf8.AppendRune(dst, w.delim)
		}
		dst = w.appendField(dst, field(i))
	}
	if w.crlf {
		return append(dst, '\r', '\n')
	}
	return append(dst, '\n')
}

// appendField appends one field, quoted when needsQuotes says so, its
// quotes doubled and everything else verbatim.
func (w *Writer) appendField(dst []byte, f string) []byte {
	if !w.needsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	dst = append(dst, f...)
	return append(dst, '"')
}

// needsQuotes is encoding/csv's rule: a field is quoted when it holds the
// delimiter, a quote or a line break, begins with a space (as Unicode
// has it), or is \. (which PostgreSQL's COPY reads as the end of data).
func (w *Writer) needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	if w.delim < utf8.RuneSelf {
		d := byte(w.delim)
		for i := 0; i < len(f); i++ {
			if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == d {
				return true
			}
		}
	} else if strings.ContainsRune(f, w.delim) || strings.ContainsAny(f, "\"\r\n") {
		return true
	}
	if c := f[0]; c < utf8.RuneSelf {
		return asciiSpace[c]
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// asciiSpace is unicode.IsSpace below utf8.RuneSelf.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// WriteHeader writes the header row (after the byte order mark, if any).
func (w *Writer) WriteHeader(names []string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.columns >= 0 {
		return w.fail(fmt.Errorf("%w: WriteHeader called twice or after Close", formats.ErrWriteOrder))
	}
	w.columns = len(names)
	w.row = 1
	if w.bom {
		if _, err := w.buf.WriteString(utf8ByteOrderMark); err != nil {
			return w.fail(err)
		}
	}
	w.line = w.appendRecord(w.line[:0], len(names), func(i int) string { return names[i] })
	if _, err := w.buf.Write(w.line); err != nil {
		return w.fail(fmt.Errorf("csv: header: %w", err))
	}
	return nil
}

// WriteRow writes one row; missing trailing cells are written empty.
func (w *Writer) WriteRow(cells []formats.Cell) error {
	if err := w.writable("WriteRow"); err != nil {
		return err
	}
	w.row++
	line, err := w.AppendRow(w.line[:0], cells)
	if err != nil {
		return w.fail(fmt.Errorf("csv: row %d: %w", w.row, err))
	}
	w.line = line
	if _, err := w.buf.Write(line); err != nil {
		return w.fail(fmt.Errorf("csv: row %d: %w", w.row, err))
	}
	return nil
}

// AppendRow implements formats.RowEncoder: it appends to dst the bytes
// WriteRow writes for cells. It fails with formats.ErrRowTooWide for more
// cells than the header has columns, and formats.ErrWriteOrder before
// WriteHeader.
func (w *Writer) AppendRow(dst []byte, cells []formats.Cell) ([]byte, error) {
	if w.columns < 0 {
		return dst, fmt.Errorf("%w: AppendRow before WriteHeader", formats.ErrWriteOrder)
	}
	if len(cells) > w.columns {
		return dst, fmt.Errorf("%w (%d cells, %d columns)", formats.ErrRowTooWide, len(cells), w.columns)
	}
	return w.appendRecord(dst, w.columns, func(i int) string {
		if i < len(cells) {
			return cells[i].String()
		}
		return ""
	}), nil
}

// WriteEncoded implements formats.RowEncoder: it writes rows, the bytes of
// n rows AppendRow appended, as n calls of WriteRow would.
func (w *Writer) WriteEncoded(rows []byte, n int) error {
	if err := w.writable("WriteEncoded"); err != nil {
		return err
	}
	if _, err := w.buf.Write(rows); err != nil {
		return w.fail(fmt.Errorf("csv: rows %d-%d: %w", w.row+1, w.row+n, err))
	}
	w.row += n
	return nil
}

// writable returns the error of writing rows now: an earlier one, or
// writing before WriteHeader or after Close.
func (w *Writer) writable(op string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.columns < 0 {
		return w.fail(fmt.Errorf("%w: %s before WriteHeader or after Close", formats.ErrWriteOrder, op))
	}
	return nil
}

// Close flushes what is buffered. It does not close the underlying
// io.Writer. After an earlier error it returns that error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.buf.Flush(); err != nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

var (
	_ formats.Writer     = (*Writer)(nil)
	_ formats.RowEncoder = (*Writer)(nil)
)
