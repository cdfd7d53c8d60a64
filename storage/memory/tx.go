package memory

import (
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Atomic implements storage.Transactor. It runs fn with a Store whose
// writes take effect together when fn returns nil, and are undone when fn
// returns an error, panics (the panic goes on after the rollback) or ctx is
// cancelled.
//
// Atomic holds the store's exclusive lock while fn runs: writers are
// serialized and no other goroutine sees a write before it commits. So fn
// must use tx, never s itself: a call on s from inside fn waits for fn to
// return, which never happens. tx is safe for use by several goroutines
// until Atomic returns; after that its methods fail with storage.ErrTxDone.
func (s *Store) Atomic(ctx context.Context, fn func(tx storage.Store) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &tx{st: &s.st, ctx: ctx}
	s.st.inTx = true
	committed := false
	defer func() {
		// This runs on return and while a panic unwinds; the panic goes on.
		t.mu.Lock()
		t.done = true
		t.mu.Unlock()
		if !committed {
			s.st.rollback(&t.log)
		}
		s.st.inTx = false
		for _, step := range t.log.steps {
			if step.module != nil {
				step.module.compact()
			}
		}
	}()
	err = fn(t)
	if err == nil {
		err = ctx.Err()
	}
	committed = err == nil
	return err
}

// tx is the Store a transaction's fn works through. The store's exclusive
// lock is held for it by Atomic; its own mutex serializes the goroutines
// that share it.
type tx struct {
	st  *state
	ctx context.Context // Atomic's: cancelling it stops the transaction
	mu  sync.Mutex
	// done is set when Atomic returns; the tx is then unusable.
	done bool
	log  undoLog
}

var (
	_ storage.Store   = (*tx)(nil)
	_ storage.History = (*tx)(nil)
)

func (t *tx) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.ctx.Err()
}

func (t *tx) read(ctx context.Context, f func(st *state) error) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return storage.ErrTxDone
	}
	return f(t.st)
}

func (t *tx) write(ctx context.Context, f func(st *state, log *undoLog) error) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return storage.ErrTxDone
	}
	return f(t.st, &t.log)
}

func (t *tx) Insert(ctx context.Context, module string, recs []crmio.Record) (ids []string, err error) {
	return insert(ctx, t.st.codec, t.write, module, recs)
}

func (t *tx) Update(ctx context.Context, module string, recs []crmio.Record) error {
	return update(ctx, t.st.codec, t.write, module, recs)
}

func (t *tx) Delete(ctx context.Context, module string, ids []string) error {
	return t.write(ctx, func(st *state, log *undoLog) error {
		st.delete(module, ids, log)
		return nil
	})
}

func (t *tx) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	return get(ctx, t.st.codec, t.read, module, ids)
}

func (t *tx) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	var out map[string][]string
	// The tx has the store to itself, so it may build an index directly.
	err := t.read(ctx, func(st *state) error {
		out = st.lookup(module, field, keys)
		return nil
	})
	return out, err
}

func (t *tx) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return scan(ctx, t.st.codec, t.read, module, q)
}

// undoLog records what a transaction changed, batch by batch, so that a
// rollback can undo it in reverse.
type undoLog struct {
	steps []undoStep
}

func (l *undoLog) push(s undoStep) { l.steps = append(l.steps, s) }

type undoOp uint8

const (
	opInsert undoOp = iota
	opUpdate
	opDelete
	opCreateJob
	opUpdateJob
	opAppendJournal
)

type undoStep struct {
	op     undoOp
	module *module
	// seqs are the counters of the updated or deleted records; of an
	// insert, the first and the last (an insert's counters follow on).
	seqs   []uint64
	old    []ref // update: the encodings before, by seqs
	job    *jobEntry
	oldJob storage.Job // update job: the job before
	oldLen int         // append journal: the length before
}

// rollback undoes the steps of log, newest first.
func (st *state) rollback(log *undoLog) {
	for i := len(log.steps) - 1; i >= 0; i-- {
		step := log.steps[i]
		m := step.module
		switch step.op {
		case opInsert:
			// Counters are positions in order relative to the first one:
			// nothing leaves order during a transaction.
			p, _ := slices.BinarySearchFunc(m.order, step.seqs[0], bySeq)
			for k := p + int(step.seqs[1]-step.seqs[0]); k >= p; k-- {
				r := &m.order[k]
				r.deleted = true
				m.dead++
				m.live -= int64(r.at.n)
				st.unindex(m, r)
			}
		case opUpdate:
			names := st.codec.syms.Names()
			for j, seq := range slices.Backward(step.seqs) {
				p, _ := slices.BinarySearchFunc(m.order, seq, bySeq)
				st.setValues(m, &m.order[p], step.old[j], decode(m.arena.bytes(step.old[j]), names))
			}
		case opDelete:
			for _, seq := range slices.Backward(step.seqs) {
				// Deleted records stay in order during a transaction.
				p, _ := slices.BinarySearchFunc(m.order, seq, bySeq)
				r := &m.order[p]
				r.deleted = false
				m.dead--
				m.live += int64(r.at.n)
				st.reindex(m, r)
			}
		case opCreateJob:
			delete(st.jobByID, step.job.job.ID)
			if k := slices.Index(st.jobs, step.job); k >= 0 {
				st.jobs = slices.Delete(st.jobs, k, k+1)
			}
		case opUpdateJob:
			step.job.job = step.oldJob
		case opAppendJournal:
			// The entries' bytes stay behind as garbage: bytes once
			// written are never written again (see arena).
			step.job.journal.n = step.oldLen
		}
	}
	log.steps = nil
}
