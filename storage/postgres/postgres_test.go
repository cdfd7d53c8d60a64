package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dsn returns the test server's DSN, from CRMIO_POSTGRES_DSN, or skips t.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("CRMIO_POSTGRES_DSN")
	if d == "" {
		t.Skip("CRMIO_POSTGRES_DSN is not set: no PostgreSQL to test against")
	}
	return d
}

// freshSchema returns the name of a schema no other run uses, dropped
// with everything in it at the end of t.
func freshSchema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "crmio_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn(t))
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// open returns a store in a fresh schema, closed at the end of t.
func open(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn(t), &postgres.Options{Schema: freshSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoretest(t *testing.T) {
	dsn(t)
	// One pool for every area: a store per area, each in its own schema.
	pool := testPool(t)
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := postgres.New(t.Context(), pool, &postgres.Options{Schema: freshSchema(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// testPool returns a pool on the test server, closed at the end of t. Its
// sessions commit without waiting for the WAL flush
// (synchronous_commit=off): the contract checks commit thousands of tiny
// transactions, whose fsyncs would otherwise be most of the run on a slow
// disk. What a commit makes visible, and what a rollback undoes, is the
// same; only a crash of the server could lose the last commits.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
