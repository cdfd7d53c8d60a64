package sqlite

import (
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// TestScanPushdown checks that Scan's SQL does the filtering: the rows
// the query returns are the records the filters select, narrowed by the
// scope's match keys, and Scan keeps those the scope sees exactly.
func TestScanPushdown(t *testing.T) {
	ctx := t.Context()
	s := tempStore(t)
	var recs []crmio.Record
	for i := range 200 {
		owner := []string{"emea", "apac", "amer", "emea"}[i%4]
		if i%8 == 7 {
			owner = "EMEA" // the same match key, outside the exact scope
		}
		recs = append(recs, crmio.Record{Values: map[string]crmio.Value{
			"owner": crmio.TextValue(owner),
			"n":     crmio.IntValue(int64(i)),
		}})
	}
	if _, err := s.Insert(ctx, "deals", recs); err != nil {
		t.Fatal(err)
	}
	q := storage.Query{
		Where: []storage.Filter{{Field: "n", Op: storage.Lt, Value: crmio.IntValue(100)}},
		Order: []storage.Order{{Field: "n", Desc: true}},
		Scope: &storage.Scope{Name: "emea", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("emea")}}},
	}
	// No query has used a field yet: no record has items.
	if n := countItems(t, s); n != 0 {
		t.Errorf("after Insert, before any query, the records have %d items, want none", n)
	}
	// The first Scan makes n and owner key fields, and writes their items.
	got := 0
	for _, err := range s.Scan(ctx, "deals", q) {
		if err != nil {
			t.Fatal(err)
		}
		got++
	}
	if got != 38 {
		t.Errorf("Scan returned %d records, want the 38 in scope", got)
	}
	if n := countItems(t, s); n != 400 {
		t.Errorf("after the first Scan, the records have %d items, want 400 (n and owner of 200 records)", n)
	}
	for _, lookup := range []bool{false, true} {
		if lookup {
			if err := s.IndexFields(ctx, "deals", "owner"); err != nil {
				t.Fatal(err)
			}
		}
		fields, err := s.lookupFields(ctx, s.reader, "deals")
		if err != nil {
			t.Fatal(err)
		}
		query, args := buildScan("deals", q.Pushdown().DB, fields)
		rows, err := s.reader.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		// n < 100: every other record is emea's or EMEA's; the SQL
		// narrows by match key, Go drops the 12 EMEA records.
		if n != 50 {
			t.Errorf("lookup field %v: the SQL of Scan returned %d rows, want the 50 of emea and EMEA", lookup, n)
		}

		plan := explain(t, s, query, args)
		if lookup && !strings.Contains(plan, "crmio_keys") {
			t.Errorf("the = filter on a lookup field does not use the index of keys:\n%s", plan)
		}
		if !strings.Contains(plan, "SEARCH r USING PRIMARY KEY (module=?") {
			t.Errorf("Scan does not read the module's records by its key:\n%s", plan)
		}
	}

	ids, err := s.Lookup(ctx, "deals", "owner", []string{"apac"})
	if err != nil || len(ids["apac"]) != 50 {
		t.Fatalf("Lookup: %d ids, %v", len(ids["apac"]), err)
	}
	plan := explain(t, s, lookupSQL, append([]any{"deals", "owner", "apac"}, make([]any, lookupChunk-1)...))
	if !strings.Contains(plan, "SEARCH crmio_keys USING PRIMARY KEY (key=? AND field_id=?") {
		t.Errorf("Lookup does not search the index of keys:\n%s", plan)
	}
}

// countItems returns the number of rows of crmio_items.
func countItems(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM crmio_items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func explain(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}
