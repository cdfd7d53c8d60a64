package csv

import (
	"bufio"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
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
	// LF ends lines with "\n" alone. By default lines end with "\r\n", as
	// RFC 4180 says and as Excel writes CSV itself. A line break inside a
	// value ("\n", "\r\n" or a lone "\r") is written as the line end too,
	// in a quoted field; crmio's reader, like encoding/csv's, reads any of
	// them back as "\n".
	LF bool
}

// Writer writes a CSV file: UTF-8 text, fields quoted as RFC 4180 says
// (when they hold the delimiter, a quote or a line break, or begin with a
// space), every row as wide as the header. Each Cell is written as its
// canonical text (formats.Cell.String): numbers with their exact digits,
// dates in ISO 8601, instants in RFC 3339, booleans as true or false.
//
// Writer implements formats.Writer. It streams: a row reaches the
// underlying io.Writer when the buffer fills, and everything by Close.
type Writer struct {
	buf     *bufio.Writer
	csv     *stdcsv.Writer
	bom     bool
	columns int // the header's width; -1 before WriteHeader
	row     int // the row last written, as a spreadsheet numbers it (header = 1)
	record  []string
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
	buf := bufio.NewWriterSize(w, 64<<10)
	cw := stdcsv.NewWriter(buf) // shares buf: bufio returns a large enough writer as is
	cw.Comma = delim
	cw.UseCRLF = !opts.LF
	return &Writer{buf: buf, csv: cw, bom: opts.BOM, columns: -1}, nil
}

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
	if err := w.csv.Write(names); err != nil {
		return w.fail(fmt.Errorf("csv: header: %w", err))
	}
	return nil
}

// WriteRow writes one row; missing trailing cells are written empty.
func (w *Writer) WriteRow(cells []formats.Cell) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.columns < 0 {
		return w.fail(fmt.Errorf("%w: WriteRow before WriteHeader or after Close", formats.ErrWriteOrder))
	}
	w.row++
	if len(cells) > w.columns {
		return w.fail(fmt.Errorf("csv: row %d: %w (%d cells, %d columns)", w.row, formats.ErrRowTooWide, len(cells), w.columns))
	}
	w.record = w.record[:0]
	for _, c := range cells {
		w.record = append(w.record, lineBreaks(c.String()))
	}
	for len(w.record) < w.columns {
		w.record = append(w.record, "")
	}
	if err := w.csv.Write(w.record); err != nil {
		return w.fail(fmt.Errorf("csv: row %d: %w", w.row, err))
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
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		w.err = err
	}
	return w.err
}

// lineBreaks writes every line break in s, "\r\n" or a lone "\r" as well
// as "\n", as "\n", which encoding/csv then writes as the file's line end.
// (Left alone, encoding/csv would drop a lone "\r" in CRLF mode.)
func lineBreaks(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

var _ formats.Writer = (*Writer)(nil)
