package pdf

import (
	"slices"
	"unicode/utf8"
)

// The planning of a report: what is known of each column's content, and the
// font size, orientation, columns and widths chosen from it.

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
		slices.Sort(cols)
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
			if c < keys && slices.Contains(key, c) {
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
