package postgres

import (
	"context"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"slices"

	"github.com/jackc/pgx/v5"
)

// moduleLockKey is the advisory lock that orders writes of module's records
// against the addition of a lookup field to it: writers take it shared,
// for their transaction; adding a field takes it exclusively.
func (s *Store) moduleLockKey(module string) int64 {
	h := uint64(fnvOffset)
	h = fnvString(h, "crmio lookup fields")
	h = fnvLen(h, len(s.schema))
	h = fnvString(h, s.schema)
	h = fnvLen(h, len(module))
	return int64(fnvString(h, module))
}

// writeSetup is what a write of records needs from the database before it
// encodes them: the module's lookup fields, read under the module's shared
// lock (held until the transaction ends), and count new ids.
func (c *conn) writeSetup(ctx context.Context, db *pgx.Conn, module string, count int) (lookup map[string]bool, ids []int64, err error) {
	var batch pgx.Batch
	batch.Queue(`SELECT pg_advisory_xact_lock_shared($1)`, c.st.moduleLockKey(module))
	batch.Queue(c.st.sql(`SELECT field FROM crmio_lookup_fields WHERE module = $1`), module)
	if count > 0 {
		batch.Queue(c.st.sql(`SELECT nextval('crmio_record_ids') FROM generate_series(1, $1)`), count)
	}
	results := db.SendBatch(ctx, &batch)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return nil, nil, err
	}
	rows, _ := results.Query()
	fields, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, nil, err
	}
	lookup = make(map[string]bool, len(fields))
	for _, f := range fields {
		lookup[f] = true
	}
	if count > 0 {
		rows, _ := results.Query()
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, nil, err
		}
		slices.Sort(ids)
	}
	return lookup, ids, results.Close()
}

// IndexFields makes fields lookup fields of module: it indexes the match
// keys of their values, those of the records already stored included, so
// that Lookup and = filters on them use the index. Lookup does it itself
// for a field it has not seen, on its first call: call IndexFields ahead
// to pay that cost (one pass over the module's records) before an import,
// or for the fields of a Scope. Fields already indexed cost nothing.
func (c *conn) IndexFields(ctx context.Context, module string, fields ...string) error {
	if err := c.check(ctx); err != nil {
		return err
	}
	for _, f := range fields {
		if c.st.isLookupField(module, f) {
			continue
		}
		if err := c.write(ctx, "index fields", func(db *pgx.Conn) error {
			return c.addLookupField(ctx, db, module, f)
		}); err != nil {
			return err
		}
		if c.tx == nil { // inside Atomic, it is known once committed
			c.st.lookupFields.Store(lookupFieldKey(module, f), true)
		}
	}
	return nil
}

func lookupFieldKey(module, field string) string {
	return string(element(module, field))
}

func (s *Store) isLookupField(module, field string) bool {
	_, ok := s.lookupFields.Load(lookupFieldKey(module, field))
	return ok
}

// backfillPage is how many records addLookupField hashes per round trip.
const backfillPage = 5000

// addLookupField adds field to module's lookup fields and adds the hashes
// of its values to the records already there. It runs in a transaction:
// the exclusive lock waits for the writes in progress, whose records it
// then sees, and keeps new writes waiting until it commits, after which
// they see the field.
func (c *conn) addLookupField(ctx context.Context, db *pgx.Conn, module, field string) error {
	if _, err := db.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, c.st.moduleLockKey(module)); err != nil {
		return err
	}
	tag, err := db.Exec(ctx, c.st.sql(`INSERT INTO crmio_lookup_fields (module, field) VALUES ($1, $2) ON CONFLICT DO NOTHING`), module, field)
	if err != nil || tag.RowsAffected() == 0 {
		return err // added meanwhile by another
	}
	if _, err := db.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS crmio_hstage (id bigint NOT NULL, h bigint[] NOT NULL) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	prefix := fieldPrefix(nil, field)
	type row struct {
		id int64
		h  []int64
	}
	after := int64(0)
	for {
		rows, _ := db.Query(ctx, c.st.sql(`SELECT id, keys FROM crmio_records WHERE module = $1 AND id > $2 ORDER BY id LIMIT $3`), module, after, backfillPage)
		var page []row
		var seen int
		var id int64
		var elems [][]byte
		_, err := pgx.ForEachRow(rows, []any{&id, &elems}, func() error {
			seen++
			after = id
			var hs []int64
			for _, e := range elems {
				if len(e) >= len(prefix) && string(e[:len(prefix)]) == string(prefix) {
					if h := keyHash(module, field, string(e[len(prefix):])); !slices.Contains(hs, h) {
						hs = append(hs, h)
					}
				}
			}
			if len(hs) > 0 {
				page = append(page, row{id, hs})
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
				b = appendInt16(b, 2)
				b = appendInt8Field(b, page[i].id)
				b = appendInt8ArrayField(b, page[i].h)
				i++
				return b, true, nil
			}}
			if _, err := db.PgConn().CopyFrom(ctx, src, `COPY pg_temp.crmio_hstage (id, h) FROM STDIN (FORMAT binary)`); err != nil {
				return err
			}
			if _, err := db.Exec(ctx, c.st.sql(`UPDATE crmio_records r SET hkeys = r.hkeys || s.h FROM pg_temp.crmio_hstage s WHERE r.module = $1 AND r.id = s.id`), module); err != nil {
				return err
			}
			if _, err := db.Exec(ctx, `DELETE FROM pg_temp.crmio_hstage`); err != nil {
				return err
			}
		}
		if seen < backfillPage {
			return nil
		}
	}
}

// Lookup implements storage.Store. The GIN index on hkeys finds the
// candidate records; their keys settle which wanted key each holds (a
// hash can collide, the key cannot). The first Lookup of a field makes it
// a lookup field (see IndexFields).
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

// lookupSQL finds the records of module $1 holding any of the hashes $2
// through the GIN index on hkeys. Two things keep the planner on that
// index whatever the table's statistics say:
//
//   - The hashes come through a sub-select, whose value the planner does
//     not see: given the array itself, it estimates that 1,000 hashes
//     match most of the table, and once the table is analyzed it scans
//     the whole of it (1 s at 100k records, instead of 10 ms).
//   - The module condition is written (module = $1) IS TRUE, which no
//     index serves: as module = $1, the planner ANDs the GIN bitmap with a
//     bitmap of the module's whole range of the primary key, a cost that
//     grows with the module. The hashes include the module, so the GIN
//     index alone already finds only the module's records (but for a
//     collision, which the condition still removes).
const lookupSQL = `SELECT id, keys FROM crmio_records WHERE hkeys && (SELECT $2::bigint[]) AND hkeys <> '{}' AND (module = $1) IS TRUE`

// lookup runs one Lookup query. It reports indexed false, finding nothing,
// when field is not a lookup field of module.
func (c *conn) lookup(ctx context.Context, module, field string, wanted map[string]bool, hashes []int64) (out map[string][]string, indexed bool, err error) {
	query := lookupSQL
	known := c.tx == nil && c.st.isLookupField(module, field)
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
	if !known && c.tx == nil {
		c.st.lookupFields.Store(lookupFieldKey(module, field), true)
	}
	out = make(map[string][]string, len(ids))
	for k, list := range ids {
		slices.Sort(list) // id order
		strs := make([]string, len(list))
		for i, id := range list {
			strs[i] = sqlstore.FormatID(id)
		}
		out[k] = strs
	}
	return out, true, nil
}
