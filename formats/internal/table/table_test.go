package table

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/internal/corpus"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want kind
	}{
		{"", empty}, {"  ", empty},
		{"Email", text}, {"First Name", text}, {"Phone 1 - Value", text}, {"E-mail Address", text},
		{"ada@example.com", email}, {" john@doe.invalid ", email}, {"a@b", text}, {"@handle", text},
		{"https://example.com/x", link}, {"www.example.org", link}, {"http://", text},
		{"TRUE", boolean}, {"false", boolean},
		{"2024-01-31", date}, {"31/01/2024", date}, {"1.2.24", date}, {"2024-01-31T08:30:00", date},
		{"2024-01-31 08:30", date}, {"08:30", date}, {"8:30:15 PM", date}, {"12:00:00.5", date},
		{"2024-01", text}, {"1-2", text}, {"10:5", text},
		{"42", number}, {"-1.5", number}, {"1,234.50", number}, {"12%", number}, {"$3", number}, {"1'000", number},
		{"+44 20 7946 0000", phone}, {"(555) 010-0100", phone}, {"555-0100", phone}, {"+1 555 0100", phone},
		{"4915112345678", number}, {"-1184955", number}, {"-555 0100 22", phone}, {"1 2", text}, {"ID 7", text}, {"2019", number},
	} {
		if got := classify(tc.in); got != tc.want {
			t.Errorf("classify(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// The cases ReadsAsData was tuned on: headers of the usual kinds, and the
// first rows of headerless exports.
func TestReadsAsData(t *testing.T) {
	rows := func(lines ...string) [][]string {
		var out [][]string
		for _, l := range lines {
			out = append(out, strings.Split(l, ","))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		table [][]string
		want  bool
	}{
		{"contacts header", rows("Name,Email,Phone", "Ada,ada@example.com,+44 20 7946 0000", "Bob,bob@example.com,555 0100 22"), false},
		{"headerless contacts", rows("Ada Lovelace,ada@example.com,+44 20 7946 0000", "Bob,bob@example.com,+1 555 0100"), true},
		{"headerless names and phones", rows("Ada,Lovelace,+44 20 7946 0000", "Bob,Smith,+1 555 0100 33"), true},
		{"headerless names and dates", rows("Ada,1815-12-10", "Grace,1906-12-09"), true},
		{"headerless numbers", rows("1,2,3", "4,5,6"), true},
		{"one number over numbers", rows("7,Ada", "8,Bob"), false},
		{"number headers over words", rows("1,2", "a,b"), false},
		{"years over numbers", rows("Region,2023,2024", "North,5,6"), false},
		{"a word over numbers", rows("d,e,f", "1,b,c", "4,b,c"), false},
		{"a header alone", rows("Name,Email"), false},
		{"one row of data", rows("John Doe,John,Doe,john@doe.invalid"), true},
		{"one row of numbers", rows("1,2,3"), true},
		{"one row: a word and a number", rows("ID,2024"), false},
		{"names only", rows("Ada,Lovelace", "Grace,Hopper"), false},
		{"email header over empty column", rows("Name,Email", "Ada,"), false},
		{"emails naming columns of words", rows("Task,ada@example.com", "Review,yes"), false},
		{"header with a typed column partly empty", rows("Email,Score", "ada@example.com,", ",3"), false},
		// Apache POI's 53282.xlsx: a header with an email address in it,
		// over rows that fill only that column.
		{"words over empty columns", rows("Store#,Store Name,Address Line 1,nobody@nowhere.uk", ",,,nobody@nowhere.com"), false},
		{"one word over an empty column", rows("Ada,Analytical Engines,ada@example.com", "Bob,,bob@example.com"), true},
	} {
		if got, why := ReadsAsData(tc.table[0], tc.table[1:]); got != tc.want || got != (why != "") {
			t.Errorf("%s: ReadsAsData = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRealHeadersAreHeaders checks the real export headers of the corpus
// (Google Contacts, Outlook, HubSpot, Salesforce, Zoho...), which the
// detector was not tuned on: none may read as data.
func TestRealHeadersAreHeaders(t *testing.T) {
	dir := corpus.Need(t, "headers")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		t.Skip("no header files")
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var header []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			header = append(header, sc.Text())
		}
		f.Close()
		if data, _ := ReadsAsData(header, nil); data {
			t.Errorf("%s reads as data: %q", filepath.Base(path), header)
		}
	}
}

func TestReadsAsDataSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		first []string
		below [][]string
		want  string
	}{
		{[]string{"Ada", "ada@example.com"}, [][]string{{"Bob", "bob@example.com"}}, `column 2 holds an email address, like the rows below it ("ada@example.com")`},
		{[]string{"Ada", "5550100222"}, [][]string{{"Bob", "+1 555 0100 333"}}, `column 2 holds a phone number in plain digits, like the rows below it ("5550100222")`},
		{[]string{"Ada", "2024-01-31"}, nil, `column 2 holds a date ("2024-01-31")`},
		{[]string{"1", "2"}, [][]string{{"3", "4"}}, "it holds only numbers"},
	} {
		if data, why := ReadsAsData(tc.first, tc.below); !data || why != tc.want {
			t.Errorf("ReadsAsData(%q) = %v, %q; want %q", tc.first, data, why, tc.want)
		}
	}
}

func TestHeaderIndex(t *testing.T) {
	for _, tc := range []struct {
		rows [][]string
		want int
	}{
		{[][]string{{"a", "b"}, {"1", "2"}}, 0},
		{[][]string{{"Notes:"}, {"x"}, {"a", "b"}, {"1", "2"}, {"3", "4"}}, 2},
		{[][]string{{"Title"}, {"a", "b"}, {"1"}, {"2"}, {"3"}}, 0}, // no table follows
		{nil, -1},
	} {
		got := HeaderIndex(len(tc.rows), func(i int) []string { return tc.rows[i] }, func(int) bool { return true })
		if got != tc.want {
			t.Errorf("HeaderIndex(%q) = %d, want %d", tc.rows, got, tc.want)
		}
	}
}

func TestColumns(t *testing.T) {
	c, notices := NewColumns(1, []string{" Name ", "", "Email", "Email", "Column 2", ""})
	want := []string{"Name", "Column 2 (2)", "Email", "Email (2)", "Column 2", "Column 6"}
	if !slices.Equal(c.Names(), want) {
		t.Errorf("names %q, want %q", c.Names(), want)
	}
	if len(notices) != 3 || notices[1].Column != 4 || !strings.Contains(notices[1].Message, `used by column 3 too`) {
		t.Errorf("notices %v", notices)
	}
	if !c.Extend(8) || c.Extend(8) || !slices.Equal(c.Names()[6:], []string{"Column 7", "Column 8"}) {
		t.Errorf("extended: %q", c.Names())
	}
	n := NoColumns()
	n.Extend(2)
	if !slices.Equal(n.Names(), []string{"Column 1", "Column 2"}) {
		t.Errorf("no columns extended: %q", n.Names())
	}
}

func TestRagged(t *testing.T) {
	g := Ragged{Width: 3}
	g.Row(2, 3, true)
	g.Row(4, 5, true)
	names := []string{"a", "b", "c", "Column 4", "Column 5"}
	if got := g.Notices(names); len(got) != 1 || got[0].String() != `row 4: the row is longer than the header: the cells past column 3 are read as "Column 4" and "Column 5"` {
		t.Errorf("notices %v", got)
	}
	for r := 5; r < 2005; r++ {
		g.Row(r, 1, true)
		g.Row(r, 1, false) // a workbook row: no notice
	}
	g.Row(3000, 4, true)
	got := g.Notices(names)
	want := []formats.Notice{
		{Message: `2 rows are longer than the header (rows 4 and 3000): the cells past column 3 are read as "Column 4" and "Column 5"`},
		{Message: "2,000 rows have fewer fields than the header (3) (rows 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, …); the missing ones are empty"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("notices\n%v\nwant\n%v", got, want)
	}
}
