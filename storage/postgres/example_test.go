package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
)

// The example needs a server: it is compiled, not run.
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("CRMIO_POSTGRES_DSN"), &postgres.Options{Schema: "crm"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// Index the fields an import will look up before it starts, rather
	// than on its first batch.
	if err := store.IndexFields(ctx, "people", "email", "phone"); err != nil {
		log.Fatal(err)
	}
	ids, err := store.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{
		"name":  crmio.TextValue("Ada Lovelace"),
		"email": crmio.EmailValue("ada@example.com"),
		"owner": crmio.TextValue("emea"),
	}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("inserted", ids)

	// The scope is applied in the database.
	q := storage.Query{Scope: &storage.Scope{Name: "emea", Where: []storage.Filter{
		{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("emea")},
	}}}
	for rec, err := range store.Scan(ctx, "people", q) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.ID, rec.Get("name"))
	}
}
