package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/mapping"
)

// previewOut has exactly the keys of crmio preview --json.
type previewOut struct {
	Format    string `json:"format"`
	Encoding  string `json:"encoding"`
	Delimiter string `json:"delimiter"`
	HeaderRow int    `json:"header_row"`
	Columns   []struct {
		Index      int    `json:"index"`
		Name       string `json:"name"`
		Field      string `json:"field"`
		Label      string `json:"label"`
		Part       string `json:"part"`
		Confidence string `json:"confidence"`
		Reason     string `json:"reason"`
	} `json:"columns"`
	Rows [][]string `json:"rows"`
}

func TestPreviewText(t *testing.T) {
	r := cli(t, "preview", testdata("people.csv"))
	r.want(t, exitOK, []string{
		"people.csv: CSV, utf-8, delimiter ',', header on row 1",
		"Module: people (the best fit; choose another with --module)",
		"Columns:",
		"Mobile Phone  phone (mobile)",
		"City          address city",
		"First 5 rows:",
		"Lovelace",
	}, nil)
	if !strings.Contains(r.stdout, "nobody@example.com") || strings.Contains(r.stdout, "ADA@example.com") {
		t.Errorf("want the first 5 rows only:\n%s", r.stdout)
	}

	// Any module can be chosen; the rows are capped by --rows.
	r = cli(t, "preview", testdata("people.csv"), "--module", "leads", "--rows", "1")
	r.want(t, exitOK, []string{"Module: leads\n", "Company", "First 1 rows:"}, nil)

	// A file of the Pivor schema is previewed against it.
	r = cli(t, "--schema", testdata("../../../examples/schemas/pivor.json"), "preview", testdata("pivor/communications.csv"))
	r.want(t, exitOK, []string{"Module: communications (the best fit", "Contact name  contact_name"}, nil)
}

func TestPreviewJSON(t *testing.T) {
	r := cli(t, "preview", testdata("kunden.csv"), "--json", "--rows", "1")
	r.want(t, exitOK, nil, nil)
	var p previewOut
	decodeStrict(t, r.stdout, &p)
	if p.Format != "csv" || p.Encoding != "windows-1252" || p.Delimiter != ";" || p.HeaderRow != 1 {
		t.Errorf("format %q, encoding %q, delimiter %q, header row %d; want csv, windows-1252, ;, 1", p.Format, p.Encoding, p.Delimiter, p.HeaderRow)
	}
	wantCols := []struct{ name, field, part string }{
		{"Vorname", "first_name", ""}, {"Nachname", "last_name", ""}, {"E-Mail-Adresse", "email", ""},
		{"Firma", "account", ""}, {"Ort", "address", "city"},
	}
	if len(p.Columns) != len(wantCols) {
		t.Fatalf("%d columns, want %d: %+v", len(p.Columns), len(wantCols), p.Columns)
	}
	for i, c := range p.Columns {
		w := wantCols[i]
		if c.Index != i || c.Name != w.name || c.Field != w.field || c.Part != w.part || c.Confidence != "high" || c.Reason == "" {
			t.Errorf("column %d = %+v, want index %d, %s → %s %s, high, a reason", i, c, i, w.name, w.field, w.part)
		}
	}
	if len(p.Rows) != 1 || strings.Join(p.Rows[0], "|") != "Jürgen|Müller|juergen@example.de|Bäckerei Müller|Köln" {
		t.Errorf("rows = %q, want the first row decoded from Windows-1252", p.Rows)
	}

	// Labels are lower-case; unmapped columns have no field and confidence none.
	dir := t.TempDir()
	file := filepath.Join(dir, "x.csv")
	os.WriteFile(file, []byte("Last Name,Mobile Phone,Zzyzx\nLovelace,+14155550102,q\n"), 0o644)
	r = cli(t, "preview", file, "--json", "--module", "people")
	decodeStrict(t, r.stdout, &p)
	if c := p.Columns[1]; c.Field != "phone" || c.Label != "mobile" {
		t.Errorf("Mobile Phone → %+v, want phone, label mobile", c)
	}
	if c := p.Columns[2]; c.Field != "" || c.Label != "" || c.Part != "" || c.Confidence != "none" {
		t.Errorf("Zzyzx → %+v, want no field, confidence none", c)
	}
	if p.Delimiter != "," || len(p.Rows) != 1 {
		t.Errorf("delimiter %q, %d rows", p.Delimiter, len(p.Rows))
	}
}

// A workbook: the sheets are listed and --sheet picks one; the standard
// input works too.
func TestPreviewWorkbookAndStdin(t *testing.T) {
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "people.xlsx")
	cli(t, "template", "--module", "people", "-o", xlsx).want(t, exitOK, nil, nil)

	r := cli(t, "preview", xlsx, "--module", "people")
	r.want(t, exitOK, []string{"people.xlsx: XLSX", `Sheets: People, Instructions (reading "People"`, "Phone (Mobile)", "phone (mobile)"}, nil)

	r = cli(t, "preview", xlsx, "--module", "people", "--sheet", "Instructions", "--json")
	var p previewOut
	decodeStrict(t, r.stdout, &p)
	if p.Format != "xlsx" || p.Delimiter != "" || len(p.Columns) == 0 || p.Columns[0].Name != "Column" {
		t.Errorf("the Instructions sheet: %+v", p)
	}
	r = cli(t, "preview", xlsx, "--sheet", "Summary")
	r.want(t, exitError, nil, []string{"Summary", "crmio preview FILE"})

	data, _ := os.ReadFile(testdata("people.csv"))
	r = exe(t, nil, string(data), "preview", "-", "--rows", "2")
	r.want(t, exitOK, []string{"stdin: CSV", "Module: people", "First 2 rows:"}, nil)
}

// --save-mapping writes the suggested mapping, which import --mapping reads.
func TestPreviewSaveMapping(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.json")
	r := cli(t, "preview", testdata("people.csv"), "--module", "people", "--save-mapping", out, "--rows", "0")
	r.want(t, exitOK, []string{"Saved the suggested mapping to " + out}, nil)
	mp, err := readMapping(out)
	if err != nil {
		t.Fatal(err)
	}
	if tg, ok := mp.Target(3); !ok || tg != (mapping.Target{Field: "phone", Label: "mobile"}) {
		t.Errorf("column 3 → %+v, %v; want phone (mobile)", tg, ok)
	}
	r = cli(t, "--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--mapping", out)
	r.want(t, exitRowsFailed, []string{"created             3"}, nil)
}
