package similarity

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		// Winkler's and Wikipedia's worked examples.
		{"MARTHA", "MARHTA", 0.961},
		{"DWAYNE", "DUANE", 0.840},
		{"DIXON", "DICKSONX", 0.813},
		{"CRATE", "TRACE", 0.733},
		// Edge cases.
		{"", "", 1},
		{"", "a", 0},
		{"a", "", 0},
		{"a", "a", 1},
		{"ab", "ba", 0}, // a window of 0: transposed neighbours do not match
		{"abc", "xyz", 0},
		{"john smith", "john smith", 1},
		// Names as the FuzzyMatcher sees them.
		{"jon smith", "john smith", 0.973},
		{"jane smith", "john smith", 0.880},
		// Runes, not bytes: é is one rune, so this is one substitution.
		{"rené", "rene", 0.883},
		{"zoë", "zoe", 0.822},
		{"Łukasz", "Lukasz", 0.889},
		// Column titles as the mapping suggester sees them: near misses
		// and titles that only look alike.
		{"emial", "email", 0.947},
		{"frist name", "first name", 0.970},
		{"email domain", "email address", 0.831},
		{"straße", "strasse", 0.910},
		// Longer than the stack buffers.
		{strings.Repeat("ab", 50), strings.Repeat("ab", 50), 1},
		{strings.Repeat("a", 100) + "x", strings.Repeat("a", 100) + "y", 0.996},
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tt.a, tt.b, got, tt.want)
		}
		if back := JaroWinkler(tt.b, tt.a); back != got {
			t.Errorf("JaroWinkler(%q, %q) = %v but the other way round %v", tt.a, tt.b, got, back)
		}
	}
}

func FuzzJaroWinkler(f *testing.F) {
	for _, seed := range [][2]string{
		{"MARTHA", "MARHTA"}, {"DWAYNE", "DUANE"}, {"", ""}, {"a", ""},
		{"rené", "rene"}, {"\xff\xfe", "\xff"}, {strings.Repeat("ab", 40), strings.Repeat("ba", 40)},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if utf8.RuneCountInString(a) > 1000 || utf8.RuneCountInString(b) > 1000 {
			return // quadratic in the worst case; names are short
		}
		s := JaroWinkler(a, b)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("JaroWinkler(%q, %q) = %v, outside [0, 1]", a, b, s)
		}
		if same := JaroWinkler(a, a); same != 1 {
			t.Fatalf("JaroWinkler(%q, itself) = %v, want 1", a, same)
		}
		if s == 1 && string([]rune(a)) != string([]rune(b)) {
			t.Fatalf("JaroWinkler(%q, %q) = 1 for different strings", a, b)
		}
	})
}

func BenchmarkJaroWinkler(b *testing.B) {
	pairs := [][2]string{
		{"jon smith", "john smith"},
		{"margaret o'brien", "margret obrien"},
		{"dwayne johnson", "duane johnson"},
		{"zoë müller", "zoe mueller"},
	}
	b.ReportAllocs()
	var sink float64
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		sink += JaroWinkler(p[0], p[1])
	}
	_ = sink
}
