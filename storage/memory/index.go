package memory

import (
	"hash/maphash"
	"slices"
	"strings"

	"github.com/crmio/crmio"
)

// hashKey hashes a match key. It is a variable so that tests can make keys
// collide.
var hashKey = func(seed maphash.Seed, key string) uint64 { return maphash.String(seed, key) }

// fieldIndex maps the match keys of one field to the records whose value
// (any item, for a list) has that key, by record counter.
//
// It keeps no key strings for the common case, a key held by one record:
// hashes maps the key's 64-bit hash to that record's counter, in a flat
// table without pointers (see table) that the garbage collector never
// scans, whatever its size, and where a probe is usually one cache miss. A
// lookup checks the candidate by recomputing the match keys of its stored
// value, so that two keys sharing a hash can never be confused.
//
// Hashes held by two or more records (a company many people work at, or
// two keys that collide) map to shared in hashes, and are in many, which
// groups the records by key, with the key, so that a lookup of a shared
// key need not decode every record holding it. So every hash of the index
// is in hashes, and a hash that is not there needs no other look.
type fieldIndex struct {
	field string
	// sym is the field's number in the codec's symbol table, known (ok)
	// once a record with the field is indexed. It is set under the
	// exclusive lock, before the first entry, so readers of entries may
	// read it under the shared lock.
	sym   uint32
	symOK bool

	hashes table
	many   map[uint64][]keyGroup
}

// shared is the value in hashes of a hash held by several records. No
// counter reaches it.
const shared = 1 << 63

// keyGroup is the records of one key, by counter (the store's id order).
type keyGroup struct {
	key  string
	seqs []uint64
}

func newFieldIndex(field string) *fieldIndex {
	return &fieldIndex{field: field, many: make(map[uint64][]keyGroup)}
}

// keysOf appends to dst the match keys of the field of the record of
// counter seq.
func (idx *fieldIndex) keysOf(dst []string, st *state, m *module, seq uint64) []string {
	i, found := m.search(seq)
	if !found {
		return dst
	}
	v, ok := idx.valueIn(st.codec, m.arena.bytes(m.order[i].at))
	if !ok {
		return dst
	}
	return appendKeys(dst, v)
}

// valueIn returns the value of the index's field in the encoding b (see
// codec.field).
func (idx *fieldIndex) valueIn(c *codec, b []byte) (crmio.Value, bool) {
	if idx.symOK {
		return c.fieldByID(b, idx.sym)
	}
	return c.field(b, idx.field)
}

// add records that the record of counter seq has key. The caller holds the
// exclusive lock.
func (idx *fieldIndex) add(st *state, m *module, key string, seq uint64) {
	idx.addHashed(st, m, key, hashKey(st.seed, key), seq)
}

// addHashed is add for a key whose hash is h.
func (idx *fieldIndex) addHashed(st *state, m *module, key string, h, seq uint64) {
	if !idx.symOK {
		idx.sym, idx.symOK = st.codec.syms.Lookup(idx.field)
	}
	i, found := idx.hashes.find(h)
	if !found {
		idx.hashes.fill(i, h, seq)
		return
	}
	s0 := idx.hashes.slots[i].val
	switch s0 {
	case shared:
		idx.many[h] = addToGroups(idx.many[h], key, seq)
		return
	case seq:
		return // the record has another key of this hash; lookups check which
	}
	// A second record: group the records by key. The first one's keys come
	// from its stored value (usually one key has the hash, or two that
	// collide).
	var groups []keyGroup
	for _, k := range idx.keysOf(nil, st, m, s0) {
		if hashKey(st.seed, k) == h {
			groups = addToGroups(groups, k, s0)
		}
	}
	idx.hashes.slots[i].val = shared // keysOf leaves the table alone: i holds
	idx.many[h] = addToGroups(groups, key, seq)
}

// addToGroups adds seq to key's group, in counter order; adding it twice
// changes nothing.
func addToGroups(groups []keyGroup, key string, seq uint64) []keyGroup {
	for i := range groups {
		if g := &groups[i]; g.key == key {
			if j, found := slices.BinarySearch(g.seqs, seq); !found {
				g.seqs = slices.Insert(g.seqs, j, seq)
			}
			return groups
		}
	}
	// The key is kept: it must not alias an arena (keysOf decodes in
	// place), or a caller's string.
	return append(groups, keyGroup{key: strings.Clone(key), seqs: []uint64{seq}})
}

// remove records that the record of counter seq no longer has key; still
// are the keys it keeps in this field (nil when it keeps none).
func (idx *fieldIndex) remove(st *state, key string, seq uint64, still []string) {
	if idx.hashes.len() == 0 {
		return
	}
	h := hashKey(st.seed, key)
	at, found := idx.hashes.find(h)
	if !found {
		return
	}
	if s0 := idx.hashes.slots[at].val; s0 != shared {
		if s0 != seq {
			return
		}
		for _, k := range still {
			if k != key && hashKey(st.seed, k) == h {
				return // the record keeps another key of this hash
			}
		}
		idx.hashes.deleteAt(at)
		return
	}
	groups := idx.many[h]
	i := slices.IndexFunc(groups, func(g keyGroup) bool { return g.key == key })
	if i < 0 {
		return
	}
	g := &groups[i]
	j, found := slices.BinarySearch(g.seqs, seq)
	if !found {
		return
	}
	g.seqs = slices.Delete(g.seqs, j, j+1)
	if len(g.seqs) == 0 {
		groups = slices.Delete(groups, i, i+1)
	}
	switch {
	case len(groups) == 0:
		delete(idx.many, h)
		idx.hashes.deleteAt(at)
	case len(groups) == 1 && len(groups[0].seqs) == 1:
		// Back to one record: forget the key.
		delete(idx.many, h)
		idx.hashes.slots[at].val = groups[0].seqs[0]
	default:
		idx.many[h] = groups
	}
}

// lookup returns the ids of each key that matches, all sharing one
// allocation.
func (idx *fieldIndex) lookup(st *state, m *module, keys []string) map[string][]string {
	type hit struct {
		key  string
		one  uint64   // the record, when it is the only one
		seqs []uint64 // the records, when several hold the key
	}
	// Hash every key, then probe the table for every hash, then check
	// the candidates: probes of a large table are cache misses, which the
	// processor overlaps when nothing else comes between them.
	hs := make([]uint64, 2*len(keys))
	hs, cands := hs[:len(keys)], hs[len(keys):]
	for i, k := range keys {
		hs[i] = hashKey(st.seed, k)
	}
	for i, h := range hs {
		cands[i], _ = idx.hashes.get(h) // 0 when absent
	}
	var hits []hit
	var scratch []string
	total := 0
	for i, k := range keys {
		s0 := cands[i]
		if s0 == 0 {
			continue
		}
		if s0 != shared {
			scratch = idx.keysOf(scratch[:0], st, m, s0)
			if slices.Contains(scratch, k) {
				hits = append(hits, hit{key: k, one: s0})
				total++
			}
			continue
		}
		for _, g := range idx.many[hs[i]] {
			if g.key == k {
				hits = append(hits, hit{key: k, seqs: g.seqs})
				total += len(g.seqs)
				break
			}
		}
	}
	out := make(map[string][]string, len(hits))
	if len(hits) == 0 {
		return out
	}
	buf := make([]byte, 0, total*idWidth)
	ends := make([]int, 0, total)
	for _, h := range hits {
		if h.seqs == nil {
			buf = appendID(buf, h.one)
			ends = append(ends, len(buf))
			continue
		}
		for _, seq := range h.seqs {
			buf = appendID(buf, seq)
			ends = append(ends, len(buf))
		}
	}
	ids := cut(string(buf), ends)
	for _, h := range hits {
		n := max(len(h.seqs), 1)
		if _, dup := out[h.key]; !dup {
			out[h.key] = ids[:n:n]
		}
		ids = ids[n:]
	}
	return out
}

// appendKeys appends the distinct match keys of v to dst: what
// crmio.MatchKeys returns, without its allocation for a single value.
func appendKeys(dst []string, v crmio.Value) []string {
	if v.Kind() != crmio.KindList {
		if k := crmio.MatchKey(v); k != "" {
			dst = append(dst, k)
		}
		return dst
	}
	start := len(dst)
	for _, it := range v.List() {
		if k := crmio.MatchKey(it.Value); k != "" && !slices.Contains(dst[start:], k) {
			dst = append(dst, k)
		}
	}
	return dst
}
