package postgres

import (
	"strconv"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/jackc/pgx/v5"
)

// TestScanPushdown checks that Scan's SQL does the filtering (the rows
// the query returns are the records the filters select, narrowed by the
// scope's match keys, and Scan keeps those the scope sees exactly), and
// that = filters and Lookup on a lookup field can use the hash index of
// crmio_lookup_keys.
func TestScanPushdown(t *testing.T) {
	ctx := t.Context()
	s := openFresh(t, "pushdown")
	var recs []crmio.Record
	for i := range 2000 {
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
	for _, lookup := range []bool{false, true} {
		if lookup {
			if err := s.IndexFields(ctx, "deals", "owner"); err != nil {
				t.Fatal(err)
			}
		}
		// Scan first: it makes the fields it filters and orders on key
		// fields, which the SQL below then finds.
		scanned := 0
		for _, err := range s.Scan(ctx, "deals", q) {
			if err != nil {
				t.Fatal(err)
			}
			scanned++
		}
		if scanned != 38 {
			t.Errorf("lookup field %v: Scan yielded %d records, want the 38 in scope", lookup, scanned)
		}
		if _, err := s.pool.Exec(ctx, s.sql("ANALYZE crmio_records")); err != nil {
			t.Fatal(err)
		}
		query, args := buildScan("deals", q.Pushdown().DB, s.isLookupField)
		query = s.sql(query)
		rows, _ := s.pool.Query(ctx, query, args...)
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		// n < 100: every other record is emea's or EMEA's; the SQL
		// narrows by match key, Go drops the 12 EMEA records.
		if n != 50 {
			t.Errorf("lookup field %v: the SQL of Scan returned %d rows, want the 50 of emea and EMEA", lookup, n)
		}
		if plan := explain(t, s, query, args); lookup && !strings.Contains(plan, "crmio_lookup_keys_h") {
			t.Errorf("the = filter on a lookup field does not use the hash index of crmio_lookup_keys:\n%s", plan)
		}
	}
	got, err := s.Lookup(ctx, "deals", "owner", []string{"apac"})
	if err != nil || len(got["apac"]) != 500 {
		t.Fatalf("Lookup: %d ids, %v", len(got["apac"]), err)
	}
	hashes := []int64{keyHash("deals", "owner", "apac")}
	for i := range 999 { // a batch's worth of hashes, which the planner must not see
		hashes = append(hashes, keyHash("deals", "owner", strconv.Itoa(i)))
	}
	plan := explainAs(t, s, s.sql(lookupSQL), []any{"deals", hashes}, false)
	if !strings.Contains(plan, "crmio_lookup_keys_h") || !strings.Contains(plan, "crmio_records_pkey") || strings.Contains(plan, "Seq Scan") {
		t.Errorf("Lookup does not probe the hash index of crmio_lookup_keys, then the records' primary key (analyzed table, sequential scans allowed):\n%s", plan)
	}
}

// explain returns the plan of query when the planner avoids sequential
// scans where it can: a small table is cheaper to scan, and the test
// asks whether the index can serve the query.
func explain(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	return explainAs(t, s, query, args, true)
}

// explainAs returns the plan of query, with sequential scans discouraged
// or not.
func explainAs(t *testing.T, s *Store, query string, args []any, noSeqScan bool) string {
	t.Helper()
	var plan strings.Builder
	err := pgx.BeginFunc(t.Context(), s.pool, func(tx pgx.Tx) error {
		if noSeqScan {
			if _, err := tx.Exec(t.Context(), "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(t.Context(), "EXPLAIN "+query, args...)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		plan.WriteString(strings.Join(lines, "\n"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan.String()
}
