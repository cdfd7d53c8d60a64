// Custom-store plugs crmio into a table the application already has. The
// adapter (store.go) implements storage.Store over a slice of the
// application's own Row structs, in some 300 lines, and passes the
// conformance kit, storage/storetest (store_test.go runs it; so does this
// program, before using the store). The program then imports a contacts
// file into the table, where one contact already was, and reads the table
// back: as its raw rows, as the application's typed Contact structs, and
// as a crmio export.
//
//	go run ./examples/custom-store
//	go test ./examples/custom-store    # storetest.Run on the adapter
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/exporter"
	_ "github.com/crmio/crmio/formats/all" // the file formats imports read
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/storetest"
)

//go:embed contacts.csv
var contactsCSV []byte

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "custom-store:", err)
		os.Exit(1)
	}
}

// Contact is how the application reads a person: its own typed struct.
type Contact struct {
	ID        int64
	FirstName string
	LastName  string
	Email     string
	Company   string
}

func run(ctx context.Context, out io.Writer) error {
	// The contract first: every check of the kit, on fresh tables.
	start := time.Now()
	if err := storetest.TestStore(func() (storage.Store, error) { return NewStore(&Table{}) }); err != nil {
		return fmt.Errorf("the adapter does not keep the storage contract:\n%w", err)
	}
	fmt.Fprintf(out, "storetest: the adapter keeps the storage contract (checked in %s).\n\n", time.Since(start).Round(time.Millisecond))

	// The application's table, with a person it already had.
	existing, _ := json.Marshal(map[string]crmio.Value{
		"first_name": crmio.TextValue("Ada"),
		"last_name":  crmio.TextValue("Lovelace"),
		"email":      crmio.ListValue(crmio.Item{Value: crmio.EmailValue("ada@analytical.example")}),
		"notes":      crmio.TextValue("Entered by hand in 2019."),
	})
	table := &Table{Rows: []Row{{ID: 1, Module: "people", Data: existing}}, LastID: 1}
	store, err := NewStore(table)
	if err != nil {
		return err
	}

	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		return err
	}
	sum, err := im.Run(ctx, importer.Source{Reader: bytes.NewReader(contactsCSV), Name: "contacts.csv"}, importer.Plan{
		Module:               "people",
		Duplicates:           dedupe.Update, // Ada is there already: fill in what her row lacks
		Merge:                dedupe.FillEmpty,
		AutoCreateReferences: true, // the companies become accounts
	}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Imported %s: %d created, %d updated, %d failed; %d accounts created.\n",
		sum.File, sum.Created, sum.Updated, sum.Failed, sum.ReferencesCreated)
	for _, e := range sum.Errors {
		fmt.Fprintf(out, "  %s\n", e.Error())
	}

	fmt.Fprintln(out, "\nThe application's table, as stored:")
	for _, r := range table.Rows {
		data := string(r.Data)
		if len(data) > 80 {
			data = data[:77] + "..."
		}
		fmt.Fprintf(out, "  %2d  %-8s %s\n", r.ID, r.Module, data)
	}

	contacts, err := readContacts(table)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nAs the application's Contact structs:")
	for _, c := range contacts {
		fmt.Fprintf(out, "  %+v\n", c)
	}

	fmt.Fprintln(out, "\nExported by crmio from the same table:")
	_, err = exporter.Export(ctx, store, schemas.Default().Module("people"), &indented{w: out}, &exporter.Options{
		Fields: []string{"first_name", "last_name", "email", "account", "title", "notes"},
	})
	return err
}

// readContacts reads the people of the table into Contact structs, the way
// the application's own code does, following each account reference to
// the account's name.
func readContacts(t *Table) ([]Contact, error) {
	accounts := map[string]string{} // id → name
	for _, r := range t.Rows {
		if r.Module == "accounts" && !r.Deleted {
			values, err := decode(r.Data)
			if err != nil {
				return nil, err
			}
			accounts[formatID(r.ID)] = values["name"].Str()
		}
	}
	var out []Contact
	for _, r := range t.Rows {
		if r.Module != "people" || r.Deleted {
			continue
		}
		values, err := decode(r.Data)
		if err != nil {
			return nil, err
		}
		c := Contact{ID: r.ID, FirstName: values["first_name"].Str(), LastName: values["last_name"].Str()}
		if emails := values["email"].List(); len(emails) > 0 {
			c.Email = emails[0].Value.Str()
		}
		if ref, ok := values["account"].Ref(); ok {
			c.Company = accounts[ref.ID]
		}
		out = append(out, c)
	}
	return out, nil
}

// indented indents every line written to w by two spaces.
type indented struct {
	w       io.Writer
	midLine bool
}

func (ind *indented) Write(p []byte) (int, error) {
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !ind.midLine {
			if _, err := ind.w.Write([]byte("  ")); err != nil {
				return 0, err
			}
		}
		if _, err := ind.w.Write(bytes.TrimSuffix(line, []byte("\r\n"))); err != nil {
			return 0, err
		}
		ind.midLine = !bytes.HasSuffix(line, []byte("\n"))
		if !ind.midLine {
			if _, err := ind.w.Write([]byte("\n")); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}
