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

// columnStats is what the layout knows of a column's content, in ems (a
// width at a font size of 1).
type columnStats struct {
	natural float64  // the widest line of a cell
	rigid   float64  // the widest word, joined by no-break spaces, best not broken
	hard    float64  // the widest word split at no-break spaces too: never broken if it can be helped
	header  float64  // the widest word of the header
	numbers int      // number cells
	others  int      // other non-empty cells
	widths  []uint32 // cells by the width of their widest line, in buckets of bucketEms
}

const (
	bucketEms = 0.5
	buckets   = 320 // up to 160 ems; wider lines count in the last bucket
)

func (c *columnStats) filled() bool { return c.numbers+c.others > 0 }

// add counts a cell whose widest line is line ems wide.
func (c *columnStats) add(line float64) {
	if c.widths == nil {
		c.widths = make([]uint32, buckets)
	}
	c.widths[min(int(line/bucketEms), buckets-1)]++
	c.natural = max(c.natural, line)
}

// typical is the width (ems) that nine cells in ten fit: what the column
// wants, without letting a few long values widen it for all.
func (c *columnStats) typical() float64 {
	n := c.numbers + c.others
	if n == 0 || c.widths == nil {
		return 0
	}
	need := (n*9 + 9) / 10
	seen := 0
	for b, k := range c.widths {
		if seen += int(k); seen >= need {
			return min(float64(b+1)*bucketEms, c.natural)
		}
	}
	return c.natural
}

// cdf fills out[k] with the share of rows whose cell of this column takes
// at most k lines in a width of limit ems, k = 0..maxCellLines; rows
// without a value take one line.
func (c *columnStats) cdf(limit float64, rows int, out []float64) {
	clear(out)
	n := c.numbers + c.others
	if rows <= 0 {
		rows = max(n, 1)
	}
	counts := out // counts of rows by lines, then summed in place
	counts[1] += float64(max(rows-n, 0))
	for b, k := range c.widths {
		if k == 0 {
			continue
		}
		counts[c.linesOf(b, limit)] += float64(k)
	}
	total := 0.0
	for k := range counts {
		total += counts[k]
		counts[k] = total / float64(max(rows, n))
	}
}

// linesOf is how many lines the cells of bucket b take in limit ems.
func (c *columnStats) linesOf(b int, limit float64) int {
	w := min(float64(b+1)*bucketEms, c.natural)
	if limit <= 0 {
		return maxCellLines
	}
	return max(1, min(maxCellLines, int(w/limit+0.999)))
}

// nextWidth is the narrowest width above limit (ems) at which some cells
// of the column take fewer lines, or 0 when none would.
func (c *columnStats) nextWidth(limit float64) float64 {
	next := 0.0
	for b, k := range c.widths {
		if k == 0 {
			continue
		}
		if lines := c.linesOf(b, limit); lines > 1 {
			w := min(float64(b+1)*bucketEms, c.natural) / float64(lines-1)
			if w > limit && (next == 0 || w < next) {
				next = w
			}
		}
	}
	return next
}

// expectedLines estimates the lines a row takes, on average, from each
// column's distribution (taken as independent): the sum over k of the
// chance that some cell takes k lines or more.
func expectedLines(cdfs [][]float64) float64 {
	e := 1.0
	for k := 1; k < maxCellLines; k++ {
		all := 1.0
		for _, f := range cdfs {
			all *= f[k]
		}
		if all >= 1-1e-12 {
			break
		}
		e += 1 - all
	}
	return e
}

// measureText returns the widest line of s and its widest word, in ems
// of t, where words are separated by spaces and tabs (a no-break space
// joins them), and the widest word split at no-break spaces too.
func measureText(t *ttf, s string) (line, word, hard float64) {
	units, wordUnits, hardUnits := 0, 0, 0
	maxLine, maxWord, maxHard := 0, 0, 0
	space := int(t.lookup(' ').advance)
	for i := 0; i < len(s); {
		r := rune(s[i])
		if r < utf8.RuneSelf {
			i++
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(s[i:])
			i += n
		}
		switch r {
		case '\n':
			maxLine, maxWord, maxHard = max(maxLine, units), max(maxWord, wordUnits), max(maxHard, hardUnits)
			units, wordUnits, hardUnits = 0, 0, 0
		case ' ', '\t':
			maxWord, maxHard = max(maxWord, wordUnits), max(maxHard, hardUnits)
			wordUnits, hardUnits = 0, 0
			units += space
		case noBreakSpace:
			maxHard = max(maxHard, hardUnits)
			hardUnits = 0
			units += space
			wordUnits += space
		default: // a narrow no-break space too: it never breaks
			a := int(t.lookup(r).advance)
			units += a
			wordUnits += a
			hardUnits += a
		}
	}
	maxLine, maxWord, maxHard = max(maxLine, units), max(maxWord, wordUnits), max(maxHard, hardUnits)
	em := t.unitsPerEm
	return float64(maxLine) / em, float64(maxWord) / em, float64(maxHard) / em
}

// plan is how the table is set: its font size, orientation, columns and
// their widths, in one or several column groups (a table too wide for a
// page is split into groups that repeat its key columns, each printed on
// pages of its own).
type plan struct {
	size      float64
	landscape bool
	columns   []int       // the columns shown, in order
	groups    [][]int     // the columns of each group, key columns first
	widths    [][]float64 // their widths, in points
	colWidth  []float64   // the width of each column of the header, 0 if not shown
	keys      int         // how many key columns lead each group
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

// choosePlan picks the font size, orientation and columns (see Writer).
func choosePlan(opts *Options, stats []columnStats, rows int, complete bool) plan {
	n := len(stats)
	shown := make([]int, 0, n)
	anyFilled := false
	for _, s := range stats {
		anyFilled = anyFilled || s.filled()
	}
	for i, s := range stats {
		if !complete || !anyFilled || s.filled() {
			shown = append(shown, i)
		}
	}
	essential := opts.Essential
	if essential <= 0 || essential > n {
		essential = n
	}
	keys := max(opts.KeyColumns, 1)
	var must, optional []int
	for _, c := range shown {
		if c < essential {
			must = append(must, c)
		} else {
			optional = append(optional, c)
		}
	}
	if len(must) == 0 && len(optional) > 0 {
		must, optional = optional[:1], optional[1:]
	}

	// A column wants the width nine of its cells in ten fit (capped), and
	// is given at least its widest word (capped): a phone number, an email
	// address stay whole.
	// Without every row seen, later rows may be wider than the first:
	// leave them some room.
	slack := 1.0
	if !complete {
		slack = 1.15
	}
	want := func(c int, size float64) float64 {
		s := stats[c]
		w := max(min(s.typical()*slack, maxColumnEms), min(s.rigid*slack, maxWordEms), min(s.hard*slack, maxHardEms), s.header)
		return w*size + 2*padX
	}
	floor := func(c int, size float64) float64 {
		s := stats[c]
		w := max(minColumnEms, min(s.rigid*slack, maxWordEms), min(s.hard*slack, maxHardEms), min(s.header, maxWordEms))
		return min(want(c, size), w*size+2*padX)
	}
	total := func(cols []int, size float64, w func(int, float64) float64) float64 {
		t := 0.0
		for _, c := range cols {
			t += w(c, size)
		}
		return t
	}
	page := pageSizes[opts.PageSize]
	type orientation struct {
		landscape      bool
		usable, height float64
	}
	var orientations []orientation
	if opts.Orientation != Landscape {
		orientations = append(orientations, orientation{false, page[0] - 2*marginSide, page[1] - marginTop - marginBottom})
	}
	if opts.Orientation != Portrait {
		orientations = append(orientations, orientation{true, page[1] - 2*marginSide, page[0] - marginTop - marginBottom})
	}
	var sizes []float64
	for s := opts.FontSize; s >= opts.MinFontSize-0.01; s -= 0.5 {
		sizes = append(sizes, s)
	}
	if len(sizes) == 0 {
		sizes = []float64{opts.FontSize}
	}

	single := func(size float64, o orientation, cols []int) plan {
		cols = append([]int(nil), cols...)
		for _, c := range optional {
			if total(cols, size, want)+want(c, size) <= o.usable {
				cols = append(cols, c)
			}
		}
		cols = sortedInts(cols)
		return finishPlan(plan{size: size, landscape: o.landscape, columns: cols, groups: [][]int{cols},
			widths: [][]float64{allocate(stats, cols, widthsOf(cols, size, floor), widthsOf(cols, size, want), o.usable, size, rows)}}, n)
	}
	// Of the sizes and orientations at which the essential columns fit, the
	// one that needs the fewest pages for the rows measured, counting a
	// smaller font as costly as the pages it saves by itself: it wins when
	// it spares wrapping too.
	bestScore := 0.0
	var chosen *plan
	for _, size := range sizes {
		for _, o := range orientations {
			if total(must, size, floor) > o.usable {
				continue
			}
			p := single(size, o, must)
			lines := expectedLines(cdfsOf(stats, p.groups[0], p.widths[0], size, rows))
			lineH := size * lineSpacing
			pages := float64(max(rows, 1))*(lines*lineH+2*padY)/(o.height-lineH-2*padY) + 1
			score := pages * (1 + 0.2*(opts.FontSize-size))
			if chosen == nil || score < bestScore-1e-9 {
				chosen, bestScore = &p, score
			}
		}
	}
	if chosen != nil {
		return *chosen
	}

	// Too wide for a page: column groups, each repeating the key columns,
	// as few as the font sizes allow, then at the largest font.
	o := orientations[len(orientations)-1]
	var best plan
	for _, size := range sizes {
		key := []int{}
		for _, c := range must {
			if c < keys {
				key = append(key, c)
			}
		}
		for len(key) > 0 && total(key, size, floor) > o.usable/2 {
			key = key[:len(key)-1]
		}
		var groups [][]int
		group := append([]int(nil), key...)
		for _, c := range must {
			if c < keys && slicesContains(key, c) {
				continue
			}
			if len(group) > len(key) && total(group, size, floor)+floor(c, size) > o.usable {
				groups = append(groups, group)
				group = append([]int(nil), key...)
			}
			group = append(group, c)
		}
		groups = append(groups, group)
		if best.groups == nil || len(groups) < len(best.groups) {
			best = plan{size: size, landscape: o.landscape, columns: must, groups: groups, keys: len(key)}
		}
	}
	// The key columns keep one width on every page; the other columns of
	// each group share the rest.
	var keyW []float64
	for i, g := range best.groups {
		if i == 0 {
			keyW = fitWidths(widthsOf(g, best.size, want), widthsOf(g, best.size, floor), o.usable)[:best.keys]
			best.widths = append(best.widths, fitWidths(widthsOf(g, best.size, want), widthsOf(g, best.size, floor), o.usable))
			continue
		}
		rest := g[best.keys:]
		w := append(append([]float64(nil), keyW...), fitWidths(widthsOf(rest, best.size, want), widthsOf(rest, best.size, floor), o.usable-sum(keyW))...)
		best.widths = append(best.widths, w)
	}
	return finishPlan(best, n)
}

// finishPlan fills in the width of each column by its index.
func finishPlan(p plan, n int) plan {
	p.colWidth = make([]float64, n)
	for g, cols := range p.groups {
		for j, c := range cols {
			if p.colWidth[c] == 0 {
				p.colWidth[c] = p.widths[g][j]
			}
		}
	}
	return p
}

func widthsOf(cols []int, size float64, w func(int, float64) float64) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = w(c, size)
	}
	return out
}

func sortedInts(xs []int) []int {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	return xs
}

func slicesContains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// cdfsOf returns the line distributions of the columns at the widths.
func cdfsOf(stats []columnStats, cols []int, widths []float64, size float64, rows int) [][]float64 {
	cdfs := make([][]float64, len(cols))
	for j, c := range cols {
		cdfs[j] = make([]float64, maxCellLines+1)
		stats[c].cdf((widths[j]-2*padX)/size, rows, cdfs[j])
	}
	return cdfs
}

// allocate shares the usable width among the columns: each gets its floor,
// then the room left goes, step by step, where it saves the most lines
// per point (to the column whose wrapping makes rows tall), and what is
// still left is shared in proportion to the widths the columns want.
// When the floors do not fit, the columns are scaled down to fit.
func allocate(stats []columnStats, cols []int, floor, want []float64, usable, size float64, rows int) []float64 {
	w := append([]float64(nil), floor...)
	room := usable - sum(w)
	if room <= 0 {
		return fitWidths(want, floor, usable)
	}
	cdfs := cdfsOf(stats, cols, w, size, rows)
	trial := make([]float64, maxCellLines+1)
	for room > 0.01 {
		current := expectedLines(cdfs)
		if current <= 1+1e-9 {
			break
		}
		best, bestGain, bestWidth := -1, 0.0, 0.0
		for j, c := range cols {
			next := stats[c].nextWidth((w[j] - 2*padX) / size)
			if next == 0 {
				continue
			}
			width := next*size + 2*padX + 0.01
			if width-w[j] > room {
				continue
			}
			saved := cdfs[j]
			stats[c].cdf((width-2*padX)/size, rows, trial)
			cdfs[j] = trial
			gain := (current - expectedLines(cdfs)) / (width - w[j])
			cdfs[j] = saved
			if gain > bestGain {
				best, bestGain, bestWidth = j, gain, width
			}
		}
		if best < 0 {
			break
		}
		room -= bestWidth - w[best]
		w[best] = bestWidth
		stats[cols[best]].cdf((w[best]-2*padX)/size, rows, cdfs[best])
	}
	// What is left: first up to what each column wants, then in
	// proportion to the widths.
	if short := sumShort(w, want); short > 0 && room > 0 {
		give := min(room, short)
		for j := range w {
			if w[j] < want[j] {
				w[j] += (want[j] - w[j]) * give / short
			}
		}
		room -= give
	}
	if room > 0 {
		t := sum(w)
		for j := range w {
			w[j] += room * w[j] / t
		}
	}
	return w
}

func sumShort(w, want []float64) float64 {
	t := 0.0
	for j := range w {
		t += max(0, want[j]-w[j])
	}
	return t
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
