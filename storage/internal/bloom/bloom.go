package bloom

import (
	"hash/maphash"
	"math/bits"
)

const (
	bitsPerString = 12     // bits of a layer per string of its capacity
	probes        = 8      // bits set and tested per string
	firstCapacity = 16_384 // strings of the first layer: 24 KiB
	growth        = 4      // each layer holds this many times the strings of the one before
	blockBits     = 512    // a block is a cache line
)

// Filter is a Bloom filter of strings. The zero Filter is empty and
// ready to use. A Filter is not safe for concurrent use.
type Filter struct {
	seed   maphash.Seed
	seeded bool
	layers []layer
	n      int
}

// layer is one blocked Bloom filter of a fixed capacity.
type layer struct {
	blocks   [][blockBits / 64]uint64
	n, limit int
}

func newLayer(capacity int) layer {
	blocks := (capacity*bitsPerString + blockBits - 1) / blockBits
	return layer{blocks: make([][blockBits / 64]uint64, blocks), limit: capacity}
}

// hash hashes s with the filter's seed, made on first use.
func (f *Filter) hash(s string) uint64 {
	if !f.seeded {
		f.seed, f.seeded = maphash.MakeSeed(), true
	}
	return maphash.String(f.seed, s)
}

// Add adds s.
func (f *Filter) Add(s string) {
	h := f.hash(s)
	if len(f.layers) == 0 || f.layers[len(f.layers)-1].n >= f.layers[len(f.layers)-1].limit {
		capacity := firstCapacity
		if len(f.layers) > 0 {
			capacity = growth * f.layers[len(f.layers)-1].limit
		}
		f.layers = append(f.layers, newLayer(capacity))
	}
	l := &f.layers[len(f.layers)-1]
	b, h1, h2 := l.locate(h)
	for i := range uint32(probes) {
		bit := (h1 + i*h2) % blockBits
		b[bit/64] |= 1 << (bit % 64)
	}
	l.n++
	f.n++
}

// MayContain reports whether s may have been added: true for every string
// that was, and for a few that were not.
func (f *Filter) MayContain(s string) bool {
	if f.n == 0 {
		return false
	}
	h := f.hash(s)
	for i := range f.layers {
		if f.layers[i].has(h) {
			return true
		}
	}
	return false
}

// Len returns how many strings were added (a string added twice counts
// twice).
func (f *Filter) Len() int { return f.n }

// Size returns the bytes of the filter's bits.
func (f *Filter) Size() int {
	n := 0
	for _, l := range f.layers {
		n += len(l.blocks) * blockBits / 8
	}
	return n
}

func (l *layer) has(h uint64) bool {
	b, h1, h2 := l.locate(h)
	for i := range uint32(probes) {
		bit := (h1 + i*h2) % blockBits
		if b[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// locate returns the block of h and the two hashes its probes are made
// of. The block comes from the high half of h (by multiplication, not
// modulo), the probes from the low half and a rotation that mixes the
// two; h2 is odd, so that the probes differ.
func (l *layer) locate(h uint64) (b *[blockBits / 64]uint64, h1, h2 uint32) {
	i := (h >> 32) * uint64(len(l.blocks)) >> 32
	return &l.blocks[i], uint32(h), uint32(bits.RotateLeft64(h, 21)) | 1
}
