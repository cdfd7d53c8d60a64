package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

// TestPipelinedInsert: an Insert large enough to encode on a goroutine of
// its own (pipelined) writes exactly the rows, values, items and keys, that
// the same records written in small Inserts do, a record at a time on the
// caller's goroutine; and one whose context ends stops, leaving nothing
// written and no goroutine behind.
func TestPipelinedInsert(t *testing.T) {
	ctx := t.Context()
	person := func(i int) crmio.Record {
		var r crmio.Record
		r.Set("name", crmio.TextValue(fmt.Sprintf("Person %d", i)))
		r.Set("city", crmio.TextValue([]string{"Oslo", "Lima", "Pune"}[i%3]))
		r.Set("email", crmio.ListValue(
			crmio.Item{Value: crmio.EmailValue(fmt.Sprintf("p%d@Example.com", i))},
			crmio.Item{Label: "again", Value: crmio.EmailValue(fmt.Sprintf("P%d@example.com", i))}, // one key twice
			crmio.Item{Label: "work", Value: crmio.EmailValue(fmt.Sprintf("w%d@work.example", i%7))},
		))
		if i%4 != 0 {
			r.Set("amount", crmio.IntValue(int64(i%50)))
		}
		return r
	}
	const n = 5*recordsPerInsert + 37 // some full chunks and a short one
	var recs []crmio.Record
	for i := range n {
		recs = append(recs, person(i))
	}
	open := func(name string) *Store {
		s, err := Open(ctx, filepath.Join(t.TempDir(), name), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.KeyFields(ctx, "people", "city", "amount"); err != nil {
			t.Fatal(err)
		}
		if err := s.IndexFields(ctx, "people", "email", "city"); err != nil {
			t.Fatal(err)
		}
		return s
	}
	big, small := open("big.db"), open("small.db")
	if _, err := big.Insert(ctx, "people", recs); err != nil {
		t.Fatal(err)
	}
	for part := range slices.Chunk(recs, recordsPerInsert/2) {
		if _, err := small.Insert(ctx, "people", part); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`SELECT module || ' ' || id || ' ' || hex(vals) FROM crmio_records ORDER BY id`,
		`SELECT record_id || ' ' || field || ' ' || pos || ' ' || key || ' ' || coalesce(sort, '-') FROM crmio_items ORDER BY record_id, field, pos`,
		`SELECT key || ' ' || f.module || ' ' || f.field || ' ' || record_id FROM crmio_keys k JOIN crmio_lookup_fields f ON f.id = k.field_id ORDER BY key, f.module, f.field, record_id`,
	} {
		got, want := rowsOf(t, big, q), rowsOf(t, small, q)
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: the pipelined Insert wrote %d rows, the small ones %d, or other rows", q, len(got), len(want))
		}
	}

	// A context that ends during the Insert: an error, nothing written.
	before := runtime.NumGoroutine()
	short, cancel := context.WithCancel(ctx)
	var many []crmio.Record
	for i := range 40 * recordsPerInsert {
		many = append(many, person(n+i))
	}
	go func() { time.Sleep(time.Millisecond); cancel() }()
	if _, err := big.Insert(short, "people", many); err == nil {
		t.Log("the Insert ended before its context did")
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("an Insert whose context ends: %v, want context.Canceled", err)
	}
	if got := len(rowsOf(t, big, `SELECT id FROM crmio_records`)); got != n && got != n+len(many) {
		t.Errorf("after the Insert that was cancelled, %d records, want %d (or %d had it finished)", got, n, n+len(many))
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if now := runtime.NumGoroutine(); now > before {
		t.Errorf("%d goroutines after the cancelled Insert, %d before", now, before)
	}
}

// rowsOf returns the rows of query, one string each.
func rowsOf(t *testing.T, s *Store, query string) []string {
	t.Helper()
	rows, err := s.reader.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
