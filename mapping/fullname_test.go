package mapping

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crmio/crmio/schemas"
)

func TestSplitName(t *testing.T) {
	for _, tt := range []struct{ in, given, family string }{
		{"Ana García", "Ana", "García"},
		{"  Mary   Ann  Smith ", "Mary Ann", "Smith"},
		{"García, Ana", "Ana", "García"},
		{"García López, Ana María", "Ana María", "García López"},
		{"Ludwig van Beethoven", "Ludwig", "van Beethoven"},
		{"Jan van der Berg", "Jan", "van der Berg"},
		{"María de la Cruz", "María", "de la Cruz"},
		{"Leonardo da Vinci", "Leonardo", "da Vinci"},
		{"Charles de Gaulle", "Charles", "de Gaulle"},
		{"Otto von Bismarck", "Otto", "von Bismarck"},
		{"Dr. Ana García", "Ana", "García"},
		{"Herr Jan Berg", "Jan", "Berg"},
		{"Mme Claire Dubois", "Claire", "Dubois"},
		{"Martin Luther King Jr.", "Martin Luther", "King Jr."},
		{"Martin Luther King, Jr.", "Martin Luther", "King Jr."},
		{"King, Martin Luther, Jr.", "Martin Luther", "King Jr."},
		{"Cher", "", "Cher"},
		{"Van Morrison", "Van", "Morrison"}, // the first word is a given name
		{"De Witt Clinton", "De Witt", "Clinton"},
		{"", "", ""},
		{"García,", "", "García"},
	} {
		g, f := SplitName(tt.in)
		if g != tt.given || f != tt.family {
			t.Errorf("SplitName(%q) = %q, %q, want %q, %q", tt.in, g, f, tt.given, tt.family)
		}
	}
}

func FuzzSplitName(f *testing.F) {
	for _, s := range []string{"Ana García", "García, Ana", "Jan van der Berg", "Dr. X", "King, Martin, Jr.", ",", " , ,", "de la", "Mr Mr", "\xff\xfe van"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, fam := SplitName(s)
		// Every word of the halves is a word of the name (commas aside).
		words := strings.Fields(strings.ReplaceAll(s, ",", " "))
		for _, w := range append(strings.Fields(g), strings.Fields(fam)...) {
			if !slices.Contains(words, w) {
				t.Fatalf("SplitName(%q) = %q, %q: %q is not a word of the name", s, g, fam, w)
			}
		}
		if strings.TrimSpace(strings.ReplaceAll(s, ",", "")) != "" && g == "" && fam == "" && !onlyHonorifics(words) {
			t.Fatalf("SplitName(%q) lost the whole name", s)
		}
		if utf8.ValidString(s) && (!utf8.ValidString(g) || !utf8.ValidString(fam)) {
			t.Fatalf("SplitName(%q) = %q, %q: invalid UTF-8", s, g, fam)
		}
	})
}

func onlyHonorifics(words []string) bool {
	for _, w := range words {
		if !honorifics[strings.ToLower(strings.TrimSuffix(w, "."))] && !isNameSuffix(w) {
			return false
		}
	}
	return true
}

// TestCompileWholeName maps a whole-name column into first and last name.
func TestCompileWholeName(t *testing.T) {
	m := schemas.Default().Module("people")
	header := []string{"Full Name", "Email"}
	rows := [][]string{{"Ana García", "ana@example.com"}, {"van der Berg, Jan", "jan@example.com"}, {"Cher", "cher@example.com"}, {"", "x@example.com"}}
	mp := FromSuggestions(Suggest(header, rows, m), Medium)
	if got, _ := mp.Target(0); got != (Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}) {
		t.Fatalf("Full Name → %s", got)
	}
	mapper, err := Compile(m, mp, header, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"Ana", "García"}, {"Jan", "van der Berg"}, {"", "Cher"}, {"", ""}}
	for i, row := range rows {
		rec, errs, _ := mapper.Apply(i+2, row)
		g, f := rec.Values["first_name"], rec.Values["last_name"]
		if g.Str() != want[i][0] || f.Str() != want[i][1] {
			t.Errorf("row %d %q: first %q, last %q, want %q, %q", i+2, row[0], g.Str(), f.Str(), want[i][0], want[i][1])
		}
		// last_name is required: an empty whole name is a row error.
		if (len(errs) > 0) != (want[i][1] == "") {
			t.Errorf("row %d: errors %v", i+2, errs)
		}
	}
	// The mapping says where each half goes, and round-trips as JSON.
	bad := []Mapping{
		{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "first_name", Role: RoleWholeName}}}},
		{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "first_name", Family: "first_name", Role: RoleWholeName}}}},
		{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "first_name", Family: "email", Role: RoleWholeName}}}},
		{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "first_name", Family: "nope", Role: RoleWholeName}}}},
		{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}},
			{Column: 1, Target: Target{Field: "last_name"}}}},
	}
	for i, b := range bad {
		if _, err := Compile(m, b, header, nil, nil); err == nil {
			t.Errorf("mapping %d compiled: %+v", i, b)
		}
	}
}

func ExampleSplitName() {
	for _, name := range []string{"Ana García", "García, Ana", "Jan van der Berg", "María de la Cruz", "Martin Luther King Jr."} {
		given, family := SplitName(name)
		fmt.Printf("%-24s given %q, family %q\n", name, given, family)
	}
	// Output:
	// Ana García               given "Ana", family "García"
	// García, Ana              given "Ana", family "García"
	// Jan van der Berg         given "Jan", family "van der Berg"
	// María de la Cruz         given "María", family "de la Cruz"
	// Martin Luther King Jr.   given "Martin Luther", family "King Jr."
}
