package pdf

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

func goFont(t testing.TB) *ttf {
	t.Helper()
	f, err := parseTTF(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestWrapText(t *testing.T) {
	f := goFont(t)
	const size = 10.0
	width := func(s string) float64 { return f.width(s) * size }
	for _, c := range []struct {
		name, text string
		width      float64
		want       []string
	}{
		{"fits", "Ada Lovelace", width("Ada Lovelace"), []string{"Ada Lovelace"}},
		{"words", "a long note about a customer", width("a long note"), []string{"a long note", "about a", "customer"}},
		{"line breaks", "one\ntwo", width("one two three"), []string{"one", "two"}},
		{"an email breaks after @ or a dot", "ada.lovelace@analytical-engines.example.com", width("ada.lovelace@analytical"),
			[]string{"ada.lovelace@", "analytical-", "engines.example.com"}},
		{"a URL after a slash", "https://example.com/people/ada", width("https://example.com/pe"), []string{"https://example.com/", "people/ada"}},
		{"a label leaves its value first", "Work:\u00a0ada@example.com", width("ada@example.com "), []string{"Work:", "ada@example.com"}},
		{"a separator stays with its item", "Mobile:\u00a0+1\u202f415\u202f555\u202f0102\u00a0· Work:\u00a0+1\u202f212\u202f555\u202f0134",
			width("Mobile: +1 415 555 0102 · "), []string{"Mobile:\u00a0+1\u202f415\u202f555\u202f0102\u00a0·", "Work:\u00a0+1\u202f212\u202f555\u202f0134"}},
		{"a phone number never breaks at its narrow spaces", "+1\u202f415\u202f555\u202f0102", width("+1 415 55"), nil},
		{"a plain word anywhere", "Donaudampfschifffahrt", width("Donaudampf"), []string{"Donaudampf", "schifffahrt"}},
	} {
		got := wrapText(f, c.text, size, c.width, nil)
		if c.want == nil { // only: no line breaks at a narrow no-break space
			for _, line := range got {
				if strings.HasSuffix(line, "\u202f") || strings.HasPrefix(line, "\u202f") {
					t.Errorf("%s: broke at a narrow no-break space: %q", c.name, got)
				}
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: wrapText = %q, want %q", c.name, got, c.want)
		}
	}
	long := wrapText(f, strings.Repeat("word ", 500), size, width("word word"), nil)
	if len(long) != maxCellLines || !strings.HasSuffix(long[maxCellLines-1], ellipsis) {
		t.Errorf("a long text: %d lines, the last %q", len(long), long[len(long)-1])
	}
}

func TestMeasureText(t *testing.T) {
	f := goFont(t)
	line, word, hard := measureText(f, "Work:\u00a0ada@example.com\u00a0· Home:\u00a0a@b.example")
	if !(hard < word && word < line) {
		t.Errorf("line %.2f, word %.2f, hard %.2f: want hard < word < line", line, word, hard)
	}
	if got, want := hard, f.width("ada@example.com"); got != want {
		t.Errorf("the hard word is %.2f ems, want the email's %.2f", got, want)
	}
	if line, _, _ := measureText(f, "short\na much longer line"); line != f.width("a much longer line") {
		t.Errorf("widest line %.2f", line)
	}
}

// statsOf measures rows of text for choosePlan.
func statsOf(t *testing.T, header []string, rows [][]string) []columnStats {
	f := goFont(t)
	stats := make([]columnStats, len(header))
	for _, row := range rows {
		for i, s := range row {
			if s == "" {
				continue
			}
			line, word, hard := measureText(f, s)
			stats[i].others++
			stats[i].add(line)
			stats[i].rigid = max(stats[i].rigid, word)
			stats[i].hard = max(stats[i].hard, hard)
		}
	}
	for i, h := range header {
		_, stats[i].header, _ = measureText(f, h)
	}
	return stats
}

func defaults(o Options) *Options {
	if o.PageSize == "" {
		o.PageSize = "A4"
	}
	if o.FontSize == 0 {
		o.FontSize, o.MinFontSize = 8, 6.5
	}
	return &o
}

func TestChoosePlan(t *testing.T) {
	narrow := statsOf(t, []string{"Name", "Email"}, [][]string{{"Ada Lovelace", "ada@example.com"}, {"Grace Hopper", "grace@example.com"}})
	if p := choosePlan(defaults(Options{}), narrow, 2, true); p.landscape || p.size != 8 || len(p.groups) != 1 {
		t.Errorf("a narrow table: %+v, want portrait at 8 points", p)
	}
	if p := choosePlan(defaults(Options{Orientation: Landscape}), narrow, 2, true); !p.landscape {
		t.Errorf("Landscape ignored: %+v", p)
	}

	// An empty column is dropped when every row was seen, kept otherwise.
	empty := statsOf(t, []string{"Name", "Fax", "Email"}, [][]string{{"Ada", "", "ada@example.com"}})
	if p := choosePlan(defaults(Options{}), empty, 1, true); !slices.Equal(p.columns, []int{0, 2}) {
		t.Errorf("columns %v, want the empty one left out", p.columns)
	}
	if p := choosePlan(defaults(Options{}), empty, 1, false); !slices.Equal(p.columns, []int{0, 1, 2}) {
		t.Errorf("columns %v of a sample, want all", p.columns)
	}

	// Optional columns join while they fit.
	header := []string{"Name", "Email", "Notes", "City", "Zip"}
	row := []string{"Ada Lovelace", "ada@example.com", strings.Repeat("a long note ", 40), "Paris", "75001"}
	var header30, row30 []string
	for i := range 30 {
		header30 = append(header30, header[i%5]+strings.Repeat(" ", i/5))
		row30 = append(row30, row[i%5])
	}
	stats := statsOf(t, header30, [][]string{row30})
	p := choosePlan(defaults(Options{Essential: 2}), stats, 1, true)
	if len(p.groups) != 1 || !slices.Equal(p.columns[:2], []int{0, 1}) || len(p.columns) >= 30 {
		t.Errorf("with 2 essential columns: %v in %d groups", p.columns, len(p.groups))
	}

	// All essential and too wide: column groups repeating the key columns.
	p = choosePlan(defaults(Options{KeyColumns: 2}), stats, 1, true)
	if len(p.groups) < 2 {
		t.Fatalf("30 wide columns in %d group(s)", len(p.groups))
	}
	seen := map[int]int{}
	for g, cols := range p.groups {
		if !slices.Equal(cols[:2], []int{0, 1}) {
			t.Errorf("group %d starts with %v, not the key columns", g, cols[:2])
		}
		if w := sum(p.widths[g]); w > pageSizes["A4"][1]-2*marginSide+0.5 {
			t.Errorf("group %d is %.0f points wide", g, w)
		}
		if p.widths[g][0] != p.widths[0][0] {
			t.Errorf("the key column is %.1f wide in group %d, %.1f in the first", p.widths[g][0], g, p.widths[0][0])
		}
		for _, c := range cols {
			seen[c]++
		}
	}
	for c := range 30 {
		if want := 1 + boolInt(c < 2)*(len(p.groups)-1); seen[c] != want {
			t.Errorf("column %d is in %d groups, want %d", c, seen[c], want)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSubsetFont: the embedded subset is a font sfnt can parse, keeps the
// glyph ids, and the glyphs used keep their outlines.
func TestSubsetFont(t *testing.T) {
	f := goFont(t)
	f.encode(nil, "Zoë Łukasiewicz — Кириллица")
	data, err := f.subset()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) >= len(goregular.TTF)/2 {
		t.Errorf("the subset is %d bytes of the font's %d", len(data), len(goregular.TTF))
	}
	tables := map[string][]byte{}
	for i := range int(binary.BigEndian.Uint16(data[4:])) {
		rec := data[12+16*i:]
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		tables[string(rec[:4])] = data[off : off+size]
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if tables[tag] == nil {
			t.Fatalf("the subset has no %s table", tag)
		}
	}
	if n := int(binary.BigEndian.Uint16(tables["maxp"][4:])); n != f.numGlyphs {
		t.Errorf("%d glyphs, want %d (ids unchanged)", n, f.numGlyphs)
	}
	outline := func(id uint16) int {
		loca := tables["loca"]
		return int(binary.BigEndian.Uint32(loca[4*int(id)+4:]) - binary.BigEndian.Uint32(loca[4*int(id):]))
	}
	if outline(f.lookup('Ł').id) == 0 || outline(f.lookup('К').id) == 0 {
		t.Error("a used glyph lost its outline")
	}
	if outline(f.lookup('Q').id) != 0 {
		t.Error("an unused glyph kept its outline")
	}
	if _, err := sfnt.Parse(append(data, 0)); err != nil && !strings.Contains(err.Error(), "cmap") {
		t.Errorf("the subset does not parse: %v", err)
	}
	if !strings.Contains(string(f.toUnicode()), "<0141>") {
		t.Error("the ToUnicode map lacks Ł")
	}
}
