package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappingMemory: after 'crmio import a.csv --mapping m.json',
// 'crmio preview b.csv' of a file with the same header shows m.json's
// fields at high confidence, naming the import; --no-memory ignores it;
// 'crmio import b.csv' without --mapping imports it that way.
func TestMappingMemory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// Titles the suggester cannot read: "Kdnr" (a customer number) and
	// "Wer" (who), which the user mapped by hand.
	header := "Kdnr,Wer,Familie,Kontakt\n"
	a := write("a.csv", header+"K-1,Ada,Lovelace,ada@example.com\n")
	b := write("b.csv", header+"K-2,Bob,Byron,bob@example.com\nK-3,Cy,Young,cy@example.com\n")
	m := write("m.json", `{"columns": [
		{"column": 0, "header": "Kdnr", "field": "notes"},
		{"column": 1, "header": "Wer", "field": "first_name"},
		{"column": 2, "header": "Familie", "field": "last_name"},
		{"column": 3, "header": "Kontakt", "field": "email", "label": "work"}]}`)
	env := []string{"CRMIO_DB=sqlite:" + filepath.Join(dir, "crmio.db")}

	// Before any import the store has no file: preview creates none.
	r := exeIn(t, dir, env, "", "preview", b, "--module", "people", "--json")
	r.want(t, exitOK, nil, nil)
	if _, err := os.Stat(filepath.Join(dir, "crmio.db")); err == nil {
		t.Fatal("preview created the store")
	}

	r = exeIn(t, dir, env, "", "import", a, "--module", "people", "--mapping", m, "--json")
	r.want(t, exitOK, nil, nil)
	var sum struct{ Job string }
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Job == "" {
		t.Fatalf("import --json: %v\n%s", err, r.stdout)
	}

	type column struct{ Field, Label, Confidence, Reason string }
	preview := func(args ...string) []column {
		t.Helper()
		r := exeIn(t, dir, env, "", append([]string{"preview", b, "--json"}, args...)...)
		r.want(t, exitOK, nil, nil)
		var p struct{ Columns []column }
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
			t.Fatalf("preview --json: %v\n%s", err, r.stdout)
		}
		return p.Columns
	}
	want := []column{{Field: "notes"}, {Field: "first_name"}, {Field: "last_name"}, {Field: "email", Label: "work"}}
	cols := preview()
	for i, w := range want {
		c := cols[i]
		if c.Field != w.Field || c.Label != w.Label || c.Confidence != "high" || !strings.Contains(c.Reason, "import "+sum.Job) {
			t.Errorf("column %d: %+v, want %s (%s) at high, naming import %s", i+1, c, w.Field, w.Label, sum.Job)
		}
	}
	for i, c := range preview("--no-memory") {
		if strings.Contains(c.Reason, "remembered") || c.Field == "notes" {
			t.Errorf("--no-memory: column %d: %+v", i+1, c)
		}
	}

	// Imported without --mapping, the same way.
	r = exeIn(t, dir, env, "", "import", b, "--module", "people")
	r.want(t, exitOK, []string{"created             2"}, nil)
	r = exeIn(t, dir, env, "", "export", "--module", "people", "--fields", "first_name,last_name,notes", "-o", "-")
	r.want(t, exitOK, []string{"Bob,Byron,K-2", "Cy,Young,K-3"}, nil)
}
