package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/crmio/crmio/storage/internal/valuecodec"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// conn runs the Store methods, on the pool's connections or, inside
// Atomic, on the transaction's one connection. Store and the tx store
// embed it.
type conn struct {
	st *Store
	tx pgx.Tx // nil outside Atomic

	// Inside Atomic, mu serializes the use of the transaction's
	// connection (a pgx.Conn is not safe for concurrent use).
	mu      *sync.Mutex
	done    *atomic.Bool // set once Atomic has returned
	seen    *txFields    // inside Atomic, the fields the transaction has seen
	cursors int          // names the cursors of Scan, under mu
}

// check fails once the store is closed, or the transaction is over.
func (c *conn) check(ctx context.Context) error {
	if c.done != nil && c.done.Load() {
		return storage.ErrTxDone
	}
	return c.st.check(ctx)
}

// with runs fn on a connection: one from the pool, or the transaction's.
func (c *conn) with(ctx context.Context, op string, fn func(db *pgx.Conn) error) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	if c.tx != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.fail(op, fn(c.tx.Conn()))
	}
	pc, err := c.st.pool.Acquire(ctx)
	if err != nil {
		return c.fail(op, err)
	}
	defer pc.Release()
	return c.fail(op, fn(pc.Conn()))
}

// write runs fn in a transaction of its own, or in a savepoint of the
// current transaction: fn's writes take effect together or not at all.
// The statement that opens it travels at the head of fn's first batch
// (w.open), the one that ends it at the tail of fn's last (w.close), so
// that neither costs a round trip of its own: they were two of the five
// round trips of an Insert.
func (c *conn) write(ctx context.Context, op string, fn func(db *pgx.Conn, w *writeTx) error) error {
	return c.with(ctx, op, func(db *pgx.Conn) error {
		w := &writeTx{begin: "BEGIN", end: "COMMIT", undo: "ROLLBACK"}
		if c.tx != nil {
			// One name will do: a write never runs inside another, and a
			// savepoint of the same name would only hide this one.
			w.begin, w.end, w.undo = "SAVEPOINT crmio_write", "RELEASE SAVEPOINT crmio_write",
				"ROLLBACK TO SAVEPOINT crmio_write; RELEASE SAVEPOINT crmio_write"
		}
		err := fn(db, w)
		if err == nil && w.opened && !w.closed {
			// A commit must not outlive its context.
			if err = ctx.Err(); err == nil {
				_, err = db.Exec(ctx, w.end)
			}
		}
		if err != nil && w.opened {
			// Also when the end was sent: a statement before it failed,
			// and the server skipped it. The context may be done.
			_, _ = db.PgConn().Exec(context.WithoutCancel(ctx), w.undo).ReadAll()
		}
		return err
	})
}

// writeTx is the transaction (or savepoint) of one write: fn queues its
// opening and its end into the batches it sends anyway.
type writeTx struct {
	begin, end, undo string
	opened, closed   bool
}

// open queues the opening at the head of b, unless it was sent: the
// first statement fn sends must be in a batch that open has seen (or
// follow a call of begin).
func (w *writeTx) open(b *pgx.Batch) {
	if !w.opened {
		b.Queue(w.begin)
		w.opened = true
	}
}

// beginOn sends the opening, unless it was sent, for a write that starts
// with something other than a batch.
func (w *writeTx) beginOn(ctx context.Context, db *pgx.Conn) error {
	if w.opened {
		return nil
	}
	if _, err := db.Exec(ctx, w.begin); err != nil {
		return err
	}
	w.opened = true
	return nil
}

// close queues the end at the tail of b, fn's last batch, whose results
// fn checks no further than the errors they hold: once the end has run,
// nothing can undo the write. It fails, queuing nothing, when ctx is done
// (a commit must not outlive its context).
func (w *writeTx) close(ctx context.Context, b *pgconn.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.ExecParams(w.end, nil, nil, nil, nil)
	w.closed = true
	return nil
}

func (c *conn) fail(op string, err error) error {
	if c.done != nil && c.done.Load() && err != nil {
		return storage.ErrTxDone
	}
	return c.st.fail(op, err)
}

// Insert implements storage.Store: in one transaction, the module's lookup
// fields and the ids (from the sequence) in one round trip, then the
// records in one binary COPY, then the hashes of their lookup fields'
// keys (see crmio_lookup_keys) in one INSERT.
func (c *conn) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	for i, r := range recs {
		if r.ID != "" {
			return nil, fmt.Errorf("postgres: insert into %q: record %d already has id %q (ids are the store's to assign)", module, i, r.ID)
		}
	}
	if len(recs) == 0 {
		return []string{}, c.check(ctx)
	}
	var rowIDs []int64
	err := c.write(ctx, "insert", func(db *pgx.Conn, w *writeTx) error {
		fields, ids, err := c.writeSetup(ctx, db, w, module, len(recs), nil, nil)
		if err != nil {
			return err
		}
		rowIDs = ids
		enc := newRecordEncoder(module, fields, len(recs))
		i := 0
		src := &copySource{row: func(b []byte) ([]byte, bool, error) {
			if i == len(recs) {
				return b, false, nil
			}
			b = enc.append(b, rowIDs[i], recs[i].Values)
			i++
			return b, true, nil
		}}
		if _, err = db.PgConn().CopyFrom(ctx, src, c.st.sql(copyRecordsSQL)); err != nil {
			return err
		}
		// The hashes and the end of the write in one round trip.
		var batch pgconn.Batch
		c.queueLookupRows(&batch, &enc.lookup)
		if err := w.close(ctx, &batch); err != nil {
			return err
		}
		return db.PgConn().ExecBatch(ctx, &batch).Close()
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rowIDs))
	for i, id := range rowIDs {
		ids[i] = sqlstore.FormatID(id)
	}
	return ids, nil
}

// addLookupKeysSQL adds the rows of crmio_lookup_keys for the hashes $1 of
// the records $2 (pairwise).
const addLookupKeysSQL = `INSERT INTO crmio_lookup_keys (h, id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`

// queueLookupRows queues the INSERT of rows into b, when there are any.
func (c *conn) queueLookupRows(b *pgconn.Batch, rows *lookupRows) {
	if rows.n > 0 {
		b.ExecParams(c.st.sql(addLookupKeysSQL), rows.params(), []uint32{oidInt8Array, oidInt8Array}, []int16{1, 1}, nil)
	}
}

// lookupRows builds the rows of crmio_lookup_keys of a batch of records
// as the two bigint[] parameters of addLookupKeysSQL, in binary, ready to
// send: pgx's encoding of an []int64 boxed every element, three
// allocations a record for an import deduplicating on email.
type lookupRows struct {
	n     int
	h, id []byte // each an array header (see params), then the elements
}

// grow makes room for n rows: growing by appends copied each array about
// twice.
func (r *lookupRows) grow(n int) {
	r.h = slices.Grow(r.h, arrayHeaderSize+12*n)
	r.id = slices.Grow(r.id, arrayHeaderSize+12*n)
}

// add adds the row (h, id).
func (r *lookupRows) add(h, id int64) {
	if r.n == 0 {
		r.h = append(r.h[:0], make([]byte, arrayHeaderSize)...)
		r.id = append(r.id[:0], make([]byte, arrayHeaderSize)...)
	}
	r.h = appendInt8Field(r.h, h)
	r.id = appendInt8Field(r.id, id)
	r.n++
}

// arrayHeaderSize is the size of a one-dimensional array's header.
const arrayHeaderSize = 20

// params returns the two arrays, their headers written.
func (r *lookupRows) params() [][]byte {
	for _, a := range [][]byte{r.h, r.id} {
		appendArrayHeader(a[:0], r.n, oidInt8)
	}
	return [][]byte{r.h, r.id}
}

// dropLookupKeysSQL removes the rows of crmio_lookup_keys of the records
// $2 of module $1, before the records are updated or deleted: the rows of
// the hashes the records hold (their hkeys) whose id is one of theirs,
// which are all of their rows. The hashes are gathered first, into one
// array, so that the hash index finds their rows (a bitmap scan of
// h = ANY, as a Lookup's). A join of the records' (id, hash) pairs with
// the table, as this statement was before, was planned for a batch of
// 1,000 records as a merge join over a sort of the whole table: 0.96 s a
// batch on 962,588 rows, against 32 ms now. A reference's hash is shared
// by every record naming the same account, whose rows the index finds all
// of, each checked against the statement's hashes: the statements take
// dropLookupKeysIDs records each. A rollback of a 500,000-row import took
// 319 s with the join, 229 s with one such statement a batch and 132 s
// with one per 100 records.
const dropLookupKeysSQL = `DELETE FROM crmio_lookup_keys k
	WHERE k.h = ANY(ARRAY(SELECT u.h FROM crmio_records r, unnest(r.hkeys) u(h) WHERE r.module = $1 AND r.id = ANY($2) AND r.hkeys <> '{}'))
	AND k.id = ANY($2)`

// dropLookupKeysIDs is how many records' rows one dropLookupKeysSQL
// removes. The index finds every row of each hash, and each of those is
// checked against the array of the statement's hashes, one by one: a
// reference shared by many records (the people of one account) makes
// that the number of records times the hashes of the statement, which a
// smaller statement divides. A rollback of a 100,000-row import (its
// people deleted 1,000 at a time, each naming one of 10,000 accounts)
// took 16.7 s with one statement a batch, 8.6–9.0 s with a statement per
// 100 records, and 8.4 s per 25.
const dropLookupKeysIDs = 100

// queueDropLookupKeys queues the statements that remove the rows of
// crmio_lookup_keys of the records ids of module (dropLookupKeysSQL), a
// statement per dropLookupKeysIDs of them, all in the batch's one round
// trip, and returns how many it queued.
func (c *conn) queueDropLookupKeys(batch *pgx.Batch, module string, ids []int64) int {
	n := 0
	for chunk := range slices.Chunk(ids, dropLookupKeysIDs) {
		batch.Queue(c.st.sql(dropLookupKeysSQL), module, chunk)
		n++
	}
	return n
}

// hasLookupField reports whether fields holds a lookup field: a module
// without one has no rows in crmio_lookup_keys.
func hasLookupField(fields map[string]fieldUse) bool {
	for _, use := range fields {
		if use&lookupField != 0 {
			return true
		}
	}
	return false
}

const copyRecordsSQL = `COPY crmio_records (id, module, vals, keys, sorts, hkeys) FROM STDIN (FORMAT binary)`

// recordEncoder encodes records as rows of crmio_records, reusing its
// buffers from record to record.
type recordEncoder struct {
	module string
	fields map[string]fieldUse // the module's key and lookup fields
	vals   []byte
	enc    valuecodec.Encoder
	keys   recordKeys

	// lookup is the rows of crmio_lookup_keys of the records appended:
	// the hashes of their lookup fields' keys.
	lookup lookupRows
}

// newRecordEncoder returns an encoder for about n records of module.
func newRecordEncoder(module string, fields map[string]fieldUse, n int) *recordEncoder {
	e := &recordEncoder{module: module, fields: fields}
	lookups := 0
	for _, use := range fields {
		if use&lookupField != 0 {
			lookups++
		}
	}
	e.lookup.grow(n * lookups) // a value each, the usual case
	return e
}

// append appends the binary COPY tuple of one record.
func (e *recordEncoder) append(b []byte, id int64, values map[string]crmio.Value) []byte {
	var names []string
	e.vals, names = e.enc.Append(e.vals[:0], values)
	return e.appendRow(b, id, values, names)
}

// appendRow appends the tuple of the record whose stored values append
// left in vals, their field names in names. (The upgrade tests put the
// JSON of earlier versions in vals instead.)
func (e *recordEncoder) appendRow(b []byte, id int64, values map[string]crmio.Value, names []string) []byte {
	e.keys.compute(e.module, values, names, e.fields)
	for _, h := range e.keys.hkeys {
		e.lookup.add(h, id)
	}
	b = appendInt16(b, 6)
	b = appendInt8Field(b, id)
	b = appendBytesField(b, e.module)
	b = appendBytesField(b, e.vals)
	b = appendByteaArrayField(b, e.keys.keys)
	b = appendByteaArrayField(b, e.keys.sorts)
	return appendInt8ArrayField(b, e.keys.hkeys)
}

// Update implements storage.Store: it locks the records, checks that every
// id exists, then copies the new rows into a temporary table and updates
// from it in one statement.
func (c *conn) Update(ctx context.Context, module string, recs []crmio.Record) error {
	if len(recs) == 0 {
		return c.check(ctx)
	}
	rowIDs := make([]int64, len(recs))
	for i, r := range recs {
		id, ok := sqlstore.ParseID(r.ID)
		if !ok {
			return fmt.Errorf("postgres: update %q: record %d, id %q: %w", module, i, r.ID, crmio.ErrNotFound)
		}
		rowIDs[i] = id
	}
	// An id given twice takes the values of its last record.
	last := make(map[int64]int, len(rowIDs))
	for i, id := range rowIDs {
		last[id] = i
	}
	if len(last) <= smallUpdate {
		return c.write(ctx, "update", func(db *pgx.Conn, w *writeTx) error {
			return c.updateEach(ctx, db, w, module, recs, rowIDs, last)
		})
	}
	return c.write(ctx, "update", func(db *pgx.Conn, w *writeTx) error {
		return c.updateStaged(ctx, db, w, module, recs, rowIDs, last)
	})
}

// smallUpdate is the most records Update writes with one UPDATE each;
// larger batches go through a staging table.
const smallUpdate = 32

// updateEach sends one UPDATE per record, pipelined in one round trip; a
// record that is not there updates no row, and fails the batch (which the
// caller's transaction then undoes).
//
// The write's end goes alone after: a record not found must fail the
// write before it ends.
func (c *conn) updateEach(ctx context.Context, db *pgx.Conn, w *writeTx, module string, recs []crmio.Record, rowIDs []int64, last map[int64]int) error {
	fields, _, err := c.writeSetup(ctx, db, w, module, 0, nil, nil)
	if err != nil {
		return err
	}
	query := c.st.sql(`UPDATE crmio_records SET vals = $1, keys = $2, sorts = $3, hkeys = $4 WHERE module = $5 AND id = $6`)
	var batch pgx.Batch
	drops := 0
	if hasLookupField(fields) {
		// The rows of the hashes the records hold now go first, in the
		// same round trip; those of their new hashes come last.
		var ids []int64
		for i, id := range rowIDs {
			if last[id] == i {
				ids = append(ids, id)
			}
		}
		drops = c.queueDropLookupKeys(&batch, module, ids)
	}
	var hs, hids []int64
	var sent []int
	var enc valuecodec.Encoder
	var names []string
	for i, id := range rowIDs {
		if last[id] != i {
			continue
		}
		var vals []byte
		var k recordKeys
		vals, names = enc.Append(nil, recs[i].Values)
		k.compute(module, recs[i].Values, names, fields)
		// pgx sends a nil slice as NULL: the columns want empty arrays.
		batch.Queue(query, vals, nonNil(k.keys), nonNil(k.sorts), nonNil(k.hkeys), module, id)
		sent = append(sent, i)
		for _, h := range k.hkeys {
			hs, hids = append(hs, h), append(hids, id)
		}
	}
	if len(hs) > 0 {
		batch.Queue(c.st.sql(addLookupKeysSQL), hs, hids)
	}
	results := db.SendBatch(ctx, &batch)
	for range drops {
		if _, err := results.Exec(); err != nil {
			results.Close()
			return err
		}
	}
	for _, i := range sent {
		tag, err := results.Exec()
		if err != nil {
			results.Close()
			return err
		}
		if tag.RowsAffected() == 0 {
			results.Close()
			return fmt.Errorf("update %q: record %d, id %q: %w", module, i, recs[i].ID, crmio.ErrNotFound)
		}
	}
	return results.Close()
}

// updateStaged locks the records and checks that every id exists, then
// copies the new rows into a temporary table and updates from it in one
// statement.
func (c *conn) updateStaged(ctx context.Context, db *pgx.Conn, w *writeTx, module string, recs []crmio.Record, rowIDs []int64, last map[int64]int) error {
	// One round trip: the module's fields, the records locked, the stage,
	// and the rows of crmio_lookup_keys of the hashes the records hold now
	// removed (those of their new hashes are added below). A record that
	// is not there fails the write, which undoes all.
	var found []int64
	drops := 0
	fields, _, err := c.writeSetup(ctx, db, w, module, 0, func(b *pgx.Batch) {
		b.Queue(c.st.sql(`SELECT id FROM crmio_records WHERE module = $1 AND id = ANY($2) FOR UPDATE`), module, rowIDs)
		b.Queue(stageSQL)
		drops = c.queueDropLookupKeys(b, module, rowIDs)
	}, func(results pgx.BatchResults) error {
		rows, _ := results.Query()
		var err error
		if found, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		if _, err := results.Exec(); err != nil {
			return err
		}
		for range drops {
			if _, err := results.Exec(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(found) != len(last) {
		for i, id := range rowIDs {
			if !slices.Contains(found, id) {
				return fmt.Errorf("update %q: record %d, id %q: %w", module, i, recs[i].ID, crmio.ErrNotFound)
			}
		}
	}
	enc := newRecordEncoder(module, fields, len(last))
	i := 0
	src := &copySource{row: func(b []byte) ([]byte, bool, error) {
		for i < len(recs) && last[rowIDs[i]] != i {
			i++
		}
		if i == len(recs) {
			return b, false, nil
		}
		b = enc.append(b, rowIDs[i], recs[i].Values)
		i++
		return b, true, nil
	}}
	if _, err := db.PgConn().CopyFrom(ctx, src, `COPY pg_temp.crmio_stage (id, module, vals, keys, sorts, hkeys) FROM STDIN (FORMAT binary)`); err != nil {
		return err
	}
	// The update, the new hashes, the stage emptied and the end of the
	// write in one round trip. The stage is emptied now: ON COMMIT DELETE
	// ROWS waits for the outer transaction, and the next Update of an
	// Atomic would see these rows.
	var batch pgconn.Batch
	batch.ExecParams(c.st.sql(`UPDATE crmio_records r SET vals = s.vals, keys = s.keys, sorts = s.sorts, hkeys = s.hkeys
		FROM pg_temp.crmio_stage s WHERE r.module = s.module AND r.id = s.id`), nil, nil, nil, nil)
	c.queueLookupRows(&batch, &enc.lookup)
	batch.ExecParams(`DELETE FROM pg_temp.crmio_stage`, nil, nil, nil, nil)
	if err := w.close(ctx, &batch); err != nil {
		return err
	}
	return db.PgConn().ExecBatch(ctx, &batch).Close()
}

// stageSQL makes the session's staging table for updates: rows shaped as
// crmio_records, emptied at the end of each transaction.
const stageSQL = `CREATE TEMP TABLE IF NOT EXISTS crmio_stage (
	id     bigint   NOT NULL,
	module text     NOT NULL,
	vals   bytea    NOT NULL,
	keys   bytea[]  NOT NULL,
	sorts  bytea[]  NOT NULL,
	hkeys  bigint[] NOT NULL
) ON COMMIT DELETE ROWS`

// Delete implements storage.Store.
func (c *conn) Delete(ctx context.Context, module string, ids []string) error {
	rowIDs := sqlstore.ParseIDs(ids)
	if len(rowIDs) == 0 {
		return c.check(ctx)
	}
	return c.with(ctx, "delete", func(db *pgx.Conn) error {
		// One round trip, one transaction (the implicit one of a batch, or
		// the caller's): the records' rows of crmio_lookup_keys go with
		// them.
		var batch pgx.Batch
		c.queueDropLookupKeys(&batch, module, rowIDs)
		batch.Queue(c.st.sql(`DELETE FROM crmio_records WHERE module = $1 AND id = ANY($2)`), module, rowIDs)
		return db.SendBatch(ctx, &batch).Close()
	})
}

// Get implements storage.Store.
func (c *conn) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	rowIDs := sqlstore.ParseIDs(ids)
	byID := make(map[string]crmio.Record, len(rowIDs))
	if len(rowIDs) > 0 {
		err := c.with(ctx, "get", func(db *pgx.Conn) error {
			rows, err := db.Query(ctx, c.st.sql(`SELECT id, vals FROM crmio_records WHERE module = $1 AND id = ANY($2)`), module, rowIDs)
			if err != nil {
				return err
			}
			return readRecords(rows, module, func(r crmio.Record) bool {
				byID[r.ID] = r
				return true
			})
		})
		if err != nil {
			return nil, err
		}
	} else if err := c.check(ctx); err != nil {
		return nil, err
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

// readRecords reads (id, vals) rows into records until f returns false,
// and closes rows.
func readRecords(rows pgx.Rows, module string, f func(crmio.Record) bool) error {
	defer rows.Close()
	return sqlstore.ReadRecords[pgtype.DriverBytes](rows, module, decodeValuesIn, f)
}

// nonNil returns s, or an empty slice for nil.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
