package river_test

import (
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"errors"
	"github.com/crmio/crmio"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
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
			if err := crmioriver.Migrate(t.Context(), store, nil); err != nil {
				t.Errorf("Migrate again: %v", err)
			}
		})
	}
	if _, err := crmioriver.New(t.Context(), memory.New(), nil); !errors.Is(err, crmio.ErrNotSupported) {
		t.Errorf("New over the memory store: %v, want ErrNotSupported", err)
	}
}
