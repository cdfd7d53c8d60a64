package memory

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Scans hold the lock for one chunk at a time: at most chunkRecords
// matches, and at most chunkExamined records looked at, so that a filter
// that matches little does not keep writers waiting either.
const (
	chunkRecords  = 256
	chunkExamined = 4096
)

// scan runs q over a module's records. read runs a function under the
// lock that suits the caller (the store's shared lock, or a transaction's).
func scan(ctx context.Context, read func(context.Context, func(*state) error) error, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		if err := q.Validate(); err != nil {
			yield(crmio.Record{}, err)
			return
		}
		if len(q.Order) == 0 {
			scanInOrder(ctx, read, module, q, yield)
			return
		}
		recs, err := collect(ctx, read, module, q)
		if err != nil {
			yield(crmio.Record{}, err)
			return
		}
		sortRecords(recs, q.Order)
		if q.Limit > 0 && len(recs) > q.Limit {
			recs = recs[:q.Limit]
		}
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				yield(crmio.Record{}, err)
				return
			}
			if !yield(output(q, r.rec), nil) {
				return
			}
		}
	}
}

// output returns what the caller gets: the selected fields, in a map of its
// own.
func output(q storage.Query, rec crmio.Record) crmio.Record {
	if q.Fields == nil {
		rec.Values = cloneMap(rec.Values)
		return rec
	}
	return q.Project(rec)
}

// chunk reads the next chunk of matching records after counter after, in
// id order. It returns the counter to resume after and whether the module
// has no more records.
func chunk(st *state, module string, q storage.Query, after uint64, max int, dst []sorted) ([]sorted, uint64, bool) {
	m := st.module(module, false)
	if m == nil {
		return dst, after, true
	}
	i, _ := slices.BinarySearchFunc(m.order, after+1, bySeq)
	for examined := 0; i < len(m.order) && examined < chunkExamined && len(dst) < max; i++ {
		r := m.order[i]
		examined++
		after = r.seq
		if r.deleted {
			continue
		}
		if rec := r.export(m.name); q.Matches(rec) {
			dst = append(dst, sorted{rec: rec, seq: r.seq})
		}
	}
	return dst, after, i == len(m.order)
}

// scanInOrder yields the matches in id order, chunk by chunk, with the
// lock released between chunks and while yielding.
func scanInOrder(ctx context.Context, read func(context.Context, func(*state) error) error, module string, q storage.Query, yield func(crmio.Record, error) bool) {
	var after uint64
	left := q.Limit // zero: no limit
	size := chunkRecords
	if left > 0 && left < size {
		size = left
	}
	buf := make([]sorted, 0, size)
	for {
		var done bool
		err := read(ctx, func(st *state) error {
			buf, after, done = chunk(st, module, q, after, size, buf[:0])
			return nil
		})
		if err != nil {
			yield(crmio.Record{}, err)
			return
		}
		for _, r := range buf {
			if err := ctx.Err(); err != nil {
				yield(crmio.Record{}, err)
				return
			}
			if !yield(output(q, r.rec), nil) {
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

// sorted is a record with what sorting needs: its counter and the sort key
// of each order field, computed once rather than at each comparison.
type sorted struct {
	rec  crmio.Record
	seq  uint64
	keys []string
}

// collect reads every match, chunk by chunk.
func collect(ctx context.Context, read func(context.Context, func(*state) error) error, module string, q storage.Query) ([]sorted, error) {
	var out []sorted
	var after uint64
	for {
		var done bool
		err := read(ctx, func(st *state) error {
			out, after, done = chunk(st, module, q, after, int(^uint(0)>>1), out)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if done {
			return out, nil
		}
	}
}

// sortRecords sorts by order, then by id order, with the semantics of
// storage.Query.Compare: records without a sort key come last in both
// directions.
func sortRecords(recs []sorted, order []storage.Order) {
	keys := make([]string, len(recs)*len(order))
	for i := range recs {
		k := keys[i*len(order) : (i+1)*len(order) : (i+1)*len(order)]
		for j, o := range order {
			k[j] = storage.SortKey(recs[i].rec.Values[o.Field])
		}
		recs[i].keys = k
	}
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
