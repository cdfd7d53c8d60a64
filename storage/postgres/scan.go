package postgres

import (
	"context"
	"iter"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Scan implements storage.Store. The whole query runs in PostgreSQL:
// filters and the scope become conditions on the record's key arrays
// (= on a lookup field through the hash index of crmio_lookup_keys), the order sorts by the sort key of
// each order field's first value, the limit is a LIMIT, and a field
// selection builds the JSON of the selected fields only. Records outside
// the scope never leave the database.
//
// Outside Atomic, the rows stream from one pooled connection as the
// caller iterates. Inside Atomic, they come through a cursor, a page at a
// time, so that the caller may use the transaction between pages.
func (c *conn) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		if err := q.Validate(); err != nil {
			yield(crmio.Record{}, err)
			return
		}
		query, args, pd, err := c.scanQuery(ctx, module, q)
		if err != nil {
			yield(crmio.Record{}, err)
			return
		}
		stopped := false
		emit := func(r crmio.Record) bool {
			if pd.DB.Fields != nil {
				r = pd.DB.Project(r) // the SQL reads every field (see buildScan)
			}
			r, keep, more := pd.Keep(r)
			if keep {
				stopped = !yield(r, nil)
			}
			return !stopped && more
		}
		if c.tx != nil {
			err = c.scanCursor(ctx, query, args, module, emit)
		} else {
			err = c.scanStream(ctx, query, args, module, emit)
		}
		if err != nil && !stopped {
			yield(crmio.Record{}, c.fail("scan", err))
		}
	}
}

// scanQuery returns the statement that runs q over module, and how the
// records it reads are checked against q's scope.
func (c *conn) scanQuery(ctx context.Context, module string, q storage.Query) (string, []any, *storage.Pushdown, error) {
	if err := c.check(ctx); err != nil {
		return "", nil, nil, err
	}
	// The scope's exact comparison is Go's: SQL narrows by match keys.
	pd := q.Pushdown()
	// Every field the query filters or orders on must be a key field
	// before the query runs.
	var keyed []string
	for _, f := range pd.DB.Where {
		keyed = append(keyed, f.Field)
	}
	for _, o := range pd.DB.Order {
		keyed = append(keyed, o.Field)
	}
	if err := c.KeyFields(ctx, module, keyed...); err != nil {
		return "", nil, nil, err
	}
	query, args := buildScan(module, pd.DB, c.isLookupField)
	return c.st.sql(query), args, pd, nil
}

// ScanChunks implements storage.ChunkScanner: the statement of Scan, each
// row's values decoded straight into the row of a chunk, with no map per
// record, on a goroutine per core (sqlstore.ReadChunks). Inside Atomic,
// where Scan reads through a cursor a page at a time, the records are
// read as Scan reads them and put into chunks.
func (c *conn) ScanChunks(ctx context.Context, module string, q storage.Query) iter.Seq2[*storage.Chunk, error] {
	if err := storage.ChunkQueryError(q); err != nil {
		return func(yield func(*storage.Chunk, error) bool) { yield(nil, err) }
	}
	if c.tx != nil {
		return storage.ChunksOf(c.Scan(ctx, module, q), q.Fields)
	}
	return func(yield func(*storage.Chunk, error) bool) {
		query, args, pd, err := c.scanQuery(ctx, module, q)
		if err != nil {
			yield(nil, err)
			return
		}
		stopped := false
		err = c.streamRows(ctx, query, args, func(rows pgx.Rows, cancelled func() bool) error {
			return sqlstore.ReadChunks[pgtype.DriverBytes](rows, pd, len(q.Fields), func(ch *storage.Chunk) bool {
				if cancelled() {
					return false
				}
				stopped = !yield(ch, nil)
				return !stopped
			})
		})
		if err != nil && !stopped {
			yield(nil, c.fail("scan", err))
		}
	}
}

// streamRows runs query on a connection of the pool and gives read its
// rows, which it closes, and a function that reports a cancelled ctx
// (sqlstore.UntilCancelled).
func (c *conn) streamRows(ctx context.Context, query string, args []any, read func(rows pgx.Rows, cancelled func() bool) error) error {
	pc, err := c.st.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer pc.Release()
	rows, err := pc.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlstore.UntilCancelled(ctx, func(cancelled func() bool) error { return read(rows, cancelled) })
}

func (c *conn) scanStream(ctx context.Context, query string, args []any, module string, emit func(crmio.Record) bool) error {
	return c.streamRows(ctx, query, args, func(rows pgx.Rows, cancelled func() bool) error {
		return readRecords(rows, module, func(r crmio.Record) bool {
			return !cancelled() && emit(r)
		})
	})
}

// scanPage is how many rows a cursor fetches at a time.
const scanPage = 256

func (c *conn) scanCursor(ctx context.Context, query string, args []any, module string, emit func(crmio.Record) bool) error {
	var name string
	err := c.with(ctx, "scan", func(db *pgx.Conn) error {
		c.cursors++
		name = "scan_" + strconv.Itoa(c.cursors)
		_, err := db.Exec(ctx, "DECLARE "+name+" NO SCROLL CURSOR FOR "+query, args...)
		return err
	})
	if err != nil {
		return err
	}
	defer c.with(context.WithoutCancel(ctx), "scan", func(db *pgx.Conn) error {
		_, err := db.Exec(context.WithoutCancel(ctx), "CLOSE "+name)
		return err
	})
	var page []crmio.Record
	for {
		page = page[:0]
		err := c.with(ctx, "scan", func(db *pgx.Conn) error {
			rows, err := db.Query(ctx, "FETCH "+strconv.Itoa(scanPage)+" FROM "+name)
			if err != nil {
				return err
			}
			return readRecords(rows, module, func(r crmio.Record) bool {
				page = append(page, r)
				return true
			})
		})
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !emit(r) {
				return nil
			}
		}
		if len(page) < scanPage {
			return nil
		}
	}
}

// sqlBuilder collects the text and arguments of a statement.
type sqlBuilder struct {
	strings.Builder
	args []any
}

// arg writes a parameter holding v, with a cast to typ when typ is set.
func (b *sqlBuilder) arg(v any, typ string) {
	b.args = append(b.args, v)
	b.WriteString("$" + strconv.Itoa(len(b.args)))
	if typ != "" {
		b.WriteString("::" + typ)
	}
}

// buildScan returns the SELECT that runs q over module. indexed reports
// the lookup fields known: an = filter on one uses the index.
func buildScan(module string, q storage.Query, indexed func(module, field string) bool) (string, []any) {
	var b sqlBuilder
	b.WriteString("SELECT r.id, ")
	switch {
	case len(q.Fields) == 0 && q.Fields != nil:
		b.WriteString("'{}'::bytea") // no field: the empty JSON object
	default:
		// Every field, or a selection that Scan projects: the binary
		// form cannot be cut in SQL, and decoding only the fields
		// selected costs the client little.
		b.WriteString("r.vals")
	}
	b.WriteString(" FROM crmio_records r WHERE r.module = ")
	b.arg(module, "text")
	for _, f := range q.Where {
		b.WriteString(" AND ")
		writeFilter(&b, module, f, indexed(module, f.Field))
	}
	b.WriteString(" ORDER BY ")
	for _, o := range q.Order {
		// The sort key of the field's first value; NULL (last, in both
		// directions) when the record has none.
		prefix := fieldPrefix(nil, o.Field)
		b.WriteString("(SELECT nullif(substr(u.s, ")
		b.arg(len(prefix)+1, "int")
		b.WriteString("), ''::bytea) FROM unnest(r.sorts) WITH ORDINALITY u(s, n) WHERE substr(u.s, 1, ")
		b.arg(len(prefix), "int")
		b.WriteString(") = ")
		b.arg(prefix, "bytea")
		b.WriteString(" ORDER BY u.n LIMIT 1)")
		if o.Desc {
			b.WriteString(" DESC")
		}
		b.WriteString(" NULLS LAST, ")
	}
	b.WriteString("r.id")
	if q.Limit > 0 {
		b.WriteString(" LIMIT ")
		b.arg(q.Limit, "int")
	}
	return b.String(), b.args
}

// writeFilter writes the condition of f, with the semantics of
// storage.Filter.Match: a condition on the elements of the field, which a
// record without the field (or with a null value, or an empty list) has
// none of.
func writeFilter(b *sqlBuilder, module string, f storage.Filter, indexed bool) {
	prefix := fieldPrefix(nil, f.Field)
	switch f.Op {
	case storage.Eq:
		// On a lookup field, the hash index of crmio_lookup_keys finds the
		// records with the hash; the key itself settles a collision.
		key := crmio.MatchKey(f.Value)
		b.WriteString("(")
		if indexed {
			b.WriteString("r.id IN (SELECT k.id FROM crmio_lookup_keys k WHERE k.h = ")
			b.arg(keyHash(module, f.Field, key), "bigint")
			b.WriteString(") AND ")
		}
		b.WriteString("r.keys @> ARRAY[")
		b.arg(element(f.Field, key), "bytea")
		b.WriteString("])")
	case storage.Ne:
		b.WriteString("NOT r.keys @> ARRAY[")
		b.arg(element(f.Field, crmio.MatchKey(f.Value)), "bytea")
		b.WriteString("]")
	case storage.Contains:
		b.WriteString("EXISTS (SELECT 1 FROM unnest(r.keys) e WHERE substr(e, 1, ")
		b.arg(len(prefix), "int")
		b.WriteString(") = ")
		b.arg(prefix, "bytea")
		if needle := crmio.TextKey(f.Value.String()); needle != "" {
			b.WriteString(" AND position(")
			b.arg([]byte(needle), "bytea")
			b.WriteString(" IN substr(e, ")
			b.arg(len(prefix)+1, "int")
			b.WriteString(")) > 0")
		}
		b.WriteString(")")
	case storage.Lt, storage.Le, storage.Gt, storage.Ge:
		// Only values of the same class compare: their sort keys share
		// the first byte, so the range stays within [class, class+1).
		want := storage.SortKey(f.Value)
		class := append(prefix[:len(prefix):len(prefix)], want[0])
		next := append(prefix[:len(prefix):len(prefix)], want[0]+1)
		key := append(prefix[:len(prefix):len(prefix)], want...)
		lo, loOp, hi, hiOp := class, ">=", key, "<"
		switch f.Op {
		case storage.Le:
			hiOp = "<="
		case storage.Gt:
			lo, loOp, hi = key, ">", next
		case storage.Ge:
			lo, hi = key, next
		}
		b.WriteString("EXISTS (SELECT 1 FROM unnest(r.sorts) s WHERE s " + loOp + " ")
		b.arg(lo, "bytea")
		b.WriteString(" AND s " + hiOp + " ")
		b.arg(hi, "bytea")
		b.WriteString(")")
	default:
		b.WriteString("false") // Validate refuses other operators
	}
}
