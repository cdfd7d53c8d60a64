package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio/storage"
	"github.com/jackc/pgx/v5"
)

// txStore is the Store that Atomic hands to its function: every call runs
// in the one transaction, on its connection. It implements
// storage.History too, so journal entries commit with the records they
// describe, and storage.Transactor, as a savepoint.
type txStore struct {
	conn
}

var (
	_ storage.Store      = (*txStore)(nil)
	_ storage.Transactor = (*txStore)(nil)
	_ storage.History    = (*txStore)(nil)
)

// Atomic implements storage.Transactor. fn runs in one transaction (READ
// COMMITTED, the server's default) on one connection: its writes commit
// when it returns nil, and none does when it returns an error, panics (the
// panic goes on), or ctx is done. Other connections never see them before
// the commit.
func (s *Store) Atomic(ctx context.Context, fn func(tx storage.Store) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.fail("begin", err)
	}
	defer pc.Release()
	sqlTx, err := pc.Begin(ctx)
	if err != nil {
		return s.fail("begin", err)
	}
	done := new(atomic.Bool)
	tx := &txStore{conn{st: s, tx: sqlTx, mu: new(sync.Mutex), done: done, seen: new(txFields)}}
	committed := false
	defer func() {
		done.Store(true)
		if !committed {
			// Also after a panic, which goes on. mu waits for a call that
			// a goroutine of fn may still be making on the connection; a
			// connection left in a failed state is closed by the pool.
			tx.mu.Lock()
			sqlTx.Rollback(context.WithoutCancel(ctx))
			tx.mu.Unlock()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tx.mu.Lock()
	err = sqlTx.Commit(ctx)
	tx.mu.Unlock()
	if err != nil {
		return s.fail("commit", err)
	}
	committed = true
	tx.seen.committed(s)
	return nil
}

// Atomic runs fn in a savepoint of the transaction: fn's writes stay when
// it returns nil and are undone when it fails, and the outer transaction
// decides whether they commit.
func (t *txStore) Atomic(ctx context.Context, fn func(tx storage.Store) error) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	sp, err := t.tx.Begin(ctx)
	t.mu.Unlock()
	if err != nil {
		return t.fail("savepoint", err)
	}
	released := false
	defer func() {
		if !released {
			t.mu.Lock()
			defer t.mu.Unlock()
			sp.Rollback(context.WithoutCancel(ctx))
			// fn may have added fields, which the rollback removed.
			t.seen.forget()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	err = sp.Commit(ctx)
	t.mu.Unlock()
	if err != nil {
		return t.fail("release savepoint", err)
	}
	released = true
	return nil
}

// ErrNotTx is returned by UseTx for a Store that is not a transaction of
// this package's Atomic.
var ErrNotTx = errors.New("postgres: not a transaction of postgres.Store.Atomic")

// UseTx runs fn with the pgx transaction of tx, a Store that Atomic handed
// to its function, so that code outside crmio writes in the same
// transaction (a job queue's enqueue: River's riverpgxv5 InsertTx commits
// with the job it names). fn must not keep the transaction, and tx's own
// methods wait while fn runs (a pgx connection is not safe for concurrent
// use).
func UseTx(tx storage.Store, fn func(pgx.Tx) error) error {
	t, ok := tx.(*txStore)
	if !ok {
		return ErrNotTx
	}
	if err := t.check(context.Background()); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return fn(t.tx)
}
