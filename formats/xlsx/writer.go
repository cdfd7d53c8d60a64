package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
)

// Defaults of WriterOptions.
const (
	DefaultWidthSampleRows = 100 // rows read to fit the column widths
	DefaultMaxColumnWidth  = 60  // characters
	minColumnWidth         = 6   // characters; Excel's default is 8.43
	maxSheetRows           = excelize.TotalRows
	excelSignificantDigits = 15 // Excel keeps a number's first 15 digits
)

// WriterOptions configure a Writer. A nil *WriterOptions means defaults.
type WriterOptions struct {
	// SheetName names the first worksheet. Empty means "Sheet1". Characters
	// Excel forbids in sheet names (: \ / ? * [ ]) become "_", and the name
	// is cut to 31 characters.
	SheetName string
	// WidthSampleRows is how many rows are held back, before anything is
	// written, to fit each column's width to its content (header included).
	// Zero means DefaultWidthSampleRows; a negative value fits the header
	// alone.
	WidthSampleRows int
	// MaxColumnWidth caps a column's width, in characters. Longer text
	// still shows in full in the cell and the formula bar. Zero means
	// DefaultMaxColumnWidth.
	MaxColumnWidth float64
	// Emphasize names header cells drawn in a second, stronger style: an
	// import template marks its required columns this way, since a marker
	// in the name itself ("Email *") would no longer map back to the field.
	Emphasize []string
}

// Writer writes an XLSX workbook through excelize's StreamWriter, so that
// memory stays flat however many rows are written (excelize moves rows to a
// temporary file past 16 MB).
//
// Each sheet starts with a bold, shaded, frozen header row. Cells keep
// their kind: numbers are number cells (shown with as many decimal places
// as the decimal has), dates are date serials in a "yyyy-mm-dd" format,
// instants are date-time serials in "yyyy-mm-dd hh:mm:ss" (the wall clock
// of the instant's location: worksheets have no time zones), booleans are
// boolean cells. What a worksheet cannot hold exactly is written as text:
// a number with more than 15 significant digits (Excel would round it), a
// date before 1900. Column widths fit the header and the first rows (see
// WriterOptions.WidthSampleRows).
//
// A worksheet holds at most 1,048,576 rows: past that WriteRow fails with
// an error wrapping formats.ErrTooManyRows. A cell holds at most 32,767
// characters; excelize cuts longer text.
//
// Writer implements formats.Writer. The workbook is written to the
// underlying io.Writer by Close, which must always be called: it removes
// the temporary files.
type Writer struct {
	out    io.Writer
	opts   WriterOptions
	file   *excelize.File
	styles writerStyles
	sheet  *sheetWriter
	closed bool
	err    error
}

// sheetWriter is the state of the sheet being written.
type sheetWriter struct {
	name    string
	stream  *excelize.StreamWriter
	header  []string // nil before WriteHeader
	pending [][]formats.Cell
	started bool // header and widths written: rows now stream straight out
	row     int  // the last row written or held, as Excel numbers it
	values  []any
}

// writerStyles are the style ids the writer uses, created once per workbook.
type writerStyles struct {
	header, emphasized, date, dateTime int
	numberByScale                      map[int]int
}

// NewWriter returns a Writer writing a workbook to w. A nil opts means
// defaults.
func NewWriter(w io.Writer, opts *WriterOptions) (*Writer, error) {
	xw := &Writer{out: w, file: excelize.NewFile()}
	if opts != nil {
		xw.opts = *opts
	}
	if xw.opts.WidthSampleRows == 0 {
		xw.opts.WidthSampleRows = DefaultWidthSampleRows
	}
	if xw.opts.MaxColumnWidth <= 0 {
		xw.opts.MaxColumnWidth = DefaultMaxColumnWidth
	}
	xw.opts.MaxColumnWidth = min(xw.opts.MaxColumnWidth, excelize.MaxColumnWidth)
	if err := xw.init(); err != nil {
		xw.file.Close()
		return nil, err
	}
	return xw, nil
}

func (w *Writer) init() error {
	f := w.file
	var err error
	s := &w.styles
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    border,
		Alignment: &excelize.Alignment{Vertical: "center"},
	}); err != nil {
		return err
	}
	if s.emphasized, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F8CBAD"}},
		Border:    border,
		Alignment: &excelize.Alignment{Vertical: "center"},
	}); err != nil {
		return err
	}
	dateFmt, dateTimeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt}); err != nil {
		return err
	}
	s.numberByScale = map[int]int{}
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "crmio"}); err != nil {
		return err
	}
	name := sheetName(w.opts.SheetName)
	if name != "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	}
	return w.openSheet(name)
}

func (w *Writer) openSheet(name string) error {
	sw, err := w.file.NewStreamWriter(name)
	if err != nil {
		return err
	}
	w.sheet = &sheetWriter{name: name, stream: sw}
	return nil
}

// NewSheet finishes the current sheet and starts another, named name (made
// valid as WriterOptions.SheetName is). The next WriteHeader and WriteRow
// calls write to it. An import template uses it for its instructions.
func (w *Writer) NewSheet(name string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return w.fail(fmt.Errorf("%w: NewSheet after Close", formats.ErrWriteOrder))
	}
	if err := w.finishSheet(); err != nil {
		return w.fail(err)
	}
	name = sheetName(name)
	if idx, _ := w.file.GetSheetIndex(name); idx >= 0 {
		return w.fail(fmt.Errorf("xlsx: a sheet named %q already exists", name))
	}
	if _, err := w.file.NewSheet(name); err != nil {
		return w.fail(err)
	}
	return w.fail(w.openSheet(name))
}

// WriteHeader writes the header row of the current sheet.
func (w *Writer) WriteHeader(names []string) error {
	if w.err != nil {
		return w.err
	}
	if w.closed || w.sheet.header != nil {
		return w.fail(fmt.Errorf("%w: WriteHeader called twice or after Close", formats.ErrWriteOrder))
	}
	if len(names) > excelize.MaxColumns {
		return w.fail(fmt.Errorf("xlsx: %d columns: a worksheet holds at most %d", len(names), excelize.MaxColumns))
	}
	w.sheet.header = append(make([]string, 0, len(names)), names...)
	w.sheet.row = 1
	if w.opts.WidthSampleRows < 0 {
		return w.fail(w.start())
	}
	return nil
}

// WriteRow writes one row of the current sheet.
func (w *Writer) WriteRow(cells []formats.Cell) error {
	if w.err != nil {
		return w.err
	}
	s := w.sheet
	if w.closed || s.header == nil {
		return w.fail(fmt.Errorf("%w: WriteRow before WriteHeader or after Close", formats.ErrWriteOrder))
	}
	if len(cells) > len(s.header) {
		return w.fail(fmt.Errorf("xlsx: sheet %q, row %d: %w (%d cells, %d columns)", s.name, s.row+1, formats.ErrRowTooWide, len(cells), len(s.header)))
	}
	if s.row >= maxSheetRows {
		return w.fail(fmt.Errorf("xlsx: sheet %q: %w: a worksheet holds at most %d rows; export as CSV instead", s.name, formats.ErrTooManyRows, maxSheetRows))
	}
	s.row++
	if !s.started {
		s.pending = append(s.pending, append([]formats.Cell(nil), cells...))
		if len(s.pending) >= w.opts.WidthSampleRows {
			return w.fail(w.start())
		}
		return nil
	}
	return w.fail(w.setRow(s.row, cells))
}

// Close writes the workbook to the underlying io.Writer and removes the
// temporary files. After an earlier error it only removes them, and returns
// that error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil {
		if err := w.finishSheet(); err != nil {
			w.err = err
		} else if _, err := w.file.WriteTo(w.out); err != nil {
			w.err = fmt.Errorf("xlsx: writing the workbook: %w", err)
		}
	}
	if err := w.file.Close(); err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// finishSheet writes what the current sheet still holds back and flushes it.
func (w *Writer) finishSheet() error {
	if !w.sheet.started {
		if err := w.start(); err != nil {
			return err
		}
	}
	return w.sheet.stream.Flush()
}

// start fits the column widths to the header and the rows held back,
// freezes the header, and writes them.
func (w *Writer) start() error {
	s := w.sheet
	s.started = true
	for i, name := range s.header {
		width := textWidth(name) * 1.15 // bold
		for _, row := range s.pending {
			if i < len(row) {
				width = max(width, cellWidth(row[i]))
			}
		}
		width = min(max(width+2, minColumnWidth), w.opts.MaxColumnWidth)
		if err := s.stream.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if len(s.header) > 0 {
		if err := s.stream.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
		}); err != nil {
			return err
		}
	}
	emphasized := make(map[string]bool, len(w.opts.Emphasize))
	for _, n := range w.opts.Emphasize {
		emphasized[n] = true
	}
	header := make([]any, len(s.header))
	for i, name := range s.header {
		style := w.styles.header
		if emphasized[name] {
			style = w.styles.emphasized
		}
		header[i] = excelize.Cell{StyleID: style, Value: name}
	}
	if err := s.stream.SetRow("A1", header); err != nil {
		return err
	}
	for i, row := range s.pending {
		if err := w.setRow(i+2, row); err != nil {
			return err
		}
	}
	s.pending = nil
	return nil
}

func (w *Writer) setRow(row int, cells []formats.Cell) error {
	s := w.sheet
	s.values = s.values[:0]
	for _, c := range cells {
		v, err := w.cellValue(c)
		if err != nil {
			return err
		}
		s.values = append(s.values, v)
	}
	if err := s.stream.SetRow("A"+strconv.Itoa(row), s.values); err != nil {
		return fmt.Errorf("xlsx: sheet %q, row %d: %w", s.name, row, err)
	}
	return nil
}

// cellValue converts a cell to what StreamWriter.SetRow takes.
func (w *Writer) cellValue(c formats.Cell) (any, error) {
	switch c.Kind() {
	case formats.CellEmpty:
		return nil, nil
	case formats.CellNumber:
		f, scale, ok := excelNumber(c.String())
		if !ok {
			return c.String(), nil
		}
		style, err := w.numberStyle(scale)
		if err != nil {
			return nil, err
		}
		return excelize.Cell{StyleID: style, Value: f}, nil
	case formats.CellBool:
		return c.Bool(), nil
	case formats.CellDate:
		if y := c.Time().Year(); y < 1900 || y > 9999 {
			return c.String(), nil // before Excel's epoch: keep the ISO text
		}
		return excelize.Cell{StyleID: w.styles.date, Value: c.Time()}, nil
	case formats.CellDateTime:
		if y := c.Time().Year(); y < 1900 || y > 9999 {
			return c.String(), nil
		}
		return excelize.Cell{StyleID: w.styles.dateTime, Value: c.Time()}, nil
	}
	if c.String() == "" {
		return nil, nil
	}
	return c.String(), nil
}

// numberStyle returns the style showing scale decimal places: "0", "0.00".
func (w *Writer) numberStyle(scale int) (int, error) {
	if id, ok := w.styles.numberByScale[scale]; ok {
		return id, nil
	}
	format := "0"
	if scale > 0 {
		format += "." + strings.Repeat("0", scale)
	}
	id, err := w.file.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return 0, err
	}
	w.styles.numberByScale[scale] = id
	return id, nil
}

// excelNumber parses a plain decimal ("-1234.50") for a number cell. ok is
// false when the text is not a plain decimal or has more significant digits
// than Excel keeps: such a number is written as text, digits intact.
func excelNumber(s string) (f float64, scale int, ok bool) {
	digits := strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(digits, ".")
	if intPart == "" || (hasDot && frac == "") || !asciiDigits(intPart) || !asciiDigits(frac) {
		return 0, 0, false
	}
	significant := strings.Trim(intPart+frac, "0")
	if len(significant) > excelSignificantDigits || len(frac) > 30 {
		return 0, 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false // out of float64's range
	}
	return f, len(frac), true
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cellWidth is the width, in characters, a cell's content needs.
func cellWidth(c formats.Cell) float64 {
	switch c.Kind() {
	case formats.CellDate:
		return 10
	case formats.CellDateTime:
		return 19
	case formats.CellBool:
		return 5
	}
	return textWidth(c.String())
}

// textWidth is the width of the widest line of s, counting East Asian wide
// characters twice.
func textWidth(s string) float64 {
	widest, n := 0, 0
	for _, r := range s {
		switch {
		case r == '\n':
			widest, n = max(widest, n), 0
		case r >= 0x1100 && (unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) ||
			(r >= 0xFF00 && r <= 0xFF60) || (r >= 0x3000 && r <= 0x303F)):
			n += 2
		default:
			n++
		}
	}
	return float64(max(widest, n))
}

// sheetName makes name a valid worksheet name.
func sheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) || r < ' ' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'") // Excel refuses a leading or trailing apostrophe
	if utf8.RuneCountInString(name) > excelize.MaxSheetNameLength {
		name = string([]rune(name)[:excelize.MaxSheetNameLength])
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}

var _ formats.Writer = (*Writer)(nil)
