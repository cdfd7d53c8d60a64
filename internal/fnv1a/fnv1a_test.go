package fnv1a

import (
	"hash/fnv"
	"testing"
)

// TestMatchesHashFNV: the hashes are hash/fnv's New64a, byte for byte.
func TestMatchesHashFNV(t *testing.T) {
	for _, s := range []string{"", "a", "foobar", "Zoë Ørsted", "people\x00email"} {
		want := fnv.New64a()
		want.Write([]byte(s))
		if got := String(Offset, s); got != want.Sum64() {
			t.Errorf("String(%q) = %#x, hash/fnv %#x", s, got, want.Sum64())
		}
		h := Offset
		for i := 0; i < len(s); i++ {
			h = Byte(h, s[i])
		}
		if h != want.Sum64() {
			t.Errorf("Byte over %q = %#x, hash/fnv %#x", s, h, want.Sum64())
		}
	}
	if got := String(Offset, "a"); got != 0xaf63dc4c8601ec8c {
		t.Errorf(`String("a") = %#x, the published vector is 0xaf63dc4c8601ec8c`, got)
	}
}
