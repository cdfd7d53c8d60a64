package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/internal/contactgen"
)

// importOut has exactly the keys of crmio import --json.
type importOut struct {
	Job               string       `json:"job"`
	Mode              string       `json:"mode"`
	Status            string       `json:"status"`
	Read              int          `json:"read"`
	Resumed           int          `json:"resumed"`
	Problems          []groupOut   `json:"problems"`
	Created           int          `json:"created"`
	Updated           int          `json:"updated"`
	Skipped           int          `json:"skipped"`
	Failed            int          `json:"failed"`
	ReferencesCreated int          `json:"references_created"`
	Errors            []problemOut `json:"errors"`
	Warnings          []problemOut `json:"warnings"`
}

type groupOut struct {
	Severity string `json:"severity"`
	Column   string `json:"column"`
	Field    string `json:"field"`
	Reason   string `json:"reason"`
	Count    int    `json:"count"`
	Rows     []int  `json:"rows"`
	Example  string `json:"example"`
}

type problemOut struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// testdata/people.csv: 6 rows; row 4 has a bad email, row 6 no last name,
// row 7 repeats row 2's email in upper case.
func TestImportText(t *testing.T) {
	db := sqliteDB(t)
	failed := filepath.Join(t.TempDir(), "failed.csv")
	r := cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--auto-create-refs", "--errors", failed)
	r.want(t, exitRowsFailed, []string{
		"Imported people.csv into people: 6 rows in",
		"(instant mode, job 1)",
		"created             3",
		"updated             0",
		"skipped             1",
		"failed              2",
		"references created  3",
		"The failed rows are in " + failed,
		"crmio rollback 1",
	}, []string{
		`people.csv: row 4, column "Email": "alan@example" is not an email address`,
		`people.csv: row 6, column "Last Name": Last name is required but "Last Name" is empty`,
		"people.csv: warning: row 7: duplicate of row 2",
	})
	if strings.Contains(r.stderr, "\r") {
		t.Error("a progress bar was drawn on a stderr that is not a terminal")
	}

	rows := readCSV(t, failed)
	if len(rows) != 3 || rows[0][len(rows[0])-1] != "Error" || rows[1][0] != "Alan" ||
		!strings.Contains(rows[1][8], `"alan@example" is not an email address`) || !strings.Contains(rows[2][8], "Last name is required") {
		t.Errorf("failed rows file:\n%q", rows)
	}

	// Importing again skips every duplicate; the file still fails its two rows.
	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--errors", failed)
	r.want(t, exitRowsFailed, []string{"created             0", "skipped             4", "failed              2", "job 2"}, nil)

	// --duplicates update with --merge overwrite updates them.
	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--duplicates", "update", "--merge", "overwrite", "--set", "notes=updated")
	r.want(t, exitRowsFailed, []string{"created             0", "updated             4", "skipped             0"}, nil)

	// Without failures, the errors file holds the header alone.
	clean := filepath.Join(t.TempDir(), "clean.csv")
	os.WriteFile(clean, []byte("Last Name,Email\nLovelace,ada2@example.com\n"), 0o644)
	cli(t, "--db", db, "import", clean, "--module", "people", "--errors", failed).want(t, exitOK, nil, nil)
	if rows := readCSV(t, failed); len(rows) != 1 || strings.Join(rows[0], ",") != "Last Name,Email,Error" {
		t.Errorf("errors file of a clean import: %q", rows)
	}
	// An import that cannot start leaves no errors file; one that would
	// overwrite the input is refused.
	none := filepath.Join(t.TempDir(), "none.csv")
	cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--mapping", testdata("bad-mapping.json"), "--errors", none).want(t, exitError, nil, nil)
	if _, err := os.Stat(none); err == nil {
		t.Error("an import that did not start created its errors file")
	}
	cli(t, "--db", db, "import", clean, "--module", "people", "--errors", clean).want(t, exitError, nil, []string{"would overwrite the file being imported"})

	// --duplicates create creates them again.
	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--duplicates", "create", "--quiet")
	r.want(t, exitRowsFailed, []string{"created             4"}, nil)
}

func TestImportJSON(t *testing.T) {
	r := cli(t, "--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--json", "--set", "status=new")
	r.want(t, exitRowsFailed, nil, nil)
	if r.stderr != "" {
		t.Errorf("--json: stderr should be empty, got:\n%s", r.stderr)
	}
	var out importOut
	decodeStrict(t, r.stdout, &out)
	if out.Job == "" || out.Mode != "instant" || out.Created != 3 || out.Updated != 0 || out.Skipped != 1 || out.Failed != 2 || out.ReferencesCreated != 0 {
		t.Errorf("summary %+v; want a job, instant, 3 created, 1 skipped, 2 failed", out)
	}
	wantErrors := []problemOut{
		{Row: 4, Column: "Email", Field: "email", Value: "alan@example", Message: `"alan@example" is not an email address`},
		{Row: 6, Column: "Last Name", Field: "last_name", Value: "", Message: `Last name is required but "Last Name" is empty`},
	}
	if len(out.Errors) != len(wantErrors) {
		t.Fatalf("errors = %+v, want %+v", out.Errors, wantErrors)
	}
	for i, e := range out.Errors {
		if e != wantErrors[i] {
			t.Errorf("error %d = %+v, want %+v", i, e, wantErrors[i])
		}
	}
	// Without --auto-create-refs the companies are missing: a warning per row,
	// naming the column.
	var refWarnings int
	for _, w := range out.Warnings {
		if w.Column == "Company" && w.Field == "account" && strings.Contains(w.Message, "no accounts record is named") {
			refWarnings++
		}
	}
	if refWarnings != 4 {
		t.Errorf("want 4 warnings of unresolved companies (the skipped duplicate too), got %+v", out.Warnings)
	}

	// A clean import: empty lists, not null, and exit status 0.
	clean := filepath.Join(t.TempDir(), "clean.csv")
	os.WriteFile(clean, []byte("Last Name,Email\nLovelace,ada@example.com\n"), 0o644)
	r = cli(t, "--db", "memory:", "import", clean, "--module", "people", "--json")
	r.want(t, exitOK, []string{`"errors": []`, `"warnings": []`, `"created": 1`}, nil)
}

func TestImportDryRun(t *testing.T) {
	db := sqliteDB(t)
	r := cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--dry-run", "--auto-create-refs")
	r.want(t, exitRowsFailed, []string{"Dry run, nothing written: would import people.csv", "created             3", "references created  3"}, nil)
	if strings.Contains(r.stdout, "rollback") {
		t.Errorf("a dry run has nothing to roll back:\n%s", r.stdout)
	}
	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--dry-run", "--json")
	var out importOut
	decodeStrict(t, r.stdout, &out)
	if out.Job != "" || out.Created != 3 {
		t.Errorf("dry run: %+v, want no job and 3 would-be records", out)
	}
	cli(t, "--db", db, "history").want(t, exitOK, []string{"No imports yet."}, nil)
	r = cli(t, "--db", db, "export", "--module", "people", "-o", "-")
	if lines := strings.Count(r.stdout, "\n"); lines != 1 {
		t.Errorf("after dry runs the export should hold the header only:\n%s", r.stdout)
	}
}

// A mapping file replaces the automatic mapping; one that does not fit
// the module is reported, every problem at once.
func TestImportMapping(t *testing.T) {
	db := sqliteDB(t)
	r := cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--mapping", testdata("mapping.json"))
	r.want(t, exitRowsFailed, []string{"created             3"}, nil)
	r = cli(t, "--db", db, "export", "--module", "people", "--fields", "last_name,email,phone,notes", "-o", "-")
	r.want(t, exitOK, []string{"Lovelace,ada@example.com,,from the mapping file"}, nil) // --fields leaves out the empty label columns

	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--mapping", testdata("bad-mapping.json"))
	r.want(t, exitError, nil, []string{
		"crmio import: 3 problems:",
		`column 3 "Email": Email has no label "pager" (its labels: work, home, other)`,
		`column 4 "Mobile Phone": module "people" has no field "fax"`,
		`field "last_name": Last name is required`,
		"--save-mapping",
	})
	r = cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--mapping", testdata("typo-mapping.json"))
	r.want(t, exitError, nil, []string{"typo-mapping.json is not a valid mapping file", `unknown field "feild"`})
}

// The file can come from the standard input, and flags may precede it.
func TestImportStdin(t *testing.T) {
	data, err := os.ReadFile(testdata("people.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := exe(t, []string{"CRMIO_DB=memory:"}, string(data), "import", "--module", "people", "--json", "-")
	r.want(t, exitRowsFailed, []string{`"created": 3`}, nil)
}

// CRMIO_DB sets the default store; --db overrides it.
func TestDBVariable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.db")
	env := []string{"CRMIO_DB=sqlite:" + path}
	exe(t, env, "", "import", testdata("people.csv"), "--module", "people").want(t, exitRowsFailed, nil, nil)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("CRMIO_DB was not used: %v", err)
	}
	exe(t, env, "", "history").want(t, exitOK, []string{"people.csv"}, nil)
	exe(t, env, "", "--db", "memory:", "history").want(t, exitOK, []string{"No imports yet."}, nil)
}

// Without --db or CRMIO_DB, the store is crmio.db in the working directory.
func TestDefaultDB(t *testing.T) {
	dir := t.TempDir()
	exeIn(t, dir, nil, "", "import", testdata("people.csv"), "--module", "people").want(t, exitRowsFailed, nil, nil)
	if _, err := os.Stat(filepath.Join(dir, "crmio.db")); err != nil {
		t.Fatalf("the default store: %v", err)
	}
	exeIn(t, dir, nil, "", "history").want(t, exitOK, []string{"people.csv"}, nil)
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestGroupedProblems imports 100,000 rows with a bad value in two
// columns of every row: the text output reports each column's problem on
// one line, with its count and first rows, and --json carries the groups.
func TestGroupedProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 rows")
	}
	path := filepath.Join(t.TempDir(), "bad.csv")
	var b strings.Builder
	b.WriteString("Last Name,Email,Mobile Phone\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "Name%d,not-an-email-%d,555-01%02d\n", i, i, i%100)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mp := filepath.Join(t.TempDir(), "mapping.json")
	if err := os.WriteFile(mp, []byte(`{"columns": [{"column": 0, "field": "last_name"}, {"column": 1, "field": "email"},
		{"column": 2, "field": "phone", "label": "mobile"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "--db", "memory:", "import", path, "--module", "people", "--mapping", mp, "--quiet")
	r.want(t, exitRowsFailed, []string{"failed              100000"}, []string{
		`bad.csv: error: column "Email": 100,000 rows: "…" is not an email address (rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …)`,
		`bad.csv: warning: column "Mobile Phone": 100,000 rows:`,
	})
	if lines := strings.Count(r.stderr, "\n"); lines != 2 {
		t.Errorf("the problems take %d lines, want 2:\n%s", lines, r.stderr)
	}
	r = cli(t, "--db", "memory:", "import", path, "--module", "people", "--mapping", mp, "--json")
	var out importOut
	decodeStrict(t, r.stdout, &out)
	if len(out.Problems) != 2 || out.Problems[0].Count != 100000 || out.Problems[1].Count != 100000 ||
		out.Problems[0].Column != "Email" || out.Problems[1].Column != "Mobile Phone" || len(out.Problems[0].Rows) != 10 {
		t.Errorf("--json problems: %+v", out.Problems)
	}
}

// TestMessagesInTheToolsWords: what the tool says of a file speaks of its
// own flags and names the file: a sheet the workbook lacks points to
// --sheet, a file over the size limit to the --max-size that would read it,
// a malformed CSV row is reported with the file, row and column.
func TestMessagesInTheToolsWords(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "book.xlsx")
	if err := contactgen.WriteXLSXFile(book, 10, nil); err != nil {
		t.Fatal(err)
	}
	cli(t, "--db", "memory:", "import", book, "--module", "people", "--sheet", "nosuch").want(t, exitError, nil,
		[]string{`book.xlsx: no such sheet: "nosuch"`, "--sheet NAME"})
	cli(t, "--db", "memory:", "import", book, "--module", "people", "--max-size", "1KB").want(t, exitError, nil,
		[]string{"book.xlsx: file too large", "reads this file; --max-size -1 sets none"})
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("First Name,Last Name,Email\nAda,Lo\"velace,ada@example.com\nAlan,Turing,alan@example.com\n"), 0o644)
	cli(t, "--db", "memory:", "import", bad, "--module", "people").want(t, exitRowsFailed, []string{"created             1"},
		[]string{`bad.csv: row 2, column "Last Name": the row cannot be read: bare " in non-quoted-field`})
}
