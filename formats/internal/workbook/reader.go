package workbook

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/crmio/crmio/formats"
)

// A Source yields the non-empty rows of one sheet in order.
type Source interface {
	// Next returns the next row that holds at least one cell, with its
	// 1-based row number as the spreadsheet shows it, or io.EOF after the
	// last. The cells are in column order (index 0 is column A); a missing
	// cell is "". The slice may be reused by the next call. After an error
	// other than io.EOF, Next may be called again to continue with the row
	// after the bad one.
	Next() (number int, cells []string, err error)
	// Close releases the source's resources.
	Close() error
}

// Config describes the sheet a Reader reads.
type Config struct {
	// Info is the reader's Info as the opener knows it: Format, Sheet,
	// Sheets and Size. The Reader fills HeaderRow, EstimatedRows and Notices.
	Info formats.Info
	// HeaderRow is the requested header row (formats.Options.HeaderRow);
	// zero means the first non-blank row.
	HeaderRow int
	// LastRow is the sheet's last row number as the file records it (the
	// dimension), zero when unknown. It gives Info.EstimatedRows.
	LastRow int
}

// headerWindow bounds how many non-blank rows are examined for a header
// below a preamble of notes, as the CSV reader does.
const headerWindow = 16

// Reader is the formats.Reader of a workbook sheet.
type Reader struct {
	src     Source
	info    formats.Info
	header  []string
	fields  []string
	pending []row // rows read while looking for the header
	eof     bool
	closed  bool
}

type row struct {
	number int
	cells  []string
	err    error // a row that could not be read, returned in its turn
}

// NewReader reads up to and including the header row of src and returns a
// reader positioned at the first data row. On error it closes src.
func NewReader(src Source, cfg Config) (*Reader, error) {
	r := &Reader{src: src, info: cfg.Info}
	var err error
	if cfg.HeaderRow > 0 {
		err = r.readHeaderAt(cfg.HeaderRow)
	} else {
		err = r.findHeader()
	}
	if err != nil {
		src.Close()
		return nil, err
	}
	if cfg.LastRow > r.info.HeaderRow {
		r.info.EstimatedRows = cfg.LastRow - r.info.HeaderRow
	}
	return r, nil
}

// next returns the next non-blank row of the source.
func (r *Reader) next() (row, error) {
	for {
		num, cells, err := r.src.Next()
		if err != nil {
			return row{}, err
		}
		if !isBlank(cells) {
			return row{number: num, cells: cells}, nil
		}
	}
}

// readHeaderAt reads the header from the row the options name.
func (r *Reader) readHeaderAt(want int) error {
	for {
		rec, err := r.next()
		var pe *formats.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return fmt.Errorf("%w: sheet %q has no row %d", formats.ErrNoHeader, r.info.Sheet, want)
		case errors.As(err, &pe) && pe.Row < want:
			continue // above the header: not read, so not judged
		case err != nil:
			return err
		case rec.number < want:
			continue // above the header: not read, so not judged
		case rec.number > want:
			return fmt.Errorf("%w: row %d is blank", formats.ErrNoHeader, want)
		}
		r.setHeader(rec)
		return nil
	}
}

// findHeader takes the first non-blank row as the header, unless it starts
// a preamble of notes: rows with at most one value above a table whose rows
// mostly have two or more. The rule is the CSV reader's.
func (r *Reader) findHeader() error {
	var window []row
	for len(window) < headerWindow {
		rec, err := r.next()
		if errors.Is(err, io.EOF) {
			r.eof = true
			break
		}
		var pe *formats.ParseError
		if errors.As(err, &pe) {
			window = append(window, row{number: pe.Row, err: err})
			continue
		}
		if err != nil {
			return err
		}
		rec.cells = slices.Clone(rec.cells)
		window = append(window, rec)
	}
	at := formats.HeaderIndex(len(window), func(i int) []string { return window[i].cells }, func(i int) bool { return window[i].err == nil })
	if at < 0 {
		if len(window) > 0 {
			return window[0].err
		}
		return fmt.Errorf("%w: sheet %q holds no rows%s", formats.ErrNoHeader, r.info.Sheet, r.otherSheets())
	}
	for _, rec := range window[:at] {
		if rec.err != nil {
			return rec.err // the header cannot be told from a bad row above it
		}
	}
	if at > 0 {
		AddNotice(&r.info, formats.Notice{Message: fmt.Sprintf("the header is row %d; %d %s above it %s skipped as notes",
			window[at].number, at, plural(at, "row", "rows"), plural(at, "was", "were"))})
	}
	r.setHeader(window[at])
	r.pending = window[at+1:]
	return nil
}

// otherSheets points to the workbook's other sheets, for an error about an
// empty one.
func (r *Reader) otherSheets() string {
	if len(r.info.Sheets) < 2 {
		return ""
	}
	return fmt.Sprintf(" (the workbook has %d sheets: %s; choose one with Options.Sheet)",
		len(r.info.Sheets), quoteList(r.info.Sheets))
}

func (r *Reader) setHeader(rec row) {
	r.info.HeaderRow = rec.number
	r.header = r.nameColumns(rec.number, rec.cells)
}

// nameColumns turns the header cells into column names that are non-empty
// and unique, with a notice for every name it gives: "Column 3" for an
// empty name, "Email (2)" for a name met before (the CSV reader's rule).
// Empty cells right of the last name are not columns.
func (r *Reader) nameColumns(rowNum int, cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimFunc(cells[n-1], unicode.IsSpace) == "" {
		n--
	}
	names, notices := formats.NameColumns(rowNum, cells[:n])
	for _, nt := range notices {
		r.notice(nt)
	}
	return names
}

// Header returns the column names, made unique and non-empty.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Read returns the next non-blank data row, or io.EOF after the last. The
// fields line up with Header: a row is padded with "" to the header's width,
// and values right of the last named column are kept and reported as
// notices. A *formats.ParseError concerns one row; the next Read continues
// after it. The returned Fields are reused by the next Read.
func (r *Reader) Read() (formats.Row, error) {
	if r.closed {
		return formats.Row{}, fs.ErrClosed
	}
	var rec row
	switch {
	case len(r.pending) > 0:
		rec, r.pending = r.pending[0], r.pending[1:]
		if rec.err != nil {
			return formats.Row{}, rec.err
		}
	case r.eof:
		return formats.Row{}, io.EOF
	default:
		var err error
		if rec, err = r.next(); err != nil {
			if errors.Is(err, io.EOF) {
				r.eof = true
			}
			return formats.Row{}, err
		}
	}
	cells := rec.cells
	n := len(cells)
	for n > len(r.header) && strings.TrimFunc(cells[n-1], unicode.IsSpace) == "" {
		n--
	}
	if extra := n - len(r.header); extra > 0 {
		r.notice(formats.Notice{Row: rec.number, Column: len(r.header) + 1,
			Message: fmt.Sprintf("%d %s right of the last named column", extra, plural(extra, "value", "values"))})
	}
	r.fields = append(r.fields[:0], cells[:n]...)
	for len(r.fields) < len(r.header) {
		r.fields = append(r.fields, "")
	}
	return formats.Row{Number: rec.number, Fields: r.fields}, nil
}

// Info describes the sheet; Notices grow as rows are read.
func (r *Reader) Info() formats.Info {
	info := r.info
	info.Sheets = append([]string(nil), r.info.Sheets...)
	info.Notices = append([]formats.Notice(nil), r.info.Notices...)
	return info
}

// Close releases the source. Reads after Close fail with fs.ErrClosed.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.src.Close()
}

// Notice records a non-fatal finding, keeping at most formats.MaxNotices.
func (r *Reader) notice(n formats.Notice) {
	AddNotice(&r.info, n)
}

// AddNotice appends n to info.Notices, or counts it in info.NoticesDropped
// once formats.MaxNotices are kept.
func AddNotice(info *formats.Info, n formats.Notice) {
	if len(info.Notices) >= formats.MaxNotices {
		info.NoticesDropped++
		return
	}
	info.Notices = append(info.Notices, n)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimFunc(c, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ChooseSheet picks the sheet that opts asks for among names (in workbook
// order). With neither Sheet nor SheetIndex set it picks the first sheet for
// which usable reports true (visible worksheets), else the first sheet. The
// error wraps formats.ErrNoSheet and names the sheets there are.
func ChooseSheet(names []string, opts *formats.Options, usable func(i int) bool) (int, error) {
	if len(names) == 0 {
		return -1, fmt.Errorf("%w: the workbook has no sheets", formats.ErrNoSheet)
	}
	var sheet string
	var index int
	if opts != nil {
		sheet, index = opts.Sheet, opts.SheetIndex
	}
	switch {
	case sheet != "":
		for i, n := range names {
			if n == sheet {
				return i, nil
			}
		}
		for i, n := range names {
			if strings.EqualFold(n, sheet) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("%w: %q (the workbook has %s)", formats.ErrNoSheet, sheet, quoteList(names))
	case index != 0:
		if index < 1 || index > len(names) {
			return -1, fmt.Errorf("%w: number %d (the workbook has %d: %s)", formats.ErrNoSheet,
				index, len(names), quoteList(names))
		}
		return index - 1, nil
	}
	for i := range names {
		if usable == nil || usable(i) {
			return i, nil
		}
	}
	return 0, nil
}

func quoteList(names []string) string {
	const max = 20
	var b strings.Builder
	for i, n := range names {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(names)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}
