package importer_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
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
