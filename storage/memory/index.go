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
// one maps the key's 64-bit hash to that record's counter, a map without
// pointers that the garbage collector never scans, whatever its size. A
// lookup checks the candidate by recomputing the match keys of its stored
// value, so that two keys sharing a hash can never be confused.
//
// Hashes held by two or more records (a company many people work at, or
// two keys that collide) are in many instead, which groups the records by
// key, with the key, so that a lookup of a shared key need not decode
// every record holding it. A hash is in one or in many, never both.
type fieldIndex struct {
	field string
	one   map[uint64]uint64
	many  map[uint64][]keyGroup
}

// keyGroup is the records of one key, by counter (the store's id order).
type keyGroup struct {
	key  string
	seqs []uint64
}

func newFieldIndex(field string) *fieldIndex {
	return &fieldIndex{field: field, one: make(map[uint64]uint64), many: make(map[uint64][]keyGroup)}
}

// keysOf appends to dst the match keys of the field of the record of
// counter seq.
func (idx *fieldIndex) keysOf(dst []string, st *state, m *module, seq uint64) []string {
	i, found := slices.BinarySearchFunc(m.order, seq, bySeq)
	if !found {
		return dst
	}
	v, ok := st.codec.field(m.arena.bytes(m.order[i].at), idx.field)
	if !ok {
		return dst
	}
	return appendKeys(dst, v)
}

// add records that the record of counter seq has key.
func (idx *fieldIndex) add(st *state, m *module, key string, seq uint64) {
	h := hashKey(st.seed, key)
	if groups, ok := idx.many[h]; ok {
		idx.many[h] = addToGroups(groups, key, seq)
		return
	}
	s0, ok := idx.one[h]
	switch {
	case !ok:
		idx.one[h] = seq
		return
	case s0 == seq:
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
	delete(idx.one, h)
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
	h := hashKey(st.seed, key)
	if groups, ok := idx.many[h]; ok {
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
		case len(groups) == 1 && len(groups[0].seqs) == 1:
			// Back to one record: forget the key.
			delete(idx.many, h)
			idx.one[h] = groups[0].seqs[0]
		default:
			idx.many[h] = groups
		}
		return
	}
	if s0, ok := idx.one[h]; ok && s0 == seq {
		for _, k := range still {
			if k != key && hashKey(st.seed, k) == h {
				return // the record keeps another key of this hash
			}
		}
		delete(idx.one, h)
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
	var hits []hit
	var scratch []string
	total := 0
	for _, k := range keys {
		h := hashKey(st.seed, k)
		if s0, ok := idx.one[h]; ok {
			scratch = idx.keysOf(scratch[:0], st, m, s0)
			if slices.Contains(scratch, k) {
				hits = append(hits, hit{key: k, one: s0})
				total++
			}
			continue
		}
		for _, g := range idx.many[h] {
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
