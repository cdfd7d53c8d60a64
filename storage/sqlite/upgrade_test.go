package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// writeVersion1 writes recs into module of a database at schema version 1
// as version 1 did: every record with the items of every field, and the
// keys of the lookup fields (email) in crmio_keys. It returns their ids.
func writeVersion1(t *testing.T, db *sql.DB, module string, recs []crmio.Record) []string {
	t.Helper()
	ctx := t.Context()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var last int64
	if err := tx.QueryRowContext(ctx, `UPDATE crmio_sequences SET last = last + ? WHERE name = 'records' RETURNING last`, len(recs)).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO crmio_lookup_fields (module, field) VALUES (?, 'email')`, module); err != nil {
		t.Fatal(err)
	}
	every := map[string]fieldUse{}
	for _, r := range recs {
		for f := range r.Values {
			every[f] = keyField
		}
	}
	// The keys of email, a lookup field, are those of its items (written
	// below, in the layout of crmio_keys before version 9).
	w := &batchWriter{q: tx, module: module, fields: every, items: itemsBuffer()}
	w.records = newRowBuffer(3, recordsPerInsert, func(n int) string { return recordsSQL("INSERT", n) })
	ids := make([]string, len(recs))
	for i, r := range recs {
		id := last - int64(len(recs)) + 1 + int64(i)
		// The JSON the versions before 6 wrote.
		start := len(w.vals)
		w.vals, w.names = valuecodec.AppendValues(w.vals, r.Values, w.names)
		if err := w.queueRecord(ctx, id, start, r.Values); err != nil {
			t.Fatal(err)
		}
		ids[i] = sqlstore.FormatID(id)
	}
	if err := w.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO crmio_keys (module, field, key, record_id)
		SELECT ?, field, key, record_id FROM crmio_items WHERE field = 'email' AND record_id BETWEEN ? AND ?`,
		module, last-int64(len(recs))+1, last); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestUpgradeFromVersion1 fills a database at schema version 1, whose
// records have the items of every field, upgrades it, and checks that
// Lookup and Scan answer as the contract says over the old records, over
// old and new ones written after the upgrade (which have items for the
// key fields only), and after Update and Delete of old records; that a
// field that becomes a key field gets no second copy of the items the old
// records have; and that the history written before the upgrade is read.
func TestUpgradeFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "crmio.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateTo(ctx, db, 1); err != nil {
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
			r.Set("amount", crmio.IntValue(int64(i%50+1)))
		}
		r.Set("city", crmio.TextValue([]string{"Oslo", "Lima", "Pune"}[i%3]))
		return r
	}
	var v1 []crmio.Record
	for i := range 300 {
		v1 = append(v1, record(i))
	}
	ids := writeVersion1(t, db, "people", v1)
	var want []crmio.Record
	for i, r := range v1 {
		r.ID, r.Module = ids[i], "people"
		want = append(want, r)
	}
	// A job and its journal, as version 1 kept them.
	res, err := db.ExecContext(ctx, `INSERT INTO crmio_jobs (module, status, created_s, created_ns, job) VALUES ('people', 'completed', 1, 0, '{"module":"people","status":"completed"}')`)
	if err != nil {
		t.Fatal(err)
	}
	jobID, _ := res.LastInsertId()
	after, _ := recordArg(&want[0])
	if _, err := db.ExecContext(ctx, `INSERT INTO crmio_journal (job_id, op, module, record_id, after, fingerprint) VALUES (?, 'created', 'people', ?, ?, 'f')`,
		jobID, ids[0], after); err != nil {
		t.Fatal(err)
	}
	itemsOf := func(field string) map[string]int {
		rows, err := db.QueryContext(ctx, `SELECT record_id, count(*) FROM crmio_items WHERE field = ? GROUP BY record_id`, field)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			out[sqlstore.FormatID(id)] = n
		}
		return out
	}
	cityBefore := itemsOf("city")
	if len(cityBefore) != 300 {
		t.Fatalf("version 1 wrote city items for %d records, want 300", len(cityBefore))
	}
	db.Close()

	// The upgrade.
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.reader.QueryRowContext(ctx, `SELECT max(version) FROM crmio_schema_migrations`).Scan(&version); err != nil || version != SchemaVersion() || version < 2 {
		t.Fatalf("after the upgrade, the schema is at version %d (%v), want %d", version, err, SchemaVersion())
	}
	if fields, err := moduleFields(ctx, s.reader, "people"); err != nil || len(fields) != 1 || fields["email"] != keyField|lookupField {
		t.Errorf("after the upgrade, the key fields are %v (%v), want email, a lookup field", fields, err)
	}
	// Version 7 orders crmio_keys by the key first, version 9 names the
	// field by its number, and every row is kept.
	var keysSQL string
	var keyRows int
	if err := s.reader.QueryRowContext(ctx, `SELECT sql, (SELECT count(*) FROM crmio_keys) FROM sqlite_schema WHERE name = 'crmio_keys'`).Scan(&keysSQL, &keyRows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(keysSQL, "PRIMARY KEY (key, field_id, record_id)") || keyRows != 2*300 {
		t.Errorf("after the upgrade, crmio_keys holds %d rows (want %d) under %s", keyRows, 2*300, keysSQL)
	}

	check := func(when string, extra ...storage.Query) {
		t.Helper()
		keys := []string{"p5@example.com", "p3@work.example.com", "p999@example.com", "p320@example.com"}
		got, err := s.Lookup(ctx, "people", "email", keys)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range keys {
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
			{},
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
	// Before any key field but email is added, writes change version 1
	// records: an update (its items go, and come back for key fields only)
	// and a delete.
	upd := want[4]
	upd.Values = record(4).Values
	upd.Set("city", crmio.TextValue("Lima"))
	upd.Set("name", crmio.TextValue("Person 999"))
	if err := s.Update(ctx, "people", []crmio.Record{upd}); err != nil {
		t.Fatal(err)
	}
	want[4] = upd
	if err := s.Delete(ctx, "people", []string{want[5].ID}); err != nil {
		t.Fatal(err)
	}
	want = slices.Delete(want, 5, 6)
	check("version 1 records")

	// Records written after the upgrade have the items of the key fields
	// only; a field that becomes one (note) is filled in.
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
	// Each record has the city items of its value, once: the old records
	// their version 1 items, the updated one and the new ones theirs.
	db = s.reader
	cityAfter := itemsOf("city")
	for _, r := range want {
		if cityAfter[r.ID] != 1 {
			t.Errorf("record %s has %d city items, want 1", r.ID, cityAfter[r.ID])
		}
	}
	if len(cityAfter) != len(want) {
		t.Errorf("%d records have city items, want %d", len(cityAfter), len(want))
	}
	fields, err := moduleFields(ctx, s.reader, "people")
	if err != nil {
		t.Fatal(err)
	}
	wantFields := map[string]fieldUse{"amount": keyField, "city": keyField, "email": keyField | lookupField, "missing": keyField, "name": keyField, "note": keyField}
	if len(fields) != len(wantFields) {
		t.Errorf("key fields %v, want %v", fields, wantFields)
	}
	for f, use := range wantFields {
		if fields[f] != use {
			t.Errorf("key fields %v, want %v", fields, wantFields)
			break
		}
	}

	// The history version 1 wrote.
	var entries []storage.JournalEntry
	for e, err := range s.Journal(ctx, sqlstore.FormatID(jobID)) {
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if len(entries) != 1 || entries[0].ID != ids[0] || entries[0].After == nil || !entries[0].After.Equal(v1Record(want, ids[0])) {
		t.Errorf("journal of the version 1 job: %+v", entries)
	}
}

func v1Record(recs []crmio.Record, id string) crmio.Record {
	for _, r := range recs {
		if r.ID == id {
			return r
		}
	}
	return crmio.Record{}
}
