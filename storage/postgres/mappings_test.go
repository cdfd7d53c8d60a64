package postgres_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
)

// TestMappingMemoryAcrossProcesses remembers a mapping in this process,
// recalls it in another (this test binary, run again) on the same schema,
// which remembers its own, and recalls that here.
func TestMappingMemoryAcrossProcesses(t *testing.T) {
	if schema := os.Getenv("CRMIO_MAPPINGS_CHILD_SCHEMA"); schema != "" {
		mappingMemoryChild(t, schema)
		return
	}
	ctx := t.Context()
	schema := freshSchema(t)
	s, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 5, 4, 3, 2, 1, 123456000, time.FixedZone("UTC+2", 7200))
	if err := s.RememberMapping(ctx, storage.RememberedMapping{Module: "people", Fingerprint: "parent",
		Mapping: json.RawMessage(`{"columns":[{"column":2,"field":"phone","label":"work"}]}`), JobID: "7", Remembered: at}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMappingMemoryAcrossProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CRMIO_MAPPINGS_CHILD_SCHEMA="+schema)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the other process: %v\n%s", err, out)
	}
	got, err := s.RecallMapping(ctx, "people", "child")
	if err != nil || string(got.Mapping) != `{"columns":[{"column":0,"field":"first_name"}]}` || got.JobID != "8" {
		t.Fatalf("the mapping the other process remembered: %+v, %v", got, err)
	}
	// The default schema's table is another: a store in another schema
	// does not see this one's mappings.
	other, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: freshSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.RecallMapping(ctx, "people", "child"); !errors.Is(err, crmio.ErrNotFound) {
		t.Fatalf("a store in another schema recalls: %v", err)
	}
}

// mappingMemoryChild is the other process of TestMappingMemoryAcrossProcesses.
func mappingMemoryChild(t *testing.T, schema string) {
	ctx := t.Context()
	s, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.RecallMapping(ctx, "people", "parent")
	want := time.Date(2026, 5, 4, 1, 2, 1, 123456000, time.UTC)
	if err != nil || string(got.Mapping) != `{"columns":[{"column":2,"field":"phone","label":"work"}]}` || got.JobID != "7" || !got.Remembered.Equal(want) {
		t.Fatalf("the parent's mapping: %+v, %v", got, err)
	}
	if err := s.RememberMapping(ctx, storage.RememberedMapping{Module: "people", Fingerprint: "child",
		Mapping: json.RawMessage(`{"columns":[{"column":0,"field":"first_name"}]}`), JobID: "8"}); err != nil {
		t.Fatal(err)
	}
}
