package pdf

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"github.com/crmio/crmio/formats"
)

// Page geometry, in millimetres.
const (
	marginSide   = 12.0
	marginTop    = 12.0
	marginBottom = 15.0 // room for the footer
	padX         = 1.4  // a cell's inner padding
	padY         = 0.9
	ptToMM       = 25.4 / 72
	lineSpacing  = 1.25 // line height / font size
	minFontSize  = 5.0
	maxCellLines = 12 // longer text is cut with an ellipsis, so a row always fits a page

	// Column widths, in ems of the table's font size.
	minColumnEms = 6.0
	maxColumnEms = 26.0
	maxWordEms   = 9.0 // a word up to this long is not broken, if room allows

	pageCountAlias = "{nb}"
	ellipsis       = "…"
)

// Colours, as RGB.
var (
	colorHeaderFill = [3]int{47, 84, 150}
	colorHeaderText = [3]int{255, 255, 255}
	colorStripe     = [3]int{242, 245, 250}
	colorRule       = [3]int{205, 210, 218}
	colorText       = [3]int{25, 25, 25}
	colorMuted      = [3]int{100, 100, 100}
)

// layout draws the report once the column widths are known.
type layout struct {
	pdf         *fpdf.Fpdf
	opts        *Options
	header      []string
	orientation string // "P" or "L"
	pageSize    fpdf.SizeType
	fontSize    float64 // the table's, in points
	lineH       float64
	widths      []float64
	tableW      float64
	bottom      float64 // the lowest y a row may reach
	y           float64
	lines       [][]string // a row's lines per column, reused by drawRow
	headerLines [][]string
	numeric     []bool // columns of numbers, whose header aligns right too
}

func newLayout(pdf *fpdf.Fpdf, opts *Options, header []string, sample [][]formats.Cell) *layout {
	l := &layout{pdf: pdf, opts: opts, header: header,
		lines: make([][]string, len(header)), headerLines: make([][]string, len(header))}
	l.pageSize = pdf.GetPageSizeStr(opts.PageSize)
	portrait := l.pageSize.Wd - 2*marginSide
	landscape := l.pageSize.Ht - 2*marginSide

	want, floor := l.measure(opts.FontSize, sample)
	usable := portrait
	l.orientation = "P"
	switch opts.Orientation {
	case Landscape:
		l.orientation, usable = "L", landscape
	case Auto:
		if sum(want) > portrait {
			l.orientation, usable = "L", landscape
		}
	}
	l.fontSize = opts.FontSize
	for sum(floor) > usable && l.fontSize > minFontSize {
		// Too wide even at the minimum widths: a smaller font makes every
		// column narrower.
		l.fontSize = max(minFontSize, l.fontSize-0.5)
		want, floor = l.measure(l.fontSize, sample)
	}
	l.widths = fitWidths(want, floor, usable)
	l.numeric = numericColumns(len(header), sample)
	l.tableW = sum(l.widths)
	l.lineH = l.fontSize * ptToMM * lineSpacing
	l.bottom = l.pageHeight() - marginBottom
	return l
}

func (l *layout) pageHeight() float64 {
	if l.orientation == "L" {
		return l.pageSize.Wd
	}
	return l.pageSize.Ht
}

func (l *layout) pageWidth() float64 {
	if l.orientation == "L" {
		return l.pageSize.Ht
	}
	return l.pageSize.Wd
}

// measure returns, for each column, the width its content wants (the widest
// of the header and the sampled cells, capped) and the narrowest it may be
// made: the minimum (or less for a column whose content is narrower), but
// never narrower than the longest word of its header, its widest number,
// date or boolean, or its widest short one-word text (a phone number),
// which would otherwise break mid-word.
func (l *layout) measure(fontSize float64, sample [][]formats.Cell) (want, floor []float64) {
	em := fontSize * ptToMM
	minW, maxW := minColumnEms*em, maxColumnEms*em
	want = make([]float64, len(l.header))
	floor = make([]float64, len(l.header))
	pdf := l.pdf
	for i, name := range l.header {
		pdf.SetFont(familyBody, "B", fontSize)
		natural := textWidth(pdf, name)
		longestWord := 0.0
		for _, word := range strings.Fields(name) {
			longestWord = max(longestWord, pdf.GetStringWidth(word))
		}
		pdf.SetFont(familyBody, "", fontSize)
		rigid := longestWord
		for _, row := range sample {
			if i < len(row) {
				w := textWidth(pdf, cellText(row[i]))
				natural = max(natural, w)
				switch k := row[i].Kind(); {
				case k == formats.CellEmpty:
				case k != formats.CellText:
					rigid = max(rigid, w)
				case w <= maxWordEms*em && !strings.ContainsAny(row[i].String(), " \n"):
					rigid = max(rigid, w) // one short word: a phone number, an id
				}
			}
		}
		want[i] = min(natural, maxW) + 2*padX
		floor[i] = min(want[i], max(minW, min(rigid, maxW)+2*padX))
	}
	return want, floor
}

// numericColumns marks the columns whose sampled cells are mostly numbers.
func numericColumns(n int, sample [][]formats.Cell) []bool {
	out := make([]bool, n)
	for i := range out {
		numbers, others := 0, 0
		for _, row := range sample {
			switch {
			case i >= len(row) || row[i].IsEmpty():
			case row[i].Kind() == formats.CellNumber:
				numbers++
			default:
				others++
			}
		}
		out[i] = numbers > others
	}
	return out
}

// fitWidths fits the wanted widths to the usable width: a narrower table is
// stretched to fill it; a wider one shrinks its columns towards their
// floors, each by its share of the room it can give; a table wider even
// at its floors is scaled down (its text then wraps within the columns).
func fitWidths(want, floor []float64, usable float64) []float64 {
	out := make([]float64, len(want))
	total := sum(want)
	switch {
	case total == 0:
	case total <= usable:
		for i, w := range want {
			out[i] = w * usable / total
		}
	case sum(floor) < usable:
		excess, slack := total-usable, total-sum(floor)
		for i, w := range want {
			out[i] = w - (w-floor[i])*excess/slack
		}
	default:
		f := sum(floor)
		for i, w := range floor {
			out[i] = w * usable / f
		}
	}
	return out
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// textWidth is the width of the widest line of s in the current font.
func textWidth(pdf *fpdf.Fpdf, s string) float64 {
	w := 0.0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, pdf.GetStringWidth(line))
	}
	return w
}

// begin draws the first page: title, details, table header.
func (l *layout) begin() {
	pdf := l.pdf
	pdf.SetFooterFunc(l.footer)
	pdf.AddPageFormat(l.orientation, l.pageSize)
	l.y = marginTop
	contentW := l.pageWidth() - 2*marginSide
	if title := cleanText(l.opts.Title); title != "" {
		pdf.SetFont(familyBody, "B", 16)
		setText(pdf, colorText)
		pdf.SetXY(marginSide, l.y)
		pdf.MultiCell(contentW, 16*ptToMM*1.3, title, "", "L", false)
		l.y = pdf.GetY() + 1.5
	}
	if len(l.opts.Details) > 0 {
		const size = 9
		lineH := size * ptToMM * 1.35
		pdf.SetFont(familyBody, "B", size)
		labelW := 0.0
		for _, d := range l.opts.Details {
			labelW = max(labelW, pdf.GetStringWidth(cleanText(d.Label)+":"))
		}
		labelW = min(labelW+2.5, contentW/3)
		for _, d := range l.opts.Details {
			pdf.SetFont(familyBody, "B", size)
			setText(pdf, colorMuted)
			pdf.SetXY(marginSide, l.y)
			pdf.CellFormat(labelW, lineH, cleanText(d.Label)+":", "", 0, "L", false, 0, "")
			pdf.SetFont(familyBody, "", size)
			setText(pdf, colorText)
			pdf.SetXY(marginSide+labelW, l.y)
			pdf.MultiCell(contentW-labelW, lineH, cleanText(d.Value), "", "L", false)
			l.y = pdf.GetY()
		}
	}
	if l.y > marginTop {
		l.y += 4
	}
	l.drawHeader()
}

// newPage starts a page and repeats the table header at its top.
func (l *layout) newPage() {
	l.pdf.AddPageFormat(l.orientation, l.pageSize)
	l.y = marginTop
	l.drawHeader()
}

func (l *layout) drawHeader() {
	pdf := l.pdf
	pdf.SetFont(familyBody, "B", l.fontSize)
	h := 0.0
	for i, name := range l.header {
		l.headerLines[i] = l.wrap(name, l.widths[i])
		h = max(h, float64(len(l.headerLines[i])))
	}
	h = max(h, 1)*l.lineH + 2*padY
	setFill(pdf, colorHeaderFill)
	pdf.Rect(marginSide, l.y, l.tableW, h, "F")
	setText(pdf, colorHeaderText)
	l.drawLines(l.headerLines, nil, l.numeric)
	l.y += h
	pdf.SetFont(familyBody, "", l.fontSize)
}

// drawRow draws one row, on a new page when it does not fit this one. n is
// the row's number in the table, from 1, for the stripes.
func (l *layout) drawRow(n int, cells []formats.Cell) {
	pdf := l.pdf
	h := 1
	for i := range l.header {
		l.lines[i] = l.lines[i][:0]
		if i < len(cells) {
			l.lines[i] = l.wrap(cellText(cells[i]), l.widths[i])
		}
		h = max(h, len(l.lines[i]))
	}
	height := float64(h)*l.lineH + 2*padY
	if l.y+height > l.bottom {
		l.newPage()
	}
	if n%2 == 0 {
		setFill(pdf, colorStripe)
		pdf.Rect(marginSide, l.y, l.tableW, height, "F")
	}
	setText(pdf, colorText)
	l.drawLines(l.lines, cells, nil)
	setDraw(pdf, colorRule)
	pdf.SetLineWidth(0.1)
	pdf.Line(marginSide, l.y+height, marginSide+l.tableW, l.y+height)
	l.y += height
}

// drawLines draws the lines of each column at l.y. Number cells, and the
// columns marked right, align right.
func (l *layout) drawLines(lines [][]string, cells []formats.Cell, right []bool) {
	pdf := l.pdf
	x := marginSide
	for i, w := range l.widths {
		align := "L"
		if (i < len(cells) && cells[i].Kind() == formats.CellNumber) || (i < len(right) && right[i]) {
			align = "R"
		}
		for j, line := range lines[i] {
			pdf.SetXY(x+padX, l.y+padY+float64(j)*l.lineH)
			pdf.CellFormat(w-2*padX, l.lineH, line, "", 0, align, false, 0, "")
		}
		x += w
	}
}

// drawNote writes a line of text under the table: "No records."
func (l *layout) drawNote(text string) {
	pdf := l.pdf
	pdf.SetFont(familyBody, "", l.fontSize)
	setText(pdf, colorMuted)
	pdf.SetXY(marginSide+padX, l.y+padY)
	pdf.CellFormat(l.tableW, l.lineH, text, "", 0, "L", false, 0, "")
}

// wrap splits text into the lines that fit width, at most maxCellLines;
// the last line of a longer text ends in an ellipsis.
func (l *layout) wrap(text string, width float64) []string {
	if text == "" {
		return nil
	}
	pdf := l.pdf
	avail := width - 2*padX
	if !strings.Contains(text, "\n") && pdf.GetStringWidth(text) <= avail {
		return []string{text}
	}
	lines := pdf.SplitText(text, avail)
	if len(lines) > maxCellLines {
		lines = lines[:maxCellLines]
		last := []rune(lines[maxCellLines-1])
		for len(last) > 0 && pdf.GetStringWidth(string(last)+ellipsis) > avail {
			last = last[:len(last)-1]
		}
		lines[maxCellLines-1] = string(last) + ellipsis
	}
	return lines
}

// footer draws the title and "Page x of y" at the foot of every page.
func (l *layout) footer() {
	pdf := l.pdf
	y := l.pageHeight() - marginBottom + 5
	setDraw(pdf, colorRule)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginSide, y, l.pageWidth()-marginSide, y)
	pdf.SetFont(familyBody, "", 7.5)
	setText(pdf, colorMuted)
	half := (l.pageWidth() - 2*marginSide) / 2
	pdf.SetXY(marginSide, y+1)
	title := l.wrap(cleanText(l.opts.Title), half)
	if len(title) > 0 {
		t := title[0]
		if len(title) > 1 {
			t += ellipsis
		}
		pdf.CellFormat(half, 4, t, "", 0, "L", false, 0, "")
	}
	pdf.SetXY(marginSide+half, y+1)
	// The width of "{nb}" stands in for the page count's while aligning:
	// it is at most a millimetre off.
	pdf.CellFormat(half, 4, "Page "+strconv.Itoa(pdf.PageNo())+" of "+pageCountAlias, "", 0, "R", false, 0, "")
}

// cellText is what the report shows for a cell: its canonical text, except
// that an instant shows as date and time of day in its location, and a
// boolean as Yes or No.
func cellText(c formats.Cell) string {
	switch c.Kind() {
	case formats.CellDateTime:
		return c.Time().Format("2006-01-02 15:04")
	case formats.CellBool:
		if c.Bool() {
			return "Yes"
		}
		return "No"
	}
	return cleanText(c.String()) // a number cell may hold any text, too
}

// cleanText makes s safe for the PDF library: valid UTF-8, line breaks as
// "\n", other control characters as spaces, and characters beyond the
// Basic Multilingual Plane (which the library cannot embed) as "?".
func cleanText(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r > 0xFFFF || (r < ' ' && r != '\n') || (r >= 0x7F && r < 0xA0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r == '\uFEFF':
			return -1
		case r > 0xFFFF:
			return '?'
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// checkTrueType tells what keeps data from being embedded as a font.
func checkTrueType(data []byte) error {
	if len(data) < 12 {
		return errors.New("too short to be a font")
	}
	switch tag := string(data[:4]); tag {
	case "\x00\x01\x00\x00", "true":
	case "OTTO":
		return errors.New("an OpenType font with CFF outlines (.otf); use a TrueType font (.ttf)")
	case "ttcf":
		return errors.New("a font collection (.ttc); extract one font from it")
	default:
		return errors.New("not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return errors.New("truncated table directory")
	}
	need := map[string]bool{"glyf": false, "cmap": false, "hmtx": false, "head": false, "loca": false}
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(size) > uint64(len(data)) {
			return errors.New("table " + strings.TrimSpace(tag) + " lies outside the file")
		}
		if _, ok := need[tag]; ok {
			need[tag] = true
		}
	}
	for _, tag := range []string{"glyf", "cmap", "hmtx", "head", "loca"} {
		if !need[tag] {
			return errors.New("no " + tag + " table")
		}
	}
	if _, err := sfnt.Parse(data); err != nil {
		return err
	}
	return nil
}

func setFill(pdf *fpdf.Fpdf, c [3]int) { pdf.SetFillColor(c[0], c[1], c[2]) }
func setText(pdf *fpdf.Fpdf, c [3]int) { pdf.SetTextColor(c[0], c[1], c[2]) }
func setDraw(pdf *fpdf.Fpdf, c [3]int) { pdf.SetDrawColor(c[0], c[1], c[2]) }
