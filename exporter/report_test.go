package exporter_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/schemas"
)

// contacts returns n people of the default schema as a CRM holds them:
// names of every length, one to three emails and up to three phones with
// labels (some long addresses), an account, a title, an address, a
// status, a birthday and now and then a note.
func contacts(n int) []crmio.Record {
	rng := rand.New(rand.NewPCG(16, 2000))
	first := []string{"Ada", "Grace", "Katherine", "Zoë", "Jürgen", "Łukasz", "Søren", "José", "Margaret", "Bartholomew", "Ngozi", "Wei", "Anna-Lena", "Dorothy"}
	last := []string{"Lovelace", "Hopper", "Johnson", "Müller", "Wałęsa", "Kierkegaard", "García Márquez", "Hamilton", "van der Berg-Oosterhuis", "Okonkwo", "Zhang", "O'Neill", "Vaughan"}
	domains := []string{"example.com", "mail.example.org", "consulting-partners.example.co.uk", "example.de", "uni-heidelberg.example.edu"}
	companies := []string{"Acme Inc.", "Analytical Engines Ltd", "US Navy", "NASA", "Initech", "Globex Corporation", "Müller & Söhne GmbH", "Wayne Enterprises", "Umbrella Research and Development International"}
	titles := []string{"Engineer", "Manager", "Director of Business Development", "VP Sales", "Analyst", "CEO", "Consultant"}
	areas := []string{"415", "212", "512", "206", "617"}
	labels := []string{"work", "home", "other"}
	phoneLabels := []string{"mobile", "work", "home", "other"}
	recs := make([]crmio.Record, n)
	for i := range recs {
		f, l := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		local := strings.ToLower(strings.NewReplacer(" ", "", "'", "", "ë", "e", "ü", "u", "ł", "l", "ę", "e", "ø", "o", "é", "e", "á", "a").Replace(f + "." + l))
		var emails []crmio.Item
		for k := range 1 + rng.IntN(3)*rng.IntN(2) {
			emails = append(emails, crmio.Item{Label: labels[k], Value: crmio.EmailValue(fmt.Sprintf("%s%d@%s", local, i, domains[(i+k)%len(domains)]))})
		}
		var phones []crmio.Item
		for k := range rng.IntN(4) {
			number := fmt.Sprintf("+1 %s 555 %04d", areas[rng.IntN(len(areas))], rng.IntN(10000))
			if k == 1 {
				number = fmt.Sprintf("+1%s555%04d", areas[rng.IntN(len(areas))], rng.IntN(10000)) // E.164, as imports store them
			}
			phones = append(phones, crmio.Item{Label: phoneLabels[k], Value: crmio.PhoneValue(number)})
		}
		v := map[string]crmio.Value{
			"first_name": crmio.TextValue(f),
			"last_name":  crmio.TextValue(l),
			"email":      crmio.ListValue(emails...),
			"title":      crmio.TextValue(titles[rng.IntN(len(titles))]),
			"account":    crmio.RefValue(strconv.Itoa(rng.IntN(100)), companies[rng.IntN(len(companies))]),
			"address": crmio.ListValue(crmio.Item{Label: "work", Value: crmio.AddressValue(crmio.Address{
				Street: fmt.Sprintf("%d Main Street", 1+rng.IntN(999)), City: "Springfield", State: "IL", Zip: "62701", Country: "US"})}),
			"status":   crmio.TextValue([]string{"new", "contacted", "qualified", "lost"}[rng.IntN(4)]),
			"birthday": crmio.DateValue(crmio.NewDate(1950+rng.IntN(50), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))),
		}
		if len(phones) > 0 {
			v["phone"] = crmio.ListValue(phones...)
		}
		if i%9 == 0 {
			v["notes"] = crmio.TextValue("Met at the spring conference; wants a call back about the renewal of the support contract before the end of the quarter.")
		}
		recs[i] = crmio.Record{Values: v}
	}
	return recs
}

// TestDefaultPDFReport exports 2,000 people of the default schema as a
// PDF report with default options, and reads it back with poppler: at
// most 80 pages, every email and phone number whole in the text, the
// list fields on every page, no empty column.
func TestDefaultPDFReport(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Skip(t, testenv.Poppler, tool+" not installed")
		}
	}
	people := schemas.Default().Module("people")
	recs := contacts(2000)
	store := newStore(t, recs)
	var buf bytes.Buffer
	res, err := exporter.Export(context.Background(), store, people, &buf, &exporter.Options{Format: exporter.PDF})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2000 {
		t.Fatalf("%d rows", res.Rows)
	}
	dir := t.TempDir()
	if keep := os.Getenv("CRMIO_KEEP_PDF"); keep != "" {
		dir = keep // to look at the pages: CRMIO_KEEP_PDF=/tmp/x go test -run DefaultPDF
	}
	path := filepath.Join(dir, "people.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	pages, _ := strconv.Atoi(string(m[1]))
	t.Logf("2,000 people: %d pages, %d KB", pages, buf.Len()>>10)
	if pages > 80 {
		t.Errorf("%d pages for 2,000 people, want at most 80", pages)
	}
	// Without -layout pdftotext gives each cell's lines in reading order;
	// a value broken across lines would not be found.
	out, err := exec.Command("pdftotext", "-raw", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	missing := 0
	for _, r := range recs {
		for _, field := range []string{"email", "phone"} {
			for _, it := range r.Values[field].List() {
				if !strings.Contains(text, it.Value.String()) {
					if missing++; missing <= 10 {
						t.Errorf("%s %q is not whole in the text", field, it.Value.String())
					}
				}
			}
		}
	}
	if missing > 10 {
		t.Errorf("... %d values in all", missing)
	}
	layout, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`First name\s+Last name\s+Email\s+Phone\s+Account\s+Title`)
	for i, p := range strings.Split(strings.TrimRight(string(layout), "\f"), "\f") {
		if !header.MatchString(p) {
			t.Errorf("page %d lacks the list fields' header:\n%.600s", i+1, p)
			break
		}
	}
	if strings.Contains(string(layout), "Created on") {
		t.Error("the empty Created on column is shown")
	}
}
