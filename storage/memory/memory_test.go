package memory_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
}

// The store's id order is creation order, and ids compare as strings in
// that order too.
func TestIDsSortInCreationOrder(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	var all []string
	for range 3 {
		ids, err := s.Insert(ctx, "people", make([]crmio.Record, 7))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
	}
	if !slices.IsSorted(all) {
		t.Errorf("ids do not sort as strings in creation order: %q", all)
	}
	var scanned []string
	for r, err := range s.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		scanned = append(scanned, r.ID)
	}
	if !slices.Equal(scanned, all) {
		t.Errorf("Scan order %q, want creation order %q", scanned, all)
	}
}

// A scan that stays open across many chunks sees the records that existed
// when it started, once each, even as the store compacts deleted records
// under it.
func TestScanAcrossCompaction(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	ids, err := s.Insert(ctx, "people", make([]crmio.Record, 5000))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	for r, err := range s.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.ID] {
			t.Fatalf("record %s yielded twice", r.ID)
		}
		seen[r.ID] = true
		if n++; n == 10 {
			// Delete most records behind and ahead of the scan: the
			// tombstones become the larger part and are compacted.
			var gone []string
			for i, id := range ids {
				if i >= 5 && i%10 != 0 {
					gone = append(gone, id)
				}
			}
			if err := s.Delete(ctx, "people", gone); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, id := range ids {
		if i%10 == 0 && !seen[id] {
			t.Errorf("record %d (%s), never deleted, was not yielded", i, id)
		}
	}
}

// Journal entries and jobs are deep copies: neither side can change the
// other's.
func TestHistoryCopies(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	id, err := s.CreateJob(ctx, storage.Job{Module: "people", Detail: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	rec := crmio.Record{ID: "1", Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}
	if err := s.AppendJournal(ctx, id, []storage.JournalEntry{{Op: storage.JournalUpdated, ID: "1", Before: &rec}}); err != nil {
		t.Fatal(err)
	}
	rec.Values["name"] = crmio.TextValue("changed")
	for e, err := range s.Journal(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Before.Get("name").Str(); got != "Ada" {
			t.Errorf("journal image changed with the caller's map: %q", got)
		}
	}
}
