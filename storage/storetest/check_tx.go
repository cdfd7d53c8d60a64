package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

var errRollback = errors.New("storetest: this transaction fails on purpose")

// txState is what the transaction checks start from: two records, a and b.
type txState struct {
	a, b string
}

func (c *checker) txSetup(check string, s storage.Store) txState {
	ids := c.insert(check, s, people, records(
		vals{"key": text("a"), "email": email("a@example.com"), "name": text("A")},
		vals{"key": text("b"), "email": email("b@example.com"), "name": text("B")},
	))
	return txState{a: ids[0], b: ids[1]}
}

// txWrites inserts c, updates a and deletes b through tx.
func (c *checker) txWrites(check string, tx storage.Store, st txState) (cID string, ok bool) {
	ids, err := tx.Insert(c.ctx, people, records(vals{"key": text("c"), "email": email("c@example.com")}))
	if err != nil || len(ids) != 1 {
		c.errorf(check, "tx.Insert returned %q, %v", ids, err)
		return "", false
	}
	err = tx.Update(c.ctx, people, []crmio.Record{{ID: st.a, Values: vals{"key": text("a"), "email": email("a2@example.com"), "name": text("A2")}}})
	if err != nil {
		c.errorf(check, "tx.Update: %v", err)
		return "", false
	}
	if err := tx.Delete(c.ctx, people, []string{st.b}); err != nil {
		c.errorf(check, "tx.Delete: %v", err)
		return "", false
	}
	return ids[0], true
}

// wantUntouched reports when the store is not as txSetup left it.
func (c *checker) wantUntouched(check string, s storage.Store, st txState, cID string) {
	all := c.scanAll(check, s, people, storage.Query{})
	if len(all) != 2 {
		c.errorf(check, "%d records after the rollback, want the 2 from before (keys %q)", len(all), keysOf(all))
	}
	if got, ok := c.getOne(check, s, people, st.a); ok && got.Get("name").Str() != "A" {
		c.errorf(check, "the update made in the transaction survived the rollback: %v", got.Values)
	}
	c.getOne(check, s, people, st.b)
	if cID != "" {
		if got := c.get(check, s, people, cID); len(got) != 0 {
			c.errorf(check, "the record inserted in the transaction survived the rollback")
		}
	}
	keys := []string{"a@example.com", "a2@example.com", "b@example.com", "c@example.com"}
	got, err := s.Lookup(c.ctx, people, "email", keys)
	if err != nil {
		c.fatalf(check, "Lookup: %v", err)
	}
	if !slices.Equal(got["a@example.com"], []string{st.a}) || !slices.Equal(got["b@example.com"], []string{st.b}) ||
		got["a2@example.com"] != nil || got["c@example.com"] != nil {
		c.errorf(check, "match keys after the rollback are %v, want a@ → %s and b@ → %s only", got, st.a, st.b)
	}
}

func checkTransactor(c *checker, s storage.Store) {
	tr := s.(storage.Transactor)

	// Committed: everything stays.
	st := c.txSetup("commit", s)
	var cID string
	err := tr.Atomic(c.ctx, func(tx storage.Store) error {
		var ok bool
		if cID, ok = c.txWrites("commit", tx, st); !ok {
			return errRollback
		}
		// The transaction reads its own writes.
		if got, err := tx.Get(c.ctx, people, []string{cID, st.a, st.b}); err != nil || len(got) != 2 || got[1].Get("name").Str() != "A2" {
			c.errorf("reads own writes", "tx.Get returned %s, %v; want c and the updated a", describe(keysOf(got)), err)
		}
		if got, err := tx.Lookup(c.ctx, people, "email", []string{"c@example.com", "a@example.com"}); err != nil ||
			!slices.Equal(got["c@example.com"], []string{cID}) || got["a@example.com"] != nil {
			c.errorf("reads own writes", "tx.Lookup returned %v, %v; want c@ → %s and no a@", got, err, cID)
		}
		if got, err := scan(c.ctx, tx, people, storage.Query{}); err != nil || len(got) != 2 {
			c.errorf("reads own writes", "tx.Scan yielded %s, %v; want a and c", describe(keysOf(got)), err)
		}
		return nil
	})
	if err != nil {
		c.fatalf("commit", "Atomic: %v", err)
	}
	all := c.scanAll("commit", s, people, storage.Query{})
	if keys := keysOf(all); len(keys) != 2 || !slices.Contains(keys, "a") || !slices.Contains(keys, "c") {
		c.errorf("commit", "after a committed transaction the records are %q, want a and c", keys)
	}
	if got, ok := c.getOne("commit", s, people, st.a); ok && got.Get("name").Str() != "A2" {
		c.errorf("commit", "the committed update is lost: %v", got.Values)
	}

	// An error rolls everything back; another goroutine never sees the
	// uncommitted writes.
	s = c.reset("error rolls back", s)
	st = c.txSetup("error rolls back", s)
	cID = ""
	var outside []crmio.Record
	var outsideErr error
	var reader sync.WaitGroup
	err = tr.Atomic(c.ctx, func(tx storage.Store) error {
		var ok bool
		if cID, ok = c.txWrites("error rolls back", tx, st); !ok {
			return errRollback
		}
		reader.Add(1)
		done := make(chan struct{})
		go func() {
			defer reader.Done()
			defer close(done)
			outside, outsideErr = s.Get(c.ctx, people, []string{cID, st.a, st.b})
		}()
		// A store that serializes transactions blocks the reader until the
		// rollback; one with snapshots answers now. Either is fine.
		select {
		case <-done:
		case <-time.After(50 * time.Millisecond):
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		c.errorf("error rolls back", "Atomic returned %v, want fn's error", err)
	}
	c.within("isolation", reader.Wait)
	if outsideErr != nil {
		c.errorf("isolation", "Get from another goroutine during the transaction: %v", outsideErr)
	} else if len(outside) != 2 || outside[0].ID != st.a || outside[0].Get("name").Str() != "A" || outside[1].ID != st.b {
		c.errorf("isolation", "another goroutine saw uncommitted writes: Get returned %v", outside)
	}
	c.wantUntouched("error rolls back", s, st, cID)

	// A panic rolls everything back and goes on.
	s = c.reset("panic rolls back", s)
	st = c.txSetup("panic rolls back", s)
	cID = ""
	recovered := func() (p any) {
		defer func() { p = recover() }()
		_ = tr.Atomic(c.ctx, func(tx storage.Store) error {
			cID, _ = c.txWrites("panic rolls back", tx, st)
			panic("storetest: panic in a transaction")
		})
		return nil
	}()
	if recovered != "storetest: panic in a transaction" {
		c.errorf("panic rolls back", "Atomic with a panicking fn: recovered %v, want fn's panic to go on", recovered)
	}
	c.wantUntouched("panic rolls back", s, st, cID)

	// A cancelled context rolls everything back.
	s = c.reset("cancel rolls back", s)
	st = c.txSetup("cancel rolls back", s)
	cID = ""
	ctx, cancel := context.WithCancel(c.ctx)
	err = tr.Atomic(ctx, func(tx storage.Store) error {
		cID, _ = c.txWrites("cancel rolls back", tx, st)
		cancel()
		return nil
	})
	cancel()
	c.isErr("cancel rolls back", err, context.Canceled, "Atomic whose context is cancelled before fn returns")
	c.wantUntouched("cancel rolls back", s, st, cID)

	ctx, cancel = context.WithCancel(c.ctx)
	cancel()
	err = tr.Atomic(ctx, func(tx storage.Store) error {
		_, err := tx.Insert(c.ctx, people, records(vals{"key": text("x")}))
		return err
	})
	c.isErr("cancelled before", err, context.Canceled, "Atomic with a cancelled context")
	c.wantUntouched("cancelled before", s, st, "")

	// A tx used after Atomic returned refuses to write.
	var leaked storage.Store
	if err := tr.Atomic(c.ctx, func(tx storage.Store) error { leaked = tx; return nil }); err != nil {
		c.fatalf("tx after Atomic", "Atomic: %v", err)
	}
	_, err = leaked.Insert(c.ctx, people, records(vals{"key": text("late")}))
	c.isErr("tx after Atomic", err, storage.ErrTxDone, "Insert through a tx after Atomic returned")
	if n := c.count("tx after Atomic", s, people); n != 2 {
		c.errorf("tx after Atomic", "Insert through a finished tx changed the count to %d", n)
	}

	// Writing while scanning inside a transaction does not deadlock.
	c.within("write while scanning", func() {
		err := tr.Atomic(c.ctx, func(tx storage.Store) error {
			for rec, err := range tx.Scan(c.ctx, people, storage.Query{}) {
				if err != nil {
					return err
				}
				rec.Values["seen"] = crmio.BoolValue(true)
				if err := tx.Update(c.ctx, people, []crmio.Record{rec}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			c.errorf("write while scanning", "Atomic: %v", err)
		}
	})

	// Transactions from several goroutines all commit.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				err := tr.Atomic(c.ctx, func(tx storage.Store) error {
					_, err := tx.Insert(c.ctx, "concurrent", records(vals{"key": text(strconv.Itoa(w*10 + i))}))
					return err
				})
				if err != nil {
					c.errorf("concurrent transactions", "Atomic: %v", err)
				}
			}
		}()
	}
	c.within("concurrent transactions", wg.Wait)
	if n := c.count("concurrent transactions", s, "concurrent"); n != 20 {
		c.errorf("concurrent transactions", "%d records after 20 committed transactions", n)
	}

	if _, ok := s.(storage.History); ok {
		c.txJournal(s)
	}
}

// reset deletes every record of people, so that each transaction check
// starts from the same state on the same store.
func (c *checker) reset(check string, s storage.Store) storage.Store {
	all := c.scanAll(check, s, people, storage.Query{})
	if err := s.Delete(c.ctx, people, recordIDs(all)); err != nil {
		c.fatalf(check, "Delete: %v", err)
	}
	return s
}

// txJournal checks that journal entries commit and roll back with the
// transaction that appended them.
func (c *checker) txJournal(s storage.Store) {
	const check = "journal in a transaction"
	h := s.(storage.History)
	tr := s.(storage.Transactor)
	jobID, err := h.CreateJob(c.ctx, storage.Job{Module: people, Status: storage.JobRunning, Created: time.Now()})
	if err != nil {
		c.fatalf(check, "CreateJob: %v", err)
	}
	var jobInTx string
	notHistory := false
	err = tr.Atomic(c.ctx, func(tx storage.Store) error {
		th, ok := tx.(storage.History)
		if !ok {
			// Not fatalf: fn may run on another goroutine than the area's.
			c.errorf(check, "the store implements storage.History but its tx does not")
			notHistory = true
			return errRollback
		}
		ids, err := tx.Insert(c.ctx, people, records(vals{"key": text("journalled")}))
		if err != nil {
			return err
		}
		if err := th.AppendJournal(c.ctx, jobID, []storage.JournalEntry{{Op: storage.JournalCreated, Module: people, ID: ids[0]}}); err != nil {
			c.errorf(check, "tx AppendJournal: %v", err)
		}
		if jobInTx, err = th.CreateJob(c.ctx, storage.Job{Module: people, Status: storage.JobQueued}); err != nil {
			c.errorf(check, "tx CreateJob: %v", err)
		}
		if n := c.journalLen(check, th, jobID); n != 1 {
			c.errorf(check, "the tx's own Journal lists %d entries, want the 1 it appended", n)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		c.errorf(check, "Atomic returned %v, want fn's error", err)
	}
	if notHistory {
		return // reported above; the rest needs a History tx
	}
	if n := c.journalLen(check, h, jobID); n != 0 {
		c.errorf(check, "%d journal entries survived the rollback of the transaction that appended them", n)
	}
	if jobInTx != "" {
		_, err := h.Job(c.ctx, jobInTx)
		c.isErr(check, err, crmio.ErrNotFound, "Job of a job created in a rolled back transaction")
	}

	err = tr.Atomic(c.ctx, func(tx storage.Store) error {
		return tx.(storage.History).AppendJournal(c.ctx, jobID, []storage.JournalEntry{{Op: storage.JournalCreated, Module: people, ID: "x"}})
	})
	if err != nil {
		c.fatalf(check, "Atomic: %v", err)
	}
	if n := c.journalLen(check, h, jobID); n != 1 {
		c.errorf(check, "%d journal entries after a committed transaction appended 1", n)
	}
}

func (c *checker) journalLen(check string, h storage.History, jobID string) int {
	n := 0
	for _, err := range h.Journal(c.ctx, jobID) {
		if err != nil {
			c.errorf(check, "Journal: %v", err)
			return n
		}
		n++
	}
	return n
}
