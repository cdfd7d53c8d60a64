package guard

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestFormulaFormsComplete checks formulaForm's list against the Unicode
// tables: every character whose compatibility form is a formula character
// (or the minus sign) is in it, and nothing else is.
func TestFormulaFormsComplete(t *testing.T) {
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		nfkc := norm.NFKC.String(s)
		want := nfkc == "=" || nfkc == "+" || nfkc == "-" || nfkc == "@" || nfkc == "\u2212"
		if got := formulaForm(s + "1"); got != want {
			t.Errorf("formulaForm(%U %q) = %v; its NFKC form is %q", r, s, got, nfkc)
		}
	}
}

func TestDangerous(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"=1+1", true}, {"＝1+1", true}, {"﹦1", true}, {"＋cmd|' /C calc'!A0", true}, {"－1+1", true},
		{"＠SUM(A1)", true}, {"−1", true}, {"⁼1", true}, {"\t=1", true}, {"\r=1", true},
		{"+1 415 555 0102", false}, {"-12.5", false}, {"Zoë", false}, {"", false}, {" =1", false},
		{"'=1", false}, {"\xff=1", false}, {"é=1", false},
	} {
		if got := Dangerous(c.in); got != c.want {
			t.Errorf("Dangerous(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestNeutralizeStrip(t *testing.T) {
	for _, c := range []struct{ in, guarded string }{
		{"=1+1", "'=1+1"},
		{"＝1+1", "'＝1+1"},
		{"'=1+1", "''=1+1"}, // already quoted: one more, so that Strip gives it back
		{"''@x", "'''@x"},
		{"'quoted'", "'quoted'"},
		{"'", "'"},
		{"-12.5", "-12.5"},
		{"plain", "plain"},
	} {
		if got := Neutralize(c.in); got != c.guarded {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, c.guarded)
		}
		if got := Strip(c.guarded); got != c.in {
			t.Errorf("Strip(%q) = %q, want %q", c.guarded, got, c.in)
		}
		if Guarded(c.guarded) != (c.guarded != c.in) {
			t.Errorf("Guarded(%q) = %v", c.guarded, Guarded(c.guarded))
		}
	}
}

// FuzzGuard: a neutralized text never runs as a formula, and Strip gives
// back exactly what Neutralize was given.
func FuzzGuard(f *testing.F) {
	for _, s := range []string{"=1+1", "+1 415 555 0102", "-12.5", "@x", "\t", "plain", "", "'=1", "＝1", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Neutralize(s)
		if Dangerous(n) {
			t.Errorf("Neutralize(%q) = %q is still dangerous", s, n)
		}
		if n != s && n != "'"+s {
			t.Errorf("Neutralize(%q) = %q changed more than a prefix", s, n)
		}
		if back := Strip(n); back != s {
			t.Errorf("Strip(Neutralize(%q)) = %q", s, back)
		}
		if Dangerous(s) && n == s {
			t.Errorf("%q left as is", s)
		}
	})
}
