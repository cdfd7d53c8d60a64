package table

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crmio/crmio/formats"
)

// maxListedRows bounds the row numbers a ragged-row notice lists.
const maxListedRows = 10

// Ragged keeps what a reader met of rows longer than the header (whose
// cells beyond it went into new columns) and, for CSV, of rows shorter
// than it, so that a file of a million ragged rows gives one notice of
// each kind instead of a million.
type Ragged struct {
	// Width is the header's width, the columns named by the file.
	Width int

	longer, shorter rowList
	widest          int // the widest row met, in cells
}

type rowList struct {
	count int
	rows  []int // the first maxListedRows
}

func (l *rowList) add(row int) {
	l.count++
	if len(l.rows) < maxListedRows {
		l.rows = append(l.rows, row)
	}
}

// Row records row (its number) of width cells, the blank ones right of its
// last value not counted. short says whether a row narrower than the header
// is worth a notice (in CSV; a workbook does not store the empty cells at
// the end of a row).
func (g *Ragged) Row(row, width int, short bool) {
	switch {
	case width > g.Width:
		g.longer.add(row)
		g.widest = max(g.widest, width)
	case short && width < g.Width:
		g.shorter.add(row)
	}
}

// Notices returns the notices for the ragged rows met so far, given the
// column names (for the names of the columns beyond the header): at most
// one for longer rows and one for shorter ones.
func (g *Ragged) Notices(names []string) []formats.Notice {
	var out []formats.Notice
	if g.longer.count > 0 {
		extra := names[min(g.Width, len(names)):min(g.widest, len(names))]
		out = append(out, formats.Notice{Row: g.longer.single(),
			Message: fmt.Sprintf("%s longer than the header%s: the cells past column %d are read as %s",
				g.longer.subject(), g.longer.which(), g.Width, QuoteNames(extra))})
	}
	if g.shorter.count > 0 {
		out = append(out, formats.Notice{Row: g.shorter.single(),
			Message: fmt.Sprintf("%s fewer fields than the header (%d)%s; the missing ones are empty",
				g.shorter.subjectHas(), g.Width, g.shorter.which())})
	}
	return out
}

// single returns the row when the list holds one, else 0 (the notice is
// about several rows).
func (l *rowList) single() int {
	if l.count == 1 {
		return l.rows[0]
	}
	return 0
}

func (l *rowList) subject() string {
	if l.count == 1 {
		return "the row is"
	}
	return formatCount(l.count) + " rows are"
}

func (l *rowList) subjectHas() string {
	if l.count == 1 {
		return "the row has"
	}
	return formatCount(l.count) + " rows have"
}

// which lists the rows when there are several: " (rows 2, 5 and 9)".
func (l *rowList) which() string {
	if l.count == 1 {
		return ""
	}
	nums := make([]string, len(l.rows))
	for i, r := range l.rows {
		nums[i] = strconv.Itoa(r)
	}
	if l.count > len(l.rows) {
		return " (rows " + strings.Join(nums, ", ") + ", …)"
	}
	return " (rows " + strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1] + ")"
}

// QuoteNames names columns for a person: "Column 4", "Column 4" and
// "Column 5", or "Column 4" to "Column 9".
func QuoteNames(names []string) string {
	switch len(names) {
	case 0:
		return "new columns"
	case 1:
		return strconv.Quote(names[0])
	case 2:
		return strconv.Quote(names[0]) + " and " + strconv.Quote(names[1])
	}
	return strconv.Quote(names[0]) + " to " + strconv.Quote(names[len(names)-1])
}

// formatCount writes n with thousands separators: 1,204.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
