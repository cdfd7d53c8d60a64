package memory

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Store is an in-memory storage.Store. It also implements
// storage.Transactor and storage.History. Create one with New; the zero
// Store is not usable. A Store is safe for concurrent use.
type Store struct {
	// mu guards st. Writers and Atomic hold it exclusively; readers share
	// it, one chunk of work at a time, never while yielding to a caller.
	mu sync.RWMutex
	st state
}

// Check that Store implements the contract and its optional capabilities.
var (
	_ storage.Store      = (*Store)(nil)
	_ storage.Transactor = (*Store)(nil)
	_ storage.History    = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{st: state{
		modules: make(map[string]*module),
		jobByID: make(map[string]*jobEntry),
	}}
}

// idWidth is the width ids are zero-padded to, so that ids sort as strings
// in creation order (up to 10¹² records; the store itself orders by the
// counter behind the id, so longer ids stay correct within the store).
const idWidth = 12

// state is everything a Store holds. Its methods assume the caller holds
// the right lock; write methods take an undo log, nil outside a
// transaction.
type state struct {
	seq     uint64 // the last record counter handed out; ids come from it
	modules map[string]*module

	jobSeq  uint64
	jobs    []*jobEntry // in creation order
	jobByID map[string]*jobEntry

	// inTx is set while Atomic runs: deleted records then stay in their
	// module's order slice, so that a rollback can put them back in place.
	inTx bool

	keyBuf []string // scratch for match keys, used under the write lock
}

// module is the records of one module.
type module struct {
	name string
	// order holds the records by counter, including deleted records
	// (tombstones) until compact removes them. Scans walk it, and find
	// looks ids up in it: an id is its counter, so no map from id to
	// record is needed.
	order []*record
	dead  int // deleted records still in order
	// index maps a field to its match-key index. An index is built on the
	// first Lookup of its field and maintained by every write from then
	// on, so fields nobody looks up cost nothing.
	index map[string]fieldIndex
}

// record is one stored record. Its values map is never modified once
// stored: an update installs a new map. Readers may therefore keep a
// reference to it after releasing the lock.
type record struct {
	seq     uint64
	id      string
	values  map[string]crmio.Value
	deleted bool
}

func (r *record) export(module string) crmio.Record {
	return crmio.Record{ID: r.id, Module: module, Values: r.values}
}

func (st *state) module(name string, create bool) *module {
	m := st.modules[name]
	if m == nil && create {
		m = &module{name: name, index: make(map[string]fieldIndex)}
		st.modules[name] = m
	}
	return m
}

// read runs f under the shared lock.
func (s *Store) read(ctx context.Context, f func(st *state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return f(&s.st)
}

// write runs f under the exclusive lock, outside any transaction.
func (s *Store) write(ctx context.Context, f func(st *state, log *undoLog) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(&s.st, nil)
}

// Insert implements storage.Store.
func (s *Store) Insert(ctx context.Context, module string, recs []crmio.Record) (ids []string, err error) {
	if err := checkInsert(module, recs); err != nil {
		return nil, err
	}
	values := cloneValues(recs)
	err = s.write(ctx, func(st *state, log *undoLog) error {
		ids = st.insert(module, values, log)
		return nil
	})
	return ids, err
}

// Update implements storage.Store.
func (s *Store) Update(ctx context.Context, module string, recs []crmio.Record) error {
	values := cloneValues(recs)
	return s.write(ctx, func(st *state, log *undoLog) error {
		return st.update(module, recs, values, log)
	})
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, module string, ids []string) error {
	return s.write(ctx, func(st *state, log *undoLog) error {
		st.delete(module, ids, log)
		return nil
	})
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	var out []crmio.Record
	err := s.read(ctx, func(st *state) error {
		out = st.get(module, ids)
		return nil
	})
	cloneOut(out)
	return out, err
}

// Lookup implements storage.Store. The first Lookup of a field builds its
// index, which takes the exclusive lock once; later lookups share the lock.
func (s *Store) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	var out map[string][]string
	indexed := false
	err := s.read(ctx, func(st *state) error {
		m := st.module(module, false)
		if m == nil {
			out = map[string][]string{}
			indexed = true
			return nil
		}
		if idx, ok := m.index[field]; ok {
			out = idx.lookup(keys)
			indexed = true
		}
		return nil
	})
	if err != nil || indexed {
		return out, err
	}
	err = s.write(ctx, func(st *state, _ *undoLog) error {
		out = st.lookup(module, field, keys)
		return nil
	})
	return out, err
}

// Scan implements storage.Store. It holds the lock one chunk of records at
// a time and never while yielding, so the caller may write to the store as
// it iterates; a record written meanwhile may or may not be seen, as in a
// database at the read-committed level.
func (s *Store) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return scan(ctx, s.read, module, q)
}

// checkInsert refuses a batch holding a record that already has an id,
// before anything is written.
func checkInsert(module string, recs []crmio.Record) error {
	for i, r := range recs {
		if r.ID != "" {
			return fmt.Errorf("memory: insert into %q: record %d already has id %q (ids are the store's to assign)", module, i, r.ID)
		}
	}
	return nil
}

// cloneValues copies the callers' maps, outside the lock, so that they
// cannot alias what the store keeps.
func cloneValues(recs []crmio.Record) []map[string]crmio.Value {
	out := make([]map[string]crmio.Value, len(recs))
	for i, r := range recs {
		out[i] = maps.Clone(r.Values)
	}
	return out
}

// cloneOut gives each record its own Values map, so that callers cannot
// alias what the store keeps.
func cloneOut(recs []crmio.Record) {
	for i := range recs {
		recs[i].Values = cloneMap(recs[i].Values)
	}
}

func cloneMap(m map[string]crmio.Value) map[string]crmio.Value {
	if m == nil {
		return make(map[string]crmio.Value)
	}
	return maps.Clone(m)
}

// formatIDs returns the ids of the counters first+1 … first+n, zero-padded
// so that they sort in creation order. They share one allocation.
func formatIDs(first uint64, n int) []string {
	buf := make([]byte, 0, n*idWidth)
	ends := make([]int, n)
	var digits [20]byte
	for i := range n {
		d := strconv.AppendUint(digits[:0], first+uint64(i)+1, 10)
		for range idWidth - len(d) {
			buf = append(buf, '0')
		}
		buf = append(buf, d...)
		ends[i] = len(buf)
	}
	all := string(buf)
	ids := make([]string, n)
	start := 0
	for i, end := range ends {
		ids[i] = all[start:end]
		start = end
	}
	return ids
}

// insert stores new records; values are already the store's own copies.
func (st *state) insert(name string, values []map[string]crmio.Value, log *undoLog) []string {
	if len(values) == 0 {
		return []string{}
	}
	m := st.module(name, true)
	ids := formatIDs(st.seq, len(values))
	block := make([]record, len(values)) // one allocation for the batch
	added := make([]*record, len(values))
	for i, v := range values {
		st.seq++
		r := &block[i]
		*r = record{seq: st.seq, id: ids[i], values: v}
		added[i] = r
	}
	m.order = append(m.order, added...)
	for field, idx := range m.index {
		for _, r := range added {
			if v, ok := r.values[field]; ok {
				st.keyBuf = appendKeys(st.keyBuf[:0], v)
				for _, k := range st.keyBuf {
					idx.append(k, r) // counters grow: appending keeps each list sorted
				}
			}
		}
	}
	if log != nil {
		log.push(undoStep{op: opInsert, module: m, recs: added})
	}
	return ids
}

// update replaces the values of existing records, checking every id first.
func (st *state) update(name string, recs []crmio.Record, values []map[string]crmio.Value, log *undoLog) error {
	m := st.module(name, false)
	targets := make([]*record, len(recs))
	for i, rec := range recs {
		var r *record
		if m != nil {
			r = m.find(rec.ID)
		}
		if r == nil {
			return fmt.Errorf("memory: update %q: record %d, id %q: %w", name, i, rec.ID, crmio.ErrNotFound)
		}
		targets[i] = r
	}
	var old []map[string]crmio.Value
	if log != nil {
		old = make([]map[string]crmio.Value, len(targets))
	}
	for i, r := range targets {
		if old != nil {
			old[i] = r.values
		}
		st.setValues(m, r, values[i])
	}
	if log != nil && len(targets) > 0 {
		log.push(undoStep{op: opUpdate, module: m, recs: targets, old: old})
	}
	return nil
}

// setValues installs new values for r and moves its index entries.
func (st *state) setValues(m *module, r *record, values map[string]crmio.Value) {
	for field, idx := range m.index {
		before, hadBefore := r.values[field]
		after, hasAfter := values[field]
		if hadBefore == hasAfter && before.Equal(after) {
			continue // the common case: an update leaves most fields alone
		}
		var oldKeys []string
		if hadBefore {
			oldKeys = crmio.MatchKeys(before)
		}
		st.keyBuf = st.keyBuf[:0]
		if hasAfter {
			st.keyBuf = appendKeys(st.keyBuf, after)
		}
		for _, k := range oldKeys {
			if !slices.Contains(st.keyBuf, k) {
				idx.remove(k, r)
			}
		}
		for _, k := range st.keyBuf {
			if !slices.Contains(oldKeys, k) {
				idx.add(k, r)
			}
		}
	}
	r.values = values
}

// delete removes records; missing ids are ignored.
func (st *state) delete(name string, ids []string, log *undoLog) {
	m := st.module(name, false)
	if m == nil {
		return
	}
	var removed []*record
	for _, id := range ids {
		r := m.find(id)
		if r == nil {
			continue
		}
		r.deleted = true
		m.dead++
		st.unindex(m, r)
		if log != nil {
			removed = append(removed, r)
		}
	}
	if log != nil && len(removed) > 0 {
		log.push(undoStep{op: opDelete, module: m, recs: removed})
	}
	if !st.inTx {
		m.compact()
	}
}

// unindex removes every index entry of r.
func (st *state) unindex(m *module, r *record) {
	for field, idx := range m.index {
		if v, ok := r.values[field]; ok {
			st.keyBuf = appendKeys(st.keyBuf[:0], v)
			for _, k := range st.keyBuf {
				idx.remove(k, r)
			}
		}
	}
}

// reindex adds every index entry of r (a record coming back).
func (st *state) reindex(m *module, r *record) {
	for field, idx := range m.index {
		if v, ok := r.values[field]; ok {
			st.keyBuf = appendKeys(st.keyBuf[:0], v)
			for _, k := range st.keyBuf {
				idx.add(k, r)
			}
		}
	}
}

// find returns the live record of id, or nil.
func (m *module) find(id string) *record {
	seq, ok := parseID(id)
	if !ok {
		return nil
	}
	i, found := slices.BinarySearchFunc(m.order, seq, bySeq)
	if !found || m.order[i].deleted {
		return nil
	}
	return m.order[i]
}

// parseID returns the counter of an id formatIDs made, refusing any other
// spelling of the number ("7", "0000000000007" with one zero too many), so
// that one record has one id.
func parseID(id string) (uint64, bool) {
	if len(id) < idWidth || len(id) > idWidth && id[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < '0' || c > '9' || n > (1<<64-1-9)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n > 0
}

// compact drops tombstones from order once they are the larger part.
func (m *module) compact() {
	if m.dead < 64 || m.dead < len(m.order)/2 {
		return
	}
	live := make([]*record, 0, len(m.order)-m.dead)
	for _, r := range m.order {
		if !r.deleted {
			live = append(live, r)
		}
	}
	m.order = live
	m.dead = 0
}

// get returns the records of ids, in order, sharing the stored maps.
func (st *state) get(name string, ids []string) []crmio.Record {
	m := st.module(name, false)
	out := make([]crmio.Record, 0, len(ids))
	if m == nil {
		return out
	}
	for _, id := range ids {
		if r := m.find(id); r != nil {
			out = append(out, r.export(name))
		}
	}
	return out
}

// lookup answers from field's index, building it first if needed; the
// caller holds the exclusive lock.
func (st *state) lookup(name, field string, keys []string) map[string][]string {
	m := st.module(name, false)
	if m == nil {
		return map[string][]string{}
	}
	idx, ok := m.index[field]
	if !ok {
		idx = make(fieldIndex)
		for _, r := range m.order {
			if v, has := r.values[field]; has && !r.deleted {
				st.keyBuf = appendKeys(st.keyBuf[:0], v)
				for _, k := range st.keyBuf {
					idx.append(k, r)
				}
			}
		}
		m.index[field] = idx
	}
	return idx.lookup(keys)
}
