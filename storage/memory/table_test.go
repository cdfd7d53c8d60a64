package memory

import (
	"math/rand/v2"
	"testing"
)

// checkTable checks the table's own rules: every entry can be found from
// its home slot without crossing a free slot, no hash is there twice, the
// count is right and the table is not too full.
func checkTable(t *testing.T, tb *table) {
	t.Helper()
	mask := len(tb.slots) - 1
	if len(tb.slots)&mask != 0 {
		t.Fatalf("table of %d slots, not a power of two", len(tb.slots))
	}
	seen := map[uint64]bool{}
	for j, s := range tb.slots {
		if s.val == 0 {
			continue
		}
		if seen[s.hash] {
			t.Errorf("hash %x twice", s.hash)
		}
		seen[s.hash] = true
		for i := int(s.hash) & mask; i != j; i = (i + 1) & mask {
			if tb.slots[i].val == 0 {
				t.Errorf("hash %x at slot %d is past free slot %d", s.hash, j, i)
				break
			}
		}
	}
	if len(seen) != tb.n {
		t.Errorf("%d entries, counted %d", len(seen), tb.n)
	}
	if 2*tb.n > len(tb.slots) {
		t.Errorf("%d entries in %d slots", tb.n, len(tb.slots))
	}
	if tb.n == 0 && tb.slots != nil {
		t.Errorf("empty table keeps %d slots", len(tb.slots))
	}
}

// checkAgainst checks that tb holds exactly what want does.
func checkAgainst(t *testing.T, tb *table, want map[uint64]uint64) {
	t.Helper()
	checkTable(t, tb)
	if tb.len() != len(want) {
		t.Fatalf("table has %d entries, want %d", tb.len(), len(want))
	}
	for h, v := range want {
		if got, ok := tb.get(h); !ok || got != v {
			t.Fatalf("get(%x) = %d, %v; want %d", h, got, ok, v)
		}
	}
	n := 0
	for h, v := range tb.all() {
		n++
		if want[h] != v {
			t.Fatalf("all yields %x: %d, want %d", h, v, want[h])
		}
	}
	if n != len(want) {
		t.Fatalf("all yields %d entries, want %d", n, len(want))
	}
}

// tableAgainstMap runs random puts, overwrites and deletes, with hashes
// drawn by hash from a small or large range, against a map.
func tableAgainstMap(t *testing.T, rng *rand.Rand, steps int, hash func() uint64) {
	var tb table
	want := map[uint64]uint64{}
	for step := range steps {
		h := hash()
		switch rng.IntN(3) {
		case 0, 1:
			v := 1 + rng.Uint64N(shared)
			tb.put(h, v)
			want[h] = v
		default:
			tb.delete(h)
			delete(want, h)
		}
		if _, ok := tb.get(h); ok != (want[h] != 0) {
			t.Fatalf("step %d: get(%x) found %v", step, h, ok)
		}
		if step%97 == 0 || steps < 1000 {
			checkAgainst(t, &tb, want)
		}
	}
	checkAgainst(t, &tb, want)
	for h := range want {
		tb.delete(h)
		delete(want, h)
		if len(want)%31 == 0 {
			checkAgainst(t, &tb, want)
		}
	}
	checkAgainst(t, &tb, want)
}

func TestTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for name, hash := range map[string]func() uint64{
		// Well mixed hashes, as maphash makes, few enough to repeat.
		"random": func() uint64 { return rng.Uint64N(5000) * 0x9e3779b97f4a7c15 },
		// Low bits that collide: long probe chains, deletions in their
		// middle, growth while colliding, chains that wrap around the
		// end of the array.
		"one slot":   func() uint64 { return rng.Uint64N(400) << 40 },
		"last slots": func() uint64 { return rng.Uint64N(400)<<40 | 0xffff_ffff - rng.Uint64N(3) },
		"few slots":  func() uint64 { return rng.Uint64N(400)<<40 | rng.Uint64N(4) },
		"adjacent":   func() uint64 { return rng.Uint64N(3000) },
	} {
		t.Run(name, func(t *testing.T) {
			tableAgainstMap(t, rng, 20000, hash)
		})
	}
}

// The table grows past the sizes the other tests reach, and shrinks back.
func TestTableGrowShrink(t *testing.T) {
	var tb table
	const n = 100_000
	for i := range uint64(n) {
		tb.put(i*0x9e3779b97f4a7c15, i+1)
	}
	if tb.len() != n || len(tb.slots) < 2*n {
		t.Fatalf("%d entries in %d slots", tb.len(), len(tb.slots))
	}
	for i := range uint64(n) {
		if v, ok := tb.get(i * 0x9e3779b97f4a7c15); !ok || v != i+1 {
			t.Fatalf("get(%d) = %d, %v", i, v, ok)
		}
	}
	checkTable(t, &tb)
	for i := range uint64(n - 10) {
		tb.delete(i * 0x9e3779b97f4a7c15)
	}
	checkTable(t, &tb)
	if len(tb.slots) > 64 {
		t.Errorf("10 entries left in %d slots", len(tb.slots))
	}
	for i := uint64(n - 10); i < n; i++ {
		if v, ok := tb.get(i * 0x9e3779b97f4a7c15); !ok || v != i+1 {
			t.Fatalf("get(%d) = %d, %v", i, v, ok)
		}
	}
}

// FuzzTable runs the operations a byte string spells against a map: each
// three bytes put, overwrite or delete one of a few hashes, whose low bits
// collide often.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0, 1, 2, 0, 9, 2, 1, 1, 0})
	f.Add([]byte{0, 0, 1, 0, 8, 1, 0, 16, 1, 2, 0, 0, 0, 24, 1, 2, 8, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var tb table
		want := map[uint64]uint64{}
		for i := 0; i+2 < len(ops); i += 3 {
			// The hash's low byte picks the home slot, its high byte
			// tells hashes of one home apart.
			h := uint64(ops[i+1]&0x0f)<<56 | uint64(ops[i+1]>>4)
			switch ops[i] % 3 {
			case 0, 1:
				v := uint64(ops[i+2]) + 1
				tb.put(h, v)
				want[h] = v
			default:
				tb.delete(h)
				delete(want, h)
			}
			checkAgainst(t, &tb, want)
		}
	})
}

// mix is splitmix64's finalizer: well-mixed hashes of counters.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// benchTable fills a table of a million well-mixed hashes (bigger than the
// caches, as an import's index is) and looks up hashes that are there, or
// that are not, in random order.
func benchTable(b *testing.B, present bool) {
	const n = 1 << 20
	var tb table
	for i := range uint64(n) {
		tb.put(mix(i), i+1)
	}
	load := float64(tb.len()) / float64(len(tb.slots))
	b.ResetTimer()
	found := 0
	for i := 0; i < b.N; i++ {
		k := uint64(i) * 0x9e3779b97f4a7c15 % n
		if !present {
			k += n
		}
		if _, ok := tb.get(mix(k)); ok {
			found++
		}
	}
	if present && found != b.N || !present && found != 0 {
		b.Fatal("wrong")
	}
	b.ReportMetric(load, "load")
}

func BenchmarkTableHit(b *testing.B)  { benchTable(b, true) }
func BenchmarkTableMiss(b *testing.B) { benchTable(b, false) }

// BenchmarkTableFill fills a table with batches of 1,000 new hashes, as an
// import's inserts do.
func BenchmarkTableFill(b *testing.B) {
	var tb table
	hs := make([]uint64, 1000)
	for i := 0; i < b.N; i++ {
		for j := range hs {
			hs[j] = mix(uint64(i*len(hs) + j))
		}
		for j, h := range hs {
			if k, ok := tb.find(h); !ok {
				tb.fill(k, h, uint64(j+1))
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(hs)), "ns/hash")
}
