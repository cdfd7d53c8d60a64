package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// Schema is the PostgreSQL schema that holds the store's tables; Open
	// creates it when it does not exist. Empty means the connection's
	// default schema (the first of its search_path, usually "public").
	// Separate schemas keep separate stores in one database: one per
	// tenant, or one per test run.
	Schema string
}

// Store is a storage.Store kept in a PostgreSQL database. It also
// implements storage.Transactor and storage.History. It is safe for
// concurrent use: each call takes a connection from the pool.
type Store struct {
	conn // the Store methods, on the pool's connections

	pool   *pgxpool.Pool
	owned  bool              // Close closes the pool
	schema string            // as given in Options
	names  *strings.Replacer // puts table names in the schema; nil for none

	// fields caches the key and lookup fields known committed: a field
	// never stops being one, so a known field needs no query.
	fields sqlstore.KnownFields

	closed atomic.Bool
}

// Check that Store implements the contract and its optional capabilities.
var (
	_ storage.Store      = (*Store)(nil)
	_ storage.Transactor = (*Store)(nil)
	_ storage.History    = (*Store)(nil)
)

// ErrSchemaTooNew is returned by Open for a database whose schema was
// written by a newer version of this package.
var ErrSchemaTooNew = errors.New("postgres: the database schema is newer than this version of crmio supports")

// Open connects to the database dsn names (a URL,
// "postgres://user:password@host:5432/dbname?sslmode=disable", or a
// key=value string; see pgxpool.ParseConfig for every setting, including
// pool_max_conns) and brings the store's schema up to date.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a Store over a pool the caller owns (Close leaves it open),
// and brings the store's schema up to date.
func New(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Store, error) {
	return newStore(ctx, pool, opts, 0)
}

// newStore is New, with the schema brought up to version upTo (0 for the
// newest): only the tests stop short.
func newStore(ctx context.Context, pool *pgxpool.Pool, opts *Options, upTo int) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	s := &Store{pool: pool, schema: o.Schema}
	if o.Schema != "" {
		q := pgx.Identifier{o.Schema}.Sanitize() + "."
		var pairs []string
		for _, name := range tableNames {
			pairs = append(pairs, name, q+name)
		}
		s.names = strings.NewReplacer(pairs...)
	}
	s.conn = conn{st: s}
	if err := s.migrateTo(ctx, upTo); err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// Close closes the pool, when Open made it. Calls after Close fail with
// storage.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.owned {
		s.pool.Close()
	}
	return nil
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the PostgreSQL schema of the store's tables, as
// Options.Schema gave it ("" for the connection's default): code that
// keeps its own tables beside the store's (a job queue's) puts them there.
func (s *Store) Schema() string { return s.schema }

// tableNames are the names of the schema's tables and sequences, as
// queries write them.
var tableNames = []string{"crmio_records", "crmio_record_ids", "crmio_lookup_fields", "crmio_lookup_keys", "crmio_key_fields", "crmio_jobs", "crmio_journal", "crmio_uploads", "crmio_upload_chunks"}

// sql returns query with its table and sequence names in the store's
// schema.
func (s *Store) sql(query string) string {
	if s.names == nil {
		return query
	}
	return s.names.Replace(query)
}

// check fails with storage.ErrClosed once the store is closed.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return ctx.Err()
}

// fail wraps err for the caller: as storage.ErrClosed once the store is
// closed, the context's error as is.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() {
		return storage.ErrClosed
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return contextError(err)
	}
	if errors.Is(err, pgx.ErrTxClosed) {
		return storage.ErrTxDone
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// contextError returns the context error err wraps, alone: pgconn wraps it
// in errors that speak of timeouts and connections.
func contextError(err error) error {
	if errors.Is(err, context.Canceled) {
		return context.Canceled
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return err
}
