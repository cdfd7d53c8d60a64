package river

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
	"github.com/jackc/pgx/v5"
	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// queue is what the Runner asks of a River client, whichever its driver:
// River's Client is generic in its transaction type (pgx.Tx, *sql.Tx).
type queue interface {
	insertTx(ctx context.Context, tx storage.Store, args rq.JobArgs, opts *rq.InsertOpts) (*rivertype.JobInsertResult, error)
	insert(ctx context.Context, args rq.JobArgs, opts *rq.InsertOpts) (*rivertype.JobInsertResult, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
	running(ctx context.Context, kind string) ([]*rivertype.JobRow, error)
	cancel(ctx context.Context, id int64) error
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// driver makes River clients over one store's database and runs River's
// migrations there.
type driver interface {
	newQueue(cfg *rq.Config) (queue, error)
	migrate(ctx context.Context, log *slog.Logger) error
	name() string
}

// client is a queue over River's Client of one driver.
type client[TTx any] struct {
	c     *rq.Client[TTx]
	useTx func(storage.Store, func(TTx) error) error
}

func (c *client[TTx]) insertTx(ctx context.Context, tx storage.Store, args rq.JobArgs, opts *rq.InsertOpts) (*rivertype.JobInsertResult, error) {
	var res *rivertype.JobInsertResult
	err := c.useTx(tx, func(t TTx) error {
		var err error
		res, err = c.c.InsertTx(ctx, t, args, opts)
		return err
	})
	return res, err
}

func (c *client[TTx]) insert(ctx context.Context, args rq.JobArgs, opts *rq.InsertOpts) (*rivertype.JobInsertResult, error) {
	return c.c.Insert(ctx, args, opts)
}

func (c *client[TTx]) start(ctx context.Context) error { return c.c.Start(ctx) }
func (c *client[TTx]) stop(ctx context.Context) error  { return c.c.Stop(ctx) }

func (c *client[TTx]) running(ctx context.Context, kind string) ([]*rivertype.JobRow, error) {
	var out []*rivertype.JobRow
	params := rq.NewJobListParams().Kinds(kind).States(rivertype.JobStateRunning).First(1000)
	for {
		res, err := c.c.JobList(ctx, params)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Jobs...)
		if len(res.Jobs) < 1000 || res.LastCursor == nil {
			return out, nil
		}
		params = params.After(res.LastCursor)
	}
}

func (c *client[TTx]) cancel(ctx context.Context, id int64) error {
	_, err := c.c.JobCancel(ctx, id)
	return err
}

func (c *client[TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.c.JobGet(ctx, id)
}

// pgDriver runs River on the PostgreSQL store's pool (riverpgxv5), its
// tables in the store's schema.
type pgDriver struct {
	st     *postgres.Store
	schema string // of River's tables
}

func (d pgDriver) name() string { return "postgres" }

func (d pgDriver) newQueue(cfg *rq.Config) (queue, error) {
	cfg.Schema = d.schema
	c, err := rq.NewClient(riverpgxv5.New(d.st.Pool()), cfg)
	if err != nil {
		return nil, err
	}
	return &client[pgx.Tx]{c: c, useTx: postgres.UseTx}, nil
}

// migrate runs River's migrations (each in a transaction of its own, as
// River's Migrate does: some cannot share one) under a session advisory
// lock of the schema, so that workers starting at once take turns: the
// first applies them, the others find them applied.
func (d pgDriver) migrate(ctx context.Context, log *slog.Logger) error {
	m, err := rivermigrate.New(riverpgxv5.New(d.st.Pool()), &rivermigrate.Config{Schema: d.schema, Logger: riverLogger(log)})
	if err != nil {
		return err
	}
	// The lock is held on a connection of its own, outside the pool:
	// Migrate takes the pool's, which may be as small as one.
	conn, err := pgx.ConnectConfig(ctx, d.st.Pool().Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	const lock = `hashtext('crmio river schema ' || $1)`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lock+`)`, d.schema); err != nil {
		return err
	}
	// Closing the connection releases the lock.
	if d.schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{d.schema}.Sanitize()); err != nil {
			return err
		}
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// sqliteDriver runs River on the SQLite store's writer (riversqlite): one
// connection with BEGIN IMMEDIATE and the store's busy timeout, as
// riversqlite asks, so that River's writes take turns with the store's.
type sqliteDriver struct{ st *sqlite.Store }

func (d sqliteDriver) name() string { return "sqlite" }

func (d sqliteDriver) newQueue(cfg *rq.Config) (queue, error) {
	c, err := rq.NewClient(riversqlite.New(d.st.DB()), cfg)
	if err != nil {
		return nil, err
	}
	return &client[*sql.Tx]{c: c, useTx: sqlite.UseTx}, nil
}

// migrate runs River's migrations (each in a transaction of its own, as
// River's Migrate does). Processes starting at once on a new file race
// to apply them: the loser's transaction fails (the table is there, or
// the database is locked), and its next try finds them applied.
func (d sqliteDriver) migrate(ctx context.Context, log *slog.Logger) error {
	m, err := rivermigrate.New(riversqlite.New(d.st.DB()), &rivermigrate.Config{Logger: riverLogger(log)})
	if err != nil {
		return err
	}
	wait := 20 * time.Millisecond
	for try := 1; ; try++ {
		_, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err == nil || try == 10 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// driverFor returns the River driver of store's database; River's tables
// are in schema (PostgreSQL), by default the store's.
func driverFor(store storage.Store, schema string) (driver, error) {
	switch s := store.(type) {
	case *postgres.Store:
		if schema == "" {
			schema = s.Schema()
		}
		return pgDriver{s, schema}, nil
	case *sqlite.Store:
		return sqliteDriver{s}, nil
	}
	return nil, fmt.Errorf("%w: River jobs need a *postgres.Store or a *sqlite.Store (River keeps its queue in their database), not %T", crmio.ErrNotSupported, store)
}
