package workbook

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/table"
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

// An Estimator is a Source that can estimate the sheet's last row when the
// file records none (Config.LastRow zero): from the bytes its rows take,
// say. Zero means it cannot tell yet.
type Estimator interface {
	EstimatedLastRow() int
}

// A Noticer is a Source that has findings of its own to report as the
// rows are read (cells it could not place, strings it could not find).
// The Reader adds them to Info().Notices.
type Noticer interface {
	Notices() []formats.Notice
}

// Config describes the sheet a Reader reads.
type Config struct {
	// Info is the reader's Info as the opener knows it: Format, Sheet,
	// Sheets and Size. The Reader fills HeaderRow, Headerless,
	// EstimatedRows and Notices.
	Info formats.Info
	// File is the file's name for errors (formats.Input.Name); may be
	// empty. The Reader puts it in every *formats.ParseError it returns.
	File string
	// HeaderRow is the requested header row (formats.Options.HeaderRow):
	// zero means detect, formats.NoHeaderRow none.
	HeaderRow int
	// LastRow is the sheet's last row number as the file records it (the
	// dimension), zero when unknown. It gives Info.EstimatedRows.
	LastRow int
	// Width is the number of columns up to the last one holding a value in
	// any row, when the opener knows it (an XLS sheet is read whole); zero
	// when unknown. The header then names them all from the start, instead
	// of as the rows that need them are read.
	Width int
}

// headerWindow bounds how many non-blank rows are examined for a header
// below a preamble of notes, and for a first row that reads as data, as
// the CSV reader does.
const headerWindow = 16

// Reader is the formats.Reader of a workbook sheet.
type Reader struct {
	src     Source
	file    string
	info    formats.Info
	columns *table.Columns
	ragged  table.Ragged
	fields  []string
	values  int64 // non-empty cells in the rows returned
	cells   int64 // cells in the rows returned, padding included
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
	r := &Reader{src: src, file: cfg.File, info: cfg.Info}
	var err error
	switch {
	case cfg.HeaderRow > 0:
		err = r.readHeaderAt(cfg.HeaderRow)
	case cfg.HeaderRow < 0:
		err = r.readWindow(true)
	default:
		err = r.readWindow(false)
	}
	if err != nil {
		src.Close()
		return nil, r.named(err)
	}
	r.columns.Extend(cfg.Width)
	if cfg.LastRow > r.info.HeaderRow {
		r.info.EstimatedRows = cfg.LastRow - r.info.HeaderRow
	}
	return r, nil
}

// named puts the file's name in a *formats.ParseError that lacks it.
func (r *Reader) named(err error) error {
	var pe *formats.ParseError
	if r.file != "" && errors.As(err, &pe) && pe.File == "" {
		pe.File = r.file
	}
	return err
}

// next returns the next non-blank row of the source.
func (r *Reader) next() (row, error) {
	for {
		num, cells, err := r.src.Next()
		if err != nil {
			return row{}, err
		}
		if !table.IsBlank(cells) {
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

// readWindow reads the first rows and finds the header among them: the
// first non-blank row, unless it starts a preamble of notes (rows with at
// most one value above a table whose rows mostly have two or more; the
// CSV reader's rule) or reads as data. With none set, or when the row
// reads as data, there is no header: every row from there on is data.
func (r *Reader) readWindow(none bool) error {
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
	if len(window) == 0 {
		return fmt.Errorf("%w: sheet %q holds no rows%s", formats.ErrNoHeader, r.info.Sheet, r.otherSheets())
	}
	if none {
		r.setNoHeader(window)
		return nil
	}
	at := table.HeaderIndex(len(window), func(i int) []string { return window[i].cells }, func(i int) bool { return window[i].err == nil })
	if at < 0 {
		return window[0].err // every row is a bad one
	}
	for _, rec := range window[:at] {
		if rec.err != nil {
			return rec.err // the header cannot be told from a bad row above it
		}
	}
	var below [][]string
	for _, rec := range window[at+1:] {
		if rec.err == nil {
			below = append(below, rec.cells)
		}
	}
	data, why := table.ReadsAsData(window[at].cells, below)
	if at > 0 {
		AddNotice(&r.info, table.PreambleNotice(window[at].number, at, data))
	}
	if data {
		r.setNoHeader(window[at:])
		AddNotice(&r.info, table.DataRowNotice(window[at].number, why, r.columns.Names()))
		return nil
	}
	r.setHeader(window[at])
	r.pending = window[at+1:]
	for _, rec := range r.pending {
		r.columns.Extend(valueWidth(rec.cells)) // the rows read ahead name their columns now
	}
	return nil
}

// setNoHeader makes every row of window data, and names as many columns
// as its widest row needs.
func (r *Reader) setNoHeader(window []row) {
	r.info.Headerless = true
	r.info.HeaderRow = 0
	r.columns = table.NoColumns()
	for _, rec := range window {
		r.columns.Extend(valueWidth(rec.cells))
	}
	r.columns.Extend(1) // every row failed: still one column
	r.ragged.Width = r.columns.Len()
	r.pending = window
}

// otherSheets points to the workbook's other sheets, for an error about an
// empty one.
func (r *Reader) otherSheets() string {
	if len(r.info.Sheets) < 2 {
		return ""
	}
	return fmt.Sprintf(" (the workbook has %d sheets: %s; pick another one)",
		len(r.info.Sheets), quoteList(r.info.Sheets))
}

// setHeader names the columns from the header row: names that are
// non-empty and unique, with a notice for every name it gives: "Column 3"
// for an empty name, "Email (2)" for a name met before (the CSV reader's
// rule). Empty cells right of the last name are not columns.
func (r *Reader) setHeader(rec row) {
	r.info.HeaderRow = rec.number
	columns, notices := table.NewColumns(rec.number, rec.cells[:valueWidth(rec.cells)])
	for _, nt := range notices {
		r.notice(nt)
	}
	r.columns = columns
	r.ragged.Width = columns.Len()
}

// valueWidth returns the number of cells up to the last that holds a value.
func valueWidth(cells []string) int {
	n := len(cells)
	for n > 0 && table.IsSpace(cells[n-1]) {
		n--
	}
	return n
}

// Header returns the column names, made unique and non-empty, with the
// columns rows longer than the header have added so far.
func (r *Reader) Header() []string { return slices.Clone(r.columns.Names()) }

// Read returns the next non-blank data row, or io.EOF after the last. The
// fields line up with Header: a row is padded with "" to the header's
// width, and a row longer than the header keeps its cells, in columns
// named "Column N" (which Header then includes) and reported in one
// notice. A *formats.ParseError concerns one row; the next Read continues
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
			return formats.Row{}, r.named(rec.err)
		}
	case r.eof:
		return formats.Row{}, io.EOF
	default:
		var err error
		if rec, err = r.next(); err != nil {
			if errors.Is(err, io.EOF) {
				r.eof = true
			}
			return formats.Row{}, r.named(err)
		}
	}
	cells := rec.cells
	n := valueWidth(cells)
	if n > r.ragged.Width {
		r.ragged.Row(rec.number, n, false)
		r.columns.Extend(n)
	}
	width := r.columns.Len()
	r.fields = append(r.fields[:0], cells[:min(len(cells), width)]...)
	for len(r.fields) < width {
		r.fields = append(r.fields, "")
	}
	for _, f := range r.fields {
		if f != "" {
			r.values++
		}
	}
	if r.cells += int64(width); r.cells > maxSparseCells && r.cells > sparsePerValue*r.values {
		r.eof = true
		r.pending = nil
		return formats.Row{}, fmt.Errorf("%w: the rows of sheet %q hold %d values in %d cells, over %d cells for each value: "+
			"a sheet this sparse (cells far to the right of the rest, in every row) would cost far more to read than the file is worth",
			formats.ErrTooLarge, r.info.Sheet, r.values, r.cells, sparsePerValue)
	}
	return formats.Row{Number: rec.number, Fields: r.fields}, nil
}

// Rows are padded to the header's width, and a workbook row costs little
// in the file however far right its cells are: <c r="XFD7"> makes a row of
// 16,384 cells out of 30 bytes. The rows read may hold at most
// maxSparseCells cells in all beyond sparsePerValue cells for each value,
// so that reading a sheet costs at most a multiple of its file.
const (
	maxSparseCells = 16 << 20
	sparsePerValue = 1024
)

// Info describes the sheet; Notices grow as rows are read.
func (r *Reader) Info() formats.Info {
	info := r.info
	if est, ok := r.src.(Estimator); ok && info.EstimatedRows == 0 {
		if last := est.EstimatedLastRow(); last > info.HeaderRow {
			info.EstimatedRows = last - info.HeaderRow
		}
	}
	info.Sheets = slices.Clone(r.info.Sheets)
	info.Notices = slices.Clone(r.info.Notices)
	for _, n := range r.ragged.Notices(r.columns.Names()) {
		AddNotice(&info, n)
	}
	if src, ok := r.src.(Noticer); ok {
		for _, n := range src.Notices() {
			AddNotice(&info, n)
		}
	}
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
