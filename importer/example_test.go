package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// An import of a small contacts export into the default CRM schema, with
// the suggested mapping: a duplicate inside the file is merged, an account
// is created for the Company column, a bad email fails its row; then the
// import is rolled back.
func Example() {
	ctx := context.Background()
	store := memory.New()
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		panic(err)
	}
	file := `First Name,Last Name,Email,Company
Ada,Lovelace,ada@example.com,Analytical Engines
Grace,Hopper,grace@,US Navy
ADA,Lovelace,ADA@example.com,Analytical Engines
`
	sum, err := im.Run(ctx, importer.Source{Reader: strings.NewReader(file), Name: "contacts.csv"}, importer.Plan{
		Module:               "people",
		Duplicates:           dedupe.Update,
		AutoCreateReferences: true,
	}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %d read, %d created, %d updated, %d failed, %d accounts created (%s, %s)\n",
		sum.File, sum.Read, sum.Created, sum.Updated, sum.Failed, sum.ReferencesCreated, sum.Mode, sum.Status)
	for _, e := range sum.Errors {
		fmt.Println(e.Error())
	}
	res, err := im.Rollback(ctx, sum.JobID, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("rolled back: %d records deleted\n", res.Deleted)
	// Output:
	// contacts.csv: 3 read, 1 created, 1 updated, 1 failed, 1 accounts created (instant, completed)
	// row 3, column "Email": "grace@" is not an email address
	// rolled back: 2 records deleted
}

// The CRM's own rules in an import: a column hook cleans a cell before it
// is coerced, a row hook checks each mapped record, and a batch hook
// checks a whole batch against the CRM's data in the batch's transaction
// (here: an email address already on a record of another module is
// refused).
func ExampleHooks() {
	ctx := context.Background()
	store := memory.New()
	schema := schemas.Default()
	// A lead already holds grace@example.com.
	if _, err := store.Insert(ctx, "leads", []crmio.Record{{Values: map[string]crmio.Value{
		"email": crmio.EmailValue("grace@example.com")}}}); err != nil {
		panic(err)
	}
	im, err := importer.New(store, schema, nil)
	if err != nil {
		panic(err)
	}
	hooks := &importer.Hooks{
		// Legacy exports prefix titles with a department code.
		Column: func(c *importer.Cell) (string, error) {
			if c.Field == "title" {
				return strings.TrimPrefix(c.Value, "SALES-"), nil
			}
			return c.Value, nil
		},
		// A person needs a first name here.
		Row: func(ctx context.Context, r *importer.Row) error {
			if r.Record.Get("first_name").Str() == "" {
				r.Fail("first_name", "a first name is required by the CRM")
			}
			return nil
		},
		// One lookup a batch: is the email a lead's already?
		Batch: func(ctx context.Context, b *importer.Batch) error {
			keys := make([]string, 0, len(b.Rows))
			for _, r := range b.Rows {
				keys = append(keys, crmio.MatchKey(r.Record.Get("email")))
			}
			leads, err := b.Store.Lookup(ctx, "leads", "email", keys)
			if err != nil {
				return err
			}
			for _, r := range b.Rows {
				if len(leads[crmio.MatchKey(r.Record.Get("email"))]) > 0 {
					r.Fail("email", "a lead has this address: convert the lead instead")
				}
			}
			return nil
		},
	}
	file := `First Name,Last Name,Email,Job Title
Ada,Lovelace,ada@example.com,SALES-Countess
,Turing,alan@example.com,Mathematician
Grace,Hopper,grace@example.com,Rear Admiral
`
	sum, err := im.Run(ctx, importer.Source{Reader: strings.NewReader(file), Name: "people.csv"}, importer.Plan{Module: "people"}, hooks)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d created, %d failed\n", sum.Created, sum.Failed)
	for _, e := range sum.Errors {
		fmt.Println(e.Error())
	}
	for rec, err := range store.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.Get("last_name").Str(), "—", rec.Get("title").Str())
	}
	// Output:
	// 1 created, 2 failed
	// row 3, column "First Name": a first name is required by the CRM
	// row 4, column "Email": a lead has this address: convert the lead instead
	// Lovelace — Countess
}
