package memory

import (
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"iter"
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

	// uploads are kept apart from the records: they are not part of
	// transactions.
	uploads uploads
}

// Check that Store implements the contract and its optional capabilities.
var (
	_ storage.Store      = (*Store)(nil)
	_ storage.Transactor = (*Store)(nil)
	_ storage.History    = (*Store)(nil)
	_ storage.Uploads    = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{st: state{
		codec:   newCodec(),
		seed:    maphash.MakeSeed(),
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
	// codec and seed are set by New and never change: they may be used
	// without the lock (the codec is safe for concurrent use).
	codec *codec
	seed  maphash.Seed // of the match-key hashes of every index

	seq     uint64 // the last record counter handed out; ids come from it
	modules map[string]*module

	jobSeq  uint64
	jobs    []*jobEntry // in creation order
	jobByID map[string]*jobEntry

	// inTx is set while Atomic runs: deleted records then stay in their
	// module's order slice, and the arena is not compacted, so that a
	// rollback can put records back in place.
	inTx bool

	// Scratch for match keys, their records and their hashes, used under
	// the write lock.
	keyBuf  []string
	seqBuf  []uint64
	hashBuf []uint64
}

// module is the records of one module.
type module struct {
	name string
	// order holds the records by counter, including deleted records
	// (tombstones) until compact removes them. Scans walk it, and find
	// looks ids up in it: an id is its counter, so no map from id to
	// record is needed.
	order []record
	dead  int // deleted records still in order
	// arena holds the records' encodings; live counts the bytes of those
	// that live records use, the rest is garbage left by updates and
	// deletes until compact copies the live ones into a new arena.
	arena arena
	live  int64
	// index maps a field to its match-key index. An index is built on the
	// first Lookup of its field and maintained by every write from then
	// on, so fields nobody looks up cost nothing.
	index map[string]*fieldIndex
}

// record is one stored record: its counter and where its encoding is. It
// holds no pointer, so neither does order, and the garbage collector never
// scans either. Its encoding is never modified once stored: an update
// writes a new one. Readers may therefore decode after releasing the lock.
type record struct {
	seq     uint64
	at      ref
	deleted bool
}

func (st *state) module(name string, create bool) *module {
	m := st.modules[name]
	if m == nil && create {
		m = &module{name: name, index: make(map[string]*fieldIndex)}
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
	return insert(ctx, s.st.codec, s.write, module, recs)
}

// Update implements storage.Store.
func (s *Store) Update(ctx context.Context, module string, recs []crmio.Record) error {
	return update(ctx, s.st.codec, s.write, module, recs)
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
	return get(ctx, s.st.codec, s.read, module, ids)
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
			out = idx.lookup(st, m, keys)
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
	return scan(ctx, s.st.codec, s.read, module, q)
}

// A writer runs a function under the lock that suits its caller (the
// store's exclusive lock, or a transaction's), with the undo log to use;
// a reader under the store's shared lock or a transaction's.
type (
	writer func(context.Context, func(*state, *undoLog) error) error
	reader func(context.Context, func(*state) error) error
)

// insert encodes the records outside the lock (encoding is most of the
// cost of an insert) and stores them under it.
func insert(ctx context.Context, c *codec, write writer, module string, recs []crmio.Record) (ids []string, err error) {
	if err := checkInsert(module, recs); err != nil {
		return nil, err
	}
	enc := c.encode(recs)
	defer c.release(enc)
	err = write(ctx, func(st *state, log *undoLog) error {
		ids = st.insert(module, recs, enc, log)
		return nil
	})
	return ids, err
}

func update(ctx context.Context, c *codec, write writer, module string, recs []crmio.Record) error {
	enc := c.encode(recs)
	defer c.release(enc)
	return write(ctx, func(st *state, log *undoLog) error {
		return st.update(module, recs, enc, log)
	})
}

// get finds the encodings under the lock and decodes them after it, into
// maps of the caller's own.
func get(ctx context.Context, c *codec, read reader, module string, ids []string) ([]crmio.Record, error) {
	var found []encodedRecord
	err := read(ctx, func(st *state) error {
		found = st.get(module, ids)
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := c.syms.Names()
	out := make([]crmio.Record, len(found))
	for i, r := range found {
		out[i] = crmio.Record{ID: r.id, Module: module, Values: decode(r.b, names)}
	}
	return out, nil
}

// encodedRecord is a record read out under the lock, to decode after it.
type encodedRecord struct {
	id string
	b  []byte
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

// appendID appends the id of counter seq: zero-padded to idWidth, so that
// ids sort in creation order.
func appendID(b []byte, seq uint64) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], seq, 10)
	for range idWidth - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}

// formatIDs returns the ids of the counters first+1 … first+n, zero-padded
// so that they sort in creation order. They share one allocation.
func formatIDs(first uint64, n int) []string {
	buf := make([]byte, 0, n*idWidth)
	ends := make([]int, n)
	for i := range n {
		buf = appendID(buf, first+uint64(i)+1)
		ends[i] = len(buf)
	}
	return cut(string(buf), ends)
}

// cut splits all at ends.
func cut(all string, ends []int) []string {
	ids := make([]string, len(ends))
	start := 0
	for i, end := range ends {
		ids[i] = all[start:end]
		start = end
	}
	return ids
}

// insert stores new records, encoded in enc; recs are the caller's, read
// only for the match keys of indexed fields.
func (st *state) insert(name string, recs []crmio.Record, enc *encoded, log *undoLog) []string {
	if len(recs) == 0 {
		return []string{}
	}
	m := st.module(name, true)
	ids := formatIDs(st.seq, len(recs))
	first := st.seq + 1
	m.order = slices.Grow(m.order, len(recs))
	for i := range recs {
		st.seq++
		r := record{seq: st.seq, at: m.arena.add(enc.rec(i))}
		m.live += int64(r.at.n)
		m.order = append(m.order, r)
	}
	for field, idx := range m.index {
		// The keys of the batch and their hashes first, then the index
		// upkeep: its probes of a large table are cache misses, which the
		// processor overlaps when little comes between them.
		keys, owners, hs := st.keyBuf[:0], st.seqBuf[:0], st.hashBuf[:0]
		for i, rec := range recs {
			if v, ok := rec.Values[field]; ok {
				n := len(keys)
				keys = appendKeys(keys, v)
				for range len(keys) - n {
					owners = append(owners, first+uint64(i))
				}
			}
		}
		for _, k := range keys {
			hs = append(hs, hashKey(st.seed, k))
		}
		for j, k := range keys {
			idx.addHashed(st, m, k, hs[j], owners[j])
		}
		clear(keys) // keep no caller's string alive
		st.keyBuf, st.seqBuf, st.hashBuf = keys[:0], owners[:0], hs[:0]
	}
	if log != nil {
		log.push(undoStep{op: opInsert, module: m, seqs: []uint64{first, st.seq}})
	}
	return ids
}

// update replaces the values of existing records, checking every id first.
func (st *state) update(name string, recs []crmio.Record, enc *encoded, log *undoLog) error {
	m := st.module(name, false)
	pos := make([]int, len(recs))
	for i, rec := range recs {
		p := -1
		if m != nil {
			p = m.find(rec.ID)
		}
		if p < 0 {
			return fmt.Errorf("memory: update %q: record %d, id %q: %w", name, i, rec.ID, crmio.ErrNotFound)
		}
		pos[i] = p
	}
	var step undoStep
	if log != nil && len(recs) > 0 {
		step = undoStep{op: opUpdate, module: m, seqs: make([]uint64, len(pos)), old: make([]ref, len(pos))}
	}
	for i, p := range pos {
		r := &m.order[p]
		if step.old != nil {
			step.seqs[i], step.old[i] = r.seq, r.at
		}
		st.setValues(m, r, m.arena.add(enc.rec(i)), recs[i].Values)
	}
	if step.old != nil {
		log.push(step)
	}
	if !st.inTx {
		m.compact()
	}
	return nil
}

// setValues points r at a new encoding, whose values are values, and
// moves its index entries.
func (st *state) setValues(m *module, r *record, at ref, values map[string]crmio.Value) {
	old := m.arena.bytes(r.at)
	m.live += int64(at.n) - int64(r.at.n)
	r.at = at
	for field, idx := range m.index {
		before, hadBefore := idx.valueIn(st.codec, old)
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
				idx.remove(st, k, r.seq, st.keyBuf)
			}
		}
		for _, k := range st.keyBuf {
			if !slices.Contains(oldKeys, k) {
				idx.add(st, m, k, r.seq)
			}
		}
	}
}

// delete removes records; missing ids are ignored.
func (st *state) delete(name string, ids []string, log *undoLog) {
	m := st.module(name, false)
	if m == nil {
		return
	}
	var removed []uint64
	for _, id := range ids {
		p := m.find(id)
		if p < 0 {
			continue
		}
		r := &m.order[p]
		r.deleted = true
		m.dead++
		m.live -= int64(r.at.n)
		st.unindex(m, r)
		if log != nil {
			removed = append(removed, r.seq)
		}
	}
	if log != nil && len(removed) > 0 {
		log.push(undoStep{op: opDelete, module: m, seqs: removed})
	}
	if !st.inTx {
		m.compact()
	}
}

// unindex removes every index entry of r.
func (st *state) unindex(m *module, r *record) {
	if len(m.index) == 0 {
		return
	}
	b := m.arena.bytes(r.at)
	for _, idx := range m.index {
		if v, ok := idx.valueIn(st.codec, b); ok {
			for _, k := range crmio.MatchKeys(v) {
				idx.remove(st, k, r.seq, nil)
			}
		}
	}
}

// reindex adds every index entry of r (a record coming back).
func (st *state) reindex(m *module, r *record) {
	if len(m.index) == 0 {
		return
	}
	b := m.arena.bytes(r.at)
	for _, idx := range m.index {
		if v, ok := idx.valueIn(st.codec, b); ok {
			for _, k := range crmio.MatchKeys(v) {
				idx.add(st, m, k, r.seq)
			}
		}
	}
}

// find returns the position in order of the live record of id, or -1.
func (m *module) find(id string) int {
	seq, ok := parseID(id)
	if !ok {
		return -1
	}
	return m.findSeq(seq)
}

// findSeq returns the position in order of the live record of counter
// seq, or -1.
func (m *module) findSeq(seq uint64) int {
	i, found := m.search(seq)
	if !found || m.order[i].deleted {
		return -1
	}
	return i
}

// search returns the position in order of the record of counter seq, live
// or deleted, and whether it is there; if not, the position where it would
// be.
//
// Counters are handed out in order across the store's modules, so a
// module's are increasing, mostly dense, often interleaved with another
// module's at a steady rate (an import's people and the accounts they
// create). So the search guesses the position by interpolation; as the
// counters are distinct integers, a guess that misses by d counters also
// bounds the position within d places of it. A guess or two usually lands
// on the record, where a binary search of a million records would take
// twenty steps, the last ten of them cache misses. After a few guesses it
// goes on by bisection.
func (m *module) search(seq uint64) (int, bool) {
	order := m.order
	// The position is in [lo, hi], and seq is in no record outside
	// order[lo:hi].
	lo, hi := 0, len(order)
	for range 4 {
		if hi-lo < 8 {
			break
		}
		first, last := order[lo].seq, order[hi-1].seq
		if seq <= first {
			return lo, seq == first
		}
		if seq > last {
			return hi, false
		}
		g := lo + int(float64(seq-first)*float64(hi-1-lo)/float64(last-first)+0.5)
		g = min(max(g, lo+1), hi-1)
		s := order[g].seq
		switch {
		case s == seq:
			return g, true
		case s < seq:
			// seq is at most seq-s places further on: order[g+d] has a
			// counter of at least s+d.
			lo = g + 1
			if d := seq - s; d < uint64(hi-g-1) {
				hi = g + int(d) + 1
			}
		default:
			// seq is at most s-seq places back.
			hi = g
			if d := s - seq; d < uint64(g-lo) {
				lo = g - int(d)
			}
		}
	}
	i, found := slices.BinarySearchFunc(order[lo:hi], seq, bySeq)
	return lo + i, found
}

func bySeq(r record, seq uint64) int { return cmp.Compare(r.seq, seq) }

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

// compact drops tombstones from order once they are the larger part, and
// copies the live encodings into a new arena once garbage is the larger
// part of the old one: both costs are then paid for by as many writes.
// It must not run during a transaction, whose undo log refers to
// tombstones and to old encodings.
func (m *module) compact() {
	garbage := m.arena.size - m.live
	rebuild := garbage > maxChunk && garbage > m.live
	if !rebuild && (m.dead < 64 || m.dead < len(m.order)/2) {
		return
	}
	live := make([]record, 0, len(m.order)-m.dead)
	var fresh arena
	for _, r := range m.order {
		if r.deleted {
			continue
		}
		if rebuild {
			r.at = fresh.add(m.arena.bytes(r.at))
		}
		live = append(live, r)
	}
	m.order = live
	m.dead = 0
	if rebuild {
		m.arena = fresh
	}
}

// get returns the encodings of ids, in order, to decode after the lock.
func (st *state) get(name string, ids []string) []encodedRecord {
	m := st.module(name, false)
	out := make([]encodedRecord, 0, len(ids))
	if m == nil {
		return out
	}
	for _, id := range ids {
		if p := m.find(id); p >= 0 {
			out = append(out, encodedRecord{id: id, b: m.arena.bytes(m.order[p].at)})
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
		idx = newFieldIndex(field)
		for i := range m.order {
			r := &m.order[i]
			if r.deleted {
				continue
			}
			if v, has := st.codec.field(m.arena.bytes(r.at), field); has {
				st.keyBuf = appendKeys(st.keyBuf[:0], v)
				for _, k := range st.keyBuf {
					idx.add(st, m, k, r.seq)
				}
			}
		}
		m.index[field] = idx
	}
	return idx.lookup(st, m, keys)
}
