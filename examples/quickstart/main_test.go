package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestQuickstartInMemory(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "memory:", false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Imported 19 rows in instant mode: 14 created, 2 updated, 0 skipped, 3 failed; 9 accounts created.",
		`row 13, column "E-mail Address": "not-an-email" is not an email address`,
		"Rolled back job",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}

// With SQLite, a kept import survives the process and the next run rolls
// it back from the history.
func TestQuickstartKeepsHistoryInSQLite(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "crm.db")
	var first, second bytes.Buffer
	if err := run(context.Background(), &first, db, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "Kept job 1") {
		t.Fatalf("first run:\n%s", first.String())
	}
	if err := run(context.Background(), &second, db, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(second.String(), "Rolled back job 1 of an earlier run (contacts.csv") || !strings.Contains(second.String(), "23 records deleted") {
		t.Errorf("second run:\n%s", second.String())
	}
}
