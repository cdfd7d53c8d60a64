package pdf

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"

	"github.com/crmio/crmio/formats"
)

// Page geometry, in points.
const (
	mm           = 72 / 25.4
	marginSide   = 12 * mm
	marginTop    = 12 * mm
	marginBottom = 15 * mm  // room for the footer
	padX         = 1.4 * mm // a cell's inner padding
	padY         = 0.55 * mm
	lineSpacing  = 1.18 // line height / font size
	maxCellLines = 12   // longer text is cut with an ellipsis, so a row always fits a page

	// Column widths, in ems of the table's font size.
	minColumnEms = 4.0
	maxColumnEms = 30.0
	maxWordEms   = 22.0 // a word up to this long ("Work: ada@example.com") is kept whole
	maxHardEms   = 40.0 // a word without no-break spaces (an email) up to this long is kept whole

	footerSize = 7.5
	titleSize  = 16.0
	detailSize = 9.0
	ellipsis   = "…"

	// A no-break space joins two words, and is where a word too long for
	// its column breaks first (between a label and its value); a narrow
	// no-break space never breaks (inside a phone number). Both are set as
	// spaces and read back as spaces.
	noBreakSpace       = '\u00a0'
	narrowNoBreakSpace = '\u202f'
)

// Colours, as RGB.
var (
	colorHeaderFill = [3]float64{47 / 255., 84 / 255., 150 / 255.}
	colorHeaderText = [3]float64{1, 1, 1}
	colorStripe     = [3]float64{242 / 255., 245 / 255., 250 / 255.}
	colorRule       = [3]float64{205 / 255., 210 / 255., 218 / 255.}
	colorText       = [3]float64{25 / 255., 25 / 255., 25 / 255.}
	colorMuted      = [3]float64{100 / 255., 100 / 255., 100 / 255.}
)

var pageSizes = map[string][2]float64{ // portrait width, height in points
	"A3":     {841.89, 1190.55},
	"A4":     {595.28, 841.89},
	"A5":     {419.53, 595.28},
	"Letter": {612, 792},
	"Legal":  {612, 1008},
}

// layout sets the report on the document's pages.
type layout struct {
	doc        *document
	opts       *Options
	regular    *docFont
	bold       *docFont
	header     []string
	plan       plan
	pageW      float64
	pageH      float64
	lineH      float64
	numeric    []bool // right-aligned columns
	titleLines []string
	details    []detailLines
	titleH     float64 // the title block's height

	// The band of rows being gathered for the next pages: one page per
	// column group, each showing the same rows.
	band       []bandRow
	bandH      float64
	bandRoom   float64 // the height available to the band's rows
	headerH    float64 // the tallest group header
	headerRows [][][]string
	rowNumber  int
	bands      int // bands written
	pages      int
	pool       []bandRow
	fill       [3]float64 // current colours in the content stream
	stroke     [3]float64
	text       []byte // scratch for an operator
	glyphs     []byte // scratch for a string's glyph ids
}

type detailLines struct {
	label string
	lines []string
}

type bandRow struct {
	number int
	height float64
	lines  [][]string // by column index
	kinds  []formats.CellKind
}

// newLayout plans the table from the header and what is known of the
// columns' content. complete says the stats cover every row, so that
// empty columns can be left out.
func newLayout(doc *document, opts *Options, regular, bold *docFont, header []string, stats []columnStats, rows int, complete bool) *layout {
	l := &layout{doc: doc, opts: opts, regular: regular, bold: bold, header: header}
	for i, name := range header {
		_, word, _ := measureText(bold.ttf, name)
		stats[i].header = word
	}
	l.plan = choosePlan(opts, stats, rows, complete)
	l.numeric = make([]bool, len(header))
	for i, s := range stats {
		l.numeric[i] = s.numbers > s.others
	}
	w, h := pageSizes[opts.PageSize][0], pageSizes[opts.PageSize][1]
	if l.plan.landscape {
		w, h = h, w
	}
	l.pageW, l.pageH = w, h
	l.lineH = l.plan.size * lineSpacing

	// The title block, on the first page.
	contentW := w - 2*marginSide
	y := 0.0
	if title := cleanText(opts.Title); title != "" {
		l.titleLines = wrapText(bold.ttf, title, titleSize, contentW, nil)
		y += float64(len(l.titleLines))*titleSize*1.25 + 4
	}
	if len(opts.Details) > 0 {
		labelW := 0.0
		for _, d := range opts.Details {
			labelW = max(labelW, bold.ttf.width(cleanText(d.Label)+":")*detailSize)
		}
		labelW = min(labelW+7, contentW/3)
		for _, d := range opts.Details {
			dl := detailLines{label: cleanText(d.Label) + ":", lines: wrapText(regular.ttf, cleanText(d.Value), detailSize, contentW-labelW, nil)}
			if len(dl.lines) == 0 {
				dl.lines = []string{""}
			}
			l.details = append(l.details, dl)
			y += float64(len(dl.lines)) * detailSize * 1.35
		}
	}
	if y > 0 {
		y += 10
	}
	l.titleH = y

	for g, cols := range l.plan.groups {
		lines := make([][]string, len(cols))
		n := 1
		for j, c := range cols {
			lines[j] = wrapText(bold.ttf, header[c], l.plan.size, l.plan.widths[g][j]-2*padX, nil)
			n = max(n, len(lines[j]))
		}
		l.headerRows = append(l.headerRows, lines)
		l.headerH = max(l.headerH, float64(n)*l.lineH+2*padY)
	}
	l.bandRoom = l.pageH - marginTop - marginBottom - l.headerH - l.titleH
	return l
}

// addRow wraps a row's cells and adds it to the band, writing the band's
// pages first when the row does not fit them.
func (l *layout) addRow(cells []formats.Cell) {
	l.rowNumber++
	row := l.take()
	row.number = l.rowNumber
	lines := 1
	for _, c := range l.plan.columns {
		if c >= len(cells) {
			row.lines[c], row.kinds[c] = row.lines[c][:0], formats.CellEmpty
			continue
		}
		k := cells[c].Kind()
		row.kinds[c] = k
		if k == formats.CellDate || k == formats.CellDateTime || k == formats.CellBool || (k == formats.CellNumber && isDecimal(cells[c].String())) {
			// A number, a date, a boolean: one line, never broken.
			row.lines[c] = append(row.lines[c][:0], cellText(cells[c]))
			continue
		}
		row.lines[c] = wrapText(l.regular.ttf, cellText(cells[c]), l.plan.size, l.plan.colWidth[c]-2*padX, row.lines[c])
		lines = max(lines, len(row.lines[c]))
	}
	row.height = float64(lines)*l.lineH + 2*padY
	if len(l.band) > 0 && l.bandH+row.height > l.bandRoom {
		l.flushBand()
	}
	l.band = append(l.band, row)
	l.bandH += row.height
}

// isDecimal reports whether s is a number's digits, with a sign and a
// point ("-1234.50"): text a number cell may also hold is wrapped.
func isDecimal(s string) bool {
	if len(s) > 40 || s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' {
			return false
		}
	}
	return true
}

// take returns a bandRow to fill, reusing one the last band let go.
func (l *layout) take() bandRow {
	if n := len(l.pool); n > 0 {
		row := l.pool[n-1]
		l.pool = l.pool[:n-1]
		return row
	}
	return bandRow{lines: make([][]string, len(l.header)), kinds: make([]formats.CellKind, len(l.header))}
}

// flushBand writes the band's rows on one page per column group.
func (l *layout) flushBand() {
	first := l.bands == 0
	for g := range l.plan.groups {
		y := l.beginPage(g, first)
		for _, row := range l.band {
			l.drawRow(g, y, &row)
			y += row.height
		}
		if len(l.band) == 0 && g == 0 {
			l.setFill(colorMuted)
			l.drawText(l.regular, l.plan.size, marginSide+padX, y+padY+l.baseline(l.plan.size, l.lineH), "No records.")
		}
		l.endPage(g)
	}
	l.bands++
	l.pool = append(l.pool, l.band...)
	l.band = l.band[:0]
	l.bandH = 0
	l.bandRoom = l.pageH - marginTop - marginBottom - l.headerH
}

// beginPage starts a page of group g: the title block on the very first
// page (the first band's pages of the other groups leave its room, so that
// rows are at the same height on every page of a band), and the group's
// header row on every one. It returns the y of the first row.
func (l *layout) beginPage(g int, first bool) float64 {
	l.doc.beginPage(l.pageW, l.pageH)
	l.pages++
	l.fill, l.stroke = [3]float64{-1}, [3]float64{-1}
	y := marginTop
	if first {
		if g == 0 {
			l.drawTitleBlock()
		}
		y += l.titleH
	}
	cols := l.plan.groups[g]
	widths := l.plan.widths[g]
	l.setFill(colorHeaderFill)
	l.rect(marginSide, y, sum(widths), l.headerH)
	l.setFill(colorHeaderText)
	x := marginSide
	for j, c := range cols {
		for k, line := range l.headerRows[g][j] {
			ty := y + padY + float64(k)*l.lineH + l.baseline(l.plan.size, l.lineH)
			if l.numeric[c] {
				l.drawText(l.bold, l.plan.size, x+widths[j]-padX-l.bold.ttf.width(line)*l.plan.size, ty, line)
			} else {
				l.drawText(l.bold, l.plan.size, x+padX, ty, line)
			}
		}
		x += widths[j]
	}
	return y + l.headerH
}

func (l *layout) drawTitleBlock() {
	y := marginTop
	l.setFill(colorText)
	for _, line := range l.titleLines {
		l.drawText(l.bold, titleSize, marginSide, y+titleSize, line)
		y += titleSize * 1.25
	}
	if len(l.titleLines) > 0 {
		y += 4
	}
	labelW := 0.0
	for _, d := range l.details {
		labelW = max(labelW, l.bold.ttf.width(d.label)*detailSize)
	}
	labelW = min(labelW+7, (l.pageW-2*marginSide)/3)
	for _, d := range l.details {
		l.setFill(colorMuted)
		l.drawText(l.bold, detailSize, marginSide, y+detailSize, d.label)
		l.setFill(colorText)
		for _, line := range d.lines {
			l.drawText(l.regular, detailSize, marginSide+labelW, y+detailSize, line)
			y += detailSize * 1.35
		}
	}
}

// drawRow draws one row of group g with its top at y.
func (l *layout) drawRow(g int, y float64, row *bandRow) {
	cols, widths := l.plan.groups[g], l.plan.widths[g]
	tableW := sum(widths)
	if row.number%2 == 0 {
		l.setFill(colorStripe)
		l.rect(marginSide, y, tableW, row.height)
	}
	l.setFill(colorText)
	x := marginSide
	for j, c := range cols {
		right := row.kinds[c] == formats.CellNumber
		for k, line := range row.lines[c] {
			ty := y + padY + float64(k)*l.lineH + l.baseline(l.plan.size, l.lineH)
			if right {
				l.drawText(l.regular, l.plan.size, x+widths[j]-padX-l.regular.ttf.width(line)*l.plan.size, ty, line)
			} else {
				l.drawText(l.regular, l.plan.size, x+padX, ty, line)
			}
		}
		x += widths[j]
	}
	l.setStroke(colorRule)
	l.line(marginSide, y+row.height, marginSide+tableW, y+row.height, 0.3)
}

// endPage draws the footer and writes the page: the title (and, for a
// split table, which group of columns), and "Page x of y".
func (l *layout) endPage(g int) {
	y := l.pageH - marginBottom + 14
	l.setStroke(colorRule)
	l.line(marginSide, y-9, l.pageW-marginSide, y-9, 0.5)
	l.setFill(colorMuted)
	left := cleanText(l.opts.Title)
	if n := len(l.plan.groups); n > 1 {
		if left != "" {
			left += " — "
		}
		left += "columns, part " + strconv.Itoa(g+1) + " of " + strconv.Itoa(n)
	}
	half := (l.pageW - 2*marginSide) / 2
	if lines := wrapText(l.regular.ttf, left, footerSize, half, nil); len(lines) > 0 {
		t := lines[0]
		if len(lines) > 1 {
			t += ellipsis
		}
		l.drawText(l.regular, footerSize, marginSide, y, t)
	}
	// The page count is a form XObject written once all pages are: the
	// text before it is placed where "Page 99999 of 99999" would end at
	// the margin.
	label := "Page " + strconv.Itoa(l.pages) + " of "
	x := l.pageW - marginSide - l.regular.ttf.width("Page 00000 of 00000")*footerSize
	l.drawText(l.regular, footerSize, x, y, label)
	b := &l.doc.content
	b.WriteString("q 1 0 0 1 ")
	l.text = appendNum(l.text[:0], x+l.regular.ttf.width(label)*footerSize)
	l.text = append(l.text, ' ')
	l.text = appendNum(l.text, l.pageH-y)
	b.Write(l.text)
	b.WriteString(" cm /NB Do Q\n")
	l.doc.endPage()
}

// baseline is the offset of a line's baseline below its top.
func (l *layout) baseline(size, lineH float64) float64 {
	return (lineH+size*0.72)/2 - size*0.02
}

func (l *layout) setFill(c [3]float64) {
	if c == l.fill {
		return
	}
	l.fill = c
	l.colour(c, " rg\n")
}

func (l *layout) setStroke(c [3]float64) {
	if c == l.stroke {
		return
	}
	l.stroke = c
	l.colour(c, " RG\n")
}

func (l *layout) colour(c [3]float64, op string) {
	b := l.text[:0]
	for i, v := range c {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendFloat(b, v, 'f', 3, 64)
	}
	l.doc.content.Write(b)
	l.doc.content.WriteString(op)
	l.text = b
}

// rect fills a rectangle whose top left corner is at x, y (from the top).
func (l *layout) rect(x, y, w, h float64) {
	b := l.appendXY(l.text[:0], x, y+h)
	b = append(b, ' ')
	b = appendNum(b, w)
	b = append(b, ' ')
	b = appendNum(b, h)
	b = append(b, " re f\n"...)
	l.doc.content.Write(b)
	l.text = b
}

func (l *layout) line(x1, y1, x2, y2, width float64) {
	b := appendNum(l.text[:0], width)
	b = append(b, " w "...)
	b = l.appendXY(b, x1, y1)
	b = append(b, " m "...)
	b = l.appendXY(b, x2, y2)
	b = append(b, " l S\n"...)
	l.doc.content.Write(b)
	l.text = b
}

// appendXY appends a point given from the page's top left corner, in the
// PDF's coordinates (from the bottom left).
func (l *layout) appendXY(b []byte, x, y float64) []byte {
	b = appendNum(b, x)
	b = append(b, ' ')
	return appendNum(b, l.pageH-y)
}

// drawText sets s with its baseline at y (from the top).
func (l *layout) drawText(f *docFont, size, x, y float64, s string) {
	if s == "" {
		return
	}
	b := l.text[:0]
	b = append(b, "BT /"...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = appendNum(b, size)
	b = append(b, " Tf "...)
	b = l.appendXY(b, x, y)
	b = append(b, " Td "...)
	l.glyphs = f.ttf.encode(l.glyphs[:0], s)
	b = appendString(b, l.glyphs)
	b = append(b, " Tj ET\n"...)
	l.doc.content.Write(b)
	l.text = b
}

// wrapText splits text into the lines that fit width (points) at size, at
// most maxCellLines; the last line of a longer text ends in an ellipsis.
// Lines break at spaces (a no-break space holds its words together) and
// at line breaks. A word longer than a line breaks inside: an email
// address or a web address only after "@", ".", "/" or "-", other words
// after "-" or "/" when they can, else anywhere.
func wrapText(t *ttf, text string, size, width float64, dst []string) []string {
	dst = dst[:0]
	if text == "" {
		return dst
	}
	limit := width / size // in ems
	if !strings.ContainsRune(text, '\n') && t.width(text) <= limit {
		return append(dst, text)
	}
	space := t.width(" ")
	for para := range strings.SplitSeq(text, "\n") {
		line, lineW := "", 0.0
		start := len(dst)
		for word := range strings.FieldsFuncSeq(para, func(r rune) bool { return r == ' ' || r == '\t' }) {
			w := t.width(word)
			switch {
			case line != "" && lineW+space+w <= limit:
				line += " " + word
				lineW += space + w
				continue
			case line != "":
				dst = append(dst, line)
			}
			for w > limit {
				head, rest := breakWord(t, word, limit)
				dst = append(dst, head)
				word, w = rest, t.width(rest)
				if len(dst) > maxCellLines {
					break
				}
			}
			line, lineW = word, w
			if len(dst) > maxCellLines {
				break
			}
		}
		if line != "" || len(dst) == start {
			dst = append(dst, line)
		}
		if len(dst) > maxCellLines {
			break
		}
	}
	if len(dst) > maxCellLines {
		dst = dst[:maxCellLines]
		last := []rune(dst[maxCellLines-1])
		for len(last) > 0 && t.width(string(last)+ellipsis) > limit {
			last = last[:len(last)-1]
		}
		dst[maxCellLines-1] = string(last) + ellipsis
	}
	return dst
}

// breakWord splits a word wider than limit (ems) into the longest head
// that fits and the rest: at a no-break space when one fits (it joins a
// label to its value, "Work: ada@example.com"), else after "@", ".", "/"
// or "-" in an email or web address (after "-" or "/" in another word),
// else after the last character that fits (at least one).
func breakWord(t *ttf, word string, limit float64) (head, rest string) {
	address := strings.ContainsRune(word, '@') || strings.Contains(word, "://") || strings.HasPrefix(strings.ToLower(word), "www.")
	w := 0.0
	lastFit, lastBreak, lastJoin := 0, 0, -1
	for i, r := range word {
		if r == noBreakSpace && i > 0 {
			lastJoin = i // the head ends before it, the rest starts after it
		}
		w += float64(t.lookup(r).advance) / t.unitsPerEm
		end := i + utf8.RuneLen(r)
		if w > limit {
			break
		}
		lastFit = end
		if r == '/' || r == '-' || (address && (r == '@' || r == '.')) {
			lastBreak = end
		}
	}
	if lastJoin > 0 {
		return word[:lastJoin], word[lastJoin+utf8.RuneLen(noBreakSpace):]
	}
	cut := lastBreak
	if cut == 0 || cut == len(word) {
		cut = lastFit
	}
	if cut == 0 {
		_, cut = utf8.DecodeRuneInString(word)
	}
	return word[:cut], word[cut:]
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

// cleanText makes s printable: valid UTF-8, line breaks as "\n", other
// control characters as spaces, no byte order marks.
func cleanText(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (r < ' ' && r != '\n') || (r >= 0x7F && r < 0xA0) || r == '\uFEFF' {
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
	need := map[string]bool{"glyf": false, "cmap": false, "hmtx": false, "head": false, "loca": false, "hhea": false, "maxp": false}
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
	for _, tag := range []string{"glyf", "cmap", "hmtx", "head", "loca", "hhea", "maxp"} {
		if !need[tag] {
			return errors.New("no " + tag + " table")
		}
	}
	if _, err := sfnt.Parse(data); err != nil {
		return err
	}
	return nil
}
