// Salesforce-migration moves a Salesforce org's accounts and contacts into
// the default CRM schema, from the CSV files a Salesforce data export
// writes (API field names: Id, Name, AccountId, FirstName, MailingStreet…).
//
// Accounts go first, then the contacts, whose AccountId names an account
// by its Salesforce id. Each record keeps its Salesforce id in a field the
// program adds to the schema; the contacts' AccountId resolves to an
// account through a ReferenceResolver that looks accounts up by that
// field; and matching on it makes the migration safe to run again: the
// second run finds every record and changes nothing.
//
//	go run ./examples/salesforce-migration
package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	_ "github.com/crmio/crmio/formats/all" // the file formats imports read
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

var (
	//go:embed Account.csv
	accountCSV []byte
	//go:embed Contact.csv
	contactCSV []byte
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "salesforce-migration:", err)
		os.Exit(1)
	}
}

// sfID is the field that keeps each record's Salesforce id.
const sfID = "salesforce_id"

// migrationSchema is the default CRM schema with a Salesforce id on
// accounts and people.
func migrationSchema() *crmio.Schema {
	s := schemas.Default()
	for _, name := range []string{"accounts", "people"} {
		m := s.Module(name)
		m.Fields = append([]crmio.Field{{Name: sfID, Label: "Salesforce ID", Type: crmio.TypeText}}, m.Fields...)
	}
	return s
}

// bySalesforceID resolves references by the target's Salesforce id, the
// way a Salesforce export names related records, with one Lookup per batch.
type bySalesforceID struct{}

func (bySalesforceID) Resolve(ctx context.Context, store storage.Store, target *crmio.Module, keys []string) (map[string][]string, error) {
	byKey := map[string][]string{} // match key → the keys as written
	var matchKeys []string
	for _, k := range keys {
		mk := crmio.MatchKey(crmio.TextValue(k))
		if mk == "" {
			continue
		}
		if byKey[mk] == nil {
			matchKeys = append(matchKeys, mk)
		}
		byKey[mk] = append(byKey[mk], k)
	}
	found, err := store.Lookup(ctx, target.Name, sfID, matchKeys)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for mk, ids := range found {
		for _, k := range byKey[mk] {
			out[k] = ids
		}
	}
	return out, nil
}

func run(ctx context.Context, out io.Writer) error {
	store := memory.New()
	im, err := importer.New(store, migrationSchema(), nil)
	if err != nil {
		return err
	}

	for pass := 1; pass <= 2; pass++ {
		fmt.Fprintf(out, "=== Migration, run %d\n\n", pass)
		for _, file := range []struct {
			name, module string
			data         []byte
		}{{"Account.csv", "accounts", accountCSV}, {"Contact.csv", "people", contactCSV}} {
			if err := migrate(ctx, out, im, file.name, file.module, file.data, pass == 1); err != nil {
				return err
			}
		}
	}

	fmt.Fprintln(out, "=== The contacts and the accounts their AccountId named")
	for rec, err := range store.Scan(ctx, "people", storage.Query{Order: []storage.Order{{Field: "last_name"}}}) {
		if err != nil {
			return err
		}
		account := "(no account)"
		if ref, ok := rec.Get("account").Ref(); ok {
			accs, err := store.Get(ctx, "accounts", []string{ref.ID})
			if err != nil {
				return err
			}
			if len(accs) == 1 {
				account = accs[0].Get("name").Str()
			}
		}
		fmt.Fprintf(out, "  %-18s %-16s → %s\n", rec.Get("first_name").Str()+" "+rec.Get("last_name").Str(), rec.Get(sfID).Str(), account)
	}
	return nil
}

// migrate imports one Salesforce file into module, matching records by
// their Salesforce id; verbose shows the mapping.
func migrate(ctx context.Context, out io.Writer, im *importer.Importer, name, module string, data []byte, verbose bool) error {
	src := func() importer.Source { return importer.Source{Reader: bytes.NewReader(data), Name: name} }
	p, err := im.Preview(ctx, src(), module, 5)
	if err != nil {
		return err
	}
	mp := p.Mapping
	// Review the suggestions, as a user would in a CRM's import screen:
	// the columns that hold Salesforce ids need a word from us. Id is the
	// record's own id; AccountId names the contact's account by its id.
	col := func(header string) int { return slices.Index(p.Header, header) }
	mp.Set(col("Id"), mapping.Target{Field: sfID})
	if module == "people" {
		mp.Set(col("AccountId"), mapping.Target{Field: "account"})
	}
	if verbose {
		fmt.Fprintf(out, "%s → %s:\n", name, module)
		var skipped []string
		for i, h := range p.Header {
			if t, ok := mp.Target(i); ok {
				note := ""
				if h == "Id" || h == "AccountId" {
					note = "  (set by the program)"
				}
				fmt.Fprintf(out, "  %-18s → %s%s\n", h, t, note)
			} else {
				skipped = append(skipped, h)
			}
		}
		fmt.Fprintf(out, "  not imported: %s\n", strings.Join(skipped, ", "))
	}

	sum, err := im.Run(ctx, src(), importer.Plan{
		Module:      module,
		Mapping:     &mp,
		MatchFields: []string{sfID}, // a record migrated before is found again
		Duplicates:  dedupe.Update,
		Merge:       dedupe.PreferImport,
		StartedBy:   "salesforce-migration",
	}, &importer.Hooks{Resolver: bySalesforceID{}})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d rows: %d created, %d updated, %d unchanged, %d failed\n", name, sum.Read, sum.Created, sum.Updated, sum.Skipped, sum.Failed)
	for _, e := range sum.Errors {
		fmt.Fprintf(out, "  error: %s\n", e.Error())
	}
	for _, w := range sum.Warnings {
		fmt.Fprintf(out, "  warning: %s\n", w)
	}
	fmt.Fprintln(out)
	return nil
}
