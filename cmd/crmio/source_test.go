package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
)

func TestParseHeaderRow(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1": 1, " 4 ": 4, "none": formats.NoHeaderRow, "NONE": formats.NoHeaderRow} {
		if got, err := parseHeaderRow(in); err != nil || got != want {
			t.Errorf("parseHeaderRow(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-1", "x", "1.5"} {
		if _, err := parseHeaderRow(in); err == nil {
			t.Errorf("parseHeaderRow(%q): no error", in)
		}
	}
}

// headerlessContacts is a contacts export without a header row, as CSV.
const headerlessContacts = "Ada,Lovelace,ada@example.com,+44 20 7946 0000\n" +
	"Grace,Hopper,grace@example.com,+1 202 555 0143\n" +
	"Alan,Turing,alan@example.com,+44 161 496 0000\n"

// headerlessMapping maps the generated column names of a headerless file.
const headerlessMapping = `{"columns": [
  {"column": 0, "header": "Column 1", "field": "first_name"},
  {"column": 1, "header": "Column 2", "field": "last_name"},
  {"column": 2, "header": "Column 3", "field": "email"},
  {"column": 3, "header": "Column 4", "field": "phone"}
]}`

// TestImportHeaderless imports files without a header row, CSV, XLSX and
// XLS, with --header-row none and, for the CSV and XLSX files, with the
// detection alone: every record is created, none taken for the header.
func TestImportHeaderless(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	csvPath := write("contacts.csv", headerlessContacts)
	mappingPath := write("mapping.json", headerlessMapping)

	xlsxPath := filepath.Join(dir, "contacts.xlsx")
	f := excelize.NewFile()
	for i, row := range [][]any{
		{"Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000"},
		{"Grace", "Hopper", "grace@example.com", "+1 202 555 0143"},
		{"Alan", "Turing", "alan@example.com", "+44 161 496 0000"},
	} {
		if err := f.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Written by formats/xls's test writer (go test ./formats/xls -run
	// TestHeaderlessFixture -update).
	xlsPath, err := filepath.Abs(filepath.Join("..", "..", "formats", "xls", "testdata", "headerless.xls"))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		file  string
		flags []string
	}{
		{csvPath, nil},
		{csvPath, []string{"--header-row", "none"}},
		{xlsxPath, nil},
		{xlsxPath, []string{"--header-row", "none"}},
		{xlsPath, []string{"--header-row", "none"}},
	} {
		t.Run(filepath.Base(tc.file)+" "+strings.Join(tc.flags, " "), func(t *testing.T) {
			args := append([]string{"--db", "memory:", "import", tc.file, "--module", "people", "--mapping", mappingPath, "--json"}, tc.flags...)
			r := cli(t, args...)
			var out importOut
			decodeStrict(t, r.stdout, &out)
			if r.code != exitOK || out.Created != 3 || out.Failed != 0 {
				t.Errorf("exit %d, created %d, failed %d; want 3 created\nstderr:\n%s", r.code, out.Created, out.Failed, r.stderr)
			}
		})
	}

	// The first row taken for the header when the user says so: two records.
	r := cli(t, "--db", "memory:", "import", csvPath, "--module", "people", "--header-row", "1", "--json",
		"--mapping", write("named.json", `{"columns": [{"column": 1, "header": "Lovelace", "field": "last_name"}]}`))
	var out importOut
	decodeStrict(t, r.stdout, &out)
	if out.Created != 2 {
		t.Errorf("--header-row 1: created %d, want 2\nstderr:\n%s", out.Created, r.stderr)
	}

	// Usage errors say what to write instead.
	cli(t, "--db", "memory:", "import", csvPath, "--module", "people", "--header-row", "0").
		want(t, exitError, nil, []string{"--header-row none"})
}
