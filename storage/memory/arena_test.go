package memory

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Updates leave garbage in the arena; once it outweighs the live
// encodings, they are copied into a new arena, and every record still
// reads back as written, also after a rolled-back transaction.
func TestArenaCompaction(t *testing.T) {
	ctx := context.Background()
	s := New()
	recs := make([]crmio.Record, 200)
	for i := range recs {
		recs[i].Values = map[string]crmio.Value{"note": crmio.TextValue(strings.Repeat("x", 1000)), "n": crmio.IntValue(0)}
	}
	ids, err := s.Insert(ctx, "m", recs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, "m", "n", nil); err != nil { // an index to keep up
		t.Fatal(err)
	}
	update := func(st storage.Store, round int) error {
		for i := range recs {
			recs[i] = crmio.Record{ID: ids[i], Values: map[string]crmio.Value{
				"note": crmio.TextValue(strings.Repeat(strconv.Itoa(round%10), 1000)), "n": crmio.IntValue(int64(round))}}
		}
		return st.Update(ctx, "m", recs)
	}
	rebuilt := false
	for round := 1; round <= 30; round++ {
		if err := update(s, round); err != nil {
			t.Fatal(err)
		}
		s.mu.RLock()
		m := s.st.modules["m"]
		if garbage := m.arena.size - m.live; garbage > maxChunk && garbage > m.live {
			t.Errorf("round %d: %d bytes of garbage left beside %d live", round, garbage, m.live)
		}
		if m.arena.size < int64(round)*m.live {
			rebuilt = true
		}
		s.mu.RUnlock()
	}
	if !rebuilt {
		t.Error("the arena was never compacted")
	}
	errRollback := errors.New("rollback")
	err = s.Atomic(ctx, func(tx storage.Store) error {
		for round := 31; round <= 40; round++ {
			if err := update(tx, round); err != nil {
				return err
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "m", ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("Get: %d records, %v", len(got), err)
	}
	for _, r := range got {
		if n, _ := r.Get("n").Number(); n.String() != "30" || r.Get("note").Str() != strings.Repeat("0", 1000) {
			t.Fatalf("record %s reads back as %v", r.ID, n)
		}
	}
	found, err := s.Lookup(ctx, "m", "n", []string{"30", "40"})
	if err != nil || len(found["30"]) != len(ids) || len(found["40"]) != 0 {
		t.Errorf("Lookup after rollback: %d with 30, %d with 40, %v", len(found["30"]), len(found["40"]), err)
	}
	checkInvariants(t, s, []string{"n"})
}

// Journal entries come back exactly as appended: nil and empty Values
// apart, any op; a rolled-back append leaves nothing, and appends after it
// read back right.
func TestJournalEncoding(t *testing.T) {
	ctx := context.Background()
	s := New()
	job, err := s.CreateJob(ctx, storage.Job{Module: "m"})
	if err != nil {
		t.Fatal(err)
	}
	entry := func(i int) storage.JournalEntry {
		e := storage.JournalEntry{Op: storage.JournalCreated, Module: "m", ID: strconv.Itoa(i), Fingerprint: "f" + strconv.Itoa(i)}
		switch i % 4 {
		case 1:
			e.Op = storage.JournalUpdated
			e.Before = &crmio.Record{ID: e.ID, Module: "m", Values: map[string]crmio.Value{"a": crmio.TextValue("before"), "null": {}}}
			e.After = &crmio.Record{ID: e.ID, Values: map[string]crmio.Value{}}
		case 2:
			e.Op = "custom"
			e.Before = &crmio.Record{}
		case 3:
			e.Module = "other"
		}
		return e
	}
	var want []storage.JournalEntry
	appendN := func(st storage.History, from, n int) error {
		var batch []storage.JournalEntry
		for i := from; i < from+n; i++ {
			batch = append(batch, entry(i))
		}
		return st.AppendJournal(ctx, job, batch)
	}
	if err := appendN(s, 0, 1500); err != nil {
		t.Fatal(err)
	}
	for i := range 1500 {
		want = append(want, entry(i))
	}
	errRollback := errors.New("rollback")
	s.Atomic(ctx, func(tx storage.Store) error {
		if err := appendN(tx.(storage.History), 5000, 700); err != nil {
			return err
		}
		return errRollback
	})
	if err := appendN(s, 1500, 700); err != nil {
		t.Fatal(err)
	}
	for i := 1500; i < 2200; i++ {
		want = append(want, entry(i))
	}
	n := 0
	for e, err := range s.Journal(ctx, job) {
		if err != nil {
			t.Fatal(err)
		}
		if n >= len(want) {
			t.Fatalf("more than %d entries", len(want))
		}
		w := want[n]
		same := func(a, b *crmio.Record) bool {
			if a == nil || b == nil {
				return a == b
			}
			return a.Equal(*b) && (a.Values == nil) == (b.Values == nil)
		}
		if e.Op != w.Op || e.Module != w.Module || e.ID != w.ID || e.Fingerprint != w.Fingerprint || !same(e.Before, w.Before) || !same(e.After, w.After) {
			t.Fatalf("entry %d: %+v, want %+v", n, e, w)
		}
		n++
	}
	if n != len(want) {
		t.Errorf("%d entries, want %d", n, len(want))
	}
}
