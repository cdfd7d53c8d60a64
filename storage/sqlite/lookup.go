package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/crmio/crmio"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
)

// fieldUse says what a field of a module is to the store: a keyField's
// values have items (match and sort keys), so that a Scan filters and
// orders on it in SQL; a lookupField's match keys are also in crmio_keys,
// the index Lookup and = filters use.
type fieldUse = sqlstore.FieldUse

const (
	keyField    = sqlstore.KeyField
	lookupField = sqlstore.LookupField
)

// moduleFields returns the module's key fields, which of them are lookup
// fields, and the numbers of the lookup fields, by which crmio_keys names
// them. Writers call it in their write transaction, so that no record
// misses the items of a field added meanwhile.
func (c *conn) moduleFields(ctx context.Context, q querier, module string) (map[string]fieldUse, map[string]int64, error) {
	st, err := c.stmt(ctx, q, moduleFieldsSQL)
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.QueryContext(ctx, module)
	if err != nil {
		return nil, nil, err
	}
	return readFields(rows)
}

// moduleFields is conn.moduleFields without a store's statements or the
// fields' numbers.
func moduleFields(ctx context.Context, q querier, module string) (map[string]fieldUse, error) {
	rows, err := q.QueryContext(ctx, moduleFieldsSQL, module)
	if err != nil {
		return nil, err
	}
	fields, _, err := readFields(rows)
	return fields, err
}

// readFields reads the rows of moduleFieldsSQL, and closes them.
func readFields(rows *sql.Rows) (map[string]fieldUse, map[string]int64, error) {
	defer rows.Close()
	fields := make(map[string]fieldUse)
	ids := make(map[string]int64)
	var field string
	var key, lookup bool
	var id int64
	for rows.Next() {
		if err := rows.Scan(&field, &key, &lookup, &id); err != nil {
			return nil, nil, err
		}
		if key {
			fields[field] |= keyField
		}
		if lookup {
			fields[field] |= lookupField
			ids[field] = id
		}
	}
	return fields, ids, rows.Err()
}

// lookupFields returns the module's lookup fields.
func (c *conn) lookupFields(ctx context.Context, q querier, module string) (map[string]bool, error) {
	fields, _, err := c.moduleFields(ctx, q, module)
	if err != nil {
		return nil, err
	}
	lookup := make(map[string]bool)
	for f, use := range fields {
		if use&lookupField != 0 {
			lookup[f] = true
		}
	}
	return lookup, nil
}

// IndexFields makes fields lookup fields of module: it indexes the match
// keys of their values, those of the records already stored included, so
// that Lookup and = filters on them use the index. Lookup does it itself
// for a field it has not seen, on its first call: call IndexFields ahead
// to pay that cost (one pass over the module's records) before an import,
// or for the fields of a Scope. Fields already indexed cost nothing.
func (c *conn) IndexFields(ctx context.Context, module string, fields ...string) error {
	return c.addFields(ctx, module, fields, lookupField)
}

// KeyFields makes fields key fields of module: it writes the items (match
// and sort keys) of their values in the records already stored, so that a
// Scan filtering or ordering on them runs in SQL. Scan does it itself for
// a field it has not seen, on its first call: call KeyFields ahead to pay
// that cost (one pass over the module's records) before, say, serving
// queries. Fields already keyed cost nothing.
func (c *conn) KeyFields(ctx context.Context, module string, fields ...string) error {
	return c.addFields(ctx, module, fields, keyField)
}

// addFields makes each of fields a field of module with use (or more).
func (c *conn) addFields(ctx context.Context, module string, fields []string, use fieldUse) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	var unknown []string
	for _, f := range fields {
		if !c.st.hasField(module, f, use) && !slices.Contains(unknown, f) {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	have, _, err := c.moduleFields(ctx, c.reads(), module)
	if err != nil {
		return c.st.fail("add fields", err)
	}
	for _, f := range unknown {
		if have[f]&use == use {
			if c.tx == nil {
				c.st.knowField(module, f, have[f])
			}
			continue
		}
		if err := c.write(ctx, "add fields", func(q querier) error { return c.addField(ctx, q, module, f, use) }); err != nil {
			return err
		}
		if c.tx == nil { // inside Atomic, it is known once committed
			c.st.knowField(module, f, use)
		}
	}
	return nil
}

// hasField reports whether field is known, committed, to be a field of
// module with use (or more).
func (s *Store) hasField(module, field string, use fieldUse) bool {
	return s.fields.Has(module, field, use)
}

// knowField records that field is, committed, a field of module with use:
// a field never stops being one.
func (s *Store) knowField(module, field string, use fieldUse) {
	s.fields.Know(module, field, use)
}

// backfillPage is how many records addField reads at a time.
const backfillPage = 2000

// addField makes field a field of module with use, and fills in what the
// records already there need: the items of a new key field (but in a
// record that has some already, written by schema version 1, which wrote
// items for every field), the keys of a new lookup field. It runs in a
// write transaction, which holds SQLite's write lock: no record is written
// meanwhile, and writes after it see the field.
func (c *conn) addField(ctx context.Context, q querier, module, field string, use fieldUse) error {
	// added records the field in table, reporting whether it was not there.
	added := func(table string) (bool, error) {
		res, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO `+table+` (module, field) VALUES (?, ?)`, module, field)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n > 0, err
	}
	newKey, newLookup := false, false
	var err error
	if use&keyField != 0 {
		if newKey, err = added("crmio_key_fields"); err != nil {
			return err
		}
	}
	if use&lookupField != 0 {
		if newLookup, err = added("crmio_lookup_fields"); err != nil {
			return err
		}
	}
	if newKey {
		if err := c.backfillItems(ctx, q, module, field); err != nil {
			return err
		}
	}
	if !newLookup {
		return nil
	}
	var one int
	err = q.QueryRowContext(ctx, `SELECT 1 FROM crmio_key_fields WHERE module = ? AND field = ?`, module, field).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// No items to copy the keys from: the records' values give them.
		return c.backfillKeys(ctx, q, module, field)
	case err != nil:
		return err
	}
	if c.keys != nil {
		c.keys.unknown(module) // keys no batchWriter wrote
	}
	_, err = q.ExecContext(ctx, `INSERT OR IGNORE INTO crmio_keys (field_id, key, record_id)
		SELECT f.id, i.key, i.record_id FROM crmio_records r JOIN crmio_items i ON i.record_id = r.id
		JOIN crmio_lookup_fields f ON f.module = r.module AND f.field = i.field
		WHERE r.module = ?1 AND i.field = ?2`, module, field)
	return err
}

// backfillKeys writes the keys of field, a lookup field that is no key
// field, for the records of module, from their values, a page at a time.
func (c *conn) backfillKeys(ctx context.Context, q querier, module, field string) error {
	_, ids, err := c.moduleFields(ctx, q, module)
	if err != nil {
		return err
	}
	w := &batchWriter{c: c, q: q, module: module, ids: ids, keys: keysBuffer()}
	after := int64(0)
	for {
		rows, err := q.QueryContext(ctx, `SELECT id, vals FROM crmio_records WHERE module = ? AND id > ? ORDER BY id LIMIT ?`,
			module, after, backfillPage)
		if err != nil {
			return err
		}
		n := 0
		var werr error
		err = readRecords(rows, module, func(r crmio.Record) bool {
			n++
			after, _ = sqlstore.ParseID(r.ID)
			werr = w.fieldItems(ctx, after, field, r.Values[field], lookupField)
			return werr == nil
		})
		if err != nil {
			return err
		}
		if werr != nil {
			return werr
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if n < backfillPage {
			return nil
		}
	}
}

// backfillItems writes the items of field in the records of module that
// have none, a page at a time.
func (c *conn) backfillItems(ctx context.Context, q querier, module, field string) error {
	w := &batchWriter{c: c, q: q, module: module, items: itemsBuffer()}
	type page struct {
		id   int64
		vals []byte
	}
	after := int64(0)
	for {
		rows, err := q.QueryContext(ctx, `SELECT r.id, r.vals FROM crmio_records r WHERE r.module = ? AND r.id > ?
			AND NOT EXISTS (SELECT 1 FROM crmio_items i WHERE i.record_id = r.id AND i.field = ?) ORDER BY r.id LIMIT ?`,
			module, after, field, backfillPage)
		if err != nil {
			return err
		}
		var recs []page
		for rows.Next() {
			var p page
			if err := rows.Scan(&p.id, &p.vals); err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, p := range recs {
			values, err := decodeValues(p.vals)
			if err != nil {
				return fmt.Errorf("record %d: %w", p.id, err)
			}
			if err := w.fieldItems(ctx, p.id, field, values[field], keyField); err != nil {
				return err
			}
			after = p.id
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if len(recs) < backfillPage {
			return nil
		}
	}
}

// readLookup runs the lookup statement and adds what it finds to out.
func readLookup(ctx context.Context, st *sql.Stmt, args []any, out map[string][]string) error {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var key string
	var id int64
	for rows.Next() {
		if err := rows.Scan(&key, &id); err != nil {
			return err
		}
		out[key] = append(out[key], sqlstore.FormatID(id))
	}
	return rows.Err()
}

// scanFields returns the fields a Scan of q filters or orders on: those
// that must be key fields.
func scanFields(q storage.Query) []string {
	var fields []string
	add := func(f string) {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range q.Where {
		add(f.Field)
	}
	for _, f := range q.Scope.Fields() {
		add(f)
	}
	for _, o := range q.Order {
		add(o.Field)
	}
	return fields
}

// Lookup implements storage.Store, from the index of the field's keys.
// The first Lookup of a field makes it a lookup field (see IndexFields).
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
	if len(want) == 0 {
		return out, nil
	}
	if err := c.IndexFields(ctx, module, field); err != nil {
		return nil, err
	}
	q := c.reads()
	if c.keys != nil {
		var err error
		if want, err = c.keys.mayBeStored(ctx, q, module, field, want); err != nil {
			return nil, c.st.fail("lookup", err)
		}
		if len(want) == 0 {
			return out, nil
		}
	}
	st, err := c.stmt(ctx, q, lookupSQL)
	if err != nil {
		return nil, c.st.fail("lookup", err)
	}
	args := make([]any, 2+lookupChunk)
	args[0], args[1] = module, field
	for start := 0; start < len(want); start += lookupChunk {
		part := want[start:min(start+lookupChunk, len(want))]
		for i := range lookupChunk {
			args[2+i] = nil // matches no key
			if i < len(part) {
				args[2+i] = part[i]
			}
		}
		if err := readLookup(ctx, st, args, out); err != nil {
			return nil, c.st.fail("lookup", err)
		}
	}
	return out, nil
}
