package dedupe

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// ErrNoMatchFields is returned by a matcher configured without the fields
// it needs to match on.
var ErrNoMatchFields = errors.New("dedupe: matcher has no fields to match on")

// FieldMatcher finds duplicates by the canonical match keys (crmio.MatchKey)
// of chosen fields: "Bob@Example.com" duplicates "bob@example.com", and
// "(415) 555-0102" duplicates "+14155550102". A multi-value field matches
// on any of its items.
//
// It asks the store at most once per field per batch: the keys of the
// whole batch are gathered, deduplicated and passed to one Store.Lookup,
// so that a SQL store makes one round trip per field whatever the batch
// size. A field no record of the batch has a value for costs no lookup.
// With All, each field after the first is looked up only for the records
// the fields before it matched, so that new records cost the store one
// key each.
//
// Every Candidate it finds has Score 1. When a record duplicates several
// stored records, the ones matching on more fields come first; ties keep
// the order of Fields, then of the record's items, then the store's id
// order as Lookup returns it.
type FieldMatcher struct {
	// Fields are the fields to match on, most telling first: "email",
	// "phone".
	Fields []string
	// All requires a record to match on every field of Fields (the same
	// email and the same phone). By default a match on any one is enough.
	// With All, a record without a value for one of the fields never
	// matches.
	All bool
}

var _ KeyedMatcher = FieldMatcher{}

// Match implements Matcher.
func (m FieldMatcher) Match(ctx context.Context, store storage.Store, module string, batch []crmio.Record) ([]Match, error) {
	if len(m.Fields) == 0 {
		return nil, ErrNoMatchFields
	}
	matches := make([]Match, len(batch))
	for i := range matches {
		matches[i].Earlier = -1
	}
	if len(batch) == 0 {
		return matches, nil
	}

	nf := len(m.Fields)
	// keys[i*nf+f] holds the match keys of record i on field f.
	keys := make([][]string, len(batch)*nf)
	for i, rec := range batch {
		for f, field := range m.Fields {
			keys[i*nf+f] = crmio.MatchKeys(rec.Get(field))
		}
	}
	return m.match(ctx, store, module, matches, keys)
}

// Keys implements KeyedMatcher: the match keys of rec on each of m's
// fields, in the order of Fields.
func (m FieldMatcher) Keys(rec crmio.Record) Keys {
	keys := make(Keys, len(m.Fields))
	for f, field := range m.Fields {
		keys[f] = crmio.MatchKeys(rec.Get(field))
	}
	return keys
}

// MatchKeyed implements KeyedMatcher.
func (m FieldMatcher) MatchKeyed(ctx context.Context, store storage.Store, module string, batch []crmio.Record, keys []Keys) ([]Match, error) {
	if len(m.Fields) == 0 {
		return nil, ErrNoMatchFields
	}
	if len(keys) != len(batch) {
		return nil, fmt.Errorf("dedupe: %d records and %d keys", len(batch), len(keys))
	}
	nf := len(m.Fields)
	flat := make([][]string, len(batch)*nf)
	for i, k := range keys {
		if len(k) != nf {
			return nil, fmt.Errorf("dedupe: record %d has keys for %d fields, want %d (keys made by another matcher?)", i, len(k), nf)
		}
		copy(flat[i*nf:], k)
	}
	matches := make([]Match, len(batch))
	for i := range matches {
		matches[i].Earlier = -1
	}
	return m.match(ctx, store, module, matches, flat)
}

// match finds the matches of records whose keys are keys[i*nf+f].
func (m FieldMatcher) match(ctx context.Context, store storage.Store, module string, matches []Match, keys [][]string) ([]Match, error) {
	nf := len(m.Fields)
	if len(matches) == 0 {
		return matches, nil
	}
	active := make([]bool, len(matches))
	for i := range active {
		has := 0
		for _, k := range keys[i*nf : i*nf+nf] {
			if len(k) > 0 {
				has++
			}
		}
		// A record with no key never matches; with All, a record lacking a
		// key on one field cannot match on every field.
		active[i] = has == nf || (has > 0 && !m.All)
	}

	if m.All {
		if err := m.existingAll(ctx, store, module, matches, keys, active); err != nil {
			return nil, err
		}
	} else {
		if err := m.existingAny(ctx, store, module, matches, keys, active); err != nil {
			return nil, err
		}
	}

	if m.All {
		earlierAll(matches, keys, active, nf)
	} else {
		earlierAny(matches, keys, active, nf)
	}
	return matches, nil
}

// countKeys returns how many keys the records have on field f, so that a
// map of them is sized once (a multi-value field has several per record).
func countKeys(keys [][]string, nf, f int) int {
	n := 0
	for i := f; i < len(keys); i += nf {
		n += len(keys[i])
	}
	return n
}

// lookup asks the store, in one call, for the keys of field of the records
// want selects. It returns nil when there is nothing to ask.
func (m FieldMatcher) lookup(ctx context.Context, store storage.Store, module string, f int, keys [][]string, want func(i int) bool) (map[string][]string, error) {
	nf := len(m.Fields)
	n := len(keys) / nf
	distinct := keySet{seen: make(map[string]struct{}, countKeys(keys, nf, f))}
	for i := range n {
		if want(i) {
			distinct.add(keys[i*nf+f]...)
		}
	}
	if len(distinct.keys) == 0 {
		return nil, nil
	}
	res, err := store.Lookup(ctx, module, m.Fields[f], distinct.keys)
	if err != nil {
		return nil, fmt.Errorf("dedupe: looking up %s.%s: %w", module, m.Fields[f], err)
	}
	return res, nil
}

// existingAny finds the stored records sharing a key with each record on
// any field: one lookup per field.
func (m FieldMatcher) existingAny(ctx context.Context, store storage.Store, module string, matches []Match, keys [][]string, active []bool) error {
	nf := len(m.Fields)
	found := make([]map[string][]string, nf)
	for f := range nf {
		res, err := m.lookup(ctx, store, module, f, keys, func(i int) bool { return active[i] })
		if err != nil {
			return err
		}
		found[f] = res
	}
	var set idSet
	for i := range matches {
		if !active[i] {
			continue
		}
		set.reset()
		for f := range nf {
			for _, k := range keys[i*nf+f] {
				set.add(f, found[f][k]...)
			}
		}
		set.sortByFields()
		matches[i].Existing = set.candidates()
	}
	return nil
}

// existingAll finds the stored records sharing a key with each record on
// every field: the candidates of the first field, narrowed field by field.
// Each field is looked up once, for the records that still have
// candidates, so that new records cost one lookup key, not one per field.
func (m FieldMatcher) existingAll(ctx context.Context, store storage.Store, module string, matches []Match, keys [][]string, active []bool) error {
	nf := len(m.Fields)
	cands := make([][]string, len(matches))
	for f := range nf {
		want := func(i int) bool { return active[i] && (f == 0 || len(cands[i]) > 0) }
		found, err := m.lookup(ctx, store, module, f, keys, want)
		if err != nil {
			return err
		}
		if found == nil {
			return nil // no record has candidates left
		}
		for i := range matches {
			if !want(i) {
				continue
			}
			ids := unionIDs(found, keys[i*nf+f])
			if f == 0 {
				cands[i] = ids
				continue
			}
			cands[i] = intersect(cands[i], ids)
		}
	}
	for i, ids := range cands {
		if len(ids) > 0 {
			matches[i].Existing = make([]Candidate, len(ids))
			for p, id := range ids {
				matches[i].Existing[p] = Candidate{ID: id, Score: 1}
			}
		}
	}
	return nil
}

// unionIDs returns the ids found for keys, each once, in the order found.
// The result may share found's slices: do not modify it.
func unionIDs(found map[string][]string, keys []string) []string {
	if len(keys) == 1 {
		return found[keys[0]]
	}
	var set idSet
	for _, k := range keys {
		set.add(0, found[k]...)
	}
	return set.ids
}

// intersect returns the ids of a that b holds too, in a's order, in a new
// slice.
func intersect(a, b []string) []string {
	kept := make([]string, 0, min(len(a), len(b)))
	if len(a) <= indexAbove || len(b) <= indexAbove {
		for _, id := range a {
			if slices.Contains(b, id) {
				kept = append(kept, id)
			}
		}
		return kept
	}
	in := make(map[string]struct{}, len(b))
	for _, id := range b {
		in[id] = struct{}{}
	}
	for _, id := range a {
		if _, ok := in[id]; ok {
			kept = append(kept, id)
		}
	}
	return kept
}

// earlierAny sets Earlier to the first record of the batch before each one
// that shares a key with it on some field.
func earlierAny(matches []Match, keys [][]string, active []bool, nf int) {
	first := make([]map[string]int, nf)
	for f := range first {
		first[f] = make(map[string]int, countKeys(keys, nf, f))
	}
	for i := range matches {
		if !active[i] {
			continue
		}
		earliest := -1
		for f := range nf {
			for _, k := range keys[i*nf+f] {
				if j, ok := first[f][k]; ok {
					if earliest < 0 || j < earliest {
						earliest = j
					}
				} else {
					first[f][k] = i
				}
			}
		}
		matches[i].Earlier = earliest
	}
}

// earlierAll sets Earlier to the first record of the batch before each one
// that shares a key with it on every field. Records sharing a key on the
// first field are the only ones that can; each is checked on the others.
func earlierAll(matches []Match, keys [][]string, active []bool, nf int) {
	byFirstKey := make(map[string][]int, len(matches))
	var earlier []int
	for i := range matches {
		if !active[i] {
			continue
		}
		earlier = earlier[:0]
		for _, k := range keys[i*nf] {
			earlier = append(earlier, byFirstKey[k]...)
			byFirstKey[k] = append(byFirstKey[k], i)
		}
		if len(keys[i*nf]) > 1 {
			slices.Sort(earlier)
			earlier = slices.Compact(earlier)
		}
	next:
		for _, j := range earlier {
			for f := 1; f < nf; f++ {
				if !sharesKey(keys[j*nf+f], keys[i*nf+f]) {
					continue next
				}
			}
			matches[i].Earlier = j
			break
		}
	}
}

func sharesKey(a, b []string) bool {
	for _, k := range a {
		if slices.Contains(b, k) {
			return true
		}
	}
	return false
}

// keySet gathers distinct keys in the order they first appear, so that the
// keys a store is asked for are deterministic.
type keySet struct {
	seen map[string]struct{}
	keys []string
}

func (s *keySet) add(keys ...string) {
	if s.seen == nil {
		s.seen = make(map[string]struct{})
	}
	for _, k := range keys {
		if _, ok := s.seen[k]; !ok {
			s.seen[k] = struct{}{}
			s.keys = append(s.keys, k)
		}
	}
}

// idSet gathers the candidate ids of one record, in the order they are
// found, counting the fields each matched on. It is reused from record to
// record: most records have no candidate or one, so it searches its list
// and builds an index only for a record with many.
type idSet struct {
	ids       []string
	fields    []int // how many fields each id matched on
	lastField []int // the last field each id matched on
	index     map[string]int
}

// indexAbove is the number of ids beyond which idSet keeps a map.
const indexAbove = 16

func (s *idSet) reset() {
	s.ids, s.fields, s.lastField = s.ids[:0], s.fields[:0], s.lastField[:0]
	s.index = nil
}

func (s *idSet) find(id string) int {
	if s.index != nil {
		if p, ok := s.index[id]; ok {
			return p
		}
		return -1
	}
	return slices.Index(s.ids, id)
}

// add records that ids matched on field f (fields are added in order).
func (s *idSet) add(f int, ids ...string) {
	for _, id := range ids {
		if p := s.find(id); p >= 0 {
			if s.lastField[p] != f {
				s.fields[p]++
				s.lastField[p] = f
			}
			continue
		}
		s.ids = append(s.ids, id)
		s.fields = append(s.fields, 1)
		s.lastField = append(s.lastField, f)
		switch {
		case s.index != nil:
			s.index[id] = len(s.ids) - 1
		case len(s.ids) > indexAbove:
			s.index = make(map[string]int, 2*len(s.ids))
			for p, id := range s.ids {
				s.index[id] = p
			}
		}
	}
}

// sortByFields puts the ids matching on more fields first, keeping the
// order they were found in otherwise.
func (s *idSet) sortByFields() {
	if len(s.ids) < 2 {
		return
	}
	order := make([]int, len(s.ids))
	for p := range order {
		order[p] = p
	}
	slices.SortStableFunc(order, func(a, b int) int { return s.fields[b] - s.fields[a] })
	ids := make([]string, len(order))
	fields := make([]int, len(order))
	for p, q := range order {
		ids[p], fields[p] = s.ids[q], s.fields[q]
	}
	copy(s.ids, ids)
	copy(s.fields, fields)
	s.index = nil // positions moved; candidates() needs none
}

func (s *idSet) candidates() []Candidate {
	if len(s.ids) == 0 {
		return nil
	}
	out := make([]Candidate, len(s.ids))
	for p, id := range s.ids {
		out[p] = Candidate{ID: id, Score: 1}
	}
	return out
}
