package exporter_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/storage"
)

// TestExportPDF exports 1,000 records with non-ASCII names as a PDF report
// and reads it back with poppler's pdftotext: the title block says what
// was exported, every page repeats the header, choices show their labels.
func TestExportPDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Skip(t, testenv.Poppler, tool+" not installed")
		}
	}
	names := []string{"Zoë", "Jürgen", "Łukasz", "Ωμέγα", "Кириллица"}
	var recs []crmio.Record
	for i := range 1000 {
		owner := "alice"
		if i%10 == 9 {
			owner = "bob"
		}
		recs = append(recs, crmio.Record{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue(names[i%len(names)]),
			"last_name":  crmio.TextValue(fmt.Sprintf("Nº%04d", i)),
			"email":      crmio.ListValue(crmio.Item{Label: "work", Value: crmio.EmailValue(fmt.Sprintf("p%d@example.com", i))}),
			"status":     crmio.TextValue([]string{"new", "qualified"}[i%2]),
			"score":      crmio.NumberValue(crmio.MustDecimal(fmt.Sprintf("%d.50", i))),
			"owner":      crmio.TextValue(owner),
		}})
	}
	store := newStore(t, recs)
	var buf bytes.Buffer
	res, err := exporter.ExportReport(context.Background(), store, peopleModule(), exporter.Report{
		Name: "Qualified people", Module: "people",
		Where:  []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("qualified")}},
		Fields: []string{"first_name", "last_name", "email", "status", "score"},
	}, &buf, &exporter.Options{
		Format:      exporter.PDF,
		Scope:       &storage.Scope{Name: "Alice's accounts", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("alice")}}},
		GeneratedAt: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 400 { // 500 qualified (odd i), minus bob's 100 (i%10 == 9)
		t.Errorf("%d rows, want 400", res.Rows)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	os.WriteFile(path, buf.Bytes(), 0o644)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f"), "\f")
	if len(pages) < 2 {
		t.Fatalf("%d pages", len(pages))
	}
	first := pages[0]
	for _, want := range []string{"Qualified people", "Module:", "People", `Filter:`, `Status = "qualified"`, "Visible to:", "Alice's accounts", "Generated:", "2025-01-02 03:04 UTC"} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q:\n%s", want, first)
		}
	}
	// One column per field: the emails, with their labels, in one cell.
	header := regexp.MustCompile(`First name\s+Last name\s+Email\s+Status\s+Score`)
	rows := 0
	for i, p := range pages {
		if !header.MatchString(p) {
			t.Errorf("page %d lacks the header:\n%s", i+1, p)
		}
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks its page number", i+1)
		}
		rows += len(regexp.MustCompile(`p\d+@example\.com`).FindAllString(p, -1))
	}
	if rows != 400 {
		t.Errorf("%d rows in the text, want 400", rows)
	}
	if !regexp.MustCompile(`Jürgen\s+Nº0001\s+Work: p1@example\.com\s+Qualified\s+1\.50`).MatchString(first) {
		t.Errorf("row of Jürgen missing or choice not shown by label:\n%s", first)
	}
	if strings.Contains(string(out), "p9@example.com") {
		t.Error("bob's record is in alice's report")
	}
}
