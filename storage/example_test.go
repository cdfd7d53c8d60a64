package storage_test

import (
	"context"
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// ScanChunks reads the records of a query as tables of the fields asked
// for: a row of values per record, in the fields' order, with no map per
// record where the store is a ChunkScanner (the SQL stores), through Scan
// where it is not.
func ExampleScanChunks() {
	ctx := context.Background()
	store := memory.New()
	_, err := store.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada"), "email": crmio.EmailValue("ada@example.com")}},
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Grace")}},
	})
	if err != nil {
		panic(err)
	}
	q := storage.Query{Fields: []string{"email", "name"}}
	for chunk, err := range storage.ScanChunks(ctx, store, "people", q) {
		if err != nil {
			panic(err)
		}
		for i := range chunk.Len() {
			row := chunk.Row(i)
			fmt.Printf("%s: email %q, name %q\n", chunk.IDs[i], row[0].String(), row[1].String())
		}
	}
	// Output:
	// 000000000001: email "ada@example.com", name "Ada"
	// 000000000002: email "", name "Grace"
}

// Scoped gives code a store that sees only what a caller may: here, the
// records of one owner.
func ExampleScoped() {
	ctx := context.Background()
	store := memory.New()
	_, err := store.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada"), "owner": crmio.TextValue("alice")}},
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Grace"), "owner": crmio.TextValue("bob")}},
	})
	if err != nil {
		panic(err)
	}
	alice := &storage.Scope{Name: "alice's", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("alice")}}}
	view := storage.Scoped(store, func(string) *storage.Scope { return alice })
	for rec, err := range view.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.Get("name"))
	}
	// Output:
	// Ada
}
