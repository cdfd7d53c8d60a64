package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// conn runs the Store methods, on the store's connections or, inside
// Atomic, on one transaction. Store and the tx store embed it.
type conn struct {
	st *Store
	tx *sql.Tx // nil outside Atomic

	// Inside Atomic, each write method runs in a savepoint, so that a call
	// that fails changes nothing even if fn goes on; mu serializes them.
	mu        *sync.Mutex
	savepoint *int
	done      *atomic.Bool // set once Atomic has returned
}

// check fails once the store is closed, or the transaction is over.
func (c *conn) check(ctx context.Context) error {
	if c.done != nil && c.done.Load() {
		return storage.ErrTxDone
	}
	return c.st.check(ctx)
}

// reads returns where reads go: the read pool, or the transaction.
func (c *conn) reads() querier {
	if c.tx != nil {
		return c.tx
	}
	return c.st.reader
}

// write runs fn in a transaction of its own (on the writer connection), or
// in a savepoint of the current transaction. fn's writes commit together
// or not at all.
func (c *conn) write(ctx context.Context, op string, fn func(q querier) error) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	if c.tx != nil {
		err := c.inSavepoint(ctx, fn)
		if errors.Is(err, sql.ErrTxDone) {
			return storage.ErrTxDone
		}
		return c.st.fail(op, err)
	}
	tx, err := c.st.writer.BeginTx(ctx, nil)
	if err != nil {
		return c.st.fail(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return c.st.fail(op, err)
	}
	if err := ctx.Err(); err != nil { // a commit must not outlive its context
		tx.Rollback()
		return err
	}
	return c.st.fail(op, tx.Commit())
}

func (c *conn) inSavepoint(ctx context.Context, fn func(q querier) error) (err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.savepoint++
	name := fmt.Sprintf("crmio_%d", *c.savepoint)
	if _, err := c.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// Undo fn's writes; a failure here fails the whole transaction,
			// which Atomic then rolls back.
			if _, rerr := c.tx.ExecContext(context.WithoutCancel(ctx), "ROLLBACK TO "+name); rerr != nil {
				return
			}
		}
		if _, rerr := c.tx.ExecContext(context.WithoutCancel(ctx), "RELEASE "+name); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(c.tx)
}

const (
	insertRecordSQL = `INSERT INTO crmio_records (module, vals) VALUES (?, ?)`
	insertItemSQL   = `INSERT INTO crmio_items (record_id, field, pos, module, key, sort) VALUES (?, ?, ?, ?, ?, ?)`
)

// Insert implements storage.Store: the batch in one transaction, with
// prepared statements.
func (c *conn) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	for i, r := range recs {
		if r.ID != "" {
			return nil, fmt.Errorf("sqlite: insert into %q: record %d already has id %q (ids are the store's to assign)", module, i, r.ID)
		}
	}
	if len(recs) == 0 {
		return []string{}, c.check(ctx)
	}
	ids := make([]string, len(recs))
	err := c.write(ctx, "insert", func(q querier) error {
		w, err := newItemWriter(ctx, q, module)
		if err != nil {
			return err
		}
		defer w.close()
		for i, r := range recs {
			id, err := w.insert(ctx, r.Values)
			if err != nil {
				return err
			}
			ids[i] = formatID(id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// itemWriter writes records and their items with prepared statements,
// reusing its buffers from record to record.
type itemWriter struct {
	module          string
	record, itemRow *sql.Stmt
	update, delete  *sql.Stmt
	buf             []byte
	names           []string
	items           []item
}

func newItemWriter(ctx context.Context, q querier, module string) (*itemWriter, error) {
	w := &itemWriter{module: module}
	var err error
	if w.record, err = q.PrepareContext(ctx, insertRecordSQL); err != nil {
		return nil, err
	}
	if w.itemRow, err = q.PrepareContext(ctx, insertItemSQL); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *itemWriter) close() {
	for _, s := range []*sql.Stmt{w.record, w.itemRow, w.update, w.delete} {
		if s != nil {
			s.Close()
		}
	}
}

// insert writes one new record and returns its id.
func (w *itemWriter) insert(ctx context.Context, values map[string]crmio.Value) (int64, error) {
	w.buf, w.names = appendValues(w.buf[:0], values, w.names)
	res, err := w.record.ExecContext(ctx, w.module, string(w.buf))
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, w.writeItems(ctx, id, values)
}

// replace writes new values for an existing record.
func (w *itemWriter) replace(ctx context.Context, q querier, id int64, values map[string]crmio.Value) error {
	var err error
	if w.update == nil {
		if w.update, err = q.PrepareContext(ctx, `UPDATE crmio_records SET vals = ? WHERE id = ?`); err != nil {
			return err
		}
		if w.delete, err = q.PrepareContext(ctx, `DELETE FROM crmio_items WHERE record_id = ?`); err != nil {
			return err
		}
	}
	w.buf, w.names = appendValues(w.buf[:0], values, w.names)
	if _, err := w.update.ExecContext(ctx, string(w.buf), id); err != nil {
		return err
	}
	if _, err := w.delete.ExecContext(ctx, id); err != nil {
		return err
	}
	return w.writeItems(ctx, id, values)
}

func (w *itemWriter) writeItems(ctx context.Context, id int64, values map[string]crmio.Value) error {
	w.items = appendItems(w.items[:0], values, w.names)
	for _, it := range w.items {
		var sortKey any
		if it.sort != "" {
			sortKey = it.sort
		}
		if _, err := w.itemRow.ExecContext(ctx, id, it.field, it.pos, w.module, it.key, sortKey); err != nil {
			return err
		}
	}
	return nil
}

// Update implements storage.Store. It checks that every id exists before
// writing anything.
func (c *conn) Update(ctx context.Context, module string, recs []crmio.Record) error {
	if len(recs) == 0 {
		return c.check(ctx)
	}
	rowIDs := make([]int64, len(recs))
	for i, r := range recs {
		id, ok := parseID(r.ID)
		if !ok {
			return fmt.Errorf("sqlite: update %q: record %d, id %q: %w", module, i, r.ID, crmio.ErrNotFound)
		}
		rowIDs[i] = id
	}
	return c.write(ctx, "update", func(q querier) error {
		found, err := existing(ctx, q, module, rowIDs)
		if err != nil {
			return err
		}
		for i, id := range rowIDs {
			if !found[id] {
				return fmt.Errorf("update %q: record %d, id %q: %w", module, i, recs[i].ID, crmio.ErrNotFound)
			}
		}
		w, err := newItemWriter(ctx, q, module)
		if err != nil {
			return err
		}
		defer w.close()
		for i, id := range rowIDs {
			if err := w.replace(ctx, q, id, recs[i].Values); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxParams bounds the ? of one statement, well under SQLite's limit.
const maxParams = 500

// chunks splits n items into ranges of at most maxParams.
func chunks(n int) [][2]int {
	var out [][2]int
	for start := 0; start < n; start += maxParams {
		out = append(out, [2]int{start, min(start+maxParams, n)})
	}
	return out
}

// placeholders returns "?, ?, …" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// existing returns which of ids are records of module.
func existing(ctx context.Context, q querier, module string, ids []int64) (map[int64]bool, error) {
	found := make(map[int64]bool, len(ids))
	for _, ch := range chunks(len(ids)) {
		part := ids[ch[0]:ch[1]]
		args := make([]any, 0, len(part)+1)
		args = append(args, module)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT id FROM crmio_records WHERE module = ? AND id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// Delete implements storage.Store.
func (c *conn) Delete(ctx context.Context, module string, ids []string) error {
	rowIDs := parseIDs(ids)
	if len(rowIDs) == 0 {
		return c.check(ctx)
	}
	return c.write(ctx, "delete", func(q querier) error {
		for _, ch := range chunks(len(rowIDs)) {
			part := rowIDs[ch[0]:ch[1]]
			args := make([]any, 0, len(part)+1)
			args = append(args, module)
			for _, id := range part {
				args = append(args, id)
			}
			in := placeholders(len(part))
			if _, err := q.ExecContext(ctx, `DELETE FROM crmio_items WHERE record_id IN (SELECT id FROM crmio_records WHERE module = ? AND id IN (`+in+`))`, args...); err != nil {
				return err
			}
			if _, err := q.ExecContext(ctx, `DELETE FROM crmio_records WHERE module = ? AND id IN (`+in+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// parseIDs returns the row ids of the ids this store could have made,
// without duplicates.
func parseIDs(ids []string) []int64 {
	out := make([]int64, 0, len(ids))
	for _, s := range ids {
		if id, ok := parseID(s); ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Get implements storage.Store.
func (c *conn) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	rowIDs := parseIDs(ids)
	byID := make(map[string]crmio.Record, len(rowIDs))
	q := c.reads()
	for _, ch := range chunks(len(rowIDs)) {
		part := rowIDs[ch[0]:ch[1]]
		args := make([]any, 0, len(part)+1)
		args = append(args, module)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT id, vals FROM crmio_records WHERE module = ? AND id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, c.st.fail("get", err)
		}
		err = readRecords(rows, module, func(r crmio.Record) bool {
			byID[r.ID] = r
			return true
		})
		if err != nil {
			return nil, c.st.fail("get", err)
		}
	}
	out := make([]crmio.Record, 0, len(byID))
	seen := make(map[string]bool, len(byID))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			if seen[id] {
				r = r.Clone() // a record asked twice gets a map of its own each time
			}
			seen[id] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// readRecords reads (id, vals) rows into records, until f returns false,
// and closes rows.
func readRecords(rows *sql.Rows, module string, f func(crmio.Record) bool) error {
	defer rows.Close()
	var id int64
	var vals []byte
	for rows.Next() {
		if err := rows.Scan(&id, &vals); err != nil {
			return err
		}
		values, err := decodeValues(vals)
		if err != nil {
			return fmt.Errorf("record %d: %w", id, err)
		}
		if !f(crmio.Record{ID: formatID(id), Module: module, Values: values}) {
			return nil
		}
	}
	return rows.Err()
}

// Lookup implements storage.Store, from the index on (module, field, key).
func (c *conn) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	want := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if k != "" && !seen[k] { // "" is no value's key
			seen[k] = true
			want = append(want, k)
		}
	}
	out := make(map[string][]string)
	q := c.reads()
	for _, ch := range chunks(len(want)) {
		part := want[ch[0]:ch[1]]
		args := make([]any, 0, len(part)+2)
		args = append(args, module, field)
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT key, record_id FROM crmio_items
			WHERE module = ? AND field = ? AND key IN (`+placeholders(len(part))+`) ORDER BY record_id`, args...)
		if err != nil {
			return nil, c.st.fail("lookup", err)
		}
		var key string
		var id int64
		for rows.Next() {
			if err := rows.Scan(&key, &id); err != nil {
				rows.Close()
				return nil, c.st.fail("lookup", err)
			}
			out[key] = append(out[key], formatID(id))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, c.st.fail("lookup", err)
		}
	}
	return out, nil
}
