package xls

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// maxSeed keeps seeds small: with big ones, plain go test -fuzz spends its
// time minimising the inputs they lead to (a minute each by default)
// instead of fuzzing. A compound file is 5 KiB at least.
const maxSeed = 8 << 10

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

// FuzzXLS parses arbitrary bytes as an XLS workbook and checks that any
// input gives a reader or a typed error, that a reader's header and rows
// are well formed, and that no panic starts in this package (Parse contains
// panics, so the test reads where they began). The seeds are the test
// writer's workbooks and the corpus files under 8 KiB; FuzzBIFF fuzzes the
// records without the compound file around them. See the package
// documentation for how to run them.
func FuzzXLS(f *testing.F) {
	addSeeds(f, "testdata", ".xls")
	for _, sub := range []string{"apache-poi", "extrame-xls", "csvkit-examples"} {
		if dir, ok := corpusDir(f, sub); ok {
			addSeeds(f, dir, ".xls")
		}
	}
	for _, seed := range fixtureSeeds() {
		f.Add(seed, uint8(0), uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, sheet, headerRow uint8) {
		opts := &formats.Options{MaxSize: 1 << 20, SheetIndex: int(sheet % 4), HeaderRow: int(headerRow%4) - 1}
		r, err := Parse(data, opts)
		if err != nil {
			if !typedError(err) {
				t.Fatalf("untyped error: %v", err)
			}
			if ownPanic(err) {
				t.Fatalf("panic in this package: %v", err)
			}
			return
		}
		defer r.Close()
		checkHeader(t, r.Header())
		countRows(t, r)
		if n := len(r.Info().Notices); n > formats.MaxNotices {
			t.Fatalf("%d notices", n)
		}
	})
}

// FuzzBIFF parses arbitrary bytes as the workbook stream of an XLS file
// (BIFF5 or BIFF8 records), without the compound file that most mutations
// of FuzzXLS's inputs break: a reader or a typed error, well-formed rows,
// no panic.
func FuzzBIFF(f *testing.F) {
	f.Add(contactsBook().stream(), uint8(0))
	f.Add(headerlessBook().stream(), uint8(3))
	f.Add(bookSpec{biff5: true, codepage: 1251, sheets: []sheetSpec{{name: "S", cells: [][]byte{label5(0, 0, 0, []byte{0xC8}), number(1, 0, 0, 1.5)}}}}.stream(), uint8(1))
	f.Add(bookSpec{date1904: true, xfs: []int{0, 14}, sheets: []sheetSpec{{name: "D", cells: [][]byte{
		rkRec(0, 0, 1, rkInt(1)), mulRK(1, 0, 0, rkCents(150), rkFloat(2.5)), formulaSpecial(1, 3, 0, 0, 0), stringRec("text")}}}}.stream(), uint8(2))
	f.Fuzz(func(t *testing.T, stream []byte, headerRow uint8) {
		r, err := parseWorkbook(stream, "fuzz.xls", int64(len(stream)), &formats.Options{HeaderRow: int(headerRow%4) - 1})
		if err != nil {
			if !typedError(err) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		defer r.Close()
		checkHeader(t, r.Header())
		countRows(t, r)
	})
}
