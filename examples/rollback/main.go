// Rollback undoes an import. The store holds a person already; an import
// updates her and creates three more people and their accounts. Someone
// then edits one of the new records: the rollback refuses, because undoing
// the import would lose that edit, and changes nothing. Forced, it deletes
// what the import created and restores what it updated.
//
//	go run ./examples/rollback
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	_ "github.com/crmio/crmio/formats/all" // the file formats imports read
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

const file = `First Name,Last Name,Email,Job Title,Company
Ada,Lovelace,ada@example.com,Mathematician,Analytical Engines
Grace,Hopper,grace@example.com,Rear Admiral,US Navy
Katherine,Johnson,katherine@example.com,Mathematician,NASA
Dorothy,Vaughan,dorothy@example.com,Supervisor,NASA
`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rollback:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	store := memory.New()
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		return err
	}

	// Before the import: Ada, as the CRM had her.
	_, err = store.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{
		"first_name": crmio.TextValue("Ada"),
		"last_name":  crmio.TextValue("Lovelace"),
		"email":      crmio.ListValue(crmio.Item{Value: crmio.EmailValue("ada@example.com")}),
		"title":      crmio.TextValue("Countess of Lovelace"),
	}}})
	if err != nil {
		return err
	}
	if err := show(ctx, out, store, "Before the import"); err != nil {
		return err
	}

	sum, err := im.Run(ctx, importer.Source{Reader: strings.NewReader(file), Name: "people.csv"}, importer.Plan{
		Module:               "people",
		Duplicates:           dedupe.Update,
		Merge:                dedupe.Overwrite, // the file's job titles win
		AutoCreateReferences: true,
		StartedBy:            "rollback example",
	}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nImported people.csv as job %s: %d created, %d updated, %d accounts created.\n",
		sum.JobID, sum.Created, sum.Updated, sum.ReferencesCreated)
	if err := show(ctx, out, store, "After the import"); err != nil {
		return err
	}

	jobs, err := im.History(ctx, 10)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nHistory:")
	for _, j := range jobs {
		c := j.Counts
		fmt.Fprintf(out, "  %s  %-10s %s into %s by %s: %d read, %d created, %d updated, %d references created\n",
			j.ID, j.Status, j.File, j.Module, j.StartedBy, c.Read, c.Created, c.Updated, c.ReferencesCreated)
	}

	// Someone edits a record the import created.
	grace, err := find(ctx, store, "grace@example.com")
	if err != nil {
		return err
	}
	grace.Values["title"] = crmio.TextValue("Rear Admiral (retired)")
	if err := store.Update(ctx, "people", []crmio.Record{grace}); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nGrace's title was edited after the import.")

	_, err = im.Rollback(ctx, sum.JobID, nil)
	var conflict *importer.ConflictError
	if !errors.As(err, &conflict) {
		return fmt.Errorf("want the rollback refused over the edit, got %v", err)
	}
	fmt.Fprintf(out, "\nRollback refused: %d record changed since the import (%s). Nothing was changed.\n",
		conflict.N, strings.Join(conflict.IDs, ", "))

	res, err := im.Rollback(ctx, sum.JobID, &importer.RollbackOptions{Force: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Forced rollback: %d records deleted (accounts included), %d restored.\n", res.Deleted, res.Restored)

	job, err := im.Status(ctx, sum.JobID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Job %s is now %s.\n", job.ID, job.Status)
	return show(ctx, out, store, "\nAfter the rollback")
}

// show prints the people and accounts in the store.
func show(ctx context.Context, out io.Writer, store storage.Store, title string) error {
	fmt.Fprintf(out, "%s:\n", title)
	for rec, err := range store.Scan(ctx, "people", storage.Query{}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  person   %s %s, %s\n", rec.Get("first_name").Str(), rec.Get("last_name").Str(), rec.Get("title").Str())
	}
	for rec, err := range store.Scan(ctx, "accounts", storage.Query{}) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  account  %s\n", rec.Get("name").Str())
	}
	return nil
}

// find returns the person with the given email.
func find(ctx context.Context, store storage.Store, email string) (crmio.Record, error) {
	ids, err := store.Lookup(ctx, "people", "email", []string{crmio.MatchKey(crmio.EmailValue(email))})
	if err != nil {
		return crmio.Record{}, err
	}
	for _, id := range ids[crmio.MatchKey(crmio.EmailValue(email))] {
		recs, err := store.Get(ctx, "people", []string{id})
		if err != nil {
			return crmio.Record{}, err
		}
		if len(recs) == 1 {
			return recs[0], nil
		}
	}
	return crmio.Record{}, fmt.Errorf("no person with the email %s", email)
}
