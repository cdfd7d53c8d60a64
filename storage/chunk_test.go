package storage_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// TestKeepRow checks Pushdown.KeepRow against Keep: the same records kept,
// the limit counted inside the scope, a field the row lacks seen as null.
func TestKeepRow(t *testing.T) {
	q := storage.Query{
		Fields: []string{"name"},
		Limit:  2,
		Scope:  &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: text("alice")}, {Field: "team", Op: storage.Ne, Value: text("x")}}},
	}
	byKeep, byRow := q.Pushdown(), q.Pushdown()
	in := []crmio.Record{
		rec("name", text("A"), "owner", text("Alice")),
		rec("name", text("B"), "owner", text("alice"), "team", text("x")),
		rec("name", text("C"), "owner", text("alice")),
		rec("name", text("D"), "owner", text("alice"), "team", text("y")),
		rec("name", text("E"), "owner", text("alice")),
	}
	for i, r := range in {
		_, keep, more := byKeep.Keep(r)
		row := make([]crmio.Value, len(byRow.DB.Fields))
		for j, f := range byRow.DB.Fields {
			row[j] = r.Values[f]
		}
		rowKeep, rowMore := byRow.KeepRow(row)
		if keep != rowKeep || more != rowMore {
			t.Errorf("record %d: KeepRow = %v, %v; Keep %v, %v", i, rowKeep, rowMore, keep, more)
		}
		if !more {
			break
		}
	}
	if plain := (storage.Query{Fields: []string{"name"}}).Pushdown(); plain.NeedsKeep() {
		t.Error("a query without scope needs Keep")
	} else if keep, more := plain.KeepRow([]crmio.Value{text("x")}); !keep || !more {
		t.Errorf("KeepRow without a scope = %v, %v", keep, more)
	}
}

// TestScanChunksFallback reads a store that is no ChunkScanner (through
// Scoped, which is none either): the records of Scan, in chunks of at
// most ChunkRows, and the errors of a query ScanChunks refuses.
func TestScanChunksFallback(t *testing.T) {
	ctx := context.Background()
	base := memory.New()
	var recs []crmio.Record
	for i := range 600 {
		owner := "alice"
		if i%3 == 0 {
			owner = "bob"
		}
		recs = append(recs, rec("n", crmio.IntValue(int64(i)), "owner", text(owner)))
	}
	if _, err := base.Insert(ctx, "people", recs); err != nil {
		t.Fatal(err)
	}
	alice := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: text("alice")}}}
	store := storage.Scoped(base, func(string) *storage.Scope { return alice })
	if _, ok := store.(storage.ChunkScanner); ok {
		t.Error("Scoped of a store that is no ChunkScanner is one")
	}
	q := storage.Query{Fields: []string{"n", "none"}, Order: []storage.Order{{Field: "n"}}}
	var got []string
	for c, err := range storage.ScanChunks(ctx, store, "people", q) {
		if err != nil {
			t.Fatal(err)
		}
		if c.Len() == 0 || c.Len() > storage.ChunkRows {
			t.Errorf("a chunk of %d records", c.Len())
		}
		for i := range c.Len() {
			row := c.Row(i)
			if !row[1].IsNull() {
				t.Errorf("record %s has %v for a field it lacks", c.IDs[i], row[1])
			}
			got = append(got, row[0].String())
		}
	}
	if len(got) != 400 || got[0] != "1" || got[1] != "2" || got[2] != "4" || got[399] != strconv.Itoa(599) {
		t.Errorf("read %d records, starting %v; want alice's 400, 1, 2, 4, … 599", len(got), got[:min(3, len(got))])
	}

	for _, q := range []storage.Query{{}, {Fields: []string{"n", "n"}}, {Fields: []string{"n"}, Limit: -1}} {
		n := 0
		for c, err := range storage.ScanChunks(ctx, base, "people", q) {
			n++
			if c != nil || !errors.Is(err, storage.ErrInvalidQuery) {
				t.Errorf("ScanChunks(%+v) yielded %v, %v; want ErrInvalidQuery alone", q, c, err)
			}
		}
		if n != 1 {
			t.Errorf("ScanChunks(%+v) yielded %d times, want once", q, n)
		}
	}
}
