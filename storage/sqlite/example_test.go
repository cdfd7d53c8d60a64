package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "crmio-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := sqlite.Open(ctx, filepath.Join(dir, "crm.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	person := func(name, email, city string) crmio.Record {
		return crmio.Record{Values: map[string]crmio.Value{
			"name":  crmio.TextValue(name),
			"email": crmio.ListValue(crmio.Item{Label: "Work", Value: crmio.EmailValue(email)}),
			"city":  crmio.TextValue(city),
		}}
	}
	ids, err := store.Insert(ctx, "people", []crmio.Record{
		person("Ada Lovelace", "ada@example.com", "London"),
		person("Alan Turing", "alan@example.com", "Manchester"),
		person("Grace Hopper", "grace@example.com", "New York"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ids:", ids)

	// Lookup by match key: case and spaces do not matter.
	found, err := store.Lookup(ctx, "people", "email", []string{crmio.MatchKey(crmio.EmailValue(" ADA@example.com"))})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ada@example.com:", found["ada@example.com"])

	// The query runs in SQLite: filter, order, fields.
	q := storage.Query{
		Where:  []storage.Filter{{Field: "name", Op: storage.Contains, Value: crmio.TextValue("a")}},
		Order:  []storage.Order{{Field: "city", Desc: true}},
		Fields: []string{"name"},
	}
	for rec, err := range store.Scan(ctx, "people", q) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.ID, rec.Get("name"))
	}
	// Output:
	// ids: [1 2 3]
	// ada@example.com: [1]
	// 3 Grace Hopper
	// 2 Alan Turing
	// 1 Ada Lovelace
}

func ExampleStore_Atomic() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "crmio-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "crm.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	job, err := store.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning})
	if err != nil {
		log.Fatal(err)
	}
	// The records and the journal entries that describe them commit
	// together.
	err = store.Atomic(ctx, func(tx storage.Store) error {
		ids, err := tx.Insert(ctx, "people", []crmio.Record{{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}})
		if err != nil {
			return err
		}
		return tx.(storage.History).AppendJournal(ctx, job, []storage.JournalEntry{{Op: storage.JournalCreated, Module: "people", ID: ids[0]}})
	})
	if err != nil {
		log.Fatal(err)
	}
	for e, err := range store.Journal(ctx, job) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Op, e.Module, e.ID)
	}
	// Output:
	// created people 1
}
