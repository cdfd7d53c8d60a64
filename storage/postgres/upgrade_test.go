package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestUpgradeFromVersion1 fills a schema at version 1, whose records hold
// the keys of every field, upgrades it, and checks that Lookup and Scan
// answer as the contract says over the old records, new ones written
// after the upgrade, and both after a field becomes a key field; that the
// old records gain no second copy of a field's keys; and that the
// journal, without its foreign key, still refuses a missing job and goes
// with a job deleted by hand.
func TestUpgradeFromVersion1(t *testing.T) {
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		testenv.Skip(t, testenv.PostgreSQL, "CRMIO_POSTGRES_DSN is not set: no PostgreSQL to test against")
	}
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanups run last first: the schema is dropped, then the pool closed
	// (a deferred Close would run before any cleanup, and the drop fail).
	t.Cleanup(pool.Close)
	schema := "crmio_test_upgrade_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping the test schema %s: %v", schema, err)
		}
	})
	old, err := newStore(ctx, pool, &Options{Schema: schema}, 1)
	if err != nil {
		t.Fatal(err)
	}

	record := func(i int) crmio.Record {
		var r crmio.Record
		r.Set("name", crmio.TextValue(fmt.Sprintf("Person %03d", i)))
		r.Set("email", crmio.ListValue(
			crmio.Item{Value: crmio.EmailValue(fmt.Sprintf("p%d@Example.com", i))},
			crmio.Item{Label: "work", Value: crmio.EmailValue(fmt.Sprintf("p%d@work.example.com", i%7))},
		))
		if i%3 != 0 {
			r.Set("amount", crmio.IntValue(int64(i%50))) // 0 included
		}
		r.Set("city", crmio.TextValue([]string{"Oslo", "Lima", "Pune"}[i%3]))
		return r
	}
	// Version 1 wrote the keys of every field, and the hashes of its
	// lookup fields (here email).
	var want []crmio.Record
	var v1 []crmio.Record
	for i := range 300 {
		v1 = append(v1, record(i))
	}
	var ids []int64
	rows, _ := pool.Query(ctx, old.sql(`SELECT nextval('crmio_record_ids') FROM generate_series(1, $1)`), len(v1))
	if ids, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	every := map[string]fieldUse{"name": keyField, "email": keyField | lookupField, "amount": keyField, "city": keyField}
	enc := newRecordEncoder("people", every)
	i := 0
	src := &copySource{row: func(b []byte) ([]byte, bool, error) {
		if i == len(v1) {
			return b, false, nil
		}
		b = enc.append(b, ids[i], v1[i].Values)
		i++
		return b, true, nil
	}}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Conn().PgConn().CopyFrom(ctx, src, old.sql(copyRecordsSQL)); err != nil {
		t.Fatal(err)
	}
	conn.Release()
	if _, err := pool.Exec(ctx, old.sql(`INSERT INTO crmio_lookup_fields VALUES ('people', 'email')`)); err != nil {
		t.Fatal(err)
	}
	for i, r := range v1 {
		r.ID, r.Module = sqlstore.FormatID(ids[i]), "people"
		want = append(want, r)
	}
	cardinality := func(s *Store) map[int64]int {
		rows, _ := pool.Query(ctx, s.sql(`SELECT id, cardinality(keys) FROM crmio_records WHERE id <= $1`), ids[len(ids)-1])
		out := map[int64]int{}
		var id int64
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := cardinality(old)

	// The upgrade.
	s, err := New(ctx, pool, &Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := pool.QueryRow(ctx, s.sql(`SELECT max(version) FROM `+pgx.Identifier{schema, "crmio_schema_migrations"}.Sanitize())).Scan(&version); err != nil || version != SchemaVersion() {
		t.Fatalf("after the upgrade, the schema is at version %d (%v), want %d", version, err, SchemaVersion())
	}

	check := func(when string, extra ...storage.Query) {
		t.Helper()
		got, err := s.Lookup(ctx, "people", "email", []string{"p5@example.com", "p3@work.example.com", "p999@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"p5@example.com", "p3@work.example.com", "p999@example.com"} {
			var wantIDs []string
			for _, r := range want {
				for _, it := range r.Get("email").List() {
					if crmio.MatchKey(it.Value) == key && !slices.Contains(wantIDs, r.ID) {
						wantIDs = append(wantIDs, r.ID)
					}
				}
			}
			slices.SortFunc(wantIDs, func(a, b string) int { x, _ := sqlstore.ParseID(a); y, _ := sqlstore.ParseID(b); return int(x - y) })
			if !slices.Equal(got[key], wantIDs) {
				t.Errorf("%s: Lookup(email, %q) = %v, want %v", when, key, got[key], wantIDs)
			}
		}
		queries := []storage.Query{
			{Where: []storage.Filter{{Field: "city", Op: storage.Eq, Value: crmio.TextValue("lima")}}, Order: []storage.Order{{Field: "amount", Desc: true}}},
			{Where: []storage.Filter{{Field: "amount", Op: storage.Ge, Value: crmio.IntValue(40)}}, Order: []storage.Order{{Field: "name"}}},
			{Where: []storage.Filter{{Field: "name", Op: storage.Contains, Value: crmio.TextValue("son 1")}}, Fields: []string{"email", "city"}},
			{Where: []storage.Filter{{Field: "email", Op: storage.Ne, Value: crmio.EmailValue("p2@work.example.com")}}, Limit: 40, Order: []storage.Order{{Field: "email"}}},
			{Scope: &storage.Scope{Name: "oslo", Where: []storage.Filter{{Field: "city", Op: storage.Eq, Value: crmio.TextValue("Oslo")}}},
				Where: []storage.Filter{{Field: "amount", Op: storage.Lt, Value: crmio.IntValue(10)}}},
		}
		for _, q := range append(queries, extra...) {
			var exp []crmio.Record
			for _, r := range want {
				if q.Matches(r) {
					exp = append(exp, r)
				}
			}
			slices.SortStableFunc(exp, q.Compare)
			if q.Limit > 0 && len(exp) > q.Limit {
				exp = exp[:q.Limit]
			}
			if q.Fields != nil {
				for i := range exp {
					exp[i] = q.Project(exp[i])
				}
			}
			var got []crmio.Record
			for r, err := range s.Scan(ctx, "people", q) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			if len(got) != len(exp) {
				t.Errorf("%s: Scan %+v: %d records, want %d", when, q, len(got), len(exp))
				continue
			}
			for i := range got {
				if got[i].ID != exp[i].ID || !got[i].Equal(exp[i]) {
					t.Errorf("%s: Scan %+v: record %d is %v, want %v", when, q, i, got[i], exp[i])
					break
				}
			}
		}
	}
	check("version 1 records")

	// Records written after the upgrade hold the keys of the key fields
	// only; a field that becomes one (note) is filled in, in them only.
	var v2 []crmio.Record
	for i := 300; i < 450; i++ {
		r := record(i)
		r.Set("note", crmio.TextValue(fmt.Sprintf("Note %d", i%20)))
		v2 = append(v2, r)
	}
	newIDs, err := s.Insert(ctx, "people", v2)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range v2 {
		r.ID, r.Module = newIDs[i], "people"
		want = append(want, r)
	}
	check("version 1 and 2 records",
		storage.Query{Where: []storage.Filter{{Field: "note", Op: storage.Contains, Value: crmio.TextValue("note 1")}}, Order: []storage.Order{{Field: "note", Desc: true}}},
		storage.Query{Where: []storage.Filter{{Field: "note", Op: storage.Eq, Value: crmio.TextValue("NOTE 7")}}},
		storage.Query{Order: []storage.Order{{Field: "note"}, {Field: "name", Desc: true}}, Limit: 30},
	)
	if err := s.KeyFields(ctx, "people", "missing"); err != nil { // no record has it
		t.Fatal(err)
	}
	if after := cardinality(s); !maps.Equal(before, after) {
		t.Errorf("the version 1 records' keys changed: %d elements, then %d", total(before), total(after))
	}
	var fields []string
	rows, _ = pool.Query(ctx, s.sql(`SELECT field FROM crmio_key_fields WHERE module = 'people' ORDER BY field`))
	if fields, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if want := []string{"amount", "city", "email", "missing", "name", "note"}; !slices.Equal(fields, want) {
		t.Errorf("key fields %v, want %v", fields, want)
	}

	// The journal: a missing job is refused; a job deleted by hand takes
	// its journal with it.
	if err := s.AppendJournal(ctx, "12345", []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: "1"}}); !errors.Is(err, crmio.ErrNotFound) {
		t.Errorf("AppendJournal to a missing job: %v, want crmio.ErrNotFound", err)
	}
	job, err := s.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning, Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AppendJournal(ctx, job, []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: newIDs[0]}}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `SET search_path = public; DELETE FROM `+pgx.Identifier{schema, "crmio_jobs"}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := pool.QueryRow(ctx, s.sql(`SELECT count(*) FROM crmio_journal`)).Scan(&left); err != nil || left != 0 {
		t.Errorf("after deleting the job, %d journal entries are left (%v)", left, err)
	}
}

func total(m map[int64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
