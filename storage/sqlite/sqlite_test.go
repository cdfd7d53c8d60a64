package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/differential"
	"github.com/crmio/crmio/storage/internal/sqlstore"
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

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{"email": crmio.EmailValue("ada@example.com")}},
		{Values: map[string]crmio.Value{"email": crmio.EmailValue("bob@example.com")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, "people", "email", []string{"x"}); err != nil { // makes email a lookup field
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "people", ids[1:]); err != nil { // the newest: its id must not come back
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "people", ids); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Get after Close: %v, want storage.ErrClosed", err)
	}

	s, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Lookup(ctx, "people", "email", []string{"ada@example.com"})
	if err != nil || !slices.Equal(got["ada@example.com"], ids[:1]) {
		t.Errorf("Lookup after reopening: %v, %v; want %s", got, err, ids[0])
	}
	more, err := s.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"email": crmio.EmailValue("cy@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ids, more[0]) {
		t.Errorf("Insert after reopening returned id %s, already used in %v", more[0], ids)
	}
	got, err = s.Lookup(ctx, "people", "email", []string{"cy@example.com"})
	if err != nil || !slices.Equal(got["cy@example.com"], more) {
		t.Errorf("Lookup of a record inserted after reopening: %v, %v", got, err)
	}
}

// schemaRows returns the rows of crmio_schema_migrations, read through a
// connection of its own.
func schemaRows(t *testing.T, path string) []int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT version FROM crmio_schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	// The versions of the migration files (they may leave gaps: see
	// sqlstore.LoadMigrations), the newest being SchemaVersion.
	files, err := sqlstore.LoadMigrations(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range files {
		want = append(want, m.Version)
	}
	if len(want) == 0 || want[len(want)-1] != sqlite.SchemaVersion() {
		t.Fatalf("the migrations are %v, SchemaVersion is %d: want it the newest", want, sqlite.SchemaVersion())
	}

	// Two stores opening a new file at once: the migrations run once.
	var wg sync.WaitGroup
	stores := make([]*sqlite.Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(ctx, path, nil) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("concurrent Open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	if got := schemaRows(t, path); !slices.Equal(got, want) {
		t.Errorf("after concurrent Opens, the applied migrations are %v, want %v", got, want)
	}
	// What one store writes, the others read.
	ids, err := stores[0].Insert(ctx, "m", []crmio.Record{{Values: map[string]crmio.Value{"k": crmio.TextValue("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stores[3].Get(ctx, "m", ids); err != nil || len(got) != 1 {
		t.Errorf("another store on the file: Get = %v, %v", got, err)
	}

	// Opening again applies nothing.
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := schemaRows(t, path); !slices.Equal(got, want) {
		t.Errorf("after reopening, the applied migrations are %v, want %v", got, want)
	}
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crmio.db")
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO crmio_schema_migrations (version, name, applied_at) VALUES (999, 'future', '')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(t.Context(), path, nil); !errors.Is(err, sqlite.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a database with schema version 999: %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenRefusesMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if s, err := sqlite.Open(t.Context(), path, nil); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", path)
		}
	}
}

func TestOddPaths(t *testing.T) {
	// "?" and "#" are part of the file name, not the start of parameters.
	path := filepath.Join(t.TempDir(), "odd ?name#1 %20.db")
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the database is not at %q: %v", path, err)
	}
}

// TestHistoryDurable checks that a job and its journal outlive the store
// that wrote them, and that another store on the same file (another
// process) reads a job's progress while it runs.
func TestHistoryDurable(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	writer, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.FixedZone("", 2*3600))
	job := storage.Job{Module: "people", File: "people.csv", Status: storage.JobRunning, Created: created,
		Counts: storage.Counts{Read: 10, Created: 7}, Detail: json.RawMessage(`{ "plan" : [1, 2] }`)}
	id, err := writer.CreateJob(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	job.ID, job.Version = id, 1
	var rec crmio.Record
	err = writer.Atomic(ctx, func(tx storage.Store) error {
		ids, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}})
		if err != nil {
			return err
		}
		rec = crmio.Record{ID: ids[0], Module: "people", Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}
		return tx.(storage.History).AppendJournal(ctx, id, []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: ids[0], After: &rec}})
	})
	if err != nil {
		t.Fatal(err)
	}

	reader, err := sqlite.Open(ctx, path, nil) // another process polling the job
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	polled, err := reader.Job(ctx, id)
	if err != nil || polled.Status != storage.JobRunning || polled.Counts.Created != 7 {
		t.Errorf("another store polling the job: %+v, %v", polled, err)
	}
	job.Status, job.Finished = storage.JobCompleted, created.Add(time.Minute)
	if err := writer.UpdateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	if polled, err := reader.Job(ctx, id); err != nil || polled.Status != storage.JobCompleted {
		t.Errorf("another store polling the job after it completed: %+v, %v", polled, err)
	}
	writer.Close()

	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(created) || got.Created.String() != created.String() || string(got.Detail) != string(job.Detail) ||
		got.Status != storage.JobCompleted || !got.Finished.Equal(job.Finished) || got.File != job.File {
		t.Errorf("job after reopening: %+v\nwant %+v", got, job)
	}
	var entries []storage.JournalEntry
	for e, err := range s.Journal(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if len(entries) != 1 || entries[0].ID != rec.ID || entries[0].After == nil || !entries[0].After.Equal(rec) {
		t.Errorf("journal after reopening: %+v", entries)
	}
}

// TestDifferential compares the store with storage/memory through random
// writes, queries and lookups.
func TestDifferential(t *testing.T) {
	differential.Run(t, open(t))
}

// UseTx writes in the store's transaction: what fn writes commits, or is
// undone, with the rest of it.
func TestUseTx(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, `CREATE TABLE outside (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	undo := errors.New("undo")
	for _, v := range []string{"kept", "undone"} {
		err := s.Atomic(ctx, func(tx storage.Store) error {
			if _, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue(v)}}}); err != nil {
				return err
			}
			if err := sqlite.UseTx(tx, func(sqlTx *sql.Tx) error {
				_, err := sqlTx.ExecContext(ctx, `INSERT INTO outside (v) VALUES (?)`, v)
				return err
			}); err != nil {
				return err
			}
			if v == "undone" {
				return undo
			}
			return nil
		})
		if v == "kept" && err != nil || v == "undone" && !errors.Is(err, undo) {
			t.Fatalf("Atomic (%s): %v", v, err)
		}
	}
	var got []string
	rows, err := s.DB().QueryContext(ctx, `SELECT v FROM outside`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		got = append(got, v)
	}
	rows.Close()
	if !slices.Equal(got, []string{"kept"}) {
		t.Errorf("rows written through UseTx: %q, want the committed transaction's only", got)
	}
	n := 0
	for _, err := range s.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d records, want the committed one", n)
	}
	if err := sqlite.UseTx(s, func(*sql.Tx) error { return nil }); !errors.Is(err, sqlite.ErrNotTx) {
		t.Errorf("UseTx of the store itself: %v, want ErrNotTx", err)
	}
}
