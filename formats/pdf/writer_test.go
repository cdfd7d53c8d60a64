package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/internal/testenv"
)

var reportHeader = []string{"Name", "Email", "City", "Amount", "Signed up", "Last contact", "Active", "Notes"}

var names = []string{"Zoë Éluard", "Jürgen Müller", "Łukasz Wałęsa", "Ωμέγα Αλφα", "Кириллица Иванова"}

// reportRow is the i-th row (from 1) of the test report.
func reportRow(i int) []formats.Cell {
	notes := ""
	if i%7 == 0 {
		notes = "A long note that has to wrap inside its column, because nobody writes short notes about an important customer: " + strings.Repeat("ünïcödé ", 6)
	}
	return []formats.Cell{
		formats.TextCell(fmt.Sprintf("%s %d", names[i%len(names)], i)),
		formats.TextCell(fmt.Sprintf("person%d@example.com", i)),
		formats.TextCell([]string{"Kraków", "Zürich", "Αθήνα", "Москва", "Paris"}[i%5]),
		formats.NumberCell(fmt.Sprintf("%d.%02d", i*37, i%100)),
		formats.DateCell(2020, time.Month(1+i%12), 1+i%28),
		formats.DateTimeCell(time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)),
		formats.BoolCell(i%3 == 0),
		formats.TextCell(notes),
	}
}

func writeReport(t testing.TB, rows int, opts *pdf.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pdf.NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(reportHeader); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= rows; i++ {
		if err := w.WriteRow(reportRow(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		testenv.Skip(t, testenv.Poppler, fmt.Sprintf("%s not installed: %v", name, err))
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestReportRendered writes a 1,000-row report with non-ASCII names and
// checks it with poppler: the page count, the header on every page, rows'
// text, the footer, and that the first and last pages render.
func TestReportRendered(t *testing.T) {
	needTool(t, "pdftotext")
	needTool(t, "pdfinfo")
	needTool(t, "pdftoppm")
	const rows = 1000
	data := writeReport(t, rows, &pdf.Options{
		Title:   "People — Kraków office",
		Details: []pdf.Detail{{Label: "Module", Value: "People"}, {Label: "Filter", Value: `City = "Kraków"`}, {Label: "Generated", Value: "2025-01-02 03:04 UTC"}},
		Created: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
	})
	dir := t.TempDir()
	if keep := os.Getenv("CRMIO_KEEP_PDF"); keep != "" {
		dir = keep // to look at the pages: CRMIO_KEEP_PDF=/tmp/x go test -run Rendered
	}
	path := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	info := run(t, "pdfinfo", path)
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo reports no page count:\n%s", info)
	}
	pages, _ := strconv.Atoi(m[1])
	if pages < 10 || pages > 60 {
		t.Errorf("%d pages for %d rows", pages, rows)
	}
	if !strings.Contains(info, "Title:           People — Kraków office") {
		t.Errorf("metadata title missing:\n%s", info)
	}

	text := run(t, "pdftotext", "-layout", path, "-")
	pageTexts := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if len(pageTexts) != pages {
		t.Fatalf("pdftotext found %d pages, pdfinfo %d", len(pageTexts), pages)
	}
	seen := 0
	for i, p := range pageTexts {
		if !regexp.MustCompile(`Name\s+Email\s+City\s+Amount\s+Signed up\s+Last contact\s+Active\s+Notes`).MatchString(p) {
			t.Errorf("page %d has no table header:\n%s", i+1, p)
		}
		if want := fmt.Sprintf("Page %d of %d", i+1, pages); !strings.Contains(p, want) {
			t.Errorf("page %d has no %q footer", i+1, want)
		}
		seen += len(regexp.MustCompile(`person\d+@example\.com`).FindAllString(p, -1))
	}
	if seen != rows {
		t.Errorf("found %d rows' emails across the pages, want %d", seen, rows)
	}
	first, last := pageTexts[0], pageTexts[pages-1]
	for _, want := range []string{"People — Kraków office", "Module:", `City = "Kraków"`, "Generated:"} {
		if !strings.Contains(first, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	// Sample rows, with their non-ASCII names and typed cells.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Jürgen Müller 1\s+person1@example\.com\s+Zürich\s+37\.01\s+2020-02-02\s+2024-03-15 10:30\s+No`),
		regexp.MustCompile(`Łukasz Wałęsa 2\s+person2@example\.com\s+Αθήνα`),
		regexp.MustCompile(`Ωμέγα Αλφα 3\s+person3@example\.com\s+Москва`),
		regexp.MustCompile(`Кириллица Иванова 4`),
		regexp.MustCompile(`Zoë Éluard 5\s+person5@example\.com`),
	} {
		if !want.MatchString(first) {
			t.Errorf("first page lacks %v:\n%s", want, first)
		}
	}
	if !regexp.MustCompile(`Zoë Éluard 1000\s+person1000@example\.com\s+Kraków\s+37000\.00`).MatchString(last) {
		t.Errorf("last page lacks row 1000:\n%s", last)
	}
	if strings.Contains(text, "{nb}") {
		t.Error("the page count alias was not replaced")
	}

	// Both ends render.
	for _, page := range []int{1, pages} {
		prefix := filepath.Join(dir, fmt.Sprintf("page%d", page))
		run(t, "pdftoppm", "-png", "-r", "60", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), "-singlefile", path, prefix)
		if st, err := os.Stat(prefix + ".png"); err != nil || st.Size() < 5000 {
			t.Errorf("page %d did not render: %v", page, err)
		}
	}
}

// TestReportNarrowTable: a table that fits a portrait page stays portrait,
// and an empty report says so.
func TestReportNarrowAndEmpty(t *testing.T) {
	needTool(t, "pdftotext")
	needTool(t, "pdfinfo")
	var buf bytes.Buffer
	w, _ := pdf.NewWriter(&buf, &pdf.Options{Title: "Nothing"})
	w.WriteHeader([]string{"Name", "Email"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "empty.pdf")
	os.WriteFile(path, buf.Bytes(), 0o644)
	info := run(t, "pdfinfo", path)
	if !regexp.MustCompile(`Page size:\s+595\.\d+ x 841`).MatchString(info) || !strings.Contains(info, "Pages:           1") {
		t.Errorf("want one portrait A4 page:\n%s", info)
	}
	if text := run(t, "pdftotext", path, "-"); !strings.Contains(text, "No records.") {
		t.Errorf("empty report text:\n%s", text)
	}
}

func TestRowCap(t *testing.T) {
	var buf bytes.Buffer
	w, err := pdf.NewWriter(&buf, &pdf.Options{MaxRows: 5})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader(reportHeader)
	for i := 1; i <= 5; i++ {
		if err := w.WriteRow(reportRow(i)); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	err = w.WriteRow(reportRow(6))
	if !errors.Is(err, pdf.ErrTooManyRows) || !errors.Is(err, formats.ErrTooManyRows) || !strings.Contains(err.Error(), "CSV") {
		t.Fatalf("row 6: %v, want ErrTooManyRows suggesting CSV", err)
	}
	if err := w.Close(); !errors.Is(err, pdf.ErrTooManyRows) {
		t.Errorf("Close: %v, want the sticky error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a failed report wrote %d bytes", buf.Len())
	}
}

func TestInvalidFont(t *testing.T) {
	for name, font := range map[string][]byte{
		"garbage":    []byte("this is not a font at all, just text"),
		"otf":        append([]byte("OTTO\x00\x01"), make([]byte, 40)...),
		"collection": append([]byte("ttcf"), make([]byte, 40)...),
		"truncated":  append([]byte("\x00\x01\x00\x00\x00\x09"), make([]byte, 20)...),
	} {
		if _, err := pdf.NewWriter(io.Discard, &pdf.Options{Font: font}); !errors.Is(err, pdf.ErrInvalidFont) {
			t.Errorf("%s: %v, want ErrInvalidFont", name, err)
		}
	}
	if _, err := pdf.NewWriter(io.Discard, &pdf.Options{PageSize: "B7"}); err == nil {
		t.Error("an unknown page size was accepted")
	}
}

// TestHostileText: control characters, invalid UTF-8, emoji and a huge
// unbroken word neither panic nor break the page.
func TestHostileText(t *testing.T) {
	var buf bytes.Buffer
	w, _ := pdf.NewWriter(&buf, nil)
	w.WriteHeader([]string{"A\x00b", "B"})
	for _, s := range []string{"\x00\x01\x1b[31m", "bad \xff\xfe utf8", "emoji 😀 \U00010000 rune", strings.Repeat("x", 20000), strings.Repeat("word ", 5000), "\r\n\r\n\t"} {
		if err := w.WriteRow([]formats.Cell{formats.TextCell(s), formats.TextCell(s)}); err != nil {
			t.Fatalf("%.20q: %v", s, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Error("not a PDF")
	}
}

func TestWriteOrder(t *testing.T) {
	w, _ := pdf.NewWriter(io.Discard, nil)
	if err := w.WriteRow(nil); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("WriteRow first: %v", err)
	}
	w, _ = pdf.NewWriter(io.Discard, nil)
	w.WriteHeader([]string{"a"})
	if err := w.WriteRow([]formats.Cell{{}, {}}); !errors.Is(err, formats.ErrRowTooWide) {
		t.Errorf("too wide: %v", err)
	}
}

// TestCallerFont embeds a font the caller supplies. It uses fonts found on
// the machine and skips when there are none: DejaVu Sans for Latin, and
// Droid Sans Fallback (Debian's fonts-droid-fallback) for Chinese, Japanese
// and Korean names, which the Go fonts lack.
func TestCallerFont(t *testing.T) {
	needTool(t, "pdftotext")
	for _, c := range []struct {
		path, text string
	}{
		{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Zoë Łukasiewicz Ωμέγα Кириллица"},
		{"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "王小明 山田太郎 김민준"},
	} {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			font, err := os.ReadFile(c.path)
			if err != nil {
				t.Skipf("font not installed: %v", err)
			}
			var buf bytes.Buffer
			w, err := pdf.NewWriter(&buf, &pdf.Options{Title: "Fonts", Font: font})
			if err != nil {
				t.Fatal(err)
			}
			w.WriteHeader([]string{"Name"})
			w.WriteRow([]formats.Cell{formats.TextCell(c.text)})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "fonts.pdf")
			os.WriteFile(path, buf.Bytes(), 0o644)
			if text := run(t, "pdftotext", path, "-"); !strings.Contains(text, c.text) {
				t.Errorf("text %q not found in:\n%s", c.text, text)
			}
		})
	}
}

// FuzzCellText writes a report whose cells hold arbitrary text: whatever
// the text, the writer neither panics nor fails.
func FuzzCellText(f *testing.F) {
	for _, s := range []string{"", "Zoë", "\x00\x1b[31m", "\xff\xfe", "😀\U00010000", strings.Repeat("w ", 400), "a\r\nb\rc\n", "王小明", "\u202e\u200b\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := pdf.NewWriter(io.Discard, &pdf.Options{Title: s, Details: []pdf.Detail{{Label: s, Value: s}}})
		if err != nil {
			t.Fatal(err)
		}
		w.WriteHeader([]string{s, "B"})
		if err := w.WriteRow([]formats.Cell{formats.TextCell(s), formats.NumberCell(s)}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestColumnGroups writes a table far too wide for a page: it is split
// into column groups, each page repeating the key column, every column
// printed once, and the pages of a band showing the same rows.
func TestColumnGroups(t *testing.T) {
	needTool(t, "pdftotext")
	header := []string{"Name"}
	for i := 1; i <= 24; i++ {
		header = append(header, fmt.Sprintf("Column %d", i))
	}
	var buf bytes.Buffer
	w, err := pdf.NewWriter(&buf, &pdf.Options{Title: "Wide", Created: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader(header)
	row := func(n int) []formats.Cell {
		cells := []formats.Cell{formats.TextCell(fmt.Sprintf("Person %d", n))}
		for i := 1; i <= 24; i++ {
			cells = append(cells, formats.TextCell(fmt.Sprintf("value-%d-%d-%s", n, i, strings.Repeat("x", 12))))
		}
		return cells
	}
	for n := 1; n <= 100; n++ {
		if err := w.Measure(row(n)); err != nil {
			t.Fatal(err)
		}
	}
	for n := 1; n <= 100; n++ {
		if err := w.WriteRow(row(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Measure(row(1)); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("Measure after WriteRow: %v", err)
	}
	if err := w.Close(); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("Close after a misuse: %v, want the sticky error", err)
	}

	// Again, without the misuse.
	buf.Reset()
	w, _ = pdf.NewWriter(&buf, &pdf.Options{Title: "Wide", Created: time.Unix(0, 0)})
	w.WriteHeader(header)
	for n := 1; n <= 100; n++ {
		w.Measure(row(n))
	}
	for n := 1; n <= 100; n++ {
		w.WriteRow(row(n))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("CRMIO_KEEP_PDF"); keep != "" {
		dir = keep
	}
	path := filepath.Join(dir, "wide.pdf")
	os.WriteFile(path, buf.Bytes(), 0o644)
	pages := strings.Split(strings.TrimRight(run(t, "pdftotext", "-layout", path, "-"), "\f"), "\f")
	m := regexp.MustCompile(`columns, part 1 of (\d+)`).FindStringSubmatch(pages[0])
	if m == nil {
		t.Fatalf("the first page does not say it is part 1 of several:\n%s", pages[0])
	}
	parts, _ := strconv.Atoi(m[1])
	if parts < 2 || len(pages)%parts != 0 {
		t.Fatalf("%d pages in %d parts", len(pages), parts)
	}
	seen := map[string]int{}
	for i, p := range pages {
		if !regexp.MustCompile(`(?m)^\s*Name\s+Column`).MatchString(p) {
			t.Errorf("page %d does not start its header with the key column", i+1)
		}
		for _, c := range regexp.MustCompile(`Column \d+`).FindAllString(p, -1) {
			seen[c]++
		}
		// The pages of a band show the same people.
		band := i / parts
		first := regexp.MustCompile(`Person (\d+)`).FindStringSubmatch(p)
		lead := regexp.MustCompile(`Person (\d+)`).FindStringSubmatch(pages[band*parts])
		if first == nil || lead == nil || first[1] != lead[1] {
			t.Errorf("page %d starts with %v, its band's first page with %v", i+1, first, lead)
		}
	}
	for i := 1; i <= 24; i++ {
		if n := seen[fmt.Sprintf("Column %d", i)]; n != len(pages)/parts {
			t.Errorf("Column %d is on %d pages, want %d (once per band)", i, n, len(pages)/parts)
		}
	}
}

// TestEmptyColumnsDropped: a column no row fills is left out of a
// measured report (and of a short one, whose rows were all seen).
func TestEmptyColumnsDropped(t *testing.T) {
	needTool(t, "pdftotext")
	for _, measured := range []bool{true, false} {
		var buf bytes.Buffer
		w, _ := pdf.NewWriter(&buf, nil)
		w.WriteHeader([]string{"Name", "Fax", "Email"})
		rows := [][]formats.Cell{{formats.TextCell("Ada"), {}, formats.TextCell("ada@example.com")}, {formats.TextCell("Grace")}}
		if measured {
			for _, r := range rows {
				w.Measure(r)
			}
		}
		for _, r := range rows {
			w.WriteRow(r)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "empty.pdf")
		os.WriteFile(path, buf.Bytes(), 0o644)
		text := run(t, "pdftotext", "-layout", path, "-")
		if strings.Contains(text, "Fax") || !regexp.MustCompile(`Name\s+Email`).MatchString(text) {
			t.Errorf("measured %v:\n%s", measured, text)
		}
	}
}
