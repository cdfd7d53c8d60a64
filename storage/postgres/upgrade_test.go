package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/crmio/crmio/storage/internal/valuecodec"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestUpgrade fills a schema at an earlier version (1, whose records hold
// the keys of every field; 2, the first to key only the key fields; 4,
// the last with the GIN index on hkeys), upgrades it, and checks that
// Lookup and Scan answer as the contract says over the old records, new
// ones written after the upgrade, and both after a field becomes a key
// field; that the old records gain no second copy of a field's keys; and
// that the journal, without its foreign key, still refuses a missing job
// and goes with a job deleted by hand.
func TestUpgrade(t *testing.T) {
	for _, from := range []int{1, 2, 4, 5, 6} {
		t.Run(fmt.Sprintf("from version %d", from), func(t *testing.T) { testUpgrade(t, from) })
	}
}

func testUpgrade(t *testing.T, from int) {
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
	old, err := newStore(ctx, pool, &Options{Schema: schema}, from)
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
	// lookup fields (here email); so do these records, whatever the
	// version (elements of a field that is no key field are never
	// consulted), and before version 5 the hashes were under the GIN
	// index only.
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
	enc := newRecordEncoder("people", every, len(v1))
	i := 0
	src := &copySource{row: func(b []byte) ([]byte, bool, error) {
		if i == len(v1) {
			return b, false, nil
		}
		// The JSON the versions before 6 wrote.
		var names []string
		enc.vals, names = valuecodec.AppendValues(enc.vals[:0], v1[i].Values, nil)
		b = enc.appendRow(b, ids[i], v1[i].Values, names)
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
	if from >= 5 { // version 5 keeps the hashes in crmio_lookup_keys
		res := conn.Conn().PgConn().ExecParams(ctx, old.sql(addLookupKeysSQL), enc.lookup.params(), []uint32{oidInt8Array, oidInt8Array}, []int16{1, 1}, nil).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	conn.Release()
	if _, err := pool.Exec(ctx, old.sql(`INSERT INTO crmio_lookup_fields VALUES ('people', 'email')`)); err != nil {
		t.Fatal(err)
	}
	if from >= 2 { // version 2 lists the key fields
		if _, err := pool.Exec(ctx, old.sql(`INSERT INTO crmio_key_fields SELECT module, field FROM crmio_lookup_fields`)); err != nil {
			t.Fatal(err)
		}
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
	// A journal written one entry a row, as every version before 5 did.
	oldJob, err := old.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning, Created: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, old.sql(`INSERT INTO crmio_journal (job_id, op, module, record_id, before, after, fingerprint) VALUES
		($1, 'created', 'people', '1', NULL, NULL, 'f1'),
		($1, 'updated', 'people', '2', '{"id":"2","module":"people","values":{"city":{"text":"Oslo"}}}', NULL, 'f2')`), oldJob); err != nil {
		t.Fatal(err)
	}

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
	check(fmt.Sprintf("version %d records", from))

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
	check(fmt.Sprintf("version %d and %d records", from, SchemaVersion()),
		storage.Query{Where: []storage.Filter{{Field: "note", Op: storage.Contains, Value: crmio.TextValue("note 1")}}, Order: []storage.Order{{Field: "note", Desc: true}}},
		storage.Query{Where: []storage.Filter{{Field: "note", Op: storage.Eq, Value: crmio.TextValue("NOTE 7")}}},
		storage.Query{Order: []storage.Order{{Field: "note"}, {Field: "name", Desc: true}}, Limit: 30},
	)
	// The records written before version 6 keep their JSON; those
	// written after are binary (bincodec's named encoding, byte 0x00
	// first).
	var legacy, binary int
	if err := pool.QueryRow(ctx, s.sql(`SELECT count(*) FILTER (WHERE get_byte(vals, 0) = ascii('{')), count(*) FILTER (WHERE get_byte(vals, 0) = 0) FROM crmio_records WHERE module = 'people'`)).Scan(&legacy, &binary); err != nil {
		t.Fatal(err)
	}
	if legacy != len(v1) || binary != len(v2) {
		t.Errorf("after the upgrade, %d records hold JSON and %d the binary form; want %d and %d", legacy, binary, len(v1), len(v2))
	}
	if err := s.KeyFields(ctx, "people", "missing"); err != nil { // no record has it
		t.Fatal(err)
	}
	if after := cardinality(s); !maps.Equal(before, after) {
		t.Errorf("the version %d records' keys changed: %d elements, then %d", from, total(before), total(after))
	}
	var fields []string
	rows, _ = pool.Query(ctx, s.sql(`SELECT field FROM crmio_key_fields WHERE module = 'people' ORDER BY field`))
	if fields, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if want := []string{"amount", "city", "email", "missing", "name", "note"}; !slices.Equal(fields, want) {
		t.Errorf("key fields %v, want %v", fields, want)
	}

	// An update and a delete of old records keep crmio_lookup_keys the
	// hashes the records hold.
	upd := want[7]
	upd.Set("email", crmio.EmailValue("changed@example.com"))
	if err := s.Update(ctx, "people", []crmio.Record{upd}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "people", []string{want[8].ID}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Lookup(ctx, "people", "email", []string{"changed@example.com", "p7@example.com", "p8@example.com"}); err != nil ||
		len(got) != 1 || !slices.Equal(got["changed@example.com"], []string{upd.ID}) {
		t.Errorf("Lookup after an update and a delete: %v, %v", got, err)
	}
	checkLookupKeys(t, s)

	// The old journal reads as it was written, and goes on with the
	// entries written since, in order.
	more := []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: "3", Fingerprint: "f3"}}
	if err := s.AppendJournal(ctx, oldJob, more); err != nil {
		t.Fatal(err)
	}
	var journal []string
	for e, err := range s.Journal(ctx, oldJob) {
		if err != nil {
			t.Fatal(err)
		}
		img := ""
		if e.Before != nil {
			img = e.Before.Get("city").String()
		}
		journal = append(journal, fmt.Sprintf("%s %s %s %s %s", e.Op, e.Module, e.ID, e.Fingerprint, img))
	}
	if want := []string{"created people 1 f1 ", "updated people 2 f2 Oslo", "created people 3 f3 "}; !slices.Equal(journal, want) {
		t.Errorf("the journal after the upgrade: %q, want %q", journal, want)
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

// openFresh opens a store in a schema of its own, named after what the
// test checks, dropped with the store at the end of t. It skips t without
// a PostgreSQL server.
func openFresh(t *testing.T, what string) *Store {
	t.Helper()
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		testenv.Skip(t, testenv.PostgreSQL, "CRMIO_POSTGRES_DSN is not set: no PostgreSQL to test against")
	}
	schema := "crmio_test_" + what + "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s, err := Open(t.Context(), dsn, &Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
		s.Close()
	})
	return s
}

// checkLookupKeys checks that the rows of crmio_lookup_keys are exactly
// the hashes the records hold, each once (from schema version 7 no
// primary key refuses a second), under the hash index on h.
func checkLookupKeys(t *testing.T, s *Store) {
	t.Helper()
	var missing, extra, twice int
	var index string
	err := s.pool.QueryRow(t.Context(), s.sql(`SELECT
		(SELECT count(*) FROM crmio_records r, unnest(r.hkeys) u(h) WHERE NOT EXISTS (SELECT 1 FROM crmio_lookup_keys k WHERE k.h = u.h AND k.id = r.id)),
		(SELECT count(*) FROM crmio_lookup_keys k WHERE NOT EXISTS (SELECT 1 FROM crmio_records r WHERE r.id = k.id AND k.h = ANY (r.hkeys))),
		(SELECT count(*) - count(DISTINCT (h, id)) FROM crmio_lookup_keys),
		(SELECT coalesce(string_agg(pg_get_indexdef(indexrelid), '; '), '') FROM pg_index WHERE indrelid = 'crmio_lookup_keys'::regclass)`)).Scan(&missing, &extra, &twice, &index)
	if err != nil {
		t.Fatal(err)
	}
	if missing > 0 || extra > 0 || twice > 0 {
		t.Errorf("crmio_lookup_keys lacks %d hashes the records hold, holds %d they do not, and %d twice", missing, extra, twice)
	}
	if !strings.Contains(index, "crmio_lookup_keys_h") || !strings.Contains(index, "USING hash (h)") || strings.Contains(index, ";") {
		t.Errorf("the indexes of crmio_lookup_keys: %q, want its hash index on h alone", index)
	}
}

// TestLookupKeysKept checks that inserts, updates (pipelined and staged)
// and deletes keep crmio_lookup_keys exactly the hashes the records hold,
// and that Lookup finds the new keys and none of the old.
func TestLookupKeysKept(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t, "lookupkeys")
	if err := s.IndexFields(ctx, "people", "email"); err != nil {
		t.Fatal(err)
	}
	email := func(tag string, i int) crmio.Value {
		return crmio.ListValue(crmio.Item{Value: crmio.EmailValue(fmt.Sprintf("%s%d@example.com", tag, i))},
			crmio.Item{Value: crmio.EmailValue(fmt.Sprintf("%s-shared@example.com", tag))})
	}
	var recs []crmio.Record
	for i := range 100 {
		var r crmio.Record
		r.Set("email", email("a", i))
		recs = append(recs, r)
	}
	ids, err := s.Insert(ctx, "people", recs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i].ID = ids[i]
	}
	checkLookupKeys(t, s)
	// 50 through the staging table, then 5 pipelined.
	for _, span := range [][2]int{{0, 50}, {50, 55}} {
		var upd []crmio.Record
		for i := span[0]; i < span[1]; i++ {
			recs[i].Set("email", email("b", i))
			upd = append(upd, recs[i])
		}
		if err := s.Update(ctx, "people", upd); err != nil {
			t.Fatal(err)
		}
		checkLookupKeys(t, s)
	}
	if err := s.Delete(ctx, "people", ids[90:]); err != nil {
		t.Fatal(err)
	}
	checkLookupKeys(t, s)
	got, err := s.Lookup(ctx, "people", "email", []string{"a0@example.com", "b0@example.com", "a60@example.com", "a95@example.com", "b-shared@example.com", "a-shared@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"b0@example.com": {ids[0]}, "a60@example.com": {ids[60]}, "b-shared@example.com": ids[:55], "a-shared@example.com": ids[55:90]}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Lookup = %v, want %v", got, want)
	}
}

// TestFailedWriteUndone checks that an Update that fails (a record not
// there) changes nothing, through the staging table and pipelined, alone
// and inside Atomic, whose transaction then goes on.
func TestFailedWriteUndone(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t, "undone")
	if err := s.IndexFields(ctx, "people", "email"); err != nil {
		t.Fatal(err)
	}
	var recs []crmio.Record
	for i := range 60 {
		var r crmio.Record
		r.Set("email", crmio.EmailValue(fmt.Sprintf("a%d@example.com", i)))
		recs = append(recs, r)
	}
	ids, err := s.Insert(ctx, "people", recs)
	if err != nil {
		t.Fatal(err)
	}
	changed := func(n int) []crmio.Record {
		var out []crmio.Record
		for i := range n {
			r := crmio.Record{ID: ids[i]}
			r.Set("email", crmio.EmailValue(fmt.Sprintf("b%d@example.com", i)))
			out = append(out, r)
		}
		return append(out, crmio.Record{ID: "999999", Values: map[string]crmio.Value{"email": crmio.EmailValue("x@example.com")}})
	}
	unchanged := func(st storage.Store, when string) {
		t.Helper()
		got, err := st.Lookup(ctx, "people", "email", []string{"a0@example.com", "b0@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !slices.Equal(got["a0@example.com"], ids[:1]) {
			t.Errorf("%s: Lookup = %v, want a0 only", when, got)
		}
	}
	for _, n := range []int{50, 5} {
		if err := s.Update(ctx, "people", changed(n)); !errors.Is(err, crmio.ErrNotFound) {
			t.Errorf("Update of %d with one missing: %v, want crmio.ErrNotFound", n, err)
		}
		unchanged(s, fmt.Sprintf("after a failed Update of %d", n))
		err := s.Atomic(ctx, func(tx storage.Store) error {
			if err := tx.Update(ctx, "people", changed(n)); !errors.Is(err, crmio.ErrNotFound) {
				t.Errorf("tx.Update of %d with one missing: %v, want crmio.ErrNotFound", n, err)
			}
			unchanged(tx, fmt.Sprintf("in the transaction, after a failed Update of %d", n))
			_, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"email": crmio.EmailValue("c@example.com")}}})
			return err
		})
		if err != nil {
			t.Fatalf("Atomic after a failed write: %v", err)
		}
	}
	checkLookupKeys(t, s)
	if got, err := s.Lookup(ctx, "people", "email", []string{"c@example.com"}); err != nil || len(got["c@example.com"]) != 2 {
		t.Errorf("the transactions' inserts: %v, %v", got, err)
	}
}

// TestPackJournal checks that unpackJournal reads what packJournal wrote,
// and refuses what it did not.
func TestPackJournal(t *testing.T) {
	var r crmio.Record
	r.ID, r.Module = "7", "people"
	r.Set("name", crmio.TextValue("Ada\x00 Lovelace"))
	entries := []storage.JournalEntry{
		{Op: storage.JournalCreated, Module: "people", ID: "1", Fingerprint: "abc"},
		{Op: storage.JournalUpdated, Module: "people", ID: "7", Before: &r, Fingerprint: "def"},
		{Op: storage.JournalCleared, Module: "", ID: "", Before: &r, After: &r},
	}
	b, err := packJournal(entries)
	if err != nil {
		t.Fatal(err)
	}
	got, err := unpackJournal(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries) {
		t.Fatalf("unpacked %d entries, want %d", len(got), len(entries))
	}
	for i, e := range entries {
		g := got[i]
		if g.Op != e.Op || g.Module != e.Module || g.ID != e.ID || g.Fingerprint != e.Fingerprint ||
			(g.Before == nil) != (e.Before == nil) || (g.After == nil) != (e.After == nil) ||
			(e.Before != nil && !g.Before.Equal(*e.Before)) || (e.After != nil && !g.After.Equal(*e.After)) {
			t.Errorf("entry %d: %+v, want %+v", i, g, e)
		}
	}
	// A cut journal fails, or (cut at an entry's end) holds fewer entries;
	// it never panics.
	for n := 1; n < len(b); n++ {
		if out, err := unpackJournal(nil, b[:n]); err == nil && len(out) >= len(entries) {
			t.Errorf("cut at %d of %d bytes: %d entries and no error", n, len(b), len(out))
		}
	}
	if _, err := unpackJournal(nil, append([]byte{9}, b[1:]...)); err == nil {
		t.Error("an unknown format unpacked")
	}
}
