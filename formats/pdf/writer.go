package pdf

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/crmio/crmio/formats"
)

func init() {
	formats.Register(formats.Format{Name: "pdf", Extensions: []string{".pdf"}, NewWriter: formats.Writes(NewWriter)})
}

// DefaultSampleRows is how many rows are held back to fit the column
// widths when Options.SampleRows is zero and the Writer is not measured.
const DefaultSampleRows = 200

// ErrTooManyRows is formats.ErrTooManyRows: WriteRow returns an error
// wrapping it for the row past Options.MaxRows.
var ErrTooManyRows = formats.ErrTooManyRows

// ErrInvalidFont is returned by NewWriter for font bytes that are not a
// TrueType font this package can embed.
var ErrInvalidFont = errors.New("pdf: invalid font")

// Orientation chooses the page orientation.
type Orientation uint8

const (
	// Auto sets the table on portrait pages when it fits them, else on
	// landscape pages.
	Auto Orientation = iota
	Portrait
	Landscape
)

// Detail is one line of the block under the title: "Filter: Status = open".
type Detail struct {
	Label string
	Value string
}

// Options configure a Writer. A nil *Options means defaults.
type Options struct {
	// Title is printed at the top of the first page and in the footer of
	// every page, and is the document's title in its metadata.
	Title string
	// Details are printed under the title, one labelled line each: the
	// module, the filter used, when the report was generated.
	Details []Detail
	// Font is a TrueType font (.ttf, glyf outlines) for all text; BoldFont
	// for the title and the table header (Font is used when it is nil).
	// Nil means the Go fonts, which cover Latin, Greek and Cyrillic. Pass a
	// font that covers your data for other scripts, such as Noto Sans CJK
	// or Droid Sans Fallback for Chinese, Japanese and Korean: characters a
	// font lacks print as its missing-glyph box. Only the glyphs used are
	// embedded.
	Font, BoldFont []byte
	// MaxRows caps the rows of the table: WriteRow fails with an error
	// wrapping ErrTooManyRows past it. Zero means no cap: the pages are
	// written as they fill, so memory does not grow with the rows.
	MaxRows int
	// PageSize is "A4" (the default), "A3", "A5", "Letter" or "Legal".
	PageSize string
	// Orientation of the pages; Auto (the zero value) turns them to
	// landscape for a table too wide for portrait ones.
	Orientation Orientation
	// FontSize is the largest size of the table's text in points, and
	// MinFontSize the smallest it may be set in to fit the page. Zero
	// means 8 and 6.5.
	FontSize, MinFontSize float64
	// Essential is how many leading columns are always shown; the columns
	// after them are shown, in order, only while they fit the page beside
	// them. Zero means every column is essential: a table too wide for a
	// page is then split into column groups.
	Essential int
	// KeyColumns is how many leading columns name a row (a person's first
	// and last name): a table split into column groups repeats them on the
	// pages of every group. Zero means one.
	KeyColumns int
	// SampleRows is how many rows are held back before the first page is
	// laid out, to fit the column widths to their content, when the
	// Writer is not measured (see Measure). Zero means DefaultSampleRows.
	SampleRows int
	// Created is the creation date recorded in the document's metadata.
	// Zero means the time of NewWriter. Set it to make output reproducible.
	Created time.Time
}

// Writer writes a tabular report as a PDF document: a title and a block of
// details on the first page, then the table, whose header row repeats at
// the top of every page, and "Page x of y" at the foot of every page.
//
// The layout is fitted to the content. Each column gets the width of its
// widest line, within limits, but never less than its widest word, so
// that an email address or a phone number is not broken (unless it is
// longer than about 22 ems); longer text wraps at spaces (a cell shows at
// most 12 lines). The writer sets the table at the largest font size
// (from FontSize down to MinFontSize) at which the essential columns get
// their width, portrait pages before landscape ones, else at which they
// fit at their narrowest; the other columns join while they fit. A table
// that fits no page even so is split into column groups, each repeating
// the key columns: the rows of a page are printed on one page per group,
// one after the other. Columns that no row fills are left out, when the
// writer has seen every row. Numbers align right, booleans show as Yes or
// No, instants as date and time of day; zebra stripes guide the eye.
//
// The writer fits the layout to every row when it is measured: Measure
// each row after WriteHeader, then write them (formats.Measurer; the
// exporter does so). Otherwise it fits it to the first Options.SampleRows
// rows, which it holds back until then.
//
// Pages are written to the underlying io.Writer as they fill: memory stays
// flat whatever the number of rows (a page of rows, the glyphs used). On
// error what was written is an incomplete document, to be discarded.
//
// Writer implements formats.Writer and formats.Measurer.
type Writer struct {
	out      io.Writer
	opts     Options
	doc      *document
	regular  *ttf
	bold     *ttf
	lay      *layout
	header   []string // nil before WriteHeader
	stats    []columnStats
	measured bool
	seen     int // rows measured (or held back)
	pending  [][]formats.Cell
	rows     int
	closed   bool
	err      error
}

// NewWriter returns a Writer that writes a PDF document to w. A nil opts
// means defaults. It fails with an error wrapping ErrInvalidFont when
// opts.Font or opts.BoldFont cannot be embedded.
func NewWriter(w io.Writer, opts *Options) (pw *Writer, err error) {
	pw = &Writer{out: w}
	if opts != nil {
		pw.opts = *opts
	}
	o := &pw.opts
	if o.SampleRows <= 0 {
		o.SampleRows = DefaultSampleRows
	}
	if o.FontSize <= 0 {
		o.FontSize = 8
	}
	if o.MinFontSize <= 0 {
		o.MinFontSize = min(6.5, o.FontSize)
	}
	if o.Created.IsZero() {
		o.Created = time.Now()
	}
	if o.PageSize == "" {
		o.PageSize = "A4"
	}
	if _, ok := pageSizes[o.PageSize]; !ok {
		return nil, fmt.Errorf("pdf: unknown page size %q (want A3, A4, A5, Letter or Legal)", o.PageSize)
	}
	regular, bold := o.Font, o.BoldFont
	if regular == nil {
		regular, bold = goregular.TTF, gobold.TTF
	}
	if bold == nil {
		bold = regular
	}
	defer func() {
		if p := recover(); p != nil {
			pw, err = nil, fmt.Errorf("%w: the font could not be loaded: %v", ErrInvalidFont, p)
		}
	}()
	if pw.regular, err = parseTTF(regular); err != nil {
		return nil, fmt.Errorf("%w: Options.Font: %v", ErrInvalidFont, err)
	}
	if pw.bold, err = parseTTF(bold); err != nil {
		return nil, fmt.Errorf("%w: Options.BoldFont: %v", ErrInvalidFont, err)
	}
	if &bold[0] == &regular[0] {
		pw.bold = pw.regular
	}
	return pw, nil
}

// WriteHeader sets the column names of the table.
func (w *Writer) WriteHeader(names []string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.header != nil {
		return w.fail(fmt.Errorf("%w: WriteHeader called twice or after Close", formats.ErrWriteOrder))
	}
	w.header = make([]string, len(names))
	for i, n := range names {
		w.header[i] = cleanText(n)
	}
	w.stats = make([]columnStats, len(names))
	return nil
}

// Measure adds a row to what the layout is fitted to (see Writer). It must
// be called after WriteHeader and before the first WriteRow.
func (w *Writer) Measure(cells []formats.Cell) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.header == nil || w.rows > 0 {
		return w.fail(fmt.Errorf("%w: Measure before WriteHeader or after WriteRow", formats.ErrWriteOrder))
	}
	if len(cells) > len(w.header) {
		return w.fail(fmt.Errorf("pdf: measured row: %w (%d cells, %d columns)", formats.ErrRowTooWide, len(cells), len(w.header)))
	}
	w.measured = true
	w.measure(cells)
	return nil
}

func (w *Writer) measure(cells []formats.Cell) {
	w.seen++
	for i, c := range cells {
		if c.IsEmpty() && c.Kind() != formats.CellBool {
			continue
		}
		s := &w.stats[i]
		if c.Kind() == formats.CellNumber {
			s.numbers++
		} else {
			s.others++
		}
		line, word, hard := measureText(w.regular, cellText(c))
		s.add(line)
		if c.Kind() != formats.CellText {
			word, hard = line, line // a number, a date: never broken
		}
		s.rigid = max(s.rigid, word)
		s.hard = max(s.hard, hard)
	}
}

// WriteRow adds one row to the table.
func (w *Writer) WriteRow(cells []formats.Cell) (err error) {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.header == nil {
		return w.fail(fmt.Errorf("%w: WriteRow before WriteHeader or after Close", formats.ErrWriteOrder))
	}
	if len(cells) > len(w.header) {
		return w.fail(fmt.Errorf("pdf: row %d: %w (%d cells, %d columns)", w.rows+2, formats.ErrRowTooWide, len(cells), len(w.header)))
	}
	if w.opts.MaxRows > 0 && w.rows >= w.opts.MaxRows {
		return w.fail(fmt.Errorf("pdf: %w: this report holds at most %s rows (Options.MaxRows); export as CSV (or XLSX) instead, or narrow the filter",
			ErrTooManyRows, groupThousands(w.opts.MaxRows)))
	}
	w.rows++
	defer w.recoverTo(&err)
	switch {
	case w.lay != nil:
		w.lay.addRow(cells)
	case w.measured:
		w.start(true)
		w.lay.addRow(cells)
	default:
		w.pending = append(w.pending, append([]formats.Cell(nil), cells...))
		w.measure(cells)
		if len(w.pending) >= w.opts.SampleRows {
			w.start(false)
		}
	}
	if w.doc != nil {
		return w.fail(w.doc.err)
	}
	return nil
}

// Close writes the last pages and what the document's pages share (fonts,
// the page count), and flushes. After an earlier error it writes nothing
// more and returns that error. Close does not close the underlying
// io.Writer.
func (w *Writer) Close() (err error) {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	defer w.recoverTo(&err)
	if w.header == nil {
		w.header, w.stats = []string{}, []columnStats{}
	}
	if w.lay == nil {
		w.start(true) // every row has been seen
	}
	if len(w.lay.band) > 0 || w.lay.pages == 0 {
		w.lay.flushBand()
	}
	if err := w.doc.finish(cleanText(w.opts.Title), w.opts.Created, w.lay.regular, footerSize); err != nil {
		return w.fail(fmt.Errorf("pdf: writing the document: %w", err))
	}
	w.doc, w.lay = nil, nil
	return nil
}

// start lays the table out and sets the rows held back.
func (w *Writer) start(complete bool) {
	w.doc = newDocument(w.out)
	regular := w.doc.addFont(w.regular)
	bold := regular
	if w.bold != w.regular {
		bold = w.doc.addFont(w.bold)
	}
	w.lay = newLayout(w.doc, &w.opts, regular, bold, w.header, w.stats, w.seen, complete)
	for _, row := range w.pending {
		w.lay.addRow(row)
	}
	w.pending = nil
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// recoverTo turns a panic into the writer's error: a value that trips the
// layout must not bring down the host.
func (w *Writer) recoverTo(err *error) {
	if p := recover(); p != nil {
		*err = w.fail(fmt.Errorf("pdf: the report could not be laid out: %v\n%s", p, firstStackBytes(debug.Stack())))
	}
}

func firstStackBytes(stack []byte) []byte {
	return stack[:min(len(stack), 2048)]
}

// groupThousands writes n as 20,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var _ formats.Measurer = (*Writer)(nil)
