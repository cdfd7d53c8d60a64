package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/crmio/crmio/internal/fnv1a"
	"github.com/crmio/crmio/storage/internal/sqlstore"

	"github.com/jackc/pgx/v5"
)

// moduleLockKey is the advisory lock that orders writes of module's records
// against the addition of a key or lookup field to it: writers take it
// shared, for their transaction; adding a field takes it exclusively.
func (s *Store) moduleLockKey(module string) int64 {
	h := fnv1a.Offset
	h = fnv1a.String(h, "crmio lookup fields")
	h = fnvLen(h, len(s.schema))
	h = fnv1a.String(h, s.schema)
	h = fnvLen(h, len(module))
	return int64(fnv1a.String(h, module))
}

// writeSetup is what a write of records needs from the database before it
// encodes them: the module's key and lookup fields, read under the
// module's shared lock (held until the transaction ends), and count new
// ids.
func (c *conn) writeSetup(ctx context.Context, db *pgx.Conn, w *writeTx, module string, count int, more func(*pgx.Batch), readMore func(pgx.BatchResults) error) (fields map[string]fieldUse, ids []int64, err error) {
	var batch pgx.Batch
	opening := !w.opened
	w.open(&batch)
	batch.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, c.st.moduleLockKey(module))
	// Every lookup field is a key field.
	batch.Queue(c.st.sql(`SELECT k.field, l.field IS NOT NULL FROM crmio_key_fields k
		LEFT JOIN crmio_lookup_fields l ON l.module = k.module AND l.field = k.field WHERE k.module = $1`), module)
	if count > 0 {
		batch.Queue(c.st.sql(`SELECT nextval('crmio_record_ids') FROM generate_series(1, $1)`), count)
	}
	if more != nil {
		more(&batch)
	}
	results := db.SendBatch(ctx, &batch)
	defer results.Close()
	if opening {
		if _, err := results.Exec(); err != nil {
			return nil, nil, err
		}
	}
	if _, err := results.Exec(); err != nil {
		return nil, nil, err
	}
	rows, _ := results.Query()
	fields = make(map[string]fieldUse)
	var field string
	var lookup bool
	if _, err := pgx.ForEachRow(rows, []any{&field, &lookup}, func() error {
		fields[field] = keyField
		if lookup {
			fields[field] |= lookupField
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	if count > 0 {
		rows, _ := results.Query()
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, nil, err
		}
		slices.Sort(ids)
	}
	if readMore != nil {
		if err := readMore(results); err != nil {
			return nil, nil, err
		}
	}
	return fields, ids, results.Close()
}

// IndexFields makes fields lookup fields of module: it indexes the match
// keys of their values, those of the records already stored included, so
// that Lookup and = filters on them use the index. Lookup does it itself
// for a field it has not seen, on its first call: call IndexFields ahead
// to pay that cost (one pass over the module's records) before an import,
// or for the fields of a Scope. Fields already indexed cost nothing.
func (c *conn) IndexFields(ctx context.Context, module string, fields ...string) error {
	return c.addFields(ctx, module, fields, keyField|lookupField)
}

// KeyFields makes fields key fields of module: it adds the match and sort
// keys of their values to the records already stored, so that a Scan
// filtering or ordering on them runs in SQL. Scan does it itself for a
// field it has not seen, on its first call: call KeyFields ahead to pay
// that cost (one pass over the module's records) before, say, serving
// queries. Fields already keyed cost nothing.
func (c *conn) KeyFields(ctx context.Context, module string, fields ...string) error {
	return c.addFields(ctx, module, fields, keyField)
}

// addFields makes each of fields a field of module with the given use.
func (c *conn) addFields(ctx context.Context, module string, fields []string, use fieldUse) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	var unknown []string
	for _, f := range fields {
		if !c.hasField(module, f, use) && !slices.Contains(unknown, f) {
			unknown = append(unknown, f)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	// Fields another store added, or this transaction, need no lock: the
	// records are filled in when the field is visible.
	have := make(map[string]fieldUse)
	err := c.with(ctx, "add fields", func(db *pgx.Conn) error {
		rows, _ := db.Query(ctx, c.st.sql(`SELECT k.field, l.field IS NOT NULL FROM crmio_key_fields k
			LEFT JOIN crmio_lookup_fields l ON l.module = k.module AND l.field = k.field WHERE k.module = $1 AND k.field = ANY($2)`), module, unknown)
		var field string
		var lookup bool
		_, err := pgx.ForEachRow(rows, []any{&field, &lookup}, func() error {
			have[field] = keyField
			if lookup {
				have[field] |= lookupField
			}
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	for _, f := range unknown {
		if have[f]&use == use {
			c.knowField(module, f, have[f])
			continue
		}
		if err := c.write(ctx, "add fields", func(db *pgx.Conn, w *writeTx) error {
			if err := w.beginOn(ctx, db); err != nil {
				return err
			}
			return c.addField(ctx, db, module, f, use)
		}); err != nil {
			return err
		}
		c.knowField(module, f, use)
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

func (s *Store) isLookupField(module, field string) bool {
	return s.hasField(module, field, lookupField)
}

// hasField reports whether field is known to be a field of module with
// use: committed, or, inside Atomic, seen by the transaction.
func (c *conn) hasField(module, field string, use fieldUse) bool {
	return c.st.hasField(module, field, use) || c.seen.has(module, field, use)
}

// knowField records that field is a field of module with use, as c sees
// it: outside Atomic, committed; inside, for the transaction, until a
// savepoint that may have added it rolls back (see txFields).
func (c *conn) knowField(module, field string, use fieldUse) {
	if c.tx == nil {
		c.st.knowField(module, field, use)
		return
	}
	c.seen.know(module, field, use)
}

func (c *conn) isLookupField(module, field string) bool {
	return c.hasField(module, field, lookupField)
}

// txFields is what a transaction has seen of its key and lookup fields:
// what it has added, and what it has found committed. Without it, every
// Lookup of an import's batches, all in one transaction, asked the
// database again whether the field is a lookup field, in a query that
// cost the server more than the plain one. A field the transaction added
// goes when a savepoint rolls back, so a rollback forgets all (the fields
// are asked again), and a commit makes them known to the store.
type txFields struct {
	mu sync.Mutex
	m  map[[2]string]fieldUse
}

func (t *txFields) has(module, field string, use fieldUse) bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[[2]string{module, field}]&use == use && use != 0
}

func (t *txFields) know(module, field string, use fieldUse) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[[2]string]fieldUse)
	}
	t.m[[2]string{module, field}] |= use
}

// forget forgets everything: a savepoint rolled back.
func (t *txFields) forget() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.m)
}

// committed makes what the transaction saw known to the store.
func (t *txFields) committed(s *Store) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, use := range t.m {
		s.knowField(k[0], k[1], use)
	}
}

// backfillPage is how many records addField reads per round trip.
const backfillPage = 5000

// addField makes field a field of module with use (a lookup field is a
// key field too), and fills in what the records already there need: the
// key and sort elements of a new key field (but in a record that holds
// some already, written by schema version 1, which keyed every field),
// the hashes of a new lookup field. It runs in a transaction: the
// exclusive lock waits for the writes in progress, whose records it then
// sees, and keeps new writes waiting until it commits, after which they
// see the field.
func (c *conn) addField(ctx context.Context, db *pgx.Conn, module, field string, use fieldUse) error {
	if _, err := db.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, c.st.moduleLockKey(module)); err != nil {
		return err
	}
	var batch pgx.Batch
	batch.Queue(c.st.sql(`INSERT INTO crmio_key_fields (module, field) VALUES ($1, $2) ON CONFLICT DO NOTHING`), module, field)
	if use&lookupField != 0 {
		batch.Queue(c.st.sql(`INSERT INTO crmio_lookup_fields (module, field) VALUES ($1, $2) ON CONFLICT DO NOTHING`), module, field)
	}
	results := db.SendBatch(ctx, &batch)
	tag, err := results.Exec()
	newKey := err == nil && tag.RowsAffected() > 0
	newLookup := false
	if err == nil && use&lookupField != 0 {
		tag, err = results.Exec()
		newLookup = err == nil && tag.RowsAffected() > 0
	}
	if cerr := results.Close(); err == nil {
		err = cerr
	}
	if err != nil || (!newKey && !newLookup) {
		return err // added meanwhile by another
	}
	if _, err := db.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS crmio_kstage (id bigint NOT NULL, k bytea[] NOT NULL, s bytea[] NOT NULL, h bigint[] NOT NULL) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	prefix := fieldPrefix(nil, field)
	type row struct {
		id   int64
		k, s [][]byte
		h    []int64
	}
	after := int64(0)
	for {
		// The values are read only for the records that lack the field's
		// elements; a record that has them gets its hashes from them.
		rows, _ := db.Query(ctx, c.st.sql(`SELECT id, keys, CASE WHEN $4 THEN vals END FROM crmio_records WHERE module = $1 AND id > $2 ORDER BY id LIMIT $3`),
			module, after, backfillPage, newKey)
		var page []row
		var seen int
		var id int64
		var elems [][]byte
		var vals []byte
		var rk recordKeys
		_, err := pgx.ForEachRow(rows, []any{&id, &elems, &vals}, func() error {
			seen++
			after = id
			var r row
			has := false
			for _, e := range elems {
				if len(e) >= len(prefix) && string(e[:len(prefix)]) == string(prefix) {
					has = true
					if newLookup {
						if h := keyHash(module, field, string(e[len(prefix):])); !slices.Contains(r.h, h) {
							r.h = append(r.h, h)
						}
					}
				}
			}
			if newKey && !has && vals != nil {
				values, err := decodeValues(vals)
				if err != nil {
					return fmt.Errorf("record %d: %w", id, err)
				}
				rk.arena, rk.ends, rk.hkeys = rk.arena[:0], rk.ends[:0], rk.hkeys[:0]
				u := keyField
				if newLookup {
					u |= lookupField
				}
				rk.add(module, field, values[field], u)
				rk.cut()
				for i := range rk.keys {
					r.k = append(r.k, slices.Clone(rk.keys[i]))
					r.s = append(r.s, slices.Clone(rk.sorts[i]))
				}
				r.h = append(r.h, rk.hkeys...)
			}
			if len(r.k) > 0 || len(r.h) > 0 {
				r.id = id
				page = append(page, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(page) > 0 {
			i := 0
			src := &copySource{row: func(b []byte) ([]byte, bool, error) {
				if i == len(page) {
					return b, false, nil
				}
				b = appendInt16(b, 4)
				b = appendInt8Field(b, page[i].id)
				b = appendByteaArrayField(b, page[i].k)
				b = appendByteaArrayField(b, page[i].s)
				b = appendInt8ArrayField(b, page[i].h)
				i++
				return b, true, nil
			}}
			if _, err := db.PgConn().CopyFrom(ctx, src, `COPY pg_temp.crmio_kstage (id, k, s, h) FROM STDIN (FORMAT binary)`); err != nil {
				return err
			}
			if _, err := db.Exec(ctx, c.st.sql(`UPDATE crmio_records r SET keys = r.keys || s.k, sorts = r.sorts || s.s, hkeys = r.hkeys || s.h
				FROM pg_temp.crmio_kstage s WHERE r.module = $1 AND r.id = s.id`), module); err != nil {
				return err
			}
			if newLookup {
				// No record holds the new field's hashes yet (its writers
				// added none, not knowing the field), and r.h holds each
				// once: no row goes in twice.
				if _, err := db.Exec(ctx, c.st.sql(`INSERT INTO crmio_lookup_keys (h, id) SELECT u.h, s.id FROM pg_temp.crmio_kstage s, unnest(s.h) u(h)`)); err != nil {
					return err
				}
			}
			if _, err := db.Exec(ctx, `DELETE FROM pg_temp.crmio_kstage`); err != nil {
				return err
			}
		}
		if seen < backfillPage {
			return nil
		}
	}
}

// Lookup implements storage.Store. The hash index of crmio_lookup_keys finds
// the candidate records by the hashes of the keys; their keys settle
// which wanted key each holds (a hash can collide, the key cannot). The
// first Lookup of a field makes it a lookup field (see IndexFields).
func (c *conn) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	wanted := make(map[string]bool, len(keys))
	hashes := make([]int64, 0, len(keys))
	for _, k := range keys {
		if k != "" && !wanted[k] { // "" is no value's key
			wanted[k] = true
			hashes = append(hashes, keyHash(module, field, k))
		}
	}
	if len(hashes) == 0 {
		return map[string][]string{}, c.check(ctx)
	}
	for {
		out, indexed, err := c.lookup(ctx, module, field, wanted, hashes)
		if err != nil || indexed {
			return out, err
		}
		if err := c.IndexFields(ctx, module, field); err != nil {
			return nil, err
		}
	}
}

// lookupSQL finds the records of module $1 holding any of the hashes $2:
// a probe of the hash index of crmio_lookup_keys per hash (a bitmap scan:
// a hash index takes = ANY(array) in no other), then one of the records'
// primary key per id found. The module condition settles a hash that
// collides with another module's (the hash includes the module). Two
// things keep the planner on the two indexes whatever the table's
// statistics say:
//
//   - The hashes come through a sub-select, whose value the planner does
//     not see: given the array itself, once the table is analyzed it may
//     judge that 1,000 hashes match enough of it to read it whole.
//   - The ids come as an array from a sub-select, which the planner runs
//     first (an InitPlan) and then looks up by the primary key, rather
//     than joining, which it may do by hashing a scan of the module.
const lookupSQL = `SELECT r.id, r.keys FROM crmio_records r WHERE r.module = $1 AND r.id = ANY (ARRAY(SELECT k.id FROM crmio_lookup_keys k WHERE k.h = ANY ((SELECT $2::bigint[])::bigint[])))`

// lookup runs one Lookup query. It reports indexed false, finding nothing,
// when field is not a lookup field of module.
func (c *conn) lookup(ctx context.Context, module, field string, wanted map[string]bool, hashes []int64) (out map[string][]string, indexed bool, err error) {
	query := lookupSQL
	// A field known committed to be a lookup field stays one: inside a
	// transaction too, whose statements see what is committed.
	known := c.isLookupField(module, field)
	if !known {
		// A first row with id 0 says that field is no lookup field.
		query = `SELECT 0::bigint, NULL::bytea[] WHERE NOT EXISTS (SELECT 1 FROM crmio_lookup_fields WHERE module = $1 AND field = $3)
			UNION ALL
			(` + query + ` AND EXISTS (SELECT 1 FROM crmio_lookup_fields WHERE module = $1 AND field = $3))`
	}
	prefix := fieldPrefix(nil, field)
	ids := make(map[string][]int64)
	indexed = true
	err = c.with(ctx, "lookup", func(db *pgx.Conn) error {
		args := []any{module, hashes}
		if !known {
			args = append(args, field)
		}
		rows, err := db.Query(ctx, c.st.sql(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var id int64
		var elems [][]byte
		var matched []string
		for rows.Next() {
			if err := rows.Scan(&id, &elems); err != nil {
				return err
			}
			if id == 0 {
				indexed = false
				return nil
			}
			matched = matched[:0]
			for _, e := range elems {
				if len(e) < len(prefix) || string(e[:len(prefix)]) != string(prefix) {
					continue
				}
				if k := string(e[len(prefix):]); wanted[k] && !slices.Contains(matched, k) {
					matched = append(matched, k)
					ids[k] = append(ids[k], id)
				}
			}
		}
		return rows.Err()
	})
	if err != nil || !indexed {
		return nil, indexed, err
	}
	if !known {
		c.knowField(module, field, keyField|lookupField)
	}
	out = make(map[string][]string, len(ids))
	for k, list := range ids {
		slices.Sort(list) // id order
		list = slices.Compact(list)
		strs := make([]string, len(list))
		for i, id := range list {
			strs[i] = sqlstore.FormatID(id)
		}
		out[k] = strs
	}
	return out, true, nil
}
