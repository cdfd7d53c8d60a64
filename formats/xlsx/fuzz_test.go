package xlsx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// maxSeed keeps seeds small: big ones slow every mutation down.
const maxSeed = 200 << 10

// addSeeds adds the files under dir whose names end in ext.
func addSeeds(f *testing.F, dir, ext string) {
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !strings.HasSuffix(strings.ToLower(path), ext) {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > maxSeed {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0), uint8(0))
		return nil
	})
}

// FuzzXLSX opens arbitrary bytes as an XLSX workbook and checks that any
// input gives a reader or a typed error, that a reader's header and rows
// are well formed, and that no panic starts in this package (Open and Read
// contain panics, excelize's included, so the test reads where they began).
func FuzzXLSX(f *testing.F) {
	addSeeds(f, "testdata", ".xlsx")
	for _, sub := range []string{"apache-poi", "excelize", "extrame-xls", "csvkit-examples"} {
		if dir, ok := corpusDir(f, sub); ok {
			addSeeds(f, dir, ".xlsx")
		}
	}
	f.Add(rawPackage(f, sheetXML("A1:B3", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`+
		`<row r="2"><c r="A2" s="1"><v>45292</v></c><c r="B2" t="b"><v>1</v></c></row>`+
		`<row><c t="d"><v>2024-01-01T08:30:00</v></c><c s="2"><v>0.5</v></c></row>`)), uint8(0), uint8(0))

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, sheet, headerRow uint8) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		opts := &formats.Options{MaxSize: 1 << 20, SheetIndex: int(sheet % 4), HeaderRow: int(headerRow % 4)}
		r, err := Open(path, opts)
		if err != nil {
			if !typedError(err) {
				t.Fatalf("untyped error: %v", err)
			}
			if ownPanic(err) {
				t.Fatalf("panic in this package: %v", err)
			}
			return
		}
		defer func() {
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}()
		checkHeader(t, r.Header())
		countRows(t, r)
		if n := len(r.Info().Notices); n > formats.MaxNotices {
			t.Fatalf("%d notices", n)
		}
	})
}
