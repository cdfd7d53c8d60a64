package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	_ "github.com/crmio/crmio/formats/all" // the formats it reads: CSV, XLSX, XLS
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

func testSchema() *crmio.Schema {
	return &crmio.Schema{Modules: []crmio.Module{
		{Name: "accounts", Key: "name", Fields: []crmio.Field{
			{Name: "name", Type: crmio.TypeText, Required: true},
			{Name: "website", Type: crmio.TypeURL},
		}},
		{Name: "people", Fields: []crmio.Field{
			{Name: "first_name", Type: crmio.TypeText},
			{Name: "last_name", Type: crmio.TypeText, Required: true},
			{Name: "email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home"}},
			{Name: "phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"mobile", "work", "home"}},
			{Name: "account", Type: crmio.TypeReference, Ref: "accounts"},
			{Name: "status", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "new"}, {Value: "contacted"}}},
			{Name: "birthday", Type: crmio.TypeDate},
			{Name: "notes", Type: crmio.TypeText},
		}},
	}}
}

// peopleMapping maps the columns of peopleHeader.
const peopleHeader = "First Name,Last Name,Email,Phone,Account,Notes"

func peopleMapping() *mapping.Mapping {
	targets := []mapping.Target{
		{Field: "first_name"}, {Field: "last_name"}, {Field: "email", Label: "work"},
		{Field: "phone", Label: "mobile"}, {Field: "account"}, {Field: "notes"},
	}
	m := &mapping.Mapping{}
	for i, t := range targets {
		m.Set(i, t)
	}
	return m
}

func newImporter(t testing.TB, store storage.Store) *importer.Importer {
	t.Helper()
	im, err := importer.New(store, testSchema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func csvSource(lines ...string) importer.Source {
	return importer.Source{Reader: strings.NewReader(strings.Join(lines, "\n") + "\n"), Name: "test.csv"}
}

func all(t testing.TB, store storage.Store, module string) []crmio.Record {
	t.Helper()
	var out []crmio.Record
	for rec, err := range store.Scan(context.Background(), module, storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func insert(t testing.TB, store storage.Store, module string, recs ...crmio.Record) []string {
	t.Helper()
	ids, err := store.Insert(context.Background(), module, recs)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func values(kv ...any) map[string]crmio.Value {
	m := map[string]crmio.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(crmio.Value)
	}
	return m
}

func email(label, s string) crmio.Value {
	return crmio.ListValue(crmio.Item{Label: label, Value: crmio.EmailValue(s)})
}

func counts(s *importer.Summary) string {
	return fmt.Sprintf("created=%d updated=%d skipped=%d failed=%d", s.Created, s.Updated, s.Skipped, s.Failed)
}

func TestStrategiesAndMergeModes(t *testing.T) {
	existing := crmio.Record{Values: values(
		"first_name", crmio.TextValue("Ada"),
		"last_name", crmio.TextValue("Lovelace"),
		"email", email("work", "ada@example.com"),
		"notes", crmio.TextValue("old note"),
	)}
	// The file's row matches by email (other case), has no first name,
	// a new phone and a new note.
	src := func() importer.Source {
		return csvSource(peopleHeader, ",Lovelace,ADA@example.com,(415) 555-0102,,new note")
	}
	tests := []struct {
		strategy dedupe.Strategy
		merge    dedupe.MergeMode
		want     string
		check    func(t *testing.T, recs []crmio.Record)
	}{
		{dedupe.Skip, dedupe.FillEmpty, "created=0 updated=0 skipped=1 failed=0", func(t *testing.T, recs []crmio.Record) {
			if len(recs) != 1 || !recs[0].Get("notes").Equal(crmio.TextValue("old note")) || recs[0].Get("phone").IsNull() == false {
				t.Errorf("skip changed the record: %v", recs)
			}
		}},
		{dedupe.Create, dedupe.FillEmpty, "created=1 updated=0 skipped=0 failed=0", func(t *testing.T, recs []crmio.Record) {
			if len(recs) != 2 {
				t.Errorf("create anyway: %d records, want 2", len(recs))
			}
		}},
		{dedupe.Update, dedupe.FillEmpty, "created=0 updated=1 skipped=0 failed=0", func(t *testing.T, recs []crmio.Record) {
			r := recs[0]
			if !r.Get("notes").Equal(crmio.TextValue("old note")) || !r.Get("first_name").Equal(crmio.TextValue("Ada")) {
				t.Errorf("fill empty overwrote a value: %v", r.Values)
			}
			if crmio.MatchKey(r.Get("phone")) != "+14155550102" {
				t.Errorf("fill empty did not fill the empty phone: %v", r.Get("phone"))
			}
		}},
		{dedupe.Update, dedupe.Overwrite, "created=0 updated=1 skipped=0 failed=0", func(t *testing.T, recs []crmio.Record) {
			r := recs[0]
			if !r.Get("notes").Equal(crmio.TextValue("new note")) {
				t.Errorf("overwrite kept the old note: %v", r.Get("notes"))
			}
			if v, ok := r.Values["first_name"]; ok && !v.IsZero() {
				t.Errorf("overwrite kept first_name %v although the mapped column was blank", v)
			}
		}},
		{dedupe.Update, dedupe.PreferImport, "created=0 updated=1 skipped=0 failed=0", func(t *testing.T, recs []crmio.Record) {
			r := recs[0]
			if !r.Get("notes").Equal(crmio.TextValue("new note")) || !r.Get("first_name").Equal(crmio.TextValue("Ada")) {
				t.Errorf("prefer import: %v", r.Values)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.strategy.String()+"/"+tt.merge.String(), func(t *testing.T) {
			store := memory.New()
			insert(t, store, "people", existing)
			sum, err := newImporter(t, store).Run(context.Background(), src(), importer.Plan{
				Module: "people", Mapping: peopleMapping(), Duplicates: tt.strategy, Merge: tt.merge,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(sum); got != tt.want {
				t.Errorf("summary %s, want %s (errors %v)", got, tt.want, sum.Errors)
			}
			tt.check(t, all(t, store, "people"))
		})
	}
}

func TestInFileDuplicates(t *testing.T) {
	lines := []string{peopleHeader,
		"Ada,Lovelace,ada@example.com,,,first",
		"Alan,Turing,alan@example.com,,,",
		"Ada,Lovelace,ADA@Example.com,(415) 555-0102,,second", // duplicate of row 2
		"Grace,Hopper,grace@example.com,,,",
		"Ada,Lovelace,ada@example.com,,,third", // duplicate of row 2, in a later batch
	}
	for _, tt := range []struct {
		strategy dedupe.Strategy
		want     string
		records  int
	}{
		{dedupe.Skip, "created=3 updated=0 skipped=2 failed=0", 3},
		// Row 4 adds a phone to row 2's record; row 6 brings nothing new,
		// so it counts as skipped.
		{dedupe.Update, "created=3 updated=1 skipped=1 failed=0", 3},
		{dedupe.Create, "created=5 updated=0 skipped=0 failed=0", 5},
	} {
		t.Run(tt.strategy.String(), func(t *testing.T) {
			store := memory.New()
			sum, err := newImporter(t, store).Run(context.Background(), csvSource(lines...), importer.Plan{
				Module: "people", Mapping: peopleMapping(), Duplicates: tt.strategy, Merge: dedupe.FillEmpty, BatchSize: 3,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(sum); got != tt.want {
				t.Errorf("summary %s, want %s; errors %v", got, tt.want, sum.Errors)
			}
			recs := all(t, store, "people")
			if len(recs) != tt.records {
				t.Fatalf("%d records, want %d", len(recs), tt.records)
			}
			if tt.strategy == dedupe.Update {
				ada := recs[0]
				if crmio.MatchKey(ada.Get("phone")) != "+14155550102" || !ada.Get("notes").Equal(crmio.TextValue("first")) {
					t.Errorf("in-file duplicate not merged with fill-empty: %v", ada.Values)
				}
			}
		})
	}
}

func TestReferences(t *testing.T) {
	lines := []string{peopleHeader,
		"Ada,Lovelace,ada@example.com,,ACME Corp,",
		"Alan,Turing,alan@example.com,,Globex,",
		"Grace,Hopper,grace@example.com,,,",
		"Linus,Torvalds,linus@example.com,,globex,", // same missing account, next batch
	}
	t.Run("unresolved", func(t *testing.T) {
		store := memory.New()
		acme := insert(t, store, "accounts", crmio.Record{Values: values("name", crmio.TextValue("Acme Corp"))})[0]
		sum, err := newImporter(t, store).Run(context.Background(), csvSource(lines...), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created != 4 || sum.ReferencesCreated != 0 {
			t.Errorf("summary %s refs=%d", counts(sum), sum.ReferencesCreated)
		}
		recs := all(t, store, "people")
		if ref, _ := recs[0].Get("account").Ref(); ref.ID != acme {
			t.Errorf("ACME Corp resolved to %+v, want id %s", ref, acme)
		}
		if _, ok := recs[1].Values["account"]; ok {
			t.Errorf("an unresolved reference must leave the field empty: %v", recs[1].Values)
		}
		var warned []int
		for _, w := range sum.Warnings {
			if w.Field == "account" {
				warned = append(warned, w.Row)
			}
		}
		if !slices.Equal(warned, []int{3, 5}) {
			t.Errorf("unresolved reference warnings on rows %v, want [3 5]: %v", warned, sum.Warnings)
		}
	})
	t.Run("auto-create", func(t *testing.T) {
		store := memory.New()
		insert(t, store, "accounts", crmio.Record{Values: values("name", crmio.TextValue("Acme Corp"))})
		im := newImporter(t, store)
		sum, err := im.Run(context.Background(), csvSource(lines...), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 2, AutoCreateReferences: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.ReferencesCreated != 1 {
			t.Errorf("references created = %d, want 1 (Globex, once)", sum.ReferencesCreated)
		}
		accounts := all(t, store, "accounts")
		if len(accounts) != 2 {
			t.Fatalf("accounts = %v", accounts)
		}
		recs := all(t, store, "people")
		r1, _ := recs[1].Get("account").Ref()
		r3, _ := recs[3].Get("account").Ref()
		if r1.ID == "" || r1.ID != r3.ID || r1.ID != accounts[1].ID {
			t.Errorf("Globex references %+v and %+v, want both %s", r1, r3, accounts[1].ID)
		}
		if _, err := im.Rollback(context.Background(), sum.JobID, nil); err != nil {
			t.Fatal(err)
		}
		if n := len(all(t, store, "accounts")); n != 1 {
			t.Errorf("rollback left %d accounts, want 1 (the auto-created one removed)", n)
		}
	})
	t.Run("required", func(t *testing.T) {
		schema := testSchema()
		schema.Module("people").Field("account").Required = true
		store := memory.New()
		im, err := importer.New(store, schema, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := im.Run(context.Background(), csvSource(lines[:3]...), importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Failed != 2 || len(sum.Errors) != 2 || !errors.Is(&sum.Errors[0], crmio.ErrUnresolvedReference) || sum.Errors[0].Row != 2 || sum.Errors[0].Column != "Account" {
			t.Errorf("required unresolved references: %s %+v", counts(sum), sum.Errors)
		}
	})
}

func TestStaticValues(t *testing.T) {
	store := memory.New()
	sum, err := newImporter(t, store).Run(context.Background(), csvSource(peopleHeader, "Ada,Lovelace,,,,", "Alan,Turing,,,,"),
		importer.Plan{Module: "people", Mapping: peopleMapping(), Static: map[string]string{"status": "New"}}, nil)
	if err != nil || sum.Created != 2 {
		t.Fatalf("%v %v", sum, err)
	}
	for _, r := range all(t, store, "people") {
		if !r.Get("status").Equal(crmio.TextValue("new")) {
			t.Errorf("status = %v, want the static choice new", r.Get("status"))
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	store := memory.New()
	insert(t, store, "people", crmio.Record{Values: values("last_name", crmio.TextValue("Lovelace"), "email", email("work", "ada@example.com"))})
	im := newImporter(t, store)
	sum, err := im.Run(context.Background(), csvSource(peopleHeader,
		"Ada,Lovelace,ada@example.com,,Globex,",
		"Alan,Turing,alan@example.com,,Globex,",
		"Alan,Turing,alan@example.com,,,", // in-file duplicate in the next batch
		",,nobody@example.com,,,",         // no last name
	), importer.Plan{Module: "people", Mapping: peopleMapping(), Duplicates: dedupe.Update, DryRun: true, AutoCreateReferences: true, BatchSize: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Ada updates the stored record (account), Alan is created, his second
	// row brings nothing new (skipped), the last row fails.
	if got := counts(sum); got != "created=1 updated=1 skipped=1 failed=1" || sum.ReferencesCreated != 1 {
		t.Errorf("dry run summary %s refs=%d, want created=1 updated=1 skipped=1 failed=1 refs=1", got, sum.ReferencesCreated)
	}
	if n := len(all(t, store, "people")); n != 1 {
		t.Errorf("dry run wrote: %d people", n)
	}
	if n := len(all(t, store, "accounts")); n != 0 {
		t.Errorf("dry run wrote: %d accounts", n)
	}
	if sum.JobID != "" {
		t.Errorf("a dry run is not a job: %q", sum.JobID)
	}
	if jobs, _ := im.History(context.Background(), 0); len(jobs) != 0 {
		t.Errorf("dry run in history: %v", jobs)
	}
}

func snapshot(t *testing.T, store storage.Store) map[string]crmio.Record {
	out := map[string]crmio.Record{}
	for _, m := range []string{"people", "accounts"} {
		for _, r := range all(t, store, m) {
			out[m+"/"+r.ID] = r
		}
	}
	return out
}

func sameState(t *testing.T, got, want map[string]crmio.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d records, want %d", len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !g.Equal(w) {
			t.Errorf("%s = %v, want %v", k, g.Values, w.Values)
		}
	}
}

func TestRollbackRestoresPriorState(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	insert(t, store, "people",
		crmio.Record{Values: values("first_name", crmio.TextValue("Ada"), "last_name", crmio.TextValue("Lovelace"), "email", email("work", "ada@example.com"), "notes", crmio.TextValue("keep me"))},
		crmio.Record{Values: values("last_name", crmio.TextValue("Turing"), "email", email("home", "alan@example.com"))},
	)
	insert(t, store, "accounts", crmio.Record{Values: values("name", crmio.TextValue("Acme"))})
	before := snapshot(t, store)
	im := newImporter(t, store)
	sum, err := im.Run(ctx, csvSource(peopleHeader,
		"Ada,Lovelace,ada@example.com,(415) 555-0102,Acme,overwritten",
		",Turing,alan@example.com,,Initech,",
		"Grace,Hopper,grace@example.com,,Initech,",
		"Grace,Hopper,grace@example.com,+1 415 555 0199,,again", // updates what row 4 created, next batch
	), importer.Plan{Module: "people", Mapping: peopleMapping(), Duplicates: dedupe.Update, Merge: dedupe.Overwrite, AutoCreateReferences: true, BatchSize: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(sum); got != "created=1 updated=3 skipped=0 failed=0" {
		t.Fatalf("summary %s", got)
	}
	after := snapshot(t, store)

	// A record changed after the import blocks the rollback...
	var ada crmio.Record
	for _, r := range all(t, store, "people") {
		if r.Get("last_name").Str() == "Lovelace" {
			ada = r
		}
	}
	edited := ada.Clone()
	edited.Set("notes", crmio.TextValue("edited by a user"))
	if err := store.Update(ctx, "people", []crmio.Record{edited}); err != nil {
		t.Fatal(err)
	}
	_, err = im.Rollback(ctx, sum.JobID, nil)
	var conflict *importer.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, crmio.ErrConflict) || conflict.N != 1 {
		t.Fatalf("rollback over a later change = %v, want a ConflictError for 1 record", err)
	}
	edited.Set("notes", crmio.TextValue("overwritten"))
	if err := store.Update(ctx, "people", []crmio.Record{edited}); err != nil {
		t.Fatal(err)
	}
	sameState(t, snapshot(t, store), after) // the refusal changed nothing

	res, err := im.Rollback(ctx, sum.JobID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 2 || res.Restored != 2 {
		t.Errorf("rollback %+v, want 2 deleted (Grace, Initech) and 2 restored", res)
	}
	sameState(t, snapshot(t, store), before)
	job, err := im.Status(ctx, sum.JobID)
	if err != nil || job.Status != storage.JobRolledBack {
		t.Errorf("job after rollback: %v %v", job.Status, err)
	}
	// Safe to call twice.
	if res, err := im.Rollback(ctx, sum.JobID, nil); err != nil || res.Deleted+res.Restored != 0 {
		t.Errorf("second rollback: %+v %v", res, err)
	}
	sameState(t, snapshot(t, store), before)
}

func TestRollbackForce(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	im := newImporter(t, store)
	sum, err := im.Run(ctx, csvSource(peopleHeader, "Ada,Lovelace,ada@example.com,,,"), importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := all(t, store, "people")[0]
	rec.Set("notes", crmio.TextValue("changed"))
	if err := store.Update(ctx, "people", []crmio.Record{rec}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Rollback(ctx, sum.JobID, nil); !errors.Is(err, crmio.ErrConflict) {
		t.Fatalf("want a conflict, got %v", err)
	}
	if res, err := im.Rollback(ctx, sum.JobID, &importer.RollbackOptions{Force: true}); err != nil || res.Deleted != 1 {
		t.Fatalf("forced rollback: %+v %v", res, err)
	}
	if n := len(all(t, store, "people")); n != 0 {
		t.Errorf("%d people left", n)
	}
}

// TestRollbackOfAnOldJournal: a journal written by an earlier version of
// crmio holds the FNV-1a fingerprints it made; rollback still tells an
// untouched record from a changed one by them.
func TestRollbackOfAnOldJournal(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	ids := insert(t, store, "people",
		crmio.Record{Values: values("first_name", crmio.TextValue("Ada"), "last_name", crmio.TextValue("Lovelace"))},
		crmio.Record{Values: values("first_name", crmio.TextValue("Ada"), "last_name", crmio.TextValue("Lovelace"))},
	)
	const oldFingerprint = "3vbu1rx3823m7.2" // of {first_name: Ada, last_name: Lovelace}
	now := time.Now()
	job, err := store.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobCompleted, Created: now, Heartbeat: now})
	if err != nil {
		t.Fatal(err)
	}
	var entries []storage.JournalEntry
	for _, id := range ids {
		entries = append(entries, storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: id, Fingerprint: oldFingerprint})
	}
	if err := store.AppendJournal(ctx, job, entries); err != nil {
		t.Fatal(err)
	}
	im := newImporter(t, store)
	changed := all(t, store, "people")[1]
	changed.Set("notes", crmio.TextValue("edited since"))
	if err := store.Update(ctx, "people", []crmio.Record{changed}); err != nil {
		t.Fatal(err)
	}
	var conflict *importer.ConflictError
	if _, err := im.Rollback(ctx, job, nil); !errors.As(err, &conflict) || conflict.N != 1 {
		t.Fatalf("rollback with one record changed = %v, want a conflict of 1", err)
	}
	changed.Values = values("first_name", crmio.TextValue("Ada"), "last_name", crmio.TextValue("Lovelace"))
	if err := store.Update(ctx, "people", []crmio.Record{changed}); err != nil {
		t.Fatal(err)
	}
	if res, err := im.Rollback(ctx, job, nil); err != nil || res.Deleted != 2 {
		t.Fatalf("rollback of the untouched records: %+v, %v; want 2 deleted", res, err)
	}
}

// faultyStore wraps a store and fails or cancels on a chosen Insert call.
type faultyStore struct {
	*memory.Store
	inserts  atomic.Int32
	failAt   int32
	cancelAt int32
	cancel   context.CancelFunc
}

func (s *faultyStore) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	n := s.inserts.Add(1)
	if n == s.failAt {
		return nil, errors.New("disk on fire")
	}
	if n == s.cancelAt {
		s.cancel()
		return nil, ctx.Err()
	}
	return s.Store.Insert(ctx, module, recs)
}

// Atomic passes the wrapper itself, so that its faults happen inside the
// transaction as a real store's would.
func (s *faultyStore) Atomic(ctx context.Context, fn func(tx storage.Store) error) error {
	return s.Store.Atomic(ctx, func(tx storage.Store) error {
		return fn(&txWrapper{txStore: tx.(txStore), outer: s})
	})
}

type txStore interface {
	storage.Store
	storage.History
}

type txWrapper struct {
	txStore
	outer *faultyStore
}

func (w *txWrapper) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	n := w.outer.inserts.Add(1)
	if n == w.outer.failAt {
		return nil, errors.New("disk on fire")
	}
	if n == w.outer.cancelAt {
		w.outer.cancel()
		return nil, ctx.Err()
	}
	return w.txStore.Insert(ctx, module, recs)
}

func generated(n int) importer.Source {
	var b strings.Builder
	b.WriteString(peopleHeader + "\n")
	for i := range n {
		fmt.Fprintf(&b, "First%d,Last%d,person%d@example.com,,,\n", i, i, i)
	}
	return importer.Source{Reader: strings.NewReader(b.String()), Name: "generated.csv"}
}

func TestStoreFailsOnThirdBatch(t *testing.T) {
	ctx := context.Background()
	store := &faultyStore{Store: memory.New(), failAt: 3}
	im := newImporter(t, store)
	sum, err := im.Run(ctx, generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: importer.Streaming}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Run = %v, want the store's failure", err)
	}
	if sum == nil || sum.Status != storage.JobFailed || sum.Created != 200 {
		t.Fatalf("summary %+v", sum)
	}
	job, err := im.Status(ctx, sum.JobID)
	if err != nil || job.Status != storage.JobFailed || job.Counts.Created != 200 || job.Error == "" {
		t.Fatalf("job %+v %v", job, err)
	}
	if n := len(all(t, store, "people")); n != 200 {
		t.Fatalf("%d people, want the 2 whole batches before the failure", n)
	}
	if res, err := im.Rollback(ctx, sum.JobID, nil); err != nil || res.Deleted != 200 {
		t.Fatalf("rollback %+v %v", res, err)
	}
	if n := len(all(t, store, "people")); n != 0 {
		t.Errorf("%d people left after rollback", n)
	}
}

func TestCancelMidImport(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := &faultyStore{Store: memory.New(), cancelAt: 4, cancel: cancel}
	im := newImporter(t, store)
	sum, err := im.Run(ctx, generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: importer.Streaming}, nil)
	if !errors.Is(err, importer.ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want ErrCancelled", err)
	}
	if sum.Status != storage.JobCancelled || sum.Created != 300 {
		t.Errorf("summary status %s created %d", sum.Status, sum.Created)
	}
	if n := len(all(t, store, "people")); n != 300 {
		t.Errorf("%d people: want the 3 whole batches committed before the cancel, no partial batch", n)
	}
	job, err := im.Status(context.Background(), sum.JobID)
	if err != nil || job.Status != storage.JobCancelled {
		t.Errorf("job %v %v", job.Status, err)
	}
}

func TestBackgroundImportReportsProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	var b bytes.Buffer
	b.WriteString(peopleHeader + "\n")
	for i := range 60000 {
		fmt.Fprintf(&b, "First%d,Last%d,person%d@example.com,,,\n", i, i, i)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	store := memory.New()
	im := newImporter(t, store)
	var mu sync.Mutex
	var reports []importer.Progress
	job, err := im.Start(context.Background(), importer.Source{Path: path}, importer.Plan{Module: "people", Mapping: peopleMapping()},
		&importer.Hooks{ProgressInterval: time.Millisecond,
			Progress: func(p importer.Progress) { mu.Lock(); reports = append(reports, p); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if job.Mode != importer.Background {
		t.Fatalf("60,000 rows ran in mode %s, want background", job.Mode)
	}
	// Poll the history, as another process would.
	for {
		st, err := im.Status(context.Background(), job.JobID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status.Done() {
			if st.Status != storage.JobCompleted || st.Counts.Created != 60000 {
				t.Fatalf("job ended %s with %+v", st.Status, st.Counts)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	sum, err := job.Wait(context.Background())
	if err != nil || sum.Created != 60000 {
		t.Fatalf("%v %v", counts(sum), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) < 5 {
		t.Fatalf("%d progress reports, want at least 5", len(reports))
	}
	for i := 1; i < len(reports); i++ {
		if reports[i].Read < reports[i-1].Read {
			t.Errorf("progress went backwards: %+v then %+v", reports[i-1], reports[i])
		}
	}
	if last := reports[len(reports)-1]; last.Read != 60000 || last.Estimated < 60000 {
		t.Errorf("last report %+v", last)
	}
	// Extrapolated from the first rows' bytes: the right size, not exact.
	if est := reports[0].Estimated; est < 45000 || est > 80000 {
		t.Errorf("first estimate %d, want about 60,000", est)
	}
}

func TestRowNumbersAreTheSpreadsheets(t *testing.T) {
	src := csvSource(peopleHeader,
		`Ada,Lovelace,ada@example.com,,,"a note`, // row 2 spans three lines
		`on three`,
		`lines"`,
		``,                          // row 3: blank
		`Bad,Email,not-an-email,,,`, // row 4
		``,                          // row 5: blank
		``,                          // row 6: blank
		`No,,,,,`,                   // row 7: no last name
		`Ok,Fine,ok@example.com,,,`, // row 8
	)
	sum, err := newImporter(t, memory.New()).Run(context.Background(), src, importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for _, e := range sum.Errors {
		rows = append(rows, e.Row)
	}
	if !slices.Equal(rows, []int{4, 7}) || sum.Created != 2 || sum.Failed != 2 {
		t.Errorf("error rows %v (%s), want [4 7]: %v", rows, counts(sum), sum.Errors)
	}
	if sum.Errors[0].Column != "Email" || !errors.Is(&sum.Errors[0], crmio.ErrInvalidValue) {
		t.Errorf("error %+v should name the Email column", sum.Errors[0])
	}
	var out bytes.Buffer
	if err := sum.WriteFailedRows(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[0] != peopleHeader+",Error" || !strings.HasPrefix(lines[1], "Bad,Email,not-an-email,,,") || !strings.Contains(lines[1], "Email") {
		t.Errorf("failed rows CSV:\n%s", out.String())
	}
}

func TestMaxErrorsStopsTheImport(t *testing.T) {
	var b strings.Builder
	b.WriteString(peopleHeader + "\n")
	for range 50 {
		b.WriteString("No,,,,,\n")
	}
	sum, err := newImporter(t, memory.New()).Run(context.Background(), importer.Source{Reader: strings.NewReader(b.String())},
		importer.Plan{Module: "people", Mapping: peopleMapping(), MaxErrors: 5, BatchSize: 10}, nil)
	if !errors.Is(err, importer.ErrTooManyErrors) || sum.Status != storage.JobFailed {
		t.Fatalf("Run = %v, status %s", err, sum.Status)
	}
	if sum.Read >= 50 {
		t.Errorf("read %d rows: the import should stop early", sum.Read)
	}
}

func TestAutomaticMapping(t *testing.T) {
	store := memory.New()
	im := newImporter(t, store)
	src := func() importer.Source {
		return csvSource("First Name,Last Name,E-mail Address,Mobile Phone,Company", "Ada,Lovelace,ada@example.com,(415) 555-0102,Acme")
	}
	p, err := im.Preview(context.Background(), src(), "people", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 1 || p.Info.Format != "csv" || len(p.Mapping.Columns) < 4 {
		t.Fatalf("preview %+v", p)
	}
	sum, err := im.Run(context.Background(), src(), importer.Plan{Module: "people", AutoCreateReferences: true}, nil)
	if err != nil || sum.Created != 1 {
		t.Fatalf("%v %v %v", counts(sum), err, sum.Errors)
	}
	rec := all(t, store, "people")[0]
	if crmio.MatchKey(rec.Get("email")) != "ada@example.com" || crmio.MatchKey(rec.Get("phone")) != "+14155550102" || rec.Get("last_name").Str() != "Lovelace" {
		t.Errorf("auto-mapped record %v", rec.Values)
	}
}

func TestPlanErrors(t *testing.T) {
	im := newImporter(t, memory.New())
	ctx := context.Background()
	if _, err := im.Run(ctx, csvSource(peopleHeader), importer.Plan{Module: "nope"}, nil); !errors.Is(err, crmio.ErrUnknownModule) {
		t.Errorf("unknown module: %v", err)
	}
	if _, err := im.Run(ctx, csvSource("Foo,Bar", "1,2"), importer.Plan{Module: "people"}, nil); !errors.Is(err, importer.ErrNoMapping) {
		t.Errorf("nothing mapped: %v", err)
	}
	if _, err := im.Run(ctx, csvSource(peopleHeader, "a,b,c,d,e,f"), importer.Plan{Module: "people", Mapping: peopleMapping(), MatchFields: []string{"shoe_size"}}, nil); !errors.Is(err, crmio.ErrUnknownField) {
		t.Errorf("unknown match field: %v", err)
	}
	if _, err := im.Run(ctx, importer.Source{Path: "/does/not/exist.csv"}, importer.Plan{Module: "people"}, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWarningsBeyondTheKeptOnesAreCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString(peopleHeader + "\n")
	for i := range 30 {
		fmt.Fprintf(&b, "F%d,L%d,p%d@example.com,,Nowhere Inc,\n", i, i, i)
	}
	im, err := importer.New(memory.New(), testSchema(), &importer.Options{MaxKeptRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := im.Run(context.Background(), importer.Source{Reader: strings.NewReader(b.String())},
		importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Warnings) != 10 || sum.Dropped != 20 || sum.Created != 30 {
		t.Errorf("kept %d warnings, dropped %d, created %d; want 10, 20, 30", len(sum.Warnings), sum.Dropped, sum.Created)
	}
	if sum.Warnings[9].Row != 11 {
		t.Errorf("the last kept warning is for row %d, want 11", sum.Warnings[9].Row)
	}
}

// TestJournalFingerprints checks that the journal holds each written
// record's fingerprint as stored: the workers hash the mapped fields and
// the writer adds the references it resolves, so a created record, one a
// later row of the file merged into, one without a resolved reference and
// an updated one must all match what the store holds.
func TestJournalFingerprints(t *testing.T) {
	store := memory.New()
	existing := insert(t, store, "people", crmio.Record{Values: values("last_name", crmio.TextValue("Old"), "email", email("work", "grace@example.com"))})[0]
	lines := []string{peopleHeader,
		"Ada,Lovelace,ada@example.com,,ACME Corp,first",
		"Alan,Turing,alan@example.com,+14155550102,,",
		"Ada,Lovelace,ADA@example.com,+14155550199,,merged into row 2",
		"Grace,Hopper,grace@example.com,,Globex,updates the stored record",
		"Linus,Torvalds,linus@example.com,,globex,",
	}
	// Later batches name the same accounts: most are mapped after the
	// first batches commit, and take their ids from the workers' cache.
	for n := range 30 {
		lines = append(lines, fmt.Sprintf("P%d,Q%d,p%d@example.com,,%s,", n, n, n, []string{"ACME Corp", "Globex"}[n%2]))
	}
	im := newImporter(t, store)
	sum, err := im.Run(context.Background(), csvSource(lines...), importer.Plan{Module: "people", Mapping: peopleMapping(),
		Duplicates: dedupe.Update, Merge: dedupe.FillEmpty, AutoCreateReferences: true, BatchSize: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 33 || sum.Updated != 2 || sum.ReferencesCreated != 2 {
		t.Fatalf("summary %s, references created %d", counts(sum), sum.ReferencesCreated)
	}
	seen := 0
	for e, err := range store.Journal(context.Background(), sum.JobID) {
		if err != nil {
			t.Fatal(err)
		}
		recs, err := store.Get(context.Background(), e.Module, []string{e.ID})
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s %s: %v, %v", e.Module, e.ID, recs, err)
		}
		if want := recs[0].Fingerprint(); e.Fingerprint != want {
			t.Errorf("journal: %s %s %s has fingerprint %q; the stored record's is %q (%v)", e.Op, e.Module, e.ID, e.Fingerprint, want, recs[0].Values)
		}
		if e.ID == existing && e.Op != storage.JournalUpdated {
			t.Errorf("the stored record's entry is %s, want updated", e.Op)
		}
		seen++
	}
	if seen != 36 { // 2 accounts, 33 people created, 1 updated
		t.Errorf("%d journal entries, want 36", seen)
	}
	if _, err := im.Rollback(context.Background(), sum.JobID, nil); err != nil {
		t.Errorf("rollback refused, as if the records had changed since: %v", err)
	}
}

// A run whose context is cancelled with ErrRequeued (a worker shutting
// down) leaves its job queued, its checkpoint kept, and a resume ends it
// as one run would; a cancel asked meanwhile wins over the requeue.
func TestRequeue(t *testing.T) {
	for _, cancelToo := range []bool{false, true} {
		store := memory.New()
		im := newImporter(t, store)
		ctx, stop := context.WithCancelCause(context.Background())
		batches := 0
		started := make(chan string, 1) // the job's id, once Start has returned it
		hooks := &importer.Hooks{ProgressInterval: time.Nanosecond, Progress: func(importer.Progress) {
			if batches++; batches == 3 {
				if cancelToo {
					if err := im.Cancel(context.Background(), <-started); err != nil {
						t.Error(err)
					}
				}
				stop(importer.ErrRequeued)
			}
		}}
		h, err := im.Start(ctx, generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: importer.Background}, hooks)
		if err != nil {
			t.Fatal(err)
		}
		jobID := h.JobID
		started <- jobID
		sum, err := h.Wait(context.Background())
		if want := map[bool]error{false: importer.ErrRequeued, true: importer.ErrCancelled}[cancelToo]; !errors.Is(err, want) {
			t.Fatalf("Wait = %v, want %v", err, want)
		}
		job, err := im.Status(context.Background(), jobID)
		if err != nil {
			t.Fatal(err)
		}
		if cancelToo {
			if job.Status != storage.JobCancelled || sum.Status != storage.JobCancelled {
				t.Errorf("asked to cancel while requeued: job %s, summary %s; want cancelled", job.Status, sum.Status)
			}
			continue
		}
		if job.Status != storage.JobQueued || sum.Status != storage.JobQueued || job.Runner != nil || !job.Finished.IsZero() || job.Error != "" {
			t.Fatalf("requeued job: %s (summary %s), runner %v, finished %v, error %q; want queued, no runner, no end", job.Status, sum.Status, job.Runner, job.Finished, job.Error)
		}
		if job.Checkpoint.Rows < 300 || job.Checkpoint.Rows%100 != 0 || job.Counts.Created != job.Checkpoint.Rows {
			t.Fatalf("requeued at checkpoint %+v with counts %+v: want whole batches, at least 3", job.Checkpoint, job.Counts)
		}
		sum, err = im.Resume(context.Background(), jobID, generated(1000), nil)
		if err != nil || sum.Status != storage.JobCompleted || sum.Created != 1000 {
			t.Fatalf("resume: %v, %v", counts(sum), err)
		}
		if n := len(all(t, store, "people")); n != 1000 {
			t.Errorf("%d people after the resume, want 1000", n)
		}
	}
}
