package river_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
	"github.com/jackc/pgx/v5"
)

// Processes starting at once on a new database migrate River's tables
// once, without failing; a store River cannot keep its queue in is
// refused.
func TestConcurrentMigrations(t *testing.T) {
	open := map[string]func(t *testing.T) storage.Store{
		"sqlite": func(t *testing.T) storage.Store {
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "crm.db"), sqliteOpts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t *testing.T) storage.Store {
			s, err := postgres.Open(t.Context(), envDSN(), &postgres.Options{Schema: pgSchema(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, open := range open {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = crmioriver.New(t.Context(), store, &crmioriver.Config{Logger: slog.New(slog.DiscardHandler)})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("New %d: %v", i, err)
				}
			}
			if err := crmioriver.Migrate(t.Context(), store, &crmioriver.Config{Logger: slog.New(slog.DiscardHandler)}); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
		})
	}
	if _, err := crmioriver.New(t.Context(), memory.New(), nil); !errors.Is(err, crmio.ErrNotSupported) {
		t.Errorf("New over the memory store: %v, want ErrNotSupported", err)
	}
}

// River's tables can live in a schema apart from the store's: the job is
// enqueued in the store's transaction all the same, and runs.
func TestRiverSchemaApart(t *testing.T) {
	storeSchema, riverSchema := pgSchema(t), pgSchema(t)
	ctx := t.Context()
	store, err := postgres.Open(ctx, envDSN(), &postgres.Options{Schema: storeSchema})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cfg := testConfig(10 * time.Second)
	cfg.Schema, cfg.Logger = riverSchema, slog.New(slog.DiscardHandler)
	runner, err := crmioriver.New(ctx, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Runner: runner})
	if err != nil {
		t.Fatal(err)
	}
	ids := submit(t, im, testFile(t, 3_000, 21))
	if err := runner.Start(ctx, im); err != nil {
		t.Fatal(err)
	}
	defer runner.Stop(context.Background())
	waitAll(t, im, ids)
	if job, _ := im.Status(ctx, ids[0]); job.Status != storage.JobCompleted {
		t.Fatalf("the job is %s (%s)", job.Status, job.Error)
	}
	for schema, want := range map[string]bool{riverSchema: true, storeSchema: false} {
		var found bool
		if err := store.Pool().QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgx.Identifier{schema, "river_job"}.Sanitize()).Scan(&found); err != nil {
			t.Fatal(err)
		}
		if found != want {
			t.Errorf("river_job in schema %s: %v, want %v", schema, found, want)
		}
	}
}
