package memory

import "iter"

// table maps 64-bit hashes to non-zero 64-bit values: a flat hash table
// with open addressing and linear probing, for the match-key indexes,
// whose single-record entries make up most of a store's index memory.
//
// It is built for what a Go map of a million entries does badly: a probe
// reads one slot, usually in one cache line (four slots to a line), where a
// map's probe reads a control word and then a slot elsewhere; and it holds
// no pointer, so the garbage collector never scans it.
//
// The slot of a hash is its low bits, then the next free one (so hashes
// must be well mixed in their low bits, as maphash's are). A value of 0
// marks a free slot. Deletion shifts the rest of a probe chain back rather
// than leaving tombstones, so a table that sees many deletions never fills
// up with them. The table doubles when it is half full, so that a probe
// for a hash that is not there (what most lookups of an import are, and
// every insert of a new key) passes about two slots, usually within a
// cache line; it halves when it is an eighth full.
type table struct {
	slots []slot // a power of two of them, or none
	n     int    // slots in use
}

type slot struct {
	hash uint64
	val  uint64 // 0: free
}

const minTableSize = 8

// find returns the position of h's slot, and whether it is in use: if not,
// the position is the free slot where h would go, for fill.
func (t *table) find(h uint64) (int, bool) {
	if len(t.slots) == 0 {
		t.slots = make([]slot, minTableSize)
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.val == 0 {
			return int(i), false
		}
		if s.hash == h {
			return int(i), true
		}
	}
}

// get returns the value of h.
func (t *table) get(h uint64) (uint64, bool) {
	if t.n == 0 {
		return 0, false
	}
	i, ok := t.find(h)
	return t.slots[i].val, ok
}

// put sets the value of h; v must not be 0.
func (t *table) put(h, v uint64) {
	i, ok := t.find(h)
	if ok {
		t.slots[i].val = v
		return
	}
	t.fill(i, h, v)
}

// fill puts h in the free slot i that find returned for it (valid until
// the table next changes), growing the table if it is then too full.
func (t *table) fill(i int, h, v uint64) {
	t.slots[i] = slot{hash: h, val: v}
	t.n++
	if 2*t.n > len(t.slots) {
		t.resize(2 * len(t.slots))
	}
}

// resize moves every entry into a new array of size slots.
func (t *table) resize(size int) {
	old := t.slots
	t.slots = make([]slot, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.val == 0 {
			continue
		}
		i := s.hash & mask
		for t.slots[i].val != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// delete removes h, if it is there.
func (t *table) delete(h uint64) {
	if t.n == 0 {
		return
	}
	i, ok := t.find(h)
	if ok {
		t.deleteAt(i)
	}
}

// deleteAt frees slot i, which is in use, and moves back the entries
// after it in its chain that would not be found past a free slot: an
// entry moves into the hole unless its home slot lies cyclically after
// the hole and at or before the entry's own slot.
func (t *table) deleteAt(i int) {
	mask := len(t.slots) - 1
	hole := i
	for j := (hole + 1) & mask; t.slots[j].val != 0; j = (j + 1) & mask {
		home := int(t.slots[j].hash) & mask
		// Distances walking forward: from the entry's home to it, and
		// from the hole to it. The entry may fill the hole when its home
		// is not strictly between them (cyclically).
		if (j-home)&mask >= (j-hole)&mask {
			t.slots[hole] = t.slots[j]
			hole = j
		}
	}
	t.slots[hole] = slot{}
	t.n--
	if t.n == 0 {
		t.slots = nil
	} else if len(t.slots) > minTableSize && 8*t.n < len(t.slots) {
		t.resize(len(t.slots) / 2)
	}
}

// all yields every entry, in no particular order. The table must not be
// changed meanwhile.
func (t *table) all() iter.Seq2[uint64, uint64] {
	return func(yield func(h, v uint64) bool) {
		for _, s := range t.slots {
			if s.val != 0 && !yield(s.hash, s.val) {
				return
			}
		}
	}
}

// len returns the number of entries.
func (t *table) len() int { return t.n }
