package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/valuecodec"
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
	keys      *txKeys      // inside Atomic: the keys it wrote (see txKeys)
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

// Insert implements storage.Store: the batch in one transaction, written
// with multi-row INSERT statements.
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
		var last int64
		st, err := c.stmt(ctx, q, nextIDsSQL)
		if err != nil {
			return err
		}
		if err := st.QueryRowContext(ctx, len(recs)).Scan(&last); err != nil {
			return err
		}
		first := last - int64(len(recs)) + 1
		w, err := c.newBatchWriter(ctx, q, module, false)
		if err != nil {
			return err
		}
		for i := range recs {
			ids[i] = sqlstore.FormatID(first + int64(i))
		}
		if len(recs) < 2*recordsPerInsert {
			for i, r := range recs {
				if err := w.record(ctx, first+int64(i), r.Values); err != nil {
					return err
				}
			}
			return w.flush(ctx)
		}
		return w.pipelined(ctx, first, recs)
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// Rows per multi-row INSERT: a statement per row costs more than the row
// itself, so rows go a chunk at a time.
const (
	recordsPerInsert = 100 // 3 parameters each
	itemsPerInsert   = 150 // 5 parameters each
	keysPerInsert    = 200 // 3 parameters each
	journalPerInsert = 60  // 8 parameters each
)

// The statements of writes and lookups.
const (
	nextIDsSQL      = `UPDATE crmio_sequences SET last = last + ? WHERE name = 'records' RETURNING last`
	moduleFieldsSQL = `SELECT field, max(k), max(l), max(id) FROM (
		SELECT field, 1 AS k, 0 AS l, 0 AS id FROM crmio_key_fields WHERE module = ?1
		UNION ALL SELECT field, 0, 1, id FROM crmio_lookup_fields WHERE module = ?1) GROUP BY field`
	jobExistsSQL = `SELECT 1 FROM crmio_jobs WHERE id = ?`
)

// lookupChunk is how many keys one lookup statement takes: one statement,
// kept prepared, for any number of keys (the keys of a shorter chunk are
// made up with NULLs, which match no key).
const lookupChunk = 250

var lookupSQL = `SELECT key, record_id FROM crmio_keys
	WHERE field_id = (SELECT id FROM crmio_lookup_fields WHERE module = ? AND field = ?)
	AND key IN (` + placeholders(lookupChunk) + `) ORDER BY key, record_id`

func recordsSQL(verb string, n int) string {
	return verb + ` INTO crmio_records (module, id, vals) VALUES ` + rowsSQL(n, "(?, ?, ?)")
}

func itemsSQL(n int) string {
	return `INSERT INTO crmio_items (record_id, field, pos, key, sort) VALUES ` + rowsSQL(n, "(?, ?, ?, ?, ?)")
}

func keysSQL(n int) string {
	return `INSERT INTO crmio_keys (field_id, key, record_id) VALUES ` + rowsSQL(n, "(?, ?, ?)")
}

func journalSQL(n int) string {
	return `INSERT INTO crmio_journal (job_id, op, module, record_id, before, after, fingerprint, span) VALUES ` + rowsSQL(n, "(?, ?, ?, ?, ?, ?, ?, ?)")
}

// batchWriter writes records, the items of their key fields and the keys
// of their lookup fields with multi-row INSERTs, buffering up to one
// statement's worth of each.
type batchWriter struct {
	c       *conn
	q       querier
	module  string
	replace bool                // updating existing records rather than inserting
	fields  map[string]fieldUse // the module's key fields, and which are lookup fields
	ids     map[string]int64    // the numbers of its lookup fields (see moduleFields)

	records, items, keys rowBuffer
	// pending holds the batch's keys until flush, which writes them in
	// index order: sorted, a batch's keys land on neighbouring pages of
	// crmio_keys one after another, instead of on a random page each.
	pending []keyRow

	moduleBox any // see moduleArg

	enc           valuecodec.Encoder // reused: the records of a batch share their fields
	vals          []byte             // the stored values of the queued records (see valsArg)
	names         []string
	rows          fieldRows
	fieldItemsBuf []item // scratch for a record's items
}

// fieldRows makes the rows a field's value adds: its items (crmio_items)
// when it is a key field, its keys (crmio_keys) when a lookup field. Its
// buffers are reused from value to value.
type fieldRows struct {
	scratch []item
	seen    []string
}

// add appends the rows of the value v of field of record id to items and
// keys.
func (f *fieldRows) add(items []item, keys []keyRow, id int64, field string, v crmio.Value, use fieldUse) ([]item, []keyRow) {
	f.scratch = appendItems(f.scratch[:0], field, v)
	f.seen = f.seen[:0]
	for _, it := range f.scratch {
		if use&keyField != 0 {
			items = append(items, it)
		}
		if use&lookupField == 0 || slices.Contains(f.seen, it.key) { // a key once per record and field
			continue
		}
		f.seen = append(f.seen, it.key)
		keys = append(keys, keyRow{field: it.field, key: it.key, id: id})
	}
	return items, keys
}

// recordRows appends to items and keys the rows of the fields names of
// record id that are key or lookup fields of the module.
func (w *batchWriter) recordRows(rows *fieldRows, items []item, keys []keyRow, id int64, names []string, values map[string]crmio.Value) ([]item, []keyRow) {
	for _, name := range names {
		if use := w.fields[name]; use != 0 {
			items, keys = rows.add(items, keys, id, name, values[name], use)
		}
	}
	return items, keys
}

// queueItems queues rows of crmio_items of record id.
func (w *batchWriter) queueItems(ctx context.Context, id int64, items []item) error {
	for _, it := range items {
		var sortKey any
		if it.sort != "" {
			sortKey = it.sort
		}
		if err := w.add(ctx, &w.items, id, it.field, it.pos, it.key, sortKey); err != nil {
			return err
		}
	}
	return nil
}

// valsArg returns b as a BLOB argument without copying it: its capacity
// cut to its length, so that the records queued after it append to the
// buffer past it. It is only valid until the records' rows are written:
// write empties vals once the statement that read them ran (the driver
// copies a blob argument when it binds it, and keeps nothing), and the
// buffer's bytes are only written again after that. A vals that grows
// moves to a new array and leaves the queued arguments their old one.
func valsArg(b []byte) []byte {
	return b[:len(b):len(b)]
}

// moduleArg returns the module as a statement argument, boxed once for
// the batch rather than once per row.
func (w *batchWriter) moduleArg() any {
	if w.moduleBox == nil {
		w.moduleBox = w.module
	}
	return w.moduleBox
}

// keyRow is a row of crmio_keys waiting for flush.
type keyRow struct {
	field, key string
	id         int64
}

// rowBuffer holds the arguments of rows waiting for their INSERT.
type rowBuffer struct {
	perRow, full int
	query        func(rows int) string
	fullSQL      string // query(full)
	args         []any
}

func newRowBuffer(perRow, full int, query func(rows int) string) rowBuffer {
	return rowBuffer{perRow: perRow, full: full, query: query, fullSQL: query(full)}
}

func (c *conn) newBatchWriter(ctx context.Context, q querier, module string, replace bool) (*batchWriter, error) {
	fields, ids, err := c.moduleFields(ctx, q, module)
	if err != nil {
		return nil, err
	}
	if c.keys != nil { // before the transaction's first write of module's records
		if _, err := c.keys.module(ctx, q, module); err != nil {
			return nil, err
		}
	}
	recordsVerb := "INSERT"
	if replace {
		recordsVerb = "REPLACE" // keeps the id
	}
	return &batchWriter{
		c: c, q: q, module: module, replace: replace, fields: fields, ids: ids,
		records: newRowBuffer(3, recordsPerInsert, func(n int) string { return recordsSQL(recordsVerb, n) }),
		items:   itemsBuffer(),
		keys:    keysBuffer(),
	}, nil
}

// keysBuffer returns the buffer of rows of crmio_keys.
func keysBuffer() rowBuffer {
	return newRowBuffer(3, keysPerInsert, keysSQL)
}

// itemsBuffer returns the buffer of rows of crmio_items.
func itemsBuffer() rowBuffer {
	return newRowBuffer(5, itemsPerInsert, itemsSQL)
}

func rowsSQL(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// record queues one record, new or replacing the values of one whose
// items and keys the caller has deleted, with the items of its key fields.
func (w *batchWriter) record(ctx context.Context, id int64, values map[string]crmio.Value) error {
	// The values' stored form goes into vals, a buffer the queued rows
	// share (see valsArg), rather than a slice of its own per record: those copies
	// were a ninth of the bytes an import allocated.
	start := len(w.vals)
	w.vals, w.names = w.enc.Append(w.vals, values)
	return w.queueRecord(ctx, id, start, values)
}

// encodedChunk is the rows of up to recordsPerInsert records, encoded
// ahead of their INSERT by pipelined.
type encodedChunk struct {
	block []byte // the records' stored values, one after another
	recs  []encodedRecord
	items []item   // the rows of crmio_items of the records' key fields
	keys  []keyRow // the keys of their lookup fields
}

type encodedRecord struct {
	id         int64
	vals       []byte // in block
	items, end int    // the record's items are items[items:end]
}

// pipelined queues and writes recs, whose ids run from first, as record
// and flush do, but with the encoding of the records (their values, and
// the match and sort keys of their key and lookup fields) on a goroutine
// of its own, a chunk of recordsPerInsert records ahead of the statements
// that write them: SQLite runs on this goroutine only, and in an import
// the writer's goroutine is the one everything waits for, while another
// core is mostly idle. A 500,000-row import (internal/ceiling), five
// runs alternating with the serial encoding: 7.3 to 7.8 s, mean 7.5,
// against 7.1 to 8.2 s, mean 7.8; the writer's goroutine 6.7 s of CPU
// instead of 7.8. Smaller writes encode on the caller's goroutine.
func (w *batchWriter) pipelined(ctx context.Context, first int64, recs []crmio.Record) error {
	chunks := make(chan *encodedChunk, 2)
	spare := make(chan *encodedChunk, 3)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(chunks)
		var enc valuecodec.Encoder
		var rows fieldRows
		for start := 0; start < len(recs); start += recordsPerInsert {
			var c *encodedChunk
			select {
			case c = <-spare:
				c.block, c.recs, c.items, c.keys = c.block[:0], c.recs[:0], c.items[:0], c.keys[:0]
			default:
				c = new(encodedChunk)
			}
			for i, r := range recs[start:min(start+recordsPerInsert, len(recs))] {
				id := first + int64(start+i)
				from := len(c.block)
				var names []string
				c.block, names = enc.Append(c.block, r.Values)
				er := encodedRecord{id: id, items: len(c.items)}
				c.items, c.keys = w.recordRows(&rows, c.items, c.keys, id, names, r.Values)
				er.end = len(c.items)
				er.vals = c.block[from:len(c.block):len(c.block)]
				c.recs = append(c.recs, er)
			}
			// A block that grew moved: the records' vals point into the
			// arrays they were appended to, which stay as they are.
			select {
			case chunks <- c:
			case <-stop:
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range chunks {
		}
		<-done
	}()
	for c := range chunks {
		for _, r := range c.recs {
			if err := w.add(ctx, &w.records, w.moduleArg(), r.id, r.vals); err != nil {
				return err
			}
			if err := w.queueItems(ctx, r.id, c.items[r.items:r.end]); err != nil {
				return err
			}
		}
		w.pending = append(w.pending, c.keys...)
		// A chunk is a statement's worth of records: its last one wrote
		// them, and its block may go round again. (The last, shorter
		// chunk's records wait for flush; it is not reused.)
		if len(w.records.args) == 0 {
			select {
			case spare <- c:
			default:
			}
		}
	}
	return w.flush(ctx)
}

// queueRecord queues the record whose stored values record appended to
// vals from start, their field names in names. (The upgrade tests append
// the JSON of earlier versions instead.)
func (w *batchWriter) queueRecord(ctx context.Context, id int64, start int, values map[string]crmio.Value) error {
	if err := w.add(ctx, &w.records, w.moduleArg(), id, valsArg(w.vals[start:])); err != nil {
		return err
	}
	if len(w.fields) == 0 {
		return nil
	}
	w.fieldItemsBuf, w.pending = w.recordRows(&w.rows, w.fieldItemsBuf[:0], w.pending, id, w.names, values)
	return w.queueItems(ctx, id, w.fieldItemsBuf)
}

// fieldItems queues the items of the value v of a record's field when it
// is a key field, and its keys when it is a lookup field.
func (w *batchWriter) fieldItems(ctx context.Context, id int64, field string, v crmio.Value, use fieldUse) error {
	w.fieldItemsBuf, w.pending = w.rows.add(w.fieldItemsBuf[:0], w.pending, id, field, v, use)
	return w.queueItems(ctx, id, w.fieldItemsBuf)
}

// add queues one row, and writes the buffer once it holds a statement's
// worth.
func (w *batchWriter) add(ctx context.Context, b *rowBuffer, args ...any) error {
	b.args = append(b.args, args...)
	if len(b.args) < b.perRow*b.full {
		return nil
	}
	return w.write(ctx, b)
}

// flush writes what is queued, the keys in the order of their index.
func (w *batchWriter) flush(ctx context.Context) error {
	slices.SortFunc(w.pending, func(a, b keyRow) int { // the order of crmio_keys
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := strings.Compare(a.field, b.field); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if w.c != nil && w.c.keys != nil {
		// Before the INSERTs: a Lookup of a key filtered in but not yet
		// written asks the database, which answers exactly.
		w.c.keys.wrote(w.module, w.pending)
	}
	var fieldID any
	for i, k := range w.pending {
		if i == 0 || k.field != w.pending[i-1].field {
			id, ok := w.ids[k.field]
			if !ok {
				return fmt.Errorf("internal error: %s.%s is not a lookup field", w.module, k.field)
			}
			fieldID = id // boxed once per field, not per row
		}
		if err := w.add(ctx, &w.keys, fieldID, k.key, k.id); err != nil {
			return err
		}
	}
	w.pending = w.pending[:0]
	for _, b := range []*rowBuffer{&w.records, &w.items, &w.keys} {
		if err := w.write(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// write runs the INSERT of the rows in b: a full chunk through the
// statement the store keeps prepared, fewer rows through a statement of
// their own.
func (w *batchWriter) write(ctx context.Context, b *rowBuffer) error {
	if len(b.args) == 0 {
		return nil
	}
	rows := len(b.args) / b.perRow
	defer func() {
		clear(b.args) // keep no string of vals past this point
		b.args = b.args[:0]
		if b == &w.records {
			w.vals = w.vals[:0] // the rows that used it are written (see valsArg)
		}
	}()
	if rows < b.full {
		_, err := w.q.ExecContext(ctx, b.query(rows), b.args...)
		return err
	}
	if w.c == nil { // no store: a test writing a version 1 database
		_, err := w.q.ExecContext(ctx, b.fullSQL, b.args...)
		return err
	}
	st, err := w.c.stmt(ctx, w.q, b.fullSQL)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, b.args...)
	return err
}

// Update implements storage.Store. It checks that every id exists before
// writing anything.
func (c *conn) Update(ctx context.Context, module string, recs []crmio.Record) error {
	if len(recs) == 0 {
		return c.check(ctx)
	}
	rowIDs := make([]int64, len(recs))
	for i, r := range recs {
		id, ok := sqlstore.ParseID(r.ID)
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
		if err := c.deleteItems(ctx, q, module, rowIDs); err != nil {
			return err
		}
		// An id given twice takes the values of its last record.
		last := make(map[int64]int, len(rowIDs))
		for i, id := range rowIDs {
			last[id] = i
		}
		w, err := c.newBatchWriter(ctx, q, module, true)
		if err != nil {
			return err
		}
		for i, id := range rowIDs {
			if last[id] != i {
				continue
			}
			if err := w.record(ctx, id, recs[i].Values); err != nil {
				return err
			}
		}
		return w.flush(ctx)
	})
}

// deleteItems deletes the items of records of module, and their keys.
// The keys of a key field are found from its items; those of a lookup
// field that is no key field (it has no items) from the records' values.
func (c *conn) deleteItems(ctx context.Context, q querier, module string, ids []int64) error {
	fields, fieldIDs, err := c.moduleFields(ctx, q, module)
	if err != nil {
		return err
	}
	var keysOnly []string
	for f, use := range fields {
		if use&keyField == 0 {
			keysOnly = append(keysOnly, f)
		}
	}
	if len(keysOnly) > 0 {
		if err := deleteValueKeys(ctx, q, module, fieldIDs, keysOnly, ids); err != nil {
			return err
		}
	}
	for _, ch := range chunks(len(ids)) {
		part := ids[ch[0]:ch[1]]
		args := idArgs(module, part)
		in := placeholders(len(part))
		// Each key row is found by its whole primary key, from the items.
		if _, err := q.ExecContext(ctx, `DELETE FROM crmio_keys WHERE (field_id, key, record_id) IN
			(SELECT f.id, i.key, i.record_id FROM crmio_items i JOIN crmio_lookup_fields f ON f.module = ?1 AND f.field = i.field
			WHERE i.record_id IN (`+in+`))`, args...); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM crmio_items WHERE record_id IN (`+in+`)`, args[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// deleteValueKeys deletes the keys in crmio_keys of fields (lookup fields
// without items, numbered by fieldIDs) of the records ids of module,
// computed from the values the records hold.
func deleteValueKeys(ctx context.Context, q querier, module string, fieldIDs map[string]int64, fields []string, ids []int64) error {
	var keys []keyRow
	var scratch []item
	err := readByID(ctx, q, module, ids, func(r crmio.Record) bool {
		id, _ := sqlstore.ParseID(r.ID)
		for _, f := range fields {
			scratch = appendItems(scratch[:0], f, r.Values[f])
			for _, it := range scratch {
				keys = append(keys, keyRow{field: f, key: it.key, id: id})
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	const perDelete = maxParams / 3
	for start := 0; start < len(keys); start += perDelete {
		part := keys[start:min(start+perDelete, len(keys))]
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			args = append(args, fieldIDs[k.field], k.key, k.id)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM crmio_keys WHERE (field_id, key, record_id) IN (VALUES `+rowsSQL(len(part), "(?, ?, ?)")+`)`, args...); err != nil {
			return err
		}
	}
	return nil
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

// idArgs returns the arguments of a statement on records ids of module:
// the module, then each id.
func idArgs(module string, ids []int64) []any {
	args := make([]any, 0, len(ids)+1)
	args = append(args, module)
	for _, id := range ids {
		args = append(args, id)
	}
	return args
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
		args := idArgs(module, part)
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
	rowIDs := sqlstore.ParseIDs(ids)
	if len(rowIDs) == 0 {
		return c.check(ctx)
	}
	return c.write(ctx, "delete", func(q querier) error {
		// Only ids of the module: another module's records stay whole.
		found, err := existing(ctx, q, module, rowIDs)
		if err != nil {
			return err
		}
		mine := make([]int64, 0, len(found))
		for _, id := range rowIDs {
			if found[id] {
				mine = append(mine, id)
			}
		}
		if err := c.deleteItems(ctx, q, module, mine); err != nil {
			return err
		}
		for _, ch := range chunks(len(mine)) {
			part := mine[ch[0]:ch[1]]
			args := idArgs(module, part)
			if _, err := q.ExecContext(ctx, `DELETE FROM crmio_records WHERE module = ? AND id IN (`+placeholders(len(part))+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Get implements storage.Store.
func (c *conn) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	if err := c.check(ctx); err != nil {
		return nil, err
	}
	rowIDs := sqlstore.ParseIDs(ids)
	byID := make(map[string]crmio.Record, len(rowIDs))
	err := readByID(ctx, c.reads(), module, rowIDs, func(r crmio.Record) bool {
		byID[r.ID] = r
		return true
	})
	if err != nil {
		return nil, c.st.fail("get", err)
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

// readByID reads the records ids of module (those that exist, in no set
// order), a statement per maxParams ids, handing each to f.
func readByID(ctx context.Context, q querier, module string, ids []int64, f func(crmio.Record) bool) error {
	for _, ch := range chunks(len(ids)) {
		part := ids[ch[0]:ch[1]]
		args := idArgs(module, part)
		rows, err := q.QueryContext(ctx, `SELECT id, vals FROM crmio_records WHERE module = ? AND id IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return err
		}
		if err := readRecords(rows, module, f); err != nil {
			return err
		}
	}
	return nil
}

// readRecords reads (id, vals) rows into records until f returns false,
// and closes rows.
func readRecords(rows *sql.Rows, module string, f func(crmio.Record) bool) error {
	defer rows.Close()
	return sqlstore.ReadRecords[sql.RawBytes](rows, module, decodeValuesIn, f)
}
