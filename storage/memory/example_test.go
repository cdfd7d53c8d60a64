package memory_test

import (
	"context"
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

func Example() {
	ctx := context.Background()
	store := memory.New()

	// Insert a batch; the store assigns the ids.
	ids, err := store.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("Ada Lovelace"),
			"email": crmio.EmailValue("Ada@Example.com"),
			"score": crmio.NumberValue(crmio.MustDecimal("91.50")),
		}},
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("Bob Smith"),
			"email": crmio.EmailValue("bob@example.com"),
			"score": crmio.IntValue(72),
		}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("inserted", len(ids))

	// Find duplicates by match key: case and spacing do not matter.
	key := crmio.MatchKey(crmio.EmailValue(" ada@EXAMPLE.com"))
	found, err := store.Lookup(ctx, "people", "email", []string{key})
	if err != nil {
		panic(err)
	}
	fmt.Println("ada is", found[key][0] == ids[0])

	// Scan with a filter and an order; numbers keep their digits.
	q := storage.Query{
		Where: []storage.Filter{{Field: "score", Op: storage.Ge, Value: crmio.IntValue(50)}},
		Order: []storage.Order{{Field: "score", Desc: true}},
	}
	for rec, err := range store.Scan(ctx, "people", q) {
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.Get("name"), rec.Get("score"))
	}
	// Output:
	// inserted 2
	// ada is true
	// Ada Lovelace 91.50
	// Bob Smith 72
}

func ExampleStore_Atomic() {
	ctx := context.Background()
	store := memory.New()

	// The writes of a transaction whose function fails are undone.
	err := store.Atomic(ctx, func(tx storage.Store) error {
		if _, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}}); err != nil {
			return err
		}
		return fmt.Errorf("the rest of the batch failed")
	})
	fmt.Println("error:", err)

	n := 0
	for _, err := range store.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println("records:", n)
	// Output:
	// error: the rest of the batch failed
	// records: 0
}
