package memory

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// Scans hold the lock for one chunk at a time: at most chunkRecords
// records read out, and at most chunkExamined looked at, so that a module
// of tombstones does not keep writers waiting either. The records are
// decoded and filtered after the lock is released: their encodings never
// change.
const (
	chunkRecords  = 1024
	chunkExamined = 4096
)

// scan runs q over a module's records. read runs a function under the
// lock that suits the caller (the store's shared lock, or a transaction's).
func scan(ctx context.Context, c *codec, read reader, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		if err := q.Validate(); err != nil {
			yield(crmio.Record{}, err)
			return
		}
		f := newFilter(c, module, q)
		if len(q.Order) == 0 {
			scanInOrder(ctx, read, f, yield)
			return
		}
		recs, err := collect(ctx, read, f)
		if err != nil {
			yield(crmio.Record{}, err)
			return
		}
		sortRecords(recs, q.Order)
		if q.Limit > 0 && len(recs) > q.Limit {
			recs = recs[:q.Limit]
		}
		f.names = c.syms.Names()
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				yield(crmio.Record{}, err)
				return
			}
			if !yield(f.output(r.seq, r.b), nil) {
				return
			}
		}
	}
}

// filter evaluates a query on encodings, decoding only the fields its
// filters and order read (into a scratch map) until a record is chosen;
// then it decodes what the caller gets (the selected fields) into a map of
// the caller's own.
type filter struct {
	c       *codec
	module  string
	q       storage.Query
	names   []string // the symbol table, as of the last chunk read
	filters bool     // q has filters (its own or its scope's)
	read    symbolSet
	out     symbolSet // q.Fields, when set
	scratch map[string]crmio.Value
}

func newFilter(c *codec, module string, q storage.Query) *filter {
	f := &filter{c: c, module: module, q: q, scratch: make(map[string]crmio.Value)}
	read := map[string]bool{}
	for _, w := range q.Where {
		read[w.Field] = true
	}
	if q.Scope != nil {
		for _, w := range q.Scope.Where {
			read[w.Field] = true
		}
	}
	f.filters = len(read) > 0
	for _, o := range q.Order {
		read[o.Field] = true
	}
	f.read.fields = read
	if q.Fields != nil {
		f.out.fields = map[string]bool{}
		for _, name := range q.Fields {
			f.out.fields[name] = true
		}
	}
	return f
}

// symbolSet is a set of field names, answered by symbol number.
type symbolSet struct {
	fields map[string]bool
	by     []bool // by symbol number, filled as numbers are met
}

func (s *symbolSet) has(id uint32, names []string) bool {
	for int(id) >= len(s.by) {
		s.by = append(s.by, s.fields[names[len(s.by)]])
	}
	return s.by[id]
}

// load decodes the fields the query reads into scratch. Their strings
// alias the arena: they serve only to filter and to make sort keys (new
// strings).
func (f *filter) load(b []byte) {
	clear(f.scratch)
	if len(f.read.fields) == 0 {
		return
	}
	if _, err := bincodec.DecodeInto(f.scratch, b, f.names, bincodec.View, func(id uint32) bool { return f.read.has(id, f.names) }); err != nil {
		panic("memory: a stored record does not decode: " + err.Error())
	}
}

// matches reports whether the loaded record satisfies the query.
func (f *filter) matches() bool {
	return !f.filters || f.q.Matches(crmio.Record{Values: f.scratch})
}

// output decodes what the caller gets of a chosen record.
func (f *filter) output(seq uint64, b []byte) crmio.Record {
	rec := crmio.Record{ID: string(appendID(make([]byte, 0, idWidth), seq)), Module: f.module}
	if f.out.fields == nil {
		rec.Values = decode(b, f.names)
		return rec
	}
	rec.Values = make(map[string]crmio.Value, len(f.q.Fields))
	if _, err := bincodec.DecodeInto(rec.Values, b, f.names, bincodec.Copy, func(id uint32) bool { return f.out.has(id, f.names) }); err != nil {
		panic("memory: a stored record does not decode: " + err.Error())
	}
	return rec
}

// encodedSeq is a record read out under the lock: its counter and its
// encoding.
type encodedSeq struct {
	seq uint64
	b   []byte
}

// chunk reads out the next records after counter after, in id order. It
// returns the counter to resume after and whether the module has no more
// records.
func chunk(st *state, module string, after uint64, dst []encodedSeq) ([]encodedSeq, uint64, bool) {
	m := st.module(module, false)
	if m == nil {
		return dst, after, true
	}
	i, _ := slices.BinarySearchFunc(m.order, after+1, bySeq)
	for examined := 0; i < len(m.order) && examined < chunkExamined && len(dst) < chunkRecords; i++ {
		r := &m.order[i]
		examined++
		after = r.seq
		if !r.deleted {
			dst = append(dst, encodedSeq{seq: r.seq, b: m.arena.bytes(r.at)})
		}
	}
	return dst, after, i == len(m.order)
}

// scanInOrder yields the matches in id order, chunk by chunk, with the
// lock released between chunks, while filtering and while yielding.
func scanInOrder(ctx context.Context, read reader, f *filter, yield func(crmio.Record, error) bool) {
	var after uint64
	left := f.q.Limit // zero: no limit
	buf := make([]encodedSeq, 0, chunkRecords)
	for {
		var done bool
		err := read(ctx, func(st *state) error {
			buf, after, done = chunk(st, f.module, after, buf[:0])
			return nil
		})
		if err != nil {
			yield(crmio.Record{}, err)
			return
		}
		f.names = f.c.syms.Names() // after the read: it names every field read
		for _, r := range buf {
			if err := ctx.Err(); err != nil {
				yield(crmio.Record{}, err)
				return
			}
			if f.filters {
				f.load(r.b)
				if !f.matches() {
					continue
				}
			}
			if !yield(f.output(r.seq, r.b), nil) {
				return
			}
			if left > 0 {
				if left--; left == 0 {
					return
				}
			}
		}
		if done {
			return
		}
	}
}

// sorted is a match with what sorting needs: its counter and the sort key
// of each order field, computed once rather than at each comparison.
type sorted struct {
	seq  uint64
	b    []byte
	keys []string
}

// sortKeys appends the sort key of each order field of values to dst.
func sortKeys(dst []string, values map[string]crmio.Value, order []storage.Order) []string {
	for _, o := range order {
		dst = append(dst, storage.SortKey(values[o.Field]))
	}
	return dst
}

// collect reads every match, chunk by chunk, with its sort keys.
func collect(ctx context.Context, read reader, f *filter) ([]sorted, error) {
	var out []sorted
	var after uint64
	buf := make([]encodedSeq, 0, chunkRecords)
	var keys []string
	for {
		var done bool
		err := read(ctx, func(st *state) error {
			buf, after, done = chunk(st, f.module, after, buf[:0])
			return nil
		})
		if err != nil {
			return nil, err
		}
		f.names = f.c.syms.Names()
		for _, r := range buf {
			f.load(r.b)
			if !f.matches() {
				continue
			}
			if cap(keys)-len(keys) < len(f.q.Order) {
				keys = make([]string, 0, len(f.q.Order)*chunkRecords)
			}
			start := len(keys)
			keys = sortKeys(keys, f.scratch, f.q.Order)
			out = append(out, sorted{seq: r.seq, b: r.b, keys: keys[start:len(keys):len(keys)]})
		}
		if done {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// sortRecords sorts by order (whose sort keys the records hold, by
// sortKeys), then by id order, with the semantics of
// storage.Query.Compare: records without a sort key come last in both
// directions.
func sortRecords(recs []sorted, order []storage.Order) {
	slices.SortFunc(recs, func(a, b sorted) int {
		for j, o := range order {
			ka, kb := a.keys[j], b.keys[j]
			switch {
			case ka == kb:
				continue
			case ka == "":
				return 1
			case kb == "":
				return -1
			}
			c := strings.Compare(ka, kb)
			if o.Desc {
				c = -c
			}
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
}
