package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/storetest"
)

func TestMemoryPasses(t *testing.T) {
	if err := storetest.TestStore(func() (storage.Store, error) { return memory.New(), nil }); err != nil {
		t.Fatalf("TestStore on memory.New: %v", err)
	}
}

// The broken stores below wrap a correct memory.Store and break one thing
// each. The kit must report that thing, and nothing outside the areas it
// touches.

// dropsRecord loses the last record of every batch of two or more, yet
// returns an id for it.
type dropsRecord struct{ *memory.Store }

func (s dropsRecord) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	if len(recs) < 2 {
		return s.Store.Insert(ctx, module, recs)
	}
	ids, err := s.Store.Insert(ctx, module, recs[:len(recs)-1])
	return append(ids, "lost-"+fmt.Sprint(len(recs))), err
}

// reversesOrder yields ordered scans backwards.
type reversesOrder struct{ *memory.Store }

func (s reversesOrder) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	if len(q.Order) == 0 {
		return s.Store.Scan(ctx, module, q)
	}
	return func(yield func(crmio.Record, error) bool) {
		var recs []crmio.Record
		for r, err := range s.Store.Scan(ctx, module, q) {
			if err != nil {
				yield(r, err)
				return
			}
			recs = append(recs, r)
		}
		for _, r := range slices.Backward(recs) {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// ignoresScope shows every record whatever the scope.
type ignoresScope struct{ *memory.Store }

func (s ignoresScope) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	q.Scope = nil
	return s.Store.Scan(ctx, module, q)
}

// partialUpdate applies the records of a batch up to the first missing id.
type partialUpdate struct{ *memory.Store }

func (s partialUpdate) Update(ctx context.Context, module string, recs []crmio.Record) error {
	for _, r := range recs {
		if err := s.Store.Update(ctx, module, []crmio.Record{r}); err != nil {
			return err
		}
	}
	return nil
}

// exactKeys looks keys up as stored text rather than match keys: it finds
// nothing whose value differs from its key.
type exactKeys struct{ *memory.Store }

func (s exactKeys) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	out := map[string][]string{}
	for r, err := range s.Store.Scan(ctx, module, storage.Query{}) {
		if err != nil {
			return nil, err
		}
		for _, it := range r.Get(field).List() {
			if k := it.Value.String(); slices.Contains(keys, k) {
				out[k] = append(out[k], r.ID)
			}
		}
	}
	return out, nil
}

// sharesMaps caches what Get returns and hands callers the cached map
// again: a cache that aliases what callers hold.
type sharesMaps struct {
	*memory.Store
	mu    sync.Mutex
	cache map[string]crmio.Record
}

func (s *sharesMaps) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	recs, err := s.Store.Get(ctx, module, ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range recs {
		if c, ok := s.cache[module+"/"+r.ID]; ok {
			recs[i] = c
		} else {
			s.cache[module+"/"+r.ID] = r
		}
	}
	return recs, err
}

func (s *sharesMaps) Update(ctx context.Context, module string, recs []crmio.Record) error {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
	return s.Store.Update(ctx, module, recs)
}

func (s *sharesMaps) Delete(ctx context.Context, module string, ids []string) error {
	s.mu.Lock()
	clear(s.cache)
	s.mu.Unlock()
	return s.Store.Delete(ctx, module, ids)
}

// commitsOnError keeps a transaction's writes whatever fn returns.
type commitsOnError struct{ *memory.Store }

func (s commitsOnError) Atomic(ctx context.Context, fn func(tx storage.Store) error) error {
	var fnErr error
	err := s.Store.Atomic(ctx, func(tx storage.Store) error {
		fnErr = fn(tx)
		return nil
	})
	if err != nil {
		return err
	}
	return fnErr
}

// oldestFirst lists jobs in the wrong order.
type oldestFirst struct{ *memory.Store }

func (s oldestFirst) Jobs(ctx context.Context, limit int) ([]storage.Job, error) {
	jobs, err := s.Store.Jobs(ctx, 0)
	slices.Reverse(jobs)
	if limit > 0 && len(jobs) > limit {
		jobs = jobs[:limit]
	}
	return jobs, err
}

// ignoresCancel runs every call whatever the context.
type ignoresCancel struct{ *memory.Store }

func (s ignoresCancel) Insert(_ context.Context, module string, recs []crmio.Record) ([]string, error) {
	return s.Store.Insert(context.Background(), module, recs)
}

// panics on Delete of an unknown id.
type panicsOnMissing struct{ *memory.Store }

func (s panicsOnMissing) Delete(ctx context.Context, module string, ids []string) error {
	got, err := s.Store.Get(ctx, module, ids)
	if err == nil && len(got) < len(ids) {
		panic("no such record")
	}
	return s.Store.Delete(ctx, module, ids)
}

func TestBrokenStores(t *testing.T) {
	tests := []struct {
		name  string
		store func() storage.Store
		// want lists the checks that must fail ("Area: check").
		want []string
		// areas lists every area allowed to fail.
		areas []string
	}{
		{
			name:  "drops a record on Insert",
			store: func() storage.Store { return dropsRecord{memory.New()} },
			want:  []string{"Insert: get after insert:", "Get: setup:", "Lookup: setup:"},
			areas: nil, // a store that loses records fails nearly everywhere
		},
		{
			name:  "scans out of order",
			store: func() storage.Store { return reversesOrder{memory.New()} },
			want:  []string{"Order: ascending:", "Order: descending:", "Order: multi-key:", "Order: limit:", "Fields: with order:", "Scope: with order and limit:"},
			areas: []string{"Order", "Fields", "Scope", "Cancellation"},
		},
		{
			name:  "ignores the scope",
			store: func() storage.Store { return ignoresScope{memory.New()} },
			want:  []string{"Scope: outside never yielded:", "Scope: with filter:", "Scope: with order and limit:", "Scope: invalid scope:"},
			areas: []string{"Scope"},
		},
		{
			name:  "updates part of a failing batch",
			store: func() storage.Store { return partialUpdate{memory.New()} },
			want:  []string{"Update: missing id: a failed Update changed record b"},
			areas: []string{"Update"},
		},
		{
			name:  "looks up raw text, not match keys",
			store: func() storage.Store { return exactKeys{memory.New()} },
			want:  []string{"Lookup: email case and spaces:", "Lookup: phone formats:", "Lookup: list items:", "Lookup: text:", "Lookup: number:", "Lookup: reference:"},
			areas: []string{"Lookup", "Modules", "Concurrency", "Transactor"},
		},
		{
			name:  "shares maps with callers",
			store: func() storage.Store { return &sharesMaps{Store: memory.New(), cache: map[string]crmio.Record{}} },
			want:  []string{"Insert: copies: changing a map returned by Get or Scan changed the stored record"},
			areas: []string{"Insert", "Transactor"},
		},
		{
			name:  "commits a failed transaction",
			store: func() storage.Store { return commitsOnError{memory.New()} },
			want:  []string{"Transactor: error rolls back:", "Transactor: journal in a transaction:"},
			areas: []string{"Transactor"},
		},
		{
			name:  "lists jobs oldest first",
			store: func() storage.Store { return oldestFirst{memory.New()} },
			want:  []string{"History: jobs newest first:", "History: jobs limit:"},
			areas: []string{"History"},
		},
		{
			name:  "ignores a cancelled context",
			store: func() storage.Store { return ignoresCancel{memory.New()} },
			want:  []string{"Cancellation: Insert: Insert with a cancelled context returned no error"},
			areas: []string{"Cancellation"},
		},
		{
			name:  "panics",
			store: func() storage.Store { return panicsOnMissing{memory.New()} },
			want:  []string{"Delete: panic: no such record"},
			areas: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := storetest.TestStore(func() (storage.Store, error) { return tc.store(), nil })
			if err == nil {
				t.Fatal("TestStore found nothing wrong")
			}
			failures := split(err)
			t.Logf("%d failures:\n%s", len(failures), strings.Join(failures, "\n"))
			for _, want := range tc.want {
				if !slices.ContainsFunc(failures, func(f string) bool { return strings.HasPrefix(f, want) }) {
					t.Errorf("no failure starts with %q; got:\n%s", want, strings.Join(failures, "\n"))
				}
			}
			if tc.areas == nil {
				return
			}
			for _, f := range failures {
				area, _, _ := strings.Cut(f, ":")
				if !slices.Contains(tc.areas, area) {
					t.Errorf("failure outside the areas %q: %s", tc.areas, f)
				}
			}
		})
	}
}

// TestStoreReportsNewStoreErrors checks that a failing constructor is
// reported for every area rather than stopping the kit.
func TestStoreReportsNewStoreErrors(t *testing.T) {
	boom := errors.New("cannot open")
	err := storetest.TestStore(func() (storage.Store, error) { return nil, boom })
	failures := split(err)
	if len(failures) < 10 {
		t.Fatalf("got %d failures, want one per area: %v", len(failures), err)
	}
	if !strings.HasPrefix(failures[0], "Insert: new store: cannot open") {
		t.Errorf("first failure is %q", failures[0])
	}
}

// split returns the failures joined in err, one message each.
func split(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
