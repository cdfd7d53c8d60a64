package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

// peopleDB imports testdata/people.csv (Ada, Grace, Katherine and their
// companies) into a fresh SQLite store and returns its --db value.
func peopleDB(t *testing.T) string {
	t.Helper()
	db := sqliteDB(t)
	cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--auto-create-refs").want(t, exitRowsFailed, []string{"created             3"}, nil)
	return db
}

func TestExportWhere(t *testing.T) {
	db := peopleDB(t)
	tests := []struct {
		where []string
		want  []string // the last names exported, in order
	}{
		{nil, []string{"Lovelace", "Hopper", "Johnson"}},
		{[]string{"birthday < 1900-01-01"}, []string{"Lovelace"}},
		{[]string{"birthday>=1906-12-09"}, []string{"Hopper", "Johnson"}},
		{[]string{"birthday > 1900-01-01", "last_name != Hopper"}, []string{"Johnson"}},
		{[]string{"status = QUALIFIED"}, []string{"Lovelace"}},
		{[]string{"status != 'qualified'"}, []string{"Hopper", "Johnson"}},
		{[]string{"email = Grace@Example.com"}, []string{"Hopper"}},
		{[]string{"email contains EXAMPLE.COM"}, []string{"Lovelace", "Hopper", "Johnson"}},
		{[]string{"last_name contains ov"}, []string{"Lovelace"}},
		// A phone number compares as a number, whatever its format.
		{[]string{"phone = 415-555-0102"}, []string{"Lovelace"}},
		{[]string{"phone = +1 (212) 555 0134"}, []string{"Hopper"}},
		// A reference compares by the record its key names.
		{[]string{"account = us navy"}, []string{"Hopper"}},
		{[]string{`account = "Nobody Inc"`}, nil},
		{[]string{"account != NASA"}, []string{"Lovelace", "Hopper"}},
		{[]string{"address contains hampton"}, []string{"Johnson"}},
	}
	for _, tt := range tests {
		args := []string{"--db", db, "export", "--module", "people", "--fields", "last_name", "-o", "-"}
		for _, w := range tt.where {
			args = append(args, "--where", w)
		}
		r := cli(t, args...)
		r.want(t, exitOK, nil, nil)
		lines := strings.Split(strings.TrimRight(r.stdout, "\r\n"), "\r\n")
		if lines[0] != "Last name" || strings.Join(lines[1:], ",") != strings.Join(tt.want, ",") {
			t.Errorf("--where %q: got\n%s\nwant %q", tt.where, r.stdout, tt.want)
		}
	}
}

func TestExportBadWhere(t *testing.T) {
	db := peopleDB(t)
	for where, msg := range map[string]string{
		"birthday < 1900-13-01": `"1900-13-01" is not a date`,
		"nickname = Ada":        `module people has no field "nickname" (its fields: first_name, last_name`,
		"birthday ~ 1900":       `unknown operator after "birthday"`,
		"= Ada":                 "want 'field op value'",
		"status = maybe":        `"maybe" is not one of the choices`,
		"last_name contains":    "contains what?",
	} {
		r := cli(t, "--db", db, "export", "--module", "people", "--where", where, "-o", "-")
		r.want(t, exitError, nil, []string{"crmio export: --where", msg})
	}
}

func TestExportFormats(t *testing.T) {
	db := peopleDB(t)
	dir := t.TempDir()

	csvFile := filepath.Join(dir, "people.csv")
	r := cli(t, "--db", db, "export", "--module", "people", "--format", "csv", "--fields", "first_name,last_name,birthday,account",
		"--order", "-birthday", "--bom", "-o", csvFile)
	r.want(t, exitOK, []string{"Exported 3 people to " + csvFile + " (4 columns)."}, nil)
	data, _ := os.ReadFile(csvFile)
	want := "\xef\xbb\xbfFirst name,Last name,Birthday,Account\r\n" +
		"Katherine,Johnson,1918-08-26,NASA\r\nGrace,Hopper,1906-12-09,US Navy\r\nAda,Lovelace,1815-12-10,Analytical Engines\r\n"
	if string(data) != want {
		t.Errorf("CSV export:\n%q\nwant\n%q", data, want)
	}

	// --limit, and the format taken from the file's extension.
	xlsxFile := filepath.Join(dir, "people.xlsx")
	cli(t, "--db", db, "export", "--module", "people", "--limit", "2", "-o", xlsxFile).want(t, exitOK, []string{"Exported 2 people"}, nil)
	// The workbook imports straight back: its columns map to the fields.
	r = cli(t, "preview", xlsxFile, "--json")
	var p previewOut
	decodeStrict(t, r.stdout, &p)
	if p.Format != "xlsx" || len(p.Rows) != 2 || p.Rows[0][1] != "Lovelace" {
		t.Errorf("the XLSX export previews as %+v", p)
	}
	for _, c := range p.Columns {
		if c.Field == "" || c.Confidence != "high" {
			t.Errorf("exported column %q maps to %q (%s), want a field with high confidence", c.Name, c.Field, c.Confidence)
		}
	}

	pdfFile := filepath.Join(dir, "report.pdf")
	cli(t, "--db", db, "export", "--module", "people", "--format", "pdf", "--where", "status = new", "-o", pdfFile).want(t, exitOK, []string{"Exported 1 people"}, nil)
	if data, _ := os.ReadFile(pdfFile); !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Errorf("the PDF export starts with %q", data[:min(len(data), 8)])
	}

	// --bom is for CSV; an export that fails leaves no file.
	cli(t, "--db", db, "export", "--module", "people", "--bom", "-o", filepath.Join(dir, "x.xlsx")).want(t, exitError, nil, []string{"--bom is for CSV files"})
	r = cli(t, "--db", db, "export", "--module", "people", "-o", filepath.Join(dir, "missing", "x.csv"))
	r.want(t, exitError, nil, []string{"crmio export:", "missing"})
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left behind: %s", e.Name())
		}
	}
}

func TestParseWhere(t *testing.T) {
	people := schemas.Default().Module("people")
	tests := []struct {
		in, field string
		op        storage.Op
		value     string
	}{
		{"birthday < 1990-01-31", "birthday", storage.Lt, "1990-01-31"},
		{"birthday<=1990-01-31", "birthday", storage.Le, "1990-01-31"},
		{"  status   =   new  ", "status", storage.Eq, "new"},
		{"last_name != 'van Rossum'", "last_name", storage.Ne, "van Rossum"},
		{`notes contains "a = b"`, "notes", storage.Contains, "a = b"},
		{"notes CONTAINS x", "notes", storage.Contains, "x"},
		{"phone = (415) 555-0102", "phone", storage.Eq, "+14155550102"},
		{"created_on >= 03/15/2024", "created_on", storage.Ge, "2024-03-15"},
	}
	for _, tt := range tests {
		f, err := parseWhere(people, tt.in)
		if err != nil {
			t.Errorf("parseWhere(%q): %v", tt.in, err)
			continue
		}
		if f.Field != tt.field || f.Op != tt.op || f.Value.String() != tt.value {
			t.Errorf("parseWhere(%q) = %s %s %q, want %s %s %q", tt.in, f.Field, f.Op, f.Value.String(), tt.field, tt.op, tt.value)
		}
	}
}

// TestExportFieldsMultiValue: --fields email of people with one email each
// writes one email column, not one per label; email/work picks a label's
// column, whether it holds values or not; a label the field does not have
// is a usage error.
func TestExportFieldsMultiValue(t *testing.T) {
	db := peopleDB(t)
	for _, c := range []struct {
		fields string
		header string
	}{
		{"last_name,email", "Last name,Email"},
		{"last_name,email,phone", "Last name,Email,Phone (Mobile)"}, // the import read "Mobile Phone" as a mobile number
		{"email/work,last_name", "Email (Work),Last name"},
		{"last_name,email/home,email/work", "Last name,Email (Home),Email (Work)"},
	} {
		r := cli(t, "--db", db, "export", "--module", "people", "--fields", c.fields, "-o", "-")
		r.want(t, exitOK, nil, nil)
		lines := strings.Split(strings.TrimRight(r.stdout, "\r\n"), "\r\n")
		if lines[0] != c.header {
			t.Errorf("--fields %s: header %q, want %q", c.fields, lines[0], c.header)
		}
		if c.fields == "last_name,email" && (len(lines) != 4 || lines[1] != "Lovelace,ada@example.com") {
			t.Errorf("--fields %s:\n%s", c.fields, r.stdout)
		}
	}
	cli(t, "--db", db, "export", "--module", "people", "--fields", "email/pager", "-o", "-").
		want(t, exitError, nil, []string{`--fields: "email/pager": field "email" has no label "pager" (its labels: work, home, other)`})
	cli(t, "--db", db, "export", "--module", "people", "--fields", "email,email/home", "-o", "-").
		want(t, exitError, nil, []string{`--fields: field "email/home" is selected twice`})
	cli(t, "--db", db, "export", "--module", "people", "--fields", "nickname/work", "-o", "-").
		want(t, exitError, nil, []string{`--fields: module people has no field "nickname"`})
}

// storedPeople opens the SQLite store of a --db value and returns its
// people, by last name then first name.
func storedPeople(t *testing.T, db string) []crmio.Record {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var recs []crmio.Record
	for rec, err := range s.Scan(ctx, "people", storage.Query{Order: []storage.Order{{Field: "last_name"}, {Field: "first_name"}}}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// items returns a multi-value field's items as "label:value".
func items(rec crmio.Record, field string) []string {
	var out []string
	for _, it := range rec.Values[field].List() {
		v := it.Value.String()
		if a, ok := it.Value.Address(); ok {
			v = a.City
		}
		out = append(out, it.Label+":"+v)
	}
	return out
}

// TestImportVCard imports real vCard exports of all three versions
// (formats/vcard/testdata, sources in SOURCES.md there) into the people of
// the default schema: one record per card, with every email, phone and
// address of the card, each with its label (the people module has mobile,
// work, home and other: a fax or a pager is "other").
func TestImportVCard(t *testing.T) {
	vcf := func(name string) string {
		return testdata(filepath.Join("..", "..", "..", "formats", "vcard", "testdata", name))
	}
	for _, c := range []struct {
		file      string
		cards     int
		last      string // the card checked
		emails    []string
		phones    []string
		addresses []string
	}{
		{"ezvcard-John_Doe_MS_OUTLOOK.vcf", 1, "Doe", []string{":john.doe@ibm.cm"},
			[]string{"work:+19055551234", "home:+19056661234"}, []string{"work:Albaney", "home:New York"}},
		{"ezvcard-outlook-2007.vcf", 1, "Angstadt", []string{":mike.angstadt@gmail.com"},
			[]string{"work:(111) 555-1111", "home:(111) 555-2222", "mobile:(111) 555-4444", "work:(111) 555-3333"}, []string{"work:New York"}},
		{"ezvcard-John_Doe_MAC_ADDRESS_BOOK.vcf", 1, "Doe", []string{"work:john.doe@ibm.com"},
			[]string{"work:+19057771234", "home:+19056661234", "mobile:+19055551234", "home:+19058881234", "work:+19059991234", "other:905-111-1234", "other:+19052221234"}, // 905-111 is no valid number: kept as written,
			[]string{"home:New York", "work:New York"}},
		{"ezvcard-John_Doe_GMAIL.vcf", 1, "Doe", []string{"home:john.doe@ibm.com"}, []string{"mobile:+19055551234", "home:+19056661234"}, []string{"home:"}},
		{"ezvcard-John_Doe_EVOLUTION.vcf", 1, "Doe", []string{"work:john.doe@ibm.com"}, []string{"mobile:+19056661234", "work:+19055551234"}, []string{"home:Albaney"}},
		{"folkerkinzel-cardbook-v4.vcf", 2, "Mustermann",
			[]string{"home:privat@freenet.de", "work:geschaeftlich@freenet.de", "other:sonstige@freenet.de", ":nichts@wabbel.de"},
			[]string{"home:Privattelefon", "work:Diensttelefon", "other:Fax", "home:Fax privat", "work:Fax geschäftlich", ":Festnetz", "mobile:Mobil", "other:Pager", "other:sonstige", ":ohne"},
			[]string{"home:Entenhausen", "work:Entenhausen"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			db := sqliteDB(t)
			r := cli(t, "--db", db, "import", vcf(c.file), "--module", "people")
			if r.code != exitOK {
				t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			recs := storedPeople(t, db)
			if len(recs) != c.cards {
				t.Fatalf("%d records for %d cards:\n%s", len(recs), c.cards, r.stdout)
			}
			var rec crmio.Record
			for _, x := range recs {
				if x.Values["last_name"].Str() == c.last {
					rec = x
				}
			}
			for field, want := range map[string][]string{"email": c.emails, "phone": c.phones, "address": c.addresses} {
				if got := items(rec, field); !slices.Equal(got, want) {
					t.Errorf("%s: %q, want %q", field, got, want)
				}
			}
		})
	}
}

// TestExportVCardRoundTrip exports people to a vCard file (-o's extension
// picks the format) and imports it into a new store: the same records,
// field by field.
func TestExportVCardRoundTrip(t *testing.T) {
	db := sqliteDB(t)
	cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--auto-create-refs").want(t, exitRowsFailed, []string{"created             3"}, nil)
	before := storedPeople(t, db)
	file := filepath.Join(t.TempDir(), "people.vcf")
	cli(t, "--db", db, "export", "--module", "people", "-o", file).want(t, exitOK, []string{"Exported 3 people to " + file}, nil)
	data, _ := os.ReadFile(file)
	if !strings.HasPrefix(string(data), "BEGIN:VCARD\r\nVERSION:3.0\r\n") || strings.Count(string(data), "BEGIN:VCARD") != 3 {
		t.Fatalf("the export:\n%s", data)
	}
	db2 := sqliteDB(t)
	cli(t, "--db", db2, "import", file, "--module", "people", "--auto-create-refs").want(t, exitOK, []string{"created             3"}, nil)
	after := storedPeople(t, db2)
	if len(after) != len(before) {
		t.Fatalf("%d records back, want %d", len(after), len(before))
	}
	for i := range before {
		if len(after[i].Values) != len(before[i].Values) {
			t.Errorf("%s: fields %v, want %v", before[i].Values["last_name"].Str(), after[i].Values, before[i].Values)
		}
		for name, v := range before[i].Values {
			w := after[i].Values[name]
			if name == "account" { // a reference: another store's id, the same key
				bk, _ := v.Ref()
				ak, _ := w.Ref()
				if bk.Key != ak.Key {
					t.Errorf("%s: account %q, want %q", before[i].Values["last_name"].Str(), ak.Key, bk.Key)
				}
				continue
			}
			if !v.Equal(w) {
				t.Errorf("%s: %s = %v, want %v", before[i].Values["last_name"].Str(), name, w, v)
			}
		}
	}

	// --format vcf writes vCard whatever the name.
	cli(t, "--db", db, "export", "--module", "people", "--format", "vcf", "--fields", "first_name,last_name,email", "-o", "-").
		want(t, exitOK, []string{"BEGIN:VCARD", "EMAIL:ada@example.com", "N:Lovelace;Ada;;;"}, nil)
}
