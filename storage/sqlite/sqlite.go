package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	sqlitedriver "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options configures a Store. A nil *Options means the defaults.
type Options struct {
	// BusyTimeout is how long a write waits for another process's write
	// to finish before failing with "database is locked". Zero means 5s.
	BusyTimeout time.Duration
	// ReadConns is the number of connections reads use (Get, Lookup,
	// Scan, Job, Journal) beside the one writer connection. Zero means 4.
	ReadConns int
	// FullSync makes every commit wait for the disk (synchronous=FULL):
	// a commit then survives a power failure, not only a crash of the
	// process. The default (synchronous=NORMAL in WAL mode) keeps every
	// committed batch across a process crash and the database always
	// consistent, and may lose the last commits on a power failure.
	FullSync bool
}

// Store is a storage.Store kept in one SQLite database file. It also
// implements storage.Transactor and storage.History. It is safe for
// concurrent use; writes are serialized over one connection.
type Store struct {
	conn // the Store methods, on the store's own connections

	path   string
	writer *sql.DB // one connection: SQLite has one writer at a time
	reader *sql.DB
	busy   time.Duration // Options.BusyTimeout

	// fields caches the key and lookup fields known committed: a field
	// never stops being one, so a known field needs no query.
	fields sqlstore.KnownFields

	stmtMu sync.Mutex
	stmts  map[stmtKey]*sql.Stmt // see conn.stmt

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
var ErrSchemaTooNew = errors.New("sqlite: the database schema is newer than this version of crmio supports")

// Open opens the SQLite database at path, creating the file when it does
// not exist, and brings its schema up to date. path is a file name, not a
// DSN; ":memory:" is refused (an in-memory database is not shared between
// the store's connections: use storage/memory for that).
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: Open wants the path of a database file, not %q", path)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	sync := "NORMAL"
	if o.FullSync {
		sync = "FULL"
	}
	// A file: URI so that any path works: "?" and "#" in the name are
	// escaped rather than read as the start of parameters.
	params := url.Values{}
	params.Set("_busy_timeout", strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10))
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", sync)
	params.Set("_txlock", "immediate") // take the write lock at BEGIN: no upgrade deadlocks
	params.Add("_pragma", "foreign_keys(0)")
	// 24 MiB of page cache: the key index takes inserts all over it, and a
	// long transaction (an Instant import) spills what does not fit into
	// the WAL. A cached page costs twice its size in memory (modernc's
	// allocator gives its page and header a slot of 8 KiB), so this is
	// most of a store's memory: a 500,000-row import peaked at 220 MB of
	// RSS with 64 MiB, 150 MB with 32 MiB and 130 MB with 24 MiB, all for
	// the same CPU per row; 16 MiB (118 MB) cost a tenth more CPU.
	params.Add("_pragma", "cache_size(-24576)")
	// Each write call inside Atomic runs in a savepoint, and SQLite copies
	// every page a savepoint changes into a statement journal, a temporary
	// file by default: an import's batches spent a tenth of their time in
	// its pwrites. In memory it holds the pages of one call at most (one
	// batch), and it is only ever needed to undo a call that failed: a
	// crash rolls back the whole uncommitted transaction from the WAL.
	params.Add("_pragma", "temp_store(MEMORY)")
	uri := "file:" + (&url.URL{Path: path}).EscapedPath()
	writer, err := sql.Open("sqlite", uri+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)

	params.Del("_journal_mode") // set once by the writer; it is persistent
	params.Set("_query_only", "1")
	reader, err := sql.Open("sqlite", uri+"?"+params.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(o.ReadConns)
	reader.SetMaxIdleConns(o.ReadConns)

	s := &Store{path: path, writer: writer, reader: reader, busy: o.BusyTimeout}
	s.conn = conn{st: s}
	if err := migrateWithRetry(ctx, writer, o.BusyTimeout); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := s.prepareWriter(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// migrateWithRetry runs the migrations, trying again for up to busyTimeout
// while the database is locked. The busy timeout does not cover every
// lock: when several connections open a new file at once, the switch to
// WAL mode can fail at once with SQLITE_BUSY, SQLite's way out of a
// deadlock between them.
func migrateWithRetry(ctx context.Context, db *sql.DB, busyTimeout time.Duration) error {
	deadline := time.Now().Add(busyTimeout)
	wait := 5 * time.Millisecond
	for {
		err := migrate(ctx, db)
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (the database is
// locked), whatever its extended code.
func isBusy(err error) bool {
	var e *sqlitedriver.Error
	return errors.As(err, &e) && e.Code()&0xff == 5
}

// Close closes the database. Calls after Close fail with storage.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.closeStmts()
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// DB returns the store's writer: a database/sql pool of one connection
// (SQLite has one writer at a time) with the store's busy timeout and
// BEGIN IMMEDIATE transactions. It is for code that shares the database
// with the store, such as a job queue's driver (River's riversqlite runs
// on it, so that its writes take turns with the store's). A transaction
// held on it makes the store's writes wait; Close closes it.
func (s *Store) DB() *sql.DB { return s.writer }

// Path returns the database file's path, as given to Open.
func (s *Store) Path() string { return s.path }

// check fails with storage.ErrClosed once the store is closed.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return ctx.Err()
}

// fail wraps err for the caller, as storage.ErrClosed once the store is
// closed (database/sql's own error for a closed database is unexported).
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if s.closed.Load() {
		return storage.ErrClosed
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
