package table

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/crmio/crmio/formats"
)

// HeaderIndex returns the index of the header among the first n rows of a
// table, or -1 when none can be one. It is the first row that parsed,
// unless a later row with two or more non-empty cells is followed mostly by
// rows like it, as when a few lines of notes precede the table (LinkedIn's
// Connections export): then that row. cells returns row i's cells; parsed
// reports whether row i parsed.
func HeaderIndex(n int, cells func(i int) []string, parsed func(i int) bool) int {
	first := -1
	for i := range n {
		if parsed(i) {
			first = i
			break
		}
	}
	if first < 0 {
		return -1
	}
	wide := func(i int) bool { return parsed(i) && nonEmpty(cells(i)) >= 2 }
	at := -1
	for i := range n {
		if wide(i) {
			at = i
			break
		}
	}
	if at <= first {
		return first
	}
	after := 0
	for i := at + 1; i < n; i++ {
		if wide(i) {
			after++
		}
	}
	if 2*after >= n-at-1 {
		return at
	}
	return first
}

func nonEmpty(cells []string) int {
	k := 0
	for _, c := range cells {
		if !IsSpace(c) {
			k++
		}
	}
	return k
}

// IsSpace reports whether s is empty or all white space. Most cells fail
// on their first byte, so ASCII is tested before unicode.IsSpace.
func IsSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ', c == '\t', c == '\n', c == '\r', c == '\v', c == '\f':
		case c < 0x80:
			return false
		default:
			return strings.TrimLeftFunc(s[i:], unicode.IsSpace) == ""
		}
	}
	return true
}

// IsBlank reports whether a row shows as empty: no cell holds anything but
// white space.
func IsBlank(cells []string) bool {
	for _, c := range cells {
		if !IsSpace(c) {
			return false
		}
	}
	return true
}

// Columns are the names of a table's columns. They start as the names of
// a header row (NewColumns) or as none (a table read without a header),
// and grow as rows longer than the header are met (Extend): the column
// after the last is "Column N", N its 1-based position.
type Columns struct {
	names []string
	used  map[string]bool
}

// NewColumns turns a header row's cells (row is its number) into column
// names that are trimmed, non-empty and unique, and returns a notice for
// every name it gives: "Column 3" for an empty name, "Email (2)" for a name
// met before.
func NewColumns(row int, cells []string) (*Columns, []formats.Notice) {
	c := &Columns{names: make([]string, len(cells)), used: make(map[string]bool, len(cells))}
	for i, s := range cells {
		c.names[i] = strings.TrimFunc(s, unicode.IsSpace)
		if c.names[i] != "" {
			c.used[c.names[i]] = true
		}
	}
	var notices []formats.Notice
	firstColumn := make(map[string]int, len(cells)) // name -> its first column
	uses := make(map[string]int, len(cells))        // name -> columns using it so far
	for i, name := range c.names {
		switch {
		case name == "":
			name = c.unique("Column " + strconv.Itoa(i+1))
			notices = append(notices, formats.Notice{Row: row, Column: i + 1,
				Message: fmt.Sprintf("the column has no name; it is called %q", name)})
		case uses[name] > 0:
			uses[name]++
			renamed := c.unique(name + " (" + strconv.Itoa(uses[name]) + ")")
			notices = append(notices, formats.Notice{Row: row, Column: i + 1,
				Message: fmt.Sprintf("the name %q is used by column %d too; this one is called %q", name, firstColumn[name], renamed)})
			name = renamed
		default:
			uses[name] = 1
			firstColumn[name] = i + 1
		}
		c.used[name] = true
		c.names[i] = name
	}
	return c, notices
}

// NoColumns returns the Columns of a table read without a header: none
// until Extend names them "Column 1", "Column 2"...
func NoColumns() *Columns { return &Columns{used: map[string]bool{}} }

// Names returns the column names. The slice is the Columns' own: callers
// copy it before handing it out.
func (c *Columns) Names() []string { return c.names }

// Len returns the number of columns.
func (c *Columns) Len() int { return len(c.names) }

// Extend names the columns up to width, "Column N" for the N-th (or
// "Column N (2)" should the header already use that name), and reports
// whether there were fewer.
func (c *Columns) Extend(width int) bool {
	if width <= len(c.names) {
		return false
	}
	for i := len(c.names); i < width; i++ {
		name := c.unique("Column " + strconv.Itoa(i+1))
		c.used[name] = true
		c.names = append(c.names, name)
	}
	return true
}

// unique returns name, or name with a number appended, unused so far.
func (c *Columns) unique(name string) string {
	if !c.used[name] {
		return name
	}
	for n := 2; ; n++ {
		if candidate := name + " (" + strconv.Itoa(n) + ")"; !c.used[candidate] {
			return candidate
		}
	}
}

// PreambleNotice is the notice for the rows skipped as notes above a
// table: skipped rows above row, the header's (or, headerless, the first
// record's).
func PreambleNotice(row, skipped int, headerless bool) formats.Notice {
	rows, verb := strconv.Itoa(skipped)+" rows", "were"
	if skipped == 1 {
		rows, verb = "1 row", "was"
	}
	if headerless {
		return formats.Notice{Message: fmt.Sprintf("%s above row %d %s skipped as notes", rows, row, verb)}
	}
	return formats.Notice{Message: fmt.Sprintf("the header is row %d; %s above it %s skipped as notes", row, rows, verb)}
}

// DataRowNotice is the notice for row, which a reader would have taken for
// the header and reads as data because of why (ReadsAsData's reason); names
// are the columns it gave the table instead.
func DataRowNotice(row int, why string, names []string) formats.Notice {
	return formats.Notice{Row: row, Message: fmt.Sprintf(
		"the row reads as data, not as a header (%s): it is read as the first record, and the columns are called %s (set the header row to %d if it is the header)",
		why, QuoteNames(names), row)}
}
