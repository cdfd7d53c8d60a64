package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
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
// dates in ISO 8601, instants in RFC 3339, booleans as true or false.
//
// Writer implements formats.Writer. It streams: a row reaches the
// underlying io.Writer when the buffer fills, and everything by Close.
type Writer struct {
	buf *bufio.Writer
	csv *stdcsv.Writer
	// scratch, for CRLF files, receives each record from csv, which writes
	// field text verbatim only when it ends records with "\n" (in its CRLF
	// mode it rewrites line breaks inside fields); the record's final
	// "\n" then becomes "\r\n" on its way to buf.
	scratch *bytes.Buffer
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
	wr := &Writer{buf: buf, bom: opts.BOM, columns: -1}
	if opts.LF {
		wr.csv = stdcsv.NewWriter(buf) // shares buf: bufio returns a large enough writer as is
	} else {
		wr.scratch = new(bytes.Buffer)
		wr.csv = stdcsv.NewWriter(wr.scratch)
	}
	wr.csv.Comma = delim
	return wr, nil
}

// write writes one record, ending it with the file's line end.
func (w *Writer) write(record []string) error {
	if w.scratch == nil {
		return w.csv.Write(record)
	}
	w.scratch.Reset()
	if err := w.csv.Write(record); err != nil {
		return err
	}
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	b := w.scratch.Bytes()
	if _, err := w.buf.Write(b[:len(b)-1]); err != nil { // without its "\n"
		return err
	}
	_, err := w.buf.WriteString("\r\n")
	return err
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
	if err := w.write(names); err != nil {
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
		w.record = append(w.record, c.String())
	}
	for len(w.record) < w.columns {
		w.record = append(w.record, "")
	}
	if err := w.write(w.record); err != nil {
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
	if err := w.buf.Flush(); err != nil && w.err == nil {
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

var _ formats.Writer = (*Writer)(nil)
