package memory

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// search agrees with a binary search on orders of every density.
func TestSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		var m module
		seq := uint64(rng.IntN(3))
		gap := 1 + rng.IntN(4)
		for range rng.IntN(300) {
			if rng.IntN(20) == 0 {
				gap = 1 + rng.IntN(1+rng.IntN(1000))
			}
			seq += 1 + uint64(rng.IntN(gap))
			m.order = append(m.order, record{seq: seq})
		}
		for probe := range seq + 3 {
			wi, wf := slices.BinarySearchFunc(m.order, probe, bySeq)
			if gi, gf := m.search(probe); gi != wi || gf != wf {
				t.Fatalf("search(%d) = %d, %v; want %d, %v (order %v)", probe, gi, gf, wi, wf, m.order)
			}
		}
	}
}
