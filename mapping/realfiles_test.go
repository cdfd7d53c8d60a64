package mapping

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio"
)

func readCSV(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	if strings.HasSuffix(filepath.Dir(path), "vcard2csv-nbeaver") {
		r.Comma = '\t' // tab-separated despite its name
	}
	all, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:]
}

// TestRealFiles maps real exports with data rows end to end: suggest with
// the rows as samples, compile, apply every row.
func TestRealFiles(t *testing.T) {
	root := corpusDir(t, "")
	m := peopleModule()
	type check struct {
		row   int // index in the file's rows
		field string
		want  crmio.Value
		unset bool
	}
	tests := []struct {
		path     string
		warnings int // invalid phone numbers kept as typed
		checks   []check
	}{
		{path: "roundcube-csv2vcard/tests/src/Csv2vcard/tb_plain.csv", warnings: 5, checks: []check{
			{row: 0, field: "first_name", want: crmio.TextValue("Firstname")},
			{row: 0, field: "name", want: crmio.TextValue("Displayname")},
			{row: 0, field: "email", want: crmio.ListValue(crmio.Item{Value: crmio.EmailValue("test@domain.tld")},
				crmio.Item{Label: "other", Value: crmio.EmailValue("next@domain.tld")})},
			{row: 0, field: "address", want: crmio.ListValue(
				crmio.Item{Label: "home", Value: crmio.AddressValue(crmio.Address{Street: "Priv address", City: "City", State: "region", Zip: "xx-xxx", Country: "USA"})},
				crmio.Item{Label: "work", Value: crmio.AddressValue(crmio.Address{Street: "Addr work", City: "Wcity", State: "Wstate", Zip: "33-333", Country: "Poland"})})},
			{row: 0, field: "website", want: crmio.URLValue("http://page.com")},
			{row: 0, field: "account", want: crmio.RefValue("", "Organization")},
			{row: 0, field: "title", want: crmio.TextValue("title")},
		}},
		{path: "thunderbird-import/mailnews/import/test/unit/resources/basic_csv_addressbook.csv", checks: []check{
			{row: 1, field: "name", want: crmio.TextValue("Jane Doe")},
			{row: 1, field: "email", want: crmio.ListValue(crmio.Item{Value: crmio.EmailValue("jane@doe.invalid")})},
			{row: 1, field: "phone", unset: true},
		}},
		{path: "vcard2csv-nbeaver/contacts.csv", warnings: 4, checks: []check{
			{row: 2, field: "name", want: crmio.TextValue("John  Doe")},
			{row: 2, field: "phone", want: crmio.ListValue(crmio.Item{Value: crmio.PhoneValue("+16175551212")})},
			{row: 2, field: "email", want: crmio.ListValue(crmio.Item{Value: crmio.EmailValue("johnDoe@example.org")})},
			{row: 1, field: "notes", want: crmio.TextValue("Examples:\nw 11111\nw Nowhere")},
			{row: 4, field: "phone", want: crmio.ListValue(crmio.Item{Value: crmio.PhoneValue("(111) 555-1212")})},
		}},
		{path: "roundcube-csv2vcard/tests/src/Csv2vcard/outlook.csv", checks: []check{
			{row: 0, field: "email", want: crmio.ListValue(crmio.Item{Value: crmio.EmailValue("test1@domain.tld")},
				crmio.Item{Value: crmio.EmailValue("test2@domain.tld")}, crmio.Item{Value: crmio.EmailValue("test3@domain.tld")})},
		}},
		{path: "roundcube-csv2vcard/tests/src/Csv2vcard/email.csv", checks: []check{
			{row: 3, field: "email", want: crmio.ListValue(crmio.Item{Value: crmio.EmailValue("test4@domain.tld")})},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			header, rows := readCSV(t, filepath.Join(root, tt.path))
			mp := FromSuggestions(Suggest(header, rows, m), Medium)
			mapper, err := Compile(m, mp, header, rows, nil)
			if err != nil {
				t.Fatal(err)
			}
			recs := make([]crmio.Record, len(rows))
			warnings := 0
			for i, row := range rows {
				rec, errs, warns := mapper.Apply(i+2, row)
				for _, e := range errs {
					t.Errorf("row %d: %v", i+2, e.Error())
				}
				for _, w := range warns {
					t.Logf("row %d: %v", i+2, w)
				}
				warnings += len(warns)
				recs[i] = rec
			}
			if warnings != tt.warnings {
				t.Errorf("%d warnings, want %d", warnings, tt.warnings)
			}
			for _, c := range tt.checks {
				got, set := recs[c.row].Values[c.field]
				switch {
				case c.unset && set:
					t.Errorf("row %d: %s = %v, want it unset", c.row+2, c.field, got)
				case !c.unset && !got.Equal(c.want):
					t.Errorf("row %d: %s = %v, want %v", c.row+2, c.field, got, c.want)
				}
			}
		})
	}
}
