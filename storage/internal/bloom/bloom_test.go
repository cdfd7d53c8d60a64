package bloom

import (
	"fmt"
	"strconv"
	"testing"
)

func TestNoFalseNegatives(t *testing.T) {
	var f Filter
	if f.MayContain("a") {
		t.Fatal("an empty filter may contain a string")
	}
	const n = 200_000 // past several layers
	for i := range n {
		f.Add("p" + strconv.Itoa(i) + "@example.com")
	}
	for i := range n {
		if s := "p" + strconv.Itoa(i) + "@example.com"; !f.MayContain(s) {
			t.Fatalf("MayContain(%q) = false after Add", s)
		}
	}
	if f.Len() != n {
		t.Errorf("Len() = %d, want %d", f.Len(), n)
	}
	if len(f.layers) < 3 {
		t.Errorf("%d layers for %d strings: the filter did not grow", len(f.layers), n)
	}
	// 12 bits a string, however the layers fell: at most growth times that.
	if max := growth * n * bitsPerString / 8; f.Size() > max {
		t.Errorf("Size() = %d bytes, want at most %d", f.Size(), max)
	}
}

// TestFalsePositives checks the share of false "maybe"s of a full layer
// and of a filter of many layers.
func TestFalsePositives(t *testing.T) {
	for _, n := range []int{firstCapacity, 100_000, 1_000_000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var f Filter
			for i := range n {
				f.Add(fmt.Sprintf("key %d", i))
			}
			const tries = 100_000
			fp := 0
			for i := range tries {
				if f.MayContain(fmt.Sprintf("other %d", i)) {
					fp++
				}
			}
			rate := float64(fp) / tries
			t.Logf("%d strings in %d layers, %d bytes: %.2f%% false positives", n, len(f.layers), f.Size(), 100*rate)
			// A layer answers about 0.5% wrongly; the filter at most the sum.
			if limit := 0.01 * float64(len(f.layers)); rate > limit {
				t.Errorf("false positive rate %.3f, want at most %.3f", rate, limit)
			}
		})
	}
}

func TestEmptyString(t *testing.T) {
	var f Filter
	f.Add("")
	if !f.MayContain("") {
		t.Error(`MayContain("") = false after Add("")`)
	}
}

func BenchmarkAdd(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("p%d@work%d.example.com", i, i%7)
	}
	var f Filter
	i := 0
	for b.Loop() {
		if f.Len() == 1_000_000 { // a filter the size of a large import's
			f = Filter{}
		}
		f.Add(keys[i&(len(keys)-1)])
		i++
	}
}

func BenchmarkMayContain(b *testing.B) {
	var f Filter
	for i := range 1_000_000 {
		f.Add(fmt.Sprintf("p%d@work%d.example.com", i, i%7))
	}
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("q%d@work%d.example.com", i, i%7)
	}
	i := 0
	for b.Loop() {
		f.MayContain(keys[i&(len(keys)-1)])
		i++
	}
}
