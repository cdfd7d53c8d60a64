package pdf

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/crmio/crmio/formats"
)

// DefaultMaxRows is the row cap applied when Options.MaxRows is zero. A
// PDF document is built in memory before it is written (about 3.4 KB a
// row: 100,000 rows take some 336 MB), and a report of more than a few
// hundred pages is not one anybody prints.
const DefaultMaxRows = 20_000

// DefaultSampleRows is how many rows are held back to fit the column
// widths when Options.SampleRows is zero.
const DefaultSampleRows = 200

// ErrTooManyRows is formats.ErrTooManyRows: WriteRow returns an error
// wrapping it for the row past Options.MaxRows. Export as CSV instead.
var ErrTooManyRows = formats.ErrTooManyRows

// ErrInvalidFont is returned by NewWriter for font bytes that are not a
// TrueType font this package can embed.
var ErrInvalidFont = errors.New("pdf: invalid font")

// Orientation chooses the page orientation.
type Orientation uint8

const (
	// Auto turns the page to landscape when the table does not fit the
	// width of a portrait page.
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
	// for Chinese, Japanese and Korean: characters a font lacks print as
	// blanks. Only the characters used are embedded.
	Font, BoldFont []byte
	// MaxRows caps the rows of the table: WriteRow fails with an error
	// wrapping ErrTooManyRows past it. Zero means DefaultMaxRows; a
	// negative value means no cap (memory then grows with the rows).
	MaxRows int
	// PageSize is "A4" (the default), "A3", "A5", "Letter" or "Legal".
	PageSize string
	// Orientation of the pages; Auto (the zero value) turns them to
	// landscape for a wide table.
	Orientation Orientation
	// FontSize is the size of the table's text in points. Zero means 8.
	// A table too wide for the page even at its columns' minimum widths is
	// set smaller, down to 5 points.
	FontSize float64
	// SampleRows is how many rows are held back before the first page is
	// laid out, to fit the column widths to their content. Zero means
	// DefaultSampleRows.
	SampleRows int
	// Created is the creation date recorded in the document's metadata.
	// Zero means the time of NewWriter. Set it to make output reproducible.
	Created time.Time
}

// Writer writes a tabular report as a PDF document: a title and a block of
// details on the first page, then the table, whose header row repeats at
// the top of every page, and "Page x of y" at the foot of every page.
//
// The column widths fit the header and the first rows (Options.SampleRows):
// each column gets the width its content needs, between a minimum and a
// maximum; text longer than its column wraps (a cell shows at most 12
// lines). When the table is wider than a portrait page the pages turn to
// landscape, and when it is still too wide the columns shrink towards
// their minimums and then the font size. Numbers align right, zebra stripes
// guide the eye along a row.
//
// The document is built in memory and written by Close: the row cap
// (Options.MaxRows) bounds the memory used. Nothing reaches the underlying
// io.Writer before Close, so a failed report writes nothing at all.
//
// Writer implements formats.Writer.
type Writer struct {
	out     io.Writer
	opts    Options
	pdf     *fpdf.Fpdf
	lay     *layout
	header  []string // nil before WriteHeader
	pending [][]formats.Cell
	rows    int
	started bool
	closed  bool
	err     error
}

// font family names registered with fpdf
const (
	familyBody = "body"
)

// NewWriter returns a Writer that writes a PDF document to w when it is
// closed. A nil opts means defaults. It fails with an error wrapping
// ErrInvalidFont when opts.Font or opts.BoldFont cannot be embedded.
func NewWriter(w io.Writer, opts *Options) (pw *Writer, err error) {
	pw = &Writer{out: w}
	if opts != nil {
		pw.opts = *opts
	}
	o := &pw.opts
	if o.MaxRows == 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.SampleRows <= 0 {
		o.SampleRows = DefaultSampleRows
	}
	if o.FontSize <= 0 {
		o.FontSize = 8
	}
	if o.Created.IsZero() {
		o.Created = time.Now()
	}
	switch o.PageSize {
	case "":
		o.PageSize = "A4"
	case "A3", "A4", "A5", "Letter", "Legal":
	default:
		return nil, fmt.Errorf("pdf: unknown page size %q (want A3, A4, A5, Letter or Legal)", o.PageSize)
	}
	regular, bold := o.Font, o.BoldFont
	if regular == nil {
		regular, bold = goregular.TTF, gobold.TTF
	}
	if bold == nil {
		bold = regular
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"Font", regular}, {"BoldFont", bold}} {
		if err := checkTrueType(f.data); err != nil {
			return nil, fmt.Errorf("%w: Options.%s: %v", ErrInvalidFont, f.name, err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			pw, err = nil, fmt.Errorf("%w: the font could not be loaded: %v", ErrInvalidFont, p)
		}
	}()
	pdf := fpdf.New("P", "mm", o.PageSize, "")
	pdf.AliasNbPages(pageCountAlias) // before the fonts: their subsets then include its digits
	pdf.AddUTF8FontFromBytes(familyBody, "", regular)
	pdf.AddUTF8FontFromBytes(familyBody, "B", bold)
	pdf.SetFont(familyBody, "", o.FontSize) // fails when a font did not load
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidFont, err)
	}
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0) // rows are never split: the writer breaks pages itself
	pdf.SetCellMargin(0)
	pdf.SetCreator("crmio", true)
	pdf.SetTitle(cleanText(o.Title), true) // the library panics on invalid UTF-8
	pdf.SetCreationDate(o.Created)
	pdf.SetModificationDate(o.Created)
	pw.pdf = pdf
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
	return nil
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
		return w.fail(fmt.Errorf("pdf: %w: a PDF report holds at most %s rows, as the whole document is built in memory; export as CSV (or XLSX) instead, or narrow the filter",
			ErrTooManyRows, groupThousands(w.opts.MaxRows)))
	}
	w.rows++
	defer w.recoverTo(&err)
	if !w.started {
		w.pending = append(w.pending, append([]formats.Cell(nil), cells...))
		if len(w.pending) >= w.opts.SampleRows {
			return w.fail(w.start())
		}
		return nil
	}
	w.lay.drawRow(w.rows, cells)
	return w.fail(w.pdf.Error())
}

// Close lays out what is still held back, and writes the document to the
// underlying io.Writer. After an earlier error it writes nothing and
// returns that error.
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
		w.header = []string{}
	}
	if !w.started {
		if err := w.start(); err != nil {
			return w.fail(err)
		}
	}
	if w.rows == 0 {
		w.lay.drawNote("No records.")
	}
	if err := w.pdf.Output(w.out); err != nil {
		return w.fail(fmt.Errorf("pdf: writing the document: %w", err))
	}
	w.pdf = nil // the document can be large: let it go now
	return nil
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// recoverTo turns a panic in the PDF library into the writer's error: a
// value that trips it must not bring down the host.
func (w *Writer) recoverTo(err *error) {
	if p := recover(); p != nil {
		*err = w.fail(fmt.Errorf("pdf: the PDF library failed: %v\n%s", p, firstStackBytes(debug.Stack())))
	}
}

func firstStackBytes(stack []byte) []byte {
	return stack[:min(len(stack), 2048)]
}

// start lays out the table from the header and the rows held back, draws
// the first page and the rows held back.
func (w *Writer) start() error {
	w.started = true
	w.lay = newLayout(w.pdf, &w.opts, w.header, w.pending)
	w.lay.begin()
	for i, row := range w.pending {
		w.lay.drawRow(i+1, row)
	}
	w.pending = nil
	return w.pdf.Error()
}

// groupThousands writes n as 20,000.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var _ formats.Writer = (*Writer)(nil)
