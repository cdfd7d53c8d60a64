package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "people.csv")
	r := cli(t, "template", "--module", "people", "--format", "csv", "-o", csvFile)
	r.want(t, exitOK, []string{
		"Wrote " + csvFile + ": the people template, 38 columns (1 required).",
		"Last name                  yes",
		"Birthday                             2024-03-15",
		"a date, YYYY-MM-DD",
	}, nil)
	rows := readCSV(t, csvFile)
	if len(rows) != 2 || rows[0][1] != "Last name" || rows[1][1] != "Lovelace" {
		t.Fatalf("template:\n%q", rows)
	}

	// The template imports cleanly: one record, no failed row.
	db := sqliteDB(t)
	r = cli(t, "--db", db, "import", csvFile, "--module", "people", "--auto-create-refs")
	r.want(t, exitOK, []string{"created             1", "failed              0", "references created  1"}, nil)

	// XLSX, with only the fields asked for (and the required ones).
	xlsxFile := filepath.Join(dir, "leads.xlsx")
	r = cli(t, "template", "--module", "leads", "--fields", "email,source", "-o", xlsxFile)
	r.want(t, exitOK, []string{"the leads template, 3 columns (1 required)", "Source", "one of: web, referral"}, nil)
	r = cli(t, "preview", xlsxFile, "--module", "leads", "--json")
	var p previewOut
	decodeStrict(t, r.stdout, &p)
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name+"→"+c.Field)
	}
	if got := strings.Join(names, ", "); got != "Email→email, Source→source, Last name→last_name" || p.Format != "xlsx" {
		t.Errorf("the leads template's columns: %s (%s)", got, p.Format)
	}

	// To the standard output, nothing but the file.
	r = cli(t, "template", "--module", "accounts", "-o", "-")
	r.want(t, exitOK, []string{"Name,Website,"}, nil)
	if strings.Contains(r.stdout, "Wrote") {
		t.Errorf("template -o - mixes the column list into the file:\n%s", r.stdout)
	}

	r = cli(t, "template", "--module", "people", "--fields", "shoe_size", "-o", filepath.Join(dir, "x.csv"))
	r.want(t, exitError, nil, []string{`--fields: module people has no field "shoe_size"`})
	if _, err := os.Stat(filepath.Join(dir, "x.csv")); err == nil {
		t.Error("a failed template left a file")
	}
}
