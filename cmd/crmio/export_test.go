package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
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
