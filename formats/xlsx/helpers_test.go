package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"github.com/crmio/crmio/internal/corpus"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
)

// corpusDir returns a folder of the shared corpus (../shared/corpus from
// the repository root) and whether it exists.
func corpusDir(tb testing.TB, sub string) (string, bool) { return corpus.Dir(sub) }

func mustCorpus(t *testing.T, sub string) string { t.Helper(); return corpus.Need(t, sub) }

// typedError reports whether err wraps a formats sentinel or is a
// *formats.ParseError: the only errors a reader may return for bad input.
func typedError(err error) bool {
	var pe *formats.ParseError
	if errors.As(err, &pe) {
		return true
	}
	for _, s := range []error{formats.ErrUnsupportedFormat, formats.ErrEncrypted, formats.ErrTooLarge,
		formats.ErrNoHeader, formats.ErrNoSheet, formats.ErrCorrupt} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// numberedRow is a row with its number, its fields copied.
type numberedRow struct {
	Number int
	Fields []string
}

// readRows reads all rows of r (at most limit) and checks what holds for
// every reader: increasing row numbers below the header, fields at least
// as many as the columns.
func readRows(t testing.TB, r formats.Reader, limit int) []numberedRow {
	t.Helper()
	var rows []numberedRow
	last := r.Info().HeaderRow
	for len(rows) < limit {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !typedError(err) {
				t.Fatalf("untyped error from Read: %v", err)
			}
			continue
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		if len(row.Fields) < len(r.Header()) {
			t.Fatalf("row %d has %d fields for %d columns", row.Number, len(row.Fields), len(r.Header()))
		}
		rows = append(rows, numberedRow{row.Number, slices.Clone(row.Fields)})
	}
	return rows
}

func checkHeader(t testing.TB, header []string) {
	t.Helper()
	seen := make(map[string]bool, len(header))
	for i, h := range header {
		if h == "" {
			t.Fatalf("column %d has no name", i+1)
		}
		if seen[h] {
			t.Fatalf("column name %q repeats", h)
		}
		seen[h] = true
	}
}

// writeContacts writes the contacts workbook with excelize: a hidden
// "Notes" sheet first, then "Contacts" with dates, times, booleans, numbers
// with binary noise, a text cell under a date format, a gap of blank rows,
// an unnamed and a repeated column.
func writeContacts(tb testing.TB, path string) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Notes"))
	must(f.SetCellStr("Notes", "A1", "internal"))
	_, err := f.NewSheet("Contacts")
	must(err)
	f.SetActiveSheet(1) // Excel cannot hide the active sheet
	must(f.SetSheetVisible("Notes", false))

	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		must(err)
		return id
	}
	custom := func(code string) *string { return &code }
	date := style(&excelize.Style{NumFmt: 14})
	dateTime := style(&excelize.Style{CustomNumFmt: custom(`yyyy\-mm\-dd hh:mm;@`)})
	clock := style(&excelize.Style{NumFmt: 20})
	percent := style(&excelize.Style{NumFmt: 10})

	const s = "Contacts"
	must(f.SetSheetRow(s, "A1", &[]any{"Name", "Email", "Born", "Active", "Score", nil, "Email", "Updated", "Rate"}))

	must(f.SetSheetRow(s, "A2", &[]any{"Ada Lovelace", "ada@example.com"}))
	must(f.SetCellFloat(s, "C2", 45292, -1, 64))
	must(f.SetCellStyle(s, "C2", "C2", date))
	must(f.SetCellBool(s, "D2", true))
	must(f.SetCellInt(s, "E2", 42))
	must(f.SetCellStr(s, "G2", "ada@work.example"))
	must(f.SetCellFloat(s, "H2", 45366.75, -1, 64))
	must(f.SetCellStyle(s, "H2", "H2", dateTime))
	must(f.SetCellFloat(s, "I2", 0.125, -1, 64))
	must(f.SetCellStyle(s, "I2", "I2", percent))

	// Rows 3 and 4 are blank.

	must(f.SetSheetRow(s, "A5", &[]any{"Grace Hopper", "grace@example.com"}))
	must(f.SetCellFloat(s, "C5", 0.5, -1, 64))
	must(f.SetCellStyle(s, "C5", "C5", clock))
	must(f.SetCellBool(s, "D5", false))
	must(f.SetCellFloat(s, "E5", 0.1+0.2, -1, 64))
	must(f.SetCellStr(s, "H5", "0042")) // text under a date format stays text
	must(f.SetCellStyle(s, "H5", "H5", date))
	must(f.SetCellInt(s, "J5", 7)) // right of the last named column

	must(f.SaveAs(path))
}

// part is one file of a hand-made package.
type part struct{ name, body string }

// rawPackage writes an XLSX package from raw parts, with the minimal
// workbook around one worksheet whose XML is sheet.
func rawPackage(tb testing.TB, sheet string, extra ...part) []byte {
	tb.Helper()
	return writePackage(tb, zip.Deflate, sheet, extra...)
}

// storedPackage is rawPackage with the parts stored uncompressed, for fuzz
// seeds whose mutations reach the XML instead of breaking the deflate
// stream.
func storedPackage(tb testing.TB, sheet string, extra ...part) []byte {
	tb.Helper()
	return writePackage(tb, zip.Store, sheet, extra...)
}

func writePackage(tb testing.TB, method uint16, sheet string, extra ...part) []byte {
	tb.Helper()
	parts := []part{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="21" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">
<si><t>Name</t></si><si><t>When</t></si><si><r><t>Rich </t></r><r><t>text</t></r></si></sst>`},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	for _, e := range extra {
		replaced := false
		for i := range parts {
			if parts[i].name == e.name {
				parts[i], replaced = e, true
			}
		}
		if !replaced {
			parts = append(parts, e)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			tb.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// sheetXML wraps rows in a worksheet part.
func sheetXML(dimension, rows string) string {
	dim := ""
	if dimension != "" {
		dim = `<dimension ref="` + dimension + `"/>`
	}
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + dim + `<sheetData>` + rows + `</sheetData></worksheet>`
}

// writeTemp writes data to a file in a test's temporary directory.
func writeTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// countRows reads every row of r, checking row numbers and widths as
// readRows does without keeping the rows, and returns how many there were.
func countRows(t testing.TB, r formats.Reader) int {
	t.Helper()
	n := 0
	last := r.Info().HeaderRow
	for {
		row, err := r.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			if !typedError(err) || ownPanic(err) {
				t.Fatalf("Read: %v", err)
			}
			continue
		}
		if row.Number <= last {
			t.Fatalf("row %d after row %d", row.Number, last)
		}
		last = row.Number
		if len(row.Fields) < len(r.Header()) {
			t.Fatalf("row %d has %d fields for %d columns", row.Number, len(row.Fields), len(r.Header()))
		}
		n++
	}
}

// ownPanic reports whether err is a panic the reader contained (see
// panicError) that broke out in this module's code rather than in a
// dependency: the fuzz tests accept the second kind, contained, and fail on
// the first, which is a bug to fix here.
func ownPanic(err error) bool {
	msg := err.Error()
	if !strings.Contains(msg, "decoder failed") {
		return false
	}
	_, after, ok := strings.Cut(msg, "\npanic(")
	if !ok {
		return true // no trace to tell: assume the worst
	}
	_, frame, _ := strings.Cut(after, "\n")
	frame, _, _ = strings.Cut(frame, "\n")
	return strings.Contains(frame, "github.com/crmio/crmio/")
}
