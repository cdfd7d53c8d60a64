package memory

import (
	"slices"

	"github.com/crmio/crmio"
)

// fieldIndex maps a match key to the records whose field has a value with
// that key, sorted by counter (the store's id order). Most keys of the
// fields people look up (emails, phones, names) belong to one record, so
// lists stay short and sorted inserts and removals are cheap.
type fieldIndex map[string][]*record

// append adds r at the end of key's list; r must come after every record
// already there, as a newly inserted record does.
func (idx fieldIndex) append(key string, r *record) {
	idx[key] = append(idx[key], r)
}

// add inserts r into key's list at its place.
func (idx fieldIndex) add(key string, r *record) {
	list := idx[key]
	i, found := slices.BinarySearchFunc(list, r.seq, bySeq)
	if !found {
		idx[key] = slices.Insert(list, i, r)
	}
}

// remove takes r out of key's list, dropping the key when the list empties.
func (idx fieldIndex) remove(key string, r *record) {
	list := idx[key]
	i, found := slices.BinarySearchFunc(list, r.seq, bySeq)
	if !found {
		return
	}
	if len(list) == 1 {
		delete(idx, key)
		return
	}
	idx[key] = slices.Delete(list, i, i+1)
}

func bySeq(r *record, seq uint64) int {
	switch {
	case r.seq < seq:
		return -1
	case r.seq > seq:
		return 1
	}
	return 0
}

// lookup returns the ids of each key that matches, all sharing one
// allocation.
func (idx fieldIndex) lookup(keys []string) map[string][]string {
	total, found := 0, 0
	for _, k := range keys {
		if list, ok := idx[k]; ok {
			total += len(list)
			found++
		}
	}
	out := make(map[string][]string, found)
	if found == 0 {
		return out
	}
	ids := make([]string, total)
	for _, k := range keys {
		list, ok := idx[k]
		if !ok {
			continue
		}
		if _, dup := out[k]; dup {
			continue
		}
		part := ids[:len(list):len(list)]
		ids = ids[len(list):]
		for i, r := range list {
			part[i] = r.id
		}
		out[k] = part
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
