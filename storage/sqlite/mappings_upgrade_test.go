package sqlite

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/crmio/crmio/storage"
)

// TestUpgradeAddsMappingMemory opens a database an older crmio wrote
// (schema version 2, before mapping memory): the upgrade adds the table,
// and mappings are remembered.
func TestUpgradeAddsMappingMemory(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, db, 2); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := storage.RememberedMapping{Module: "people", Fingerprint: "f", Mapping: json.RawMessage(`{"columns":[]}`)}
	if err := s.RememberMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RecallMapping(ctx, "people", "f"); err != nil || string(got.Mapping) != `{"columns":[]}` {
		t.Fatalf("%+v, %v", got, err)
	}
}
