package sqlite

import (
	"path/filepath"
	"testing"
)

// tempStore opens a store in a new file of the test's temporary directory,
// closed when the test ends.
func tempStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "crmio.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
