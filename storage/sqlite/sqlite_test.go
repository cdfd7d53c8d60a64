package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
	"github.com/crmio/crmio/storage/storetest"
)

// open returns a store on a fresh database file, closed at the end of t.
func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "crmio.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoretest(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store { return open(t) })
}
