package memory

import (
	"slices"

	"github.com/crmio/crmio"
)

// fieldIndex maps a match key to the records whose field has a value with
// that key, in counter order (the store's id order).
type fieldIndex map[string]posting

// posting is the records of one key. Most keys of the fields people look
// up (emails, phones, names) belong to one record, which one holds without
// an allocation; more holds them all, sorted by counter, once there are
// two or more.
type posting struct {
	one  *record
	more []*record
}

func (p posting) len() int {
	if p.more != nil {
		return len(p.more)
	}
	if p.one != nil {
		return 1
	}
	return 0
}

// append adds r at the end of key's list; r must come after every record
// already there, as a newly inserted record does.
func (idx fieldIndex) append(key string, r *record) {
	p, ok := idx[key]
	switch {
	case !ok:
		idx[key] = posting{one: r}
	case p.more == nil:
		idx[key] = posting{more: []*record{p.one, r}}
	default:
		idx[key] = posting{more: append(p.more, r)}
	}
}

// add inserts r into key's list at its place.
func (idx fieldIndex) add(key string, r *record) {
	p, ok := idx[key]
	switch {
	case !ok:
		idx[key] = posting{one: r}
	case p.more == nil:
		switch {
		case p.one == r:
		case p.one.seq < r.seq:
			idx[key] = posting{more: []*record{p.one, r}}
		default:
			idx[key] = posting{more: []*record{r, p.one}}
		}
	default:
		if i, found := slices.BinarySearchFunc(p.more, r.seq, bySeq); !found {
			idx[key] = posting{more: slices.Insert(p.more, i, r)}
		}
	}
}

// remove takes r out of key's list, dropping the key when the list empties.
func (idx fieldIndex) remove(key string, r *record) {
	p, ok := idx[key]
	switch {
	case !ok:
	case p.more == nil:
		if p.one == r {
			delete(idx, key)
		}
	default:
		i, found := slices.BinarySearchFunc(p.more, r.seq, bySeq)
		switch {
		case !found:
		case len(p.more) == 2:
			idx[key] = posting{one: p.more[1-i]}
		default:
			idx[key] = posting{more: slices.Delete(p.more, i, i+1)}
		}
	}
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
		if p, ok := idx[k]; ok {
			total += p.len()
			found++
		}
	}
	out := make(map[string][]string, found)
	if found == 0 {
		return out
	}
	ids := make([]string, total)
	for _, k := range keys {
		p, ok := idx[k]
		if !ok {
			continue
		}
		if _, dup := out[k]; dup {
			continue
		}
		n := p.len()
		part := ids[:n:n]
		ids = ids[n:]
		if p.more == nil {
			part[0] = p.one.id
		} else {
			for i, r := range p.more {
				part[i] = r.id
			}
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
