package xlsx

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

// maxSeed keeps seeds small: with big ones, plain go test -fuzz spends its
// time minimising the inputs they lead to (a minute each by default)
// instead of fuzzing.
const maxSeed = 3 << 10

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
// contain panics, so the test reads where they began). The seeds are small
// hand-made packages, the fixture and the corpus workbooks under 8 KiB. See
// the package documentation for how to run it.
func FuzzXLSX(f *testing.F) {
	for _, sub := range []string{"apache-poi", "excelize", "extrame-xls", "csvkit-examples"} {
		if dir, ok := corpusDir(f, sub); ok {
			addSeeds(f, dir, ".xlsx")
		}
	}
	sheet := sheetXML("A1:B3", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`+
		`<row r="2"><c r="A2" s="1"><v>45292</v></c><c r="B2" t="b"><v>1</v></c></row>`+
		`<row><c t="d"><v>2024-01-01T08:30:00</v></c><c s="2"><v>0.5</v></c><c r="D3" t="inlineStr"><is><t>a&amp;b</t></is></c></row>`)
	f.Add(rawPackage(f, sheet), uint8(0), uint8(0))
	// Stored, not deflated: mutations reach the XML (archive/zip checks the
	// CRC only at the end of a part, after the rows are read).
	f.Add(storedPackage(f, sheet), uint8(0), uint8(0))
	f.Add(storedPackage(f, sheet, workbook1904), uint8(1), uint8(3))

	f.Fuzz(func(t *testing.T, data []byte, sheet, headerRow uint8) {
		opts := &formats.Options{MaxSize: 1 << 20, SheetIndex: int(sheet % 4), HeaderRow: int(headerRow%4) - 1}
		// What Open does once it has the file open, from memory: a file
		// written and opened for every input would slow fuzzing tenfold.
		r, err := openBytes(data, opts)
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

// FuzzSheet reads arbitrary bytes as a worksheet part and as a shared
// strings part, without the zip around them that most mutations of
// FuzzXLSX's inputs break: no panic, no loop, rows in increasing order
// within Excel's grid, and errors only of the kinds a reader returns.
func FuzzSheet(f *testing.F) {
	f.Add([]byte(sheetXML("A1:C3", `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><r><t>a</t></r><rPh><t>b</t></rPh></is></c></row>`+
		`<row><c s="1"><v>45292.5</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="d"><v>2024-01-01</v></c></row>`+
		`<!-- c --><row r="3"><c r="B3" t="str"><f>A1</f><v>x&amp;y&#10;_x000D_</v></c><c r="XFE3"><v>1</v></c></row>`)))
	f.Add([]byte(`<sst><si><t>one</t></si><si><r><t xml:space="preserve"> two</t></r></si><si/></sst><sheetData><row r="2"><c t="s"><v>2</v></c></row>`))
	f.Add([]byte(`<sheetData><row r="5"><c><v>1<row r="4"/><row r="6"><c r="A6"><v><![CDATA[7]]></v></c>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sst, err := readSharedStrings(bytes.NewReader(data), int64(len(data)))
		if err != nil && !typedError(err) {
			t.Fatalf("shared strings: untyped error %v", err)
		}
		if _, err := readStyles(bytes.NewReader(data)); err != nil && !typedError(err) {
			t.Fatalf("styles: untyped error %v", err)
		}
		src := &sheetSource{sc: newScanner(bytes.NewReader(data)), sheet: "S", strings: sst,
			kinds: []workbook.Kind{workbook.Number, workbook.Date, workbook.Time, workbook.Duration}}
		if _, err := src.start(); err != nil {
			if !typedError(err) {
				t.Fatalf("start: untyped error %v", err)
			}
			return
		}
		last := 0
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatalf("%d calls to Next for %d bytes", calls, len(data))
			}
			num, cells, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *formats.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			if num <= last || num > maxRows || len(cells) > maxColumns {
				t.Fatalf("row %d after row %d, %d cells", num, last, len(cells))
			}
			last = num
		}
	})
}

// openBytes opens a workbook held in memory as Open opens a file,
// containing panics as it does.
func openBytes(data []byte, opts *formats.Options) (r formats.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, panicError(p)
		}
	}()
	return openPackage(bytes.NewReader(data), int64(len(data)), io.NopCloser(nil), "fuzz.xlsx", opts)
}
