package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage/memory"
)

// TestHeaderlessFile imports a contacts export without a header row: its
// first row holds an email address and a phone number like the rows under
// it, so the reader takes it for data, and every record is created, with
// the columns named "Column 1"... as the mapping names them. With the
// option the library's users set for such a file (formats.NoHeaderRow),
// the same.
func TestHeaderlessFile(t *testing.T) {
	const contacts = "Ada,Lovelace,ada@example.com,+44 20 7946 0000\n" +
		"Grace,Hopper,grace@example.com,+1 202 555 0143\n" +
		"Alan,Turing,alan@example.com,+44 161 496 0000\n"
	schema := &crmio.Schema{Modules: []crmio.Module{{Name: "people", Fields: []crmio.Field{
		{Name: "first_name", Type: crmio.TypeText},
		{Name: "last_name", Type: crmio.TypeText, Required: true},
		{Name: "email", Type: crmio.TypeEmail},
		{Name: "phone", Type: crmio.TypePhone},
	}}}}
	m := &mapping.Mapping{}
	for i, f := range []string{"first_name", "last_name", "email", "phone"} {
		m.Set(i, mapping.Target{Field: f})
	}
	for _, opts := range []*formats.Options{nil, {HeaderRow: formats.NoHeaderRow}} {
		store := memory.New()
		im, err := importer.New(store, schema, nil)
		if err != nil {
			t.Fatal(err)
		}
		src := importer.Source{Reader: strings.NewReader(contacts), Name: "contacts.csv", Format: opts}
		p, err := im.Preview(context.Background(), src, "people", 10)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Info.Headerless || len(p.Rows) != 3 || p.Header[0] != "Column 1" {
			t.Errorf("options %+v: preview headerless %v, %d rows, header %q", opts, p.Info.Headerless, len(p.Rows), p.Header)
		}
		src.Reader = strings.NewReader(contacts)
		sum, err := im.Run(context.Background(), src, importer.Plan{Module: "people", Mapping: m}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created != 3 {
			t.Errorf("options %+v: %d records created, want 3 (failed %d)", opts, sum.Created, sum.Failed)
		}
	}
}
