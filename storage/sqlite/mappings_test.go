package sqlite_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

// TestMappingMemoryAcrossOpens: two stores open on one file (as two
// processes would have them) see each other's remembered mappings.
func TestMappingMemoryAcrossOpens(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	a, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m := storage.RememberedMapping{Module: "people", Fingerprint: "fp-1", Mapping: json.RawMessage(`{"columns":[{"column":0,"field":"email"}]}`), JobID: "4"}
	if err := a.RememberMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, err := b.RecallMapping(ctx, "people", "fp-1")
	if err != nil || string(got.Mapping) != string(m.Mapping) || got.JobID != "4" {
		t.Fatalf("the other store recalls %+v, %v", got, err)
	}
	m.Mapping, m.JobID = json.RawMessage(`{"columns":[]}`), "5"
	if err := b.RememberMapping(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, err := a.RecallMapping(ctx, "people", "fp-1"); err != nil || got.JobID != "5" {
		t.Fatalf("the first store recalls %+v, %v after the other replaced it", got, err)
	}
}

// TestMappingMemoryAcrossProcesses remembers a mapping in this process,
// recalls it in another (this test binary, run again), which remembers
// its own, and recalls that here.
func TestMappingMemoryAcrossProcesses(t *testing.T) {
	if path := os.Getenv("CRMIO_MAPPINGS_CHILD_DB"); path != "" {
		mappingMemoryChild(t, path)
		return
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 5, 4, 3, 2, 1, 123456000, time.UTC)
	if err := s.RememberMapping(ctx, storage.RememberedMapping{Module: "people", Fingerprint: "parent",
		Mapping: json.RawMessage(`{"columns":[{"column":2,"field":"phone","label":"work"}]}`), JobID: "7", Remembered: at}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMappingMemoryAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CRMIO_MAPPINGS_CHILD_DB="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out)
	}
	got, err := s.RecallMapping(ctx, "people", "child")
	if err != nil || string(got.Mapping) != `{"columns":[{"column":0,"field":"first_name"}]}` || got.JobID != "8" {
		t.Fatalf("the mapping the other process remembered: %+v, %v", got, err)
	}
}

// mappingMemoryChild is the other process of TestMappingMemoryAcrossProcesses.
func mappingMemoryChild(t *testing.T, path string) {
	ctx := t.Context()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.RecallMapping(ctx, "people", "parent")
	want := time.Date(2026, 5, 4, 3, 2, 1, 123456000, time.UTC)
	if err != nil || string(got.Mapping) != `{"columns":[{"column":2,"field":"phone","label":"work"}]}` || got.JobID != "7" || !got.Remembered.Equal(want) {
		t.Fatalf("the parent's mapping: %+v, %v", got, err)
	}
	if _, err := s.RecallMapping(ctx, "people", "child"); !errors.Is(err, crmio.ErrNotFound) {
		t.Fatalf("a mapping nobody remembered: %v", err)
	}
	if err := s.RememberMapping(ctx, storage.RememberedMapping{Module: "people", Fingerprint: "child",
		Mapping: json.RawMessage(`{"columns":[{"column":0,"field":"first_name"}]}`), JobID: "8"}); err != nil {
		t.Fatal(err)
	}
}
