package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"github.com/crmio/crmio/storage/internal/sqlstore"
)

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
		if err := c.write(ctx, "index fields", func(q querier) error { return addLookupField(ctx, q, module, f) }); err != nil {
			return err
		}
	}
	return nil
}

// addLookupField adds field to module's lookup fields and indexes the keys
// of the records already there. The write transaction holds SQLite's
// write lock: no record is written meanwhile.
func addLookupField(ctx context.Context, q querier, module, field string) error {
	res, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO crmio_lookup_fields (module, field) VALUES (?, ?)`, module, field)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err // a lookup field already
	}
	_, err = q.ExecContext(ctx, `INSERT OR IGNORE INTO crmio_keys (module, field, key, record_id)
		SELECT r.module, i.field, i.key, i.record_id FROM crmio_records r JOIN crmio_items i ON i.record_id = r.id
		WHERE r.module = ?1 AND i.field = ?2`, module, field)
	return err
}

// isLookupField reports whether field is a lookup field of module.
func isLookupField(ctx context.Context, q querier, module, field string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM crmio_lookup_fields WHERE module = ? AND field = ?`, module, field).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
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
	q := c.reads()
	indexed, err := isLookupField(ctx, q, module, field)
	if err != nil {
		return nil, c.st.fail("lookup", err)
	}
	if !indexed {
		if err := c.IndexFields(ctx, module, field); err != nil {
			return nil, err
		}
	}
	for _, ch := range chunks(len(want)) {
		part := want[ch[0]:ch[1]]
		args := make([]any, 0, len(part)+2)
		args = append(args, module, field)
		for _, k := range part {
			args = append(args, k)
		}
		rows, err := q.QueryContext(ctx, `SELECT key, record_id FROM crmio_keys
			WHERE module = ? AND field = ? AND key IN (`+placeholders(len(part))+`) ORDER BY key, record_id`, args...)
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
			out[key] = append(out[key], sqlstore.FormatID(id))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, c.st.fail("lookup", err)
		}
	}
	return out, nil
}
