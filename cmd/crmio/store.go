package main

import (
	"context"
	"strings"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// openStore opens the store db names:
//
//	sqlite:PATH                       an SQLite database file, created when absent
//	postgres://user@host/db?...       a PostgreSQL database (postgresql:// too)
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
		s, err := postgres.Open(ctx, db, nil)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	return nil, nil, usagef("unknown store %q: want sqlite:PATH, postgres://... or memory:", db)
}
