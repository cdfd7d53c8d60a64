package dedupe

import "github.com/crmio/crmio/internal/similarity"

// JaroWinkler returns the Jaro-Winkler similarity of a and b, from 0 (nothing
// in common) to 1 (equal), comparing runes exactly: normalize first (the
// FuzzyMatcher compares crmio.TextKey forms).
//
// It is the standard definition: the Jaro similarity counts the runes that
// match within a window of half the longer string's length and the
// transpositions among them; the Winkler step raises it by 0.1 for each rune
// of common prefix, up to four. So JaroWinkler("MARTHA", "MARHTA") is about
// 0.961 and JaroWinkler("DWAYNE", "DUANE") 0.84. Two empty strings are equal
// (1); an empty string and another are not alike at all (0).
//
// The cost grows with len(a)·len(b) in the worst case: callers comparing
// untrusted text should bound its length, as FuzzyMatcher does.
func JaroWinkler(a, b string) float64 { return similarity.JaroWinkler(a, b) }
