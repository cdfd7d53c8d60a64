package importer_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

// TestMappingMemory: an import with a mapping the user gave is
// remembered; the next file with the same header, previewed or imported
// in another importer over the same store file, is mapped that way, at
// High, with the job named.
func TestMappingMemory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crmio.db")
	store, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	header := "Kdnr,Wer,Nachname,Mail"
	// The user's fixes: "Wer" holds first names, "Kdnr" goes to notes.
	mp := &mapping.Mapping{}
	mp.Set(0, mapping.Target{Field: "notes"})
	mp.Set(1, mapping.Target{Field: "first_name"})
	mp.Set(2, mapping.Target{Field: "last_name"})
	mp.Set(3, mapping.Target{Field: "email", Label: "work"})
	job, err := newImporter(t, store).Start(ctx, csvSource(header, "K1,Ada,Lovelace,ada@example.com"), importer.Plan{Module: "people", Mapping: mp}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := job.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := importer.RememberMapping(ctx, store, sum); err != nil {
		t.Fatal(err)
	}

	// Another process, another store on the file.
	again, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	im, err := importer.New(again, testSchema(), &importer.Options{Suggester: importer.MemorySuggester(again, nil)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := im.Preview(ctx, csvSource(header, "K2,Bob,Byron,bob@example.com"), "people", 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range p.Suggestions {
		want, _ := mp.Target(i)
		if s.Target != want || s.Confidence != mapping.High || !strings.Contains(s.Reason, "import "+sum.JobID) {
			t.Errorf("%q → %s (%s, %q), want %s at High from import %s", s.Header, s.Target, s.Confidence, s.Reason, want, sum.JobID)
		}
	}
	// A file with another header: suggested afresh.
	p, err = im.Preview(ctx, csvSource("Vorname,Nachname", "Cy,Young"), "people", 5)
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Suggestions[0]; s.Target.Field != "first_name" || strings.Contains(s.Reason, "remembered") {
		t.Errorf("another header: %+v", s)
	}
	// A dry run is not remembered.
	dry, err := newImporter(t, again).Start(ctx, csvSource("A,B", "x,y"), importer.Plan{Module: "people", DryRun: true,
		Mapping: &mapping.Mapping{Columns: []mapping.ColumnMapping{{Column: 1, Target: mapping.Target{Field: "last_name"}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	drySum, _ := dry.Wait(ctx)
	if err := importer.RememberMapping(ctx, again, drySum); err != nil {
		t.Fatal(err)
	}
	if _, err := again.RecallMapping(ctx, "people", mapping.HeaderFingerprint([]string{"A", "B"})); !errors.Is(err, crmio.ErrNotFound) {
		t.Errorf("a dry run's mapping was remembered: %v", err)
	}
}

// TestMappingMemoryNotSupported: a store without the capability.
func TestMappingMemoryNotSupported(t *testing.T) {
	var s storage.Store = struct{ storage.Store }{}
	if err := importer.RememberMapping(context.Background(), s, &importer.Summary{}); !errors.Is(err, crmio.ErrNotSupported) {
		t.Errorf("RememberMapping: %v, want crmio.ErrNotSupported", err)
	}
	if got := importer.MemorySuggester(s, mapping.Default); got != mapping.Default {
		t.Errorf("MemorySuggester of a store without memory is not next")
	}
}
