package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"

	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/differential"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/storetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// dsn returns the test server's DSN, from CRMIO_POSTGRES_DSN, or skips t.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("CRMIO_POSTGRES_DSN")
	if d == "" {
		testenv.Skip(t, testenv.PostgreSQL, "CRMIO_POSTGRES_DSN is not set: no PostgreSQL to test against")
	}
	return d
}

// freshSchema returns the name of a schema no other run uses, dropped
// with everything in it at the end of t.
func freshSchema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "crmio_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn(t))
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// open returns a store in a fresh schema, closed at the end of t.
func open(t testing.TB) *postgres.Store {
	t.Helper()
	s, _ := openSchema(t)
	return s
}

// openSchema is open, with the schema's name, for a test that looks at
// the store's tables through a connection of its own (rawConn).
func openSchema(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	schema := freshSchema(t)
	s, err := postgres.Open(t.Context(), dsn(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, schema
}

// rawConn returns a connection to the test server, closed at the end of t.
func rawConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStoretest(t *testing.T) {
	dsn(t)
	// One pool for every area: a store per area, each in its own schema.
	pool := testPool(t)
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := postgres.New(t.Context(), pool, &postgres.Options{Schema: freshSchema(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// testPool returns a pool on the test server, closed at the end of t. Its
// sessions commit without waiting for the WAL flush
// (synchronous_commit=off): the contract checks commit thousands of tiny
// transactions, whose fsyncs would otherwise be most of the run on a slow
// disk. What a commit makes visible, and what a rollback undoes, is the
// same; only a crash of the server could lose the last commits.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestDifferential(t *testing.T) {
	s, err := postgres.New(t.Context(), testPool(t), &postgres.Options{Schema: freshSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	differential.Run(t, s)
}

func TestMigrations(t *testing.T) {
	ctx := t.Context()
	schema := freshSchema(t)
	// Stores opening a new schema at once: the migrations run once.
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema}) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("concurrent Open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
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
	if len(want) == 0 || want[len(want)-1] != postgres.SchemaVersion() {
		t.Fatalf("the migrations are %v, SchemaVersion is %d: want it the newest", want, postgres.SchemaVersion())
	}
	versions := func(s *postgres.Store) []int {
		rows, _ := s.Pool().Query(ctx, `SELECT version FROM `+pgx.Identifier{schema, "crmio_schema_migrations"}.Sanitize()+` ORDER BY version`)
		got, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := versions(stores[1]); !slices.Equal(got, want) {
		t.Errorf("after concurrent Opens, the applied migrations are %v, want %v", got, want)
	}

	// What one store writes, another reads, also after reopening.
	ids, err := stores[0].Insert(ctx, "m", []crmio.Record{{Values: map[string]crmio.Value{"email": crmio.EmailValue("a@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := stores[3].Lookup(ctx, "m", "email", []string{"a@example.com"}); err != nil || !slices.Equal(got["a@example.com"], ids) {
		t.Errorf("another store on the schema: Lookup = %v, %v", got, err)
	}
	stores[0].Close()
	if _, err := stores[0].Get(ctx, "m", ids); !errors.Is(err, storage.ErrClosed) {
		t.Errorf("Get after Close: %v, want storage.ErrClosed", err)
	}
	s, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Get(ctx, "m", ids); err != nil || len(got) != 1 {
		t.Errorf("Get after reopening: %v, %v", got, err)
	}
	if got := versions(s); !slices.Equal(got, want) {
		t.Errorf("after reopening, the applied migrations are %v, want %v", got, want)
	}

	// A schema from the future is refused.
	if _, err := s.Pool().Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "crmio_schema_migrations"}.Sanitize()+` (version, name) VALUES (999, 'future')`); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema}); !errors.Is(err, postgres.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a schema at version 999: %v, want ErrSchemaTooNew", err)
	}
}

// TestHistoryDurable checks that a job and its journal outlive the store
// that wrote them, and that another store (another process) reads a job's
// progress while it runs.
func TestHistoryDurable(t *testing.T) {
	ctx := t.Context()
	schema := freshSchema(t)
	writer, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema})
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
		ids, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada\x00")}}})
		if err != nil {
			return err
		}
		rec = crmio.Record{ID: ids[0], Module: "people", Values: map[string]crmio.Value{"name": crmio.TextValue("Ada\x00")}}
		return tx.(storage.History).AppendJournal(ctx, id, []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: ids[0], After: &rec}})
	})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := postgres.Open(ctx, dsn(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if polled, err := reader.Job(ctx, id); err != nil || polled.Status != storage.JobRunning || polled.Counts.Created != 7 {
		t.Errorf("another store polling the job: %+v, %v", polled, err)
	}
	job.Status, job.Finished = storage.JobCompleted, created.Add(time.Minute)
	if err := writer.UpdateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	writer.Close()
	got, err := reader.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Created.Equal(created) || got.Created.String() != created.String() || string(got.Detail) != string(job.Detail) ||
		got.Status != storage.JobCompleted || !got.Finished.Equal(job.Finished) || got.File != job.File {
		t.Errorf("job read by another store: %+v\nwant %+v", got, job)
	}
	var entries []storage.JournalEntry
	for e, err := range reader.Journal(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if len(entries) != 1 || entries[0].ID != rec.ID || entries[0].After == nil || !entries[0].After.Equal(rec) {
		t.Errorf("journal read by another store: %+v", entries)
	}
}

// TestLookupFieldWhileWriting makes a field a lookup field while other
// goroutines insert: whatever the interleaving, every record is found.
func TestLookupFieldWhileWriting(t *testing.T) {
	ctx := t.Context()
	s, err := postgres.New(ctx, testPool(t), &postgres.Options{Schema: freshSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	const writers, batches, perBatch = 3, 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				recs := make([]crmio.Record, perBatch)
				for i := range recs {
					recs[i].Set("email", crmio.EmailValue(fmt.Sprintf("w%d-b%d-%d@example.com", w, b, i)))
				}
				if _, err := s.Insert(ctx, "people", recs); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		time.Sleep(5 * time.Millisecond)
		if _, err := s.Lookup(ctx, "people", "email", []string{"w0-b0-0@example.com"}); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	var keys []string
	for w := range writers {
		for b := range batches {
			for i := range perBatch {
				keys = append(keys, fmt.Sprintf("w%d-b%d-%d@example.com", w, b, i))
			}
		}
	}
	got, err := s.Lookup(ctx, "people", "email", keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if len(got[k]) != 1 {
			t.Errorf("Lookup(%q) = %v, want one id", k, got[k])
		}
	}
}

// TestKeyFieldWhileWriting makes a field a key field, through a Scan
// that filters on it, while other goroutines insert: whatever the
// interleaving, a Scan afterwards finds every record.
func TestKeyFieldWhileWriting(t *testing.T) {
	ctx := t.Context()
	s, err := postgres.New(ctx, testPool(t), &postgres.Options{Schema: freshSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	const writers, batches, perBatch = 3, 8, 50
	q := storage.Query{Where: []storage.Filter{{Field: "tag", Op: storage.Eq, Value: crmio.TextValue("X")}}, Order: []storage.Order{{Field: "n"}}}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				recs := make([]crmio.Record, perBatch)
				for i := range recs {
					recs[i].Set("tag", crmio.TextValue("x"))
					recs[i].Set("n", crmio.IntValue(int64((w*batches+b)*perBatch+i)))
				}
				if _, err := s.Insert(ctx, "things", recs); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		time.Sleep(5 * time.Millisecond)
		for _, err := range s.Scan(ctx, "things", q) {
			if err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	n := 0
	for r, err := range s.Scan(ctx, "things", q) {
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Get("n").String(); got != strconv.Itoa(n) {
			t.Fatalf("record %d in order has n = %s", n, got)
		}
		n++
	}
	if n != writers*batches*perBatch {
		t.Errorf("Scan found %d records, want %d", n, writers*batches*perBatch)
	}
}

// UseTx writes in the store's transaction: what fn writes commits, or is
// undone, with the rest of it.
func TestUseTx(t *testing.T) {
	ctx := t.Context()
	schema := freshSchema(t)
	s, err := postgres.New(ctx, testPool(t), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	if s.Schema() != schema {
		t.Errorf("Schema() = %q, want %q", s.Schema(), schema)
	}
	outside := pgx.Identifier{schema, "outside"}.Sanitize()
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE `+outside+` (v text)`); err != nil {
		t.Fatal(err)
	}
	undo := errors.New("undo")
	for _, v := range []string{"kept", "undone"} {
		err := s.Atomic(ctx, func(tx storage.Store) error {
			if _, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue(v)}}}); err != nil {
				return err
			}
			if err := postgres.UseTx(tx, func(pgTx pgx.Tx) error {
				_, err := pgTx.Exec(ctx, `INSERT INTO `+outside+` (v) VALUES ($1)`, v)
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
	rows, _ := s.Pool().Query(ctx, `SELECT v FROM `+outside)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(got, []string{"kept"}) {
		t.Errorf("rows written through UseTx: %q, %v; want the committed transaction's only", got, err)
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
	if err := postgres.UseTx(s, func(pgx.Tx) error { return nil }); !errors.Is(err, postgres.ErrNotTx) {
		t.Errorf("UseTx of the store itself: %v, want ErrNotTx", err)
	}
}

// TestFieldRolledBack checks that a transaction forgets the lookup field
// it added in a savepoint that rolled back: its records written after
// must still be found, the field being added again.
func TestFieldRolledBack(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	rec := crmio.Record{Values: map[string]crmio.Value{"email": crmio.TextValue("ada@example.com")}}
	err := s.Atomic(ctx, func(tx storage.Store) error {
		undo := errors.New("undo")
		err := tx.(storage.Transactor).Atomic(ctx, func(tx storage.Store) error {
			if _, err := tx.Lookup(ctx, "people", "email", []string{"x"}); err != nil {
				return err
			}
			return undo
		})
		if !errors.Is(err, undo) {
			return fmt.Errorf("nested Atomic: %v", err)
		}
		ids, err := tx.Insert(ctx, "people", []crmio.Record{rec})
		if err != nil {
			return err
		}
		key := crmio.MatchKey(rec.Values["email"])
		found, err := tx.Lookup(ctx, "people", "email", []string{key})
		if err != nil {
			return err
		}
		if !slices.Equal(found[key], ids) {
			return fmt.Errorf("Lookup after the rollback found %v, want %v", found[key], ids)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestJobEndAnalyzes checks that a job that wrote many records leaves the
// planner statistics of the records' table (pg_class.reltuples is -1 for
// a table never analyzed), and one that wrote few, or has not ended,
// leaves them to autovacuum.
func TestJobEndAnalyzes(t *testing.T) {
	ctx := t.Context()
	s, schema := openSchema(t)
	conn := rawConn(t)
	reltuples := func() float64 {
		t.Helper()
		var n float64
		table := pgx.Identifier{schema, "crmio_records"}.Sanitize()
		if err := conn.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = $1::regclass", table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	recs := make([]crmio.Record, 40) // fewer than autovacuum analyzes after (50)
	for i := range recs {
		recs[i] = crmio.Record{Values: map[string]crmio.Value{"n": crmio.IntValue(int64(i))}}
	}
	if _, err := s.Insert(ctx, "people", recs); err != nil {
		t.Fatal(err)
	}
	job := storage.Job{Module: "people", Status: storage.JobRunning, Created: time.Now()}
	id, err := s.CreateJob(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	job.ID, job.Version = id, 1
	for _, step := range []struct {
		status  storage.JobStatus
		created int
		want    bool
	}{
		{storage.JobRunning, 50_000, false},  // not ended
		{storage.JobCompleted, 9_999, false}, // too few
		{storage.JobCompleted, 10_000, true},
	} {
		job.Status, job.Counts.Created = step.status, step.created
		if err := s.UpdateJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		job.Version++
		if got := reltuples(); (got >= 0) != step.want {
			t.Fatalf("after a job %s with %d records created, reltuples = %v; analyzed: want %v", step.status, step.created, got, step.want)
		}
	}
	if got := reltuples(); got != 40 {
		t.Errorf("reltuples = %v after the analyze, want the table's 40 records", got)
	}
}

// TestLookupKeysOfManyRecords updates and deletes more records in one call
// than one statement removes the rows of crmio_lookup_keys of
// (dropLookupKeysIDs), through both ways an update goes: the lookups find
// the new keys and none of the old, and the table keeps exactly a row
// per hash of the records left.
func TestLookupKeysOfManyRecords(t *testing.T) {
	ctx := t.Context()
	s, schema := openSchema(t)
	const n = 460
	recs := make([]crmio.Record, n)
	for i := range recs {
		recs[i] = crmio.Record{Values: map[string]crmio.Value{
			"email":   crmio.EmailValue(fmt.Sprintf("p%d@example.com", i)),
			"account": crmio.TextValue(fmt.Sprintf("acct %d", i%7)), // shared by many
		}}
	}
	ids, err := s.Insert(ctx, "people", recs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, "people", "email", []string{"x"}); err != nil { // makes both lookup fields
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, "people", "account", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	// Update the first 3 (one statement at a time) and the next 300 (staged).
	for _, part := range [][2]int{{0, 3}, {3, 303}} {
		var batch []crmio.Record
		for i := part[0]; i < part[1]; i++ {
			batch = append(batch, crmio.Record{ID: ids[i], Values: map[string]crmio.Value{
				"email":   crmio.EmailValue(fmt.Sprintf("new%d@example.com", i)),
				"account": crmio.TextValue("acct new"),
			}})
		}
		if err := s.Update(ctx, "people", batch); err != nil {
			t.Fatal(err)
		}
	}
	// Delete 250 of them, across the updated and the untouched.
	if err := s.Delete(ctx, "people", ids[200:450]); err != nil {
		t.Fatal(err)
	}
	left := map[string]bool{}
	for _, id := range append(slices.Clone(ids[:200]), ids[450:]...) {
		left[id] = true
	}
	for i, id := range ids {
		old := crmio.MatchKey(crmio.EmailValue(fmt.Sprintf("p%d@example.com", i)))
		updated := crmio.MatchKey(crmio.EmailValue(fmt.Sprintf("new%d@example.com", i)))
		found, err := s.Lookup(ctx, "people", "email", []string{old, updated})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{}
		switch {
		case !left[id]:
		case i < 303:
			want[updated] = []string{id}
		default:
			want[old] = []string{id}
		}
		if !maps.EqualFunc(found, want, slices.Equal[[]string]) {
			t.Fatalf("record %d (%s): Lookup of its old and new email = %v, want %v", i, id, found, want)
		}
	}
	found, err := s.Lookup(ctx, "people", "account", []string{crmio.MatchKey(crmio.TextValue("acct new")), crmio.MatchKey(crmio.TextValue("acct 3"))})
	if err != nil {
		t.Fatal(err)
	}
	byAccount := map[string]int{}
	for k, list := range found {
		byAccount[k] = len(list)
	}
	wantNew, want3 := 200, 0
	for i := 450; i < n; i++ {
		if i%7 == 3 {
			want3++
		}
	}
	if got := byAccount[crmio.MatchKey(crmio.TextValue("acct new"))]; got != wantNew {
		t.Errorf("Lookup of the new account: %d records, want %d", got, wantNew)
	}
	if got := byAccount[crmio.MatchKey(crmio.TextValue("acct 3"))]; got != want3 {
		t.Errorf("Lookup of acct 3: %d records, want %d", got, want3)
	}
	var rows int
	if err := rawConn(t).QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "crmio_lookup_keys"}.Sanitize()).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if want := 2 * len(left); rows != want {
		t.Errorf("crmio_lookup_keys holds %d rows, want %d (an email and an account per record left)", rows, want)
	}
}
