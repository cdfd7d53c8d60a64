package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio/storage"
)

// txStore is the Store that Atomic hands to its function: every call runs
// in the one transaction. It implements storage.History too, so journal
// entries commit with the records they describe, and storage.Transactor,
// as a savepoint.
type txStore struct {
	conn
}

var (
	_ storage.Store      = (*txStore)(nil)
	_ storage.Transactor = (*txStore)(nil)
	_ storage.History    = (*txStore)(nil)
)

// Atomic implements storage.Transactor. fn runs in one SQLite transaction
// on the writer connection: its writes commit when it returns nil, and
// none does when it returns an error, panics (the panic goes on), or ctx
// is done. Other writers wait meanwhile (readers do not: they see the
// database as it was before the transaction). fn must use tx, never the
// Store itself, whose writes would wait for fn.
func (s *Store) Atomic(ctx context.Context, fn func(tx storage.Store) error) (err error) {
	if err := s.check(ctx); err != nil {
		return err
	}
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("begin", err)
	}
	committed := false
	defer func() {
		if !committed {
			sqlTx.Rollback()
		}
	}()
	var savepoint int
	done := new(atomic.Bool)
	defer done.Store(true)
	tx := &txStore{conn{st: s, tx: sqlTx, mu: new(sync.Mutex), savepoint: &savepoint, done: done, keys: newTxKeys()}}
	if err := fn(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return s.fail("commit", err)
	}
	committed = true
	return nil
}

// Atomic runs fn in a savepoint of the transaction: fn's writes stay when
// it returns nil and are undone when it fails, and the outer transaction
// decides whether they commit.
func (t *txStore) Atomic(ctx context.Context, fn func(tx storage.Store) error) (err error) {
	if err := t.check(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	*t.savepoint++
	name := fmt.Sprintf("crmio_%d", *t.savepoint)
	_, err = t.tx.ExecContext(ctx, "SAVEPOINT "+name)
	t.mu.Unlock()
	if err != nil {
		return t.st.fail("savepoint", err)
	}
	done := false
	defer func() {
		if done {
			return
		}
		// fn failed or panicked: undo its writes, keep the transaction.
		t.mu.Lock()
		defer t.mu.Unlock()
		bg := context.WithoutCancel(ctx)
		t.tx.ExecContext(bg, "ROLLBACK TO "+name)
		t.tx.ExecContext(bg, "RELEASE "+name)
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.mu.Lock()
	_, err = t.tx.ExecContext(ctx, "RELEASE "+name)
	t.mu.Unlock()
	if err != nil {
		return t.st.fail("release savepoint", err)
	}
	done = true
	return nil
}

// ErrNotTx is returned by UseTx for a Store that is not a transaction of
// this package's Atomic.
var ErrNotTx = errors.New("sqlite: not a transaction of sqlite.Store.Atomic")

// UseTx runs fn with the database/sql transaction of tx, a Store that
// Atomic handed to its function, so that code outside crmio writes in
// the same transaction (a job queue's enqueue: River's riversqlite
// InsertTx commits with the job it names). fn must not keep the
// transaction, nor write crmio's own tables (the transaction keeps track
// of the keys it wrote; see Lookup in the package doc), and tx's own
// methods wait while fn runs.
func UseTx(tx storage.Store, fn func(*sql.Tx) error) error {
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
