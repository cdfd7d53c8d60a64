package sqlite

import (
	"fmt"
	"slices"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// TestLookupFieldWithoutItems checks a lookup field that is no key field:
// it has keys and no items, its keys follow inserts, updates and deletes
// (found from the records' values, as there are no items), and it gets
// its items when a Scan needs them.
func TestLookupFieldWithoutItems(t *testing.T) {
	ctx := t.Context()
	s := tempStore(t)
	person := func(i int, email string) crmio.Record {
		var r crmio.Record
		r.Set("name", crmio.TextValue(fmt.Sprintf("Person %d", i)))
		r.Set("email", crmio.ListValue(
			crmio.Item{Value: crmio.EmailValue(email)},
			crmio.Item{Label: "again", Value: crmio.EmailValue(email)}, // the same key twice
			crmio.Item{Label: "work", Value: crmio.EmailValue(fmt.Sprintf("w%d@Work.example", i%3))},
		))
		return r
	}
	var recs []crmio.Record
	for i := range 2500 { // more than a backfill page
		recs = append(recs, person(i, fmt.Sprintf("p%d@example.com", i)))
	}
	ids, err := s.Insert(ctx, "people", recs[:2300])
	if err != nil {
		t.Fatal(err)
	}
	// The first Lookup fills the keys in from the values.
	lookup := func(when, key string, want ...string) {
		t.Helper()
		got, err := s.Lookup(ctx, "people", "email", []string{key})
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 && len(got[key]) == 0 {
			return
		}
		if !slices.Equal(got[key], want) {
			t.Errorf("%s: Lookup(%q) = %v, want %v", when, key, got[key], want)
		}
	}
	lookup("before the field's first lookup", "p7@example.com", ids[7])
	more, err := s.Insert(ctx, "people", recs[2300:])
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, more...)
	lookup("a record written after", "p2400@example.com", ids[2400])
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := s.reader.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if fields, err := moduleFields(ctx, s.reader, "people"); err != nil || fields["email"] != lookupField {
		t.Errorf("fields %v (%v), want email a lookup field only", fields, err)
	}
	if n := count(`SELECT count(*) FROM crmio_items`); n != 0 {
		t.Errorf("%d items, want none", n)
	}
	if n := count(`SELECT count(*) FROM crmio_keys WHERE field_id = (SELECT id FROM crmio_lookup_fields WHERE module = 'people' AND field = 'email')`); n != 2*2500 {
		t.Errorf("%d keys, want %d (each record's two distinct keys)", n, 2*2500)
	}

	// Update: the old keys go, the new come.
	upd := person(7, "new7@example.com")
	upd.ID = ids[7]
	if err := s.Update(ctx, "people", []crmio.Record{upd}); err != nil {
		t.Fatal(err)
	}
	lookup("after an update", "p7@example.com")
	lookup("after an update", "new7@example.com", ids[7])
	var work []string
	for i, id := range ids {
		if i%3 == 1 && i != 4 {
			work = append(work, id)
		}
	}
	// Delete: its keys go.
	if err := s.Delete(ctx, "people", []string{ids[4], ids[8]}); err != nil {
		t.Fatal(err)
	}
	lookup("after a delete", "p8@example.com")
	lookup("after a delete", "w1@work.example", work...)
	if n := count(`SELECT count(*) FROM crmio_keys WHERE field_id = (SELECT id FROM crmio_lookup_fields WHERE module = 'people' AND field = 'email')`); n != 2*2498 {
		t.Errorf("%d keys, want %d", n, 2*2498)
	}

	// A Scan on the field makes it a key field: items for every record.
	var got []string
	for r, err := range s.Scan(ctx, "people", storage.Query{Where: []storage.Filter{{Field: "email", Op: storage.Contains, Value: crmio.TextValue("new7@")}}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID)
	}
	if !slices.Equal(got, []string{ids[7]}) {
		t.Errorf("Scan contains new7@ = %v, want %v", got, ids[7])
	}
	if fields, err := moduleFields(ctx, s.reader, "people"); err != nil || fields["email"] != keyField|lookupField {
		t.Errorf("fields %v (%v), want email a key and lookup field", fields, err)
	}
	if n := count(`SELECT count(DISTINCT record_id) FROM crmio_items WHERE field = 'email'`); n != 2498 {
		t.Errorf("%d records with email items, want 2498", n)
	}
	// Both ways of deleting keys agree from now on.
	if err := s.Delete(ctx, "people", []string{ids[10]}); err != nil {
		t.Fatal(err)
	}
	lookup("after a delete of a keyed record", "p10@example.com")
	if n := count(`SELECT count(*) FROM crmio_keys WHERE field_id = (SELECT id FROM crmio_lookup_fields WHERE module = 'people' AND field = 'email')`); n != 2*2497 {
		t.Errorf("%d keys, want %d", n, 2*2497)
	}
}
