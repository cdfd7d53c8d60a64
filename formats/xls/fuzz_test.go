package xls

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

// FuzzXLS parses arbitrary bytes as an XLS workbook and checks that any
// input gives a reader or a typed error, that a reader's header and rows
// are well formed, and that no panic starts in this package (Parse contains
// panics, so the test reads where they began).
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
		opts := &formats.Options{MaxSize: 1 << 20, SheetIndex: int(sheet % 4), HeaderRow: int(headerRow % 4)}
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
