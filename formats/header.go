package formats

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The rules below are shared by every format package, so that a table
// reads the same whether it was saved as CSV or as a workbook.

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
		if strings.TrimFunc(c, unicode.IsSpace) != "" {
			k++
		}
	}
	return k
}

// NameColumns turns a header row's cells (row is its number) into column
// names that are trimmed, non-empty and unique, and returns a notice for
// every name it gives: "Column 3" for an empty name, "Email (2)" for a name
// met before.
func NameColumns(row int, cells []string) ([]string, []Notice) {
	names := make([]string, len(cells))
	used := make(map[string]bool, len(cells))
	for i, c := range cells {
		names[i] = strings.TrimFunc(c, unicode.IsSpace)
		if names[i] != "" {
			used[names[i]] = true
		}
	}
	var notices []Notice
	firstColumn := make(map[string]int, len(cells)) // name -> its first column
	uses := make(map[string]int, len(cells))        // name -> columns using it so far
	for i, name := range names {
		switch {
		case name == "":
			name = uniqueName("Column "+strconv.Itoa(i+1), used)
			notices = append(notices, Notice{Row: row, Column: i + 1,
				Message: fmt.Sprintf("the column has no name; it is called %q", name)})
		case uses[name] > 0:
			uses[name]++
			renamed := uniqueName(name+" ("+strconv.Itoa(uses[name])+")", used)
			notices = append(notices, Notice{Row: row, Column: i + 1,
				Message: fmt.Sprintf("the name %q is used by column %d too; this one is called %q", name, firstColumn[name], renamed)})
			name = renamed
		default:
			uses[name] = 1
			firstColumn[name] = i + 1
		}
		used[name] = true
		names[i] = name
	}
	return names, notices
}

// uniqueName returns name, or name with a number appended, unused so far.
func uniqueName(name string, used map[string]bool) string {
	if !used[name] {
		return name
	}
	for n := 2; ; n++ {
		if candidate := name + " (" + strconv.Itoa(n) + ")"; !used[candidate] {
			return candidate
		}
	}
}
