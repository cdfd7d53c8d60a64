package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// openStore opens the store db names:
//
//	sqlite:PATH                       an SQLite database file, created when absent
//	postgres://user@host/db?...       a PostgreSQL database (postgresql:// too);
//	                                  ?schema=NAME keeps the tables in that schema
//	memory:                           an in-memory store, gone when the command ends
func openStore(ctx context.Context, db string) (storage.Store, func() error, error) {
	switch {
	case db == "memory:" || db == "memory":
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
