package mapping

import "unicode/utf8"

// jaroWinkler returns the Jaro-Winkler similarity of a and b in [0, 1]:
// 1 for equal strings, near 1 for near misses ("Emial" and "Email").
// It compares runes, and allocates only for strings longer than 64 runes.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var ra, rb [64]rune
	x, y := toRunes(a, ra[:0]), toRunes(b, rb[:0])
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	window := len(y)/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [64]bool
	matchedX, matchedY := fa[:0], fb[:0]
	if len(y) > 64 {
		matchedX, matchedY = make([]bool, 0, len(x)), make([]bool, 0, len(y))
	}
	matchedX, matchedY = matchedX[:len(x)], matchedY[:len(y)]
	matches := 0
	for i, r := range x {
		lo, hi := max(0, i-window), min(len(y), i+window+1)
		for j := lo; j < hi; j++ {
			if !matchedY[j] && y[j] == r {
				matchedX[i], matchedY[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, j := 0, 0
	for i := range x {
		if !matchedX[i] {
			continue
		}
		for !matchedY[j] {
			j++
		}
		if x[i] != y[j] {
			transpositions++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(len(x)) + m/float64(len(y)) + (m-float64(transpositions/2))/m) / 3
	prefix := 0
	for prefix < 4 && prefix < len(x) && x[prefix] == y[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func toRunes(s string, buf []rune) []rune {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			buf = append(buf, rune(c))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		buf = append(buf, r)
		i += size
	}
	return buf
}
