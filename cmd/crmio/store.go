package main

import (
	"context"
	"net/url"
	"os"
	"runtime/debug"
	"strings"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// memoryGCPercent is the collector's GOGC with the in-memory store, unless
// GOGC is set: the whole database is then in this process's heap, which
// the default (100) lets grow to twice what is live before a collection.
// The store keeps its records in arenas without Go pointers, so that a
// collection has next to nothing to mark and running them sooner costs
// little. A 500,000-row import into memory:, three runs alternating:
// peak RSS 348 to 357 MB at 70 against 380 to 398 MB at 100, its live data
// 186 MB; 1.99 to 2.20 s against 2.00 to 2.57 s. (At 50: 320 to 330 MB,
// but 15% more time.)
const memoryGCPercent = 70

// collectSooner sets GOGC to memoryGCPercent, unless the environment sets
// it.
func collectSooner() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(memoryGCPercent)
	}
}

// openStore opens the store db names:
//
//	sqlite:PATH                       an SQLite database file, created when absent
//	postgres://user@host/db?...       a PostgreSQL database (postgresql:// too);
//	                                  ?schema=NAME keeps the tables in that schema
//	memory:                           an in-memory store, gone when the command ends
func openStore(ctx context.Context, db string) (storage.Store, func() error, error) {
	switch {
	case db == "memory:" || db == "memory":
		collectSooner()
		return memory.New(), func() error { return nil }, nil
	case strings.HasPrefix(db, "sqlite:"):
		path := strings.TrimPrefix(db, "sqlite:")
		if path == "" {
			return nil, nil, usagef("--db sqlite: needs a file name: sqlite:crmio.db")
		}
		s, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		dsn, schema, err := splitSchema(db)
		if err != nil {
			return nil, nil, err
		}
		s, err := postgres.Open(ctx, dsn, &postgres.Options{Schema: schema})
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	return nil, nil, usagef("unknown store %q: want sqlite:PATH, postgres://... or memory:", db)
}

// splitSchema takes the schema parameter out of a PostgreSQL URL: it names
// the schema the store's tables live in (postgres.Options.Schema), which
// PostgreSQL itself does not know as a connection parameter.
func splitSchema(dsn string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", usagef("--db: not a PostgreSQL URL: %v", err)
	}
	q := u.Query()
	schema := q.Get("schema")
	if !q.Has("schema") {
		return dsn, "", nil
	}
	q.Del("schema")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}
