package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

var update = flag.Bool("update", false, "rewrite testdata/contacts.xlsx")

var (
	contactsHeader = []string{"Name", "Email", "Born", "Active", "Score", "Column 6", "Email (2)", "Updated", "Rate", "Column 10"}
	contactsRows   = []numberedRow{
		{2, []string{"Ada Lovelace", "ada@example.com", "2024-01-01", "TRUE", "42", "", "ada@work.example", "2024-03-15T18:00:00", "0.125", ""}},
		{5, []string{"Grace Hopper", "grace@example.com", "12:00:00", "FALSE", "0.3", "", "", "0042", "", "7"}},
	}
	contactsNotices = []string{
		`row 1, column 6: the column has no name; it is called "Column 6"`,
		`row 1, column 7: the name "Email" is used by column 2 too; this one is called "Email (2)"`,
		`row 5: the row is longer than the header: the cells past column 9 are read as "Column 10"`,
	}
)

func checkContacts(t *testing.T, path string) {
	t.Helper()
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}()
	if got := r.Header(); !reflect.DeepEqual(got, contactsHeader) {
		t.Errorf("header = %q,\nwant %q", got, contactsHeader)
	}
	if rows := readRows(t, r, 100); !reflect.DeepEqual(rows, contactsRows) {
		t.Errorf("rows = %v,\nwant %v", rows, contactsRows)
	}
	info := r.Info()
	// excelize records the dimension "A1" whatever the data: read to its
	// end, the sheet's rows are counted instead.
	if info.Format != "xlsx" || info.Sheet != "Contacts" || info.HeaderRow != 1 || info.EstimatedRows != 4 { // rows 2 to 5, a blank one among them
		t.Errorf("info = %+v", info)
	}
	if !reflect.DeepEqual(info.Sheets, []string{"Notes", "Contacts"}) {
		t.Errorf("sheets = %q", info.Sheets)
	}
	var notices []string
	for _, n := range info.Notices {
		notices = append(notices, n.String())
	}
	if !reflect.DeepEqual(notices, contactsNotices) {
		t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(notices, "\n"), strings.Join(contactsNotices, "\n"))
	}
}

func TestReadContacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	writeContacts(t, path)
	checkContacts(t, path)
}

// TestFixture checks the committed fixture the examples read; go test
// -update rewrites it.
func TestFixture(t *testing.T) {
	path := filepath.Join("testdata", "contacts.xlsx")
	if *update {
		writeContacts(t, path)
	}
	checkContacts(t, path)
}

func TestSheetSelection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	writeContacts(t, path)
	for _, tc := range []struct {
		opts      *formats.Options
		wantSheet string
		wantErr   error
	}{
		{nil, "Contacts", nil}, // the first visible sheet
		{&formats.Options{Sheet: "Notes"}, "Notes", nil},
		{&formats.Options{Sheet: "CONTACTS"}, "Contacts", nil},
		{&formats.Options{SheetIndex: 1}, "Notes", nil},
		{&formats.Options{SheetIndex: 2}, "Contacts", nil},
		{&formats.Options{SheetIndex: 3}, "", formats.ErrNoSheet},
		{&formats.Options{Sheet: "Leads"}, "", formats.ErrNoSheet},
	} {
		r, err := Open(path, tc.opts)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%+v: err = %v, want %v", tc.opts, err, tc.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), `"Notes", "Contacts"`) {
				t.Errorf("%+v: the error does not name the sheets: %v", tc.opts, err)
			}
			continue
		}
		if got := r.Info().Sheet; got != tc.wantSheet {
			t.Errorf("%+v: sheet %q, want %q", tc.opts, got, tc.wantSheet)
		}
		r.Close()
	}
}

// TestCells reads hand-made worksheets that exercise what excelize's raw
// values leave to the reader: cell types, styles, row and cell numbering.
func TestCells(t *testing.T) {
	header := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`
	for _, tc := range []struct {
		name  string
		rows  string
		want  []numberedRow
		extra []part
	}{
		{
			name: "dates by style",
			rows: `<row r="2"><c r="A2" s="1"><v>45292</v></c><c r="B2" s="2"><v>0.75</v></c></row>` +
				`<row r="3"><c r="A3" s="1"><v>45292.5</v></c><c r="B3" s="2"><v>45292.25</v></c></row>`,
			want: []numberedRow{{2, []string{"2024-01-01", "18:00:00"}}, {3, []string{"2024-01-01T12:00:00", "06:00:00"}}},
		},
		{
			name: "booleans, errors, inline and rich strings",
			rows: `<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c></row>` +
				`<row r="3"><c r="A3" t="e"><v>#N/A</v></c><c r="B3" t="inlineStr"><is><t>inline</t></is></c></row>` +
				`<row r="4"><c r="A4" t="s"><v>2</v></c><c r="B4" t="str"><f>A4</f><v>Rich text</v></c></row>`,
			want: []numberedRow{{2, []string{"TRUE", "FALSE"}}, {3, []string{"#N/A", "inline"}}, {4, []string{"Rich text", "Rich text"}}},
		},
		{
			name: "ISO dates in t=d cells",
			rows: `<row r="2"><c r="A2" t="d"><v>2024-01-01T00:00:00Z</v></c><c r="B2" t="d"><v>2024-01-01T08:30:00</v></c></row>`,
			want: []numberedRow{{2, []string{"2024-01-01", "2024-01-01T08:30:00"}}},
		},
		{
			name: "numbers as Excel shows them",
			rows: `<row r="2"><c r="A2"><v>0.30000000000000004</v></c><c r="B2"><v>8595602512225</v></c></row>` +
				`<row r="3"><c r="A3" t="n"><v>1.5E-3</v></c><c r="B3" t="s" s="1"><v>0</v></c></row>`,
			want: []numberedRow{{2, []string{"0.3", "8595602512225"}}, {3, []string{"0.0015", "Name"}}},
		},
		{
			name: "rows and cells without references",
			rows: `<row><c><v>1</v></c><c s="1"><v>45292</v></c></row><row/><row><c t="b"><v>1</v></c></row>`,
			want: []numberedRow{{2, []string{"1", "2024-01-01"}}, {4, []string{"TRUE", ""}}},
		},
		{
			name: "comments and gaps",
			rows: `<!-- <row r="2"><c r="A2" t="b"><v>1</v></c></row> --><row r="7"><c r="B7" s="1"><v>45292</v></c></row>` +
				`<row r="8" spans="1:2"><c r="A8"><v>2</v></c></row>`,
			want: []numberedRow{{7, []string{"", "2024-01-01"}}, {8, []string{"2", ""}}},
		},
		{
			name:  "the 1904 date system",
			rows:  `<row r="2"><c r="A2" s="1"><v>0</v></c><c r="B2" s="1"><v>35064</v></c></row>`,
			want:  []numberedRow{{2, []string{"1904-01-01", "2000-01-01"}}},
			extra: []part{workbook1904},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "t.xlsx", rawPackage(t, sheetXML("", header+tc.rows), tc.extra...))
			r, err := Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Header(); !reflect.DeepEqual(got, []string{"Name", "When"}) {
				t.Errorf("header %q", got)
			}
			got := readRows(t, r, 100)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows = %v,\nwant %v", got, tc.want)
			}
		})
	}
}

var workbook1904 = part{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="1"/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`}

func TestDimension(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>`
	for _, tc := range []struct {
		dimension string
		want      int
	}{
		{"A1:B200001", 200000},
		// No dimension: the sheet, read to its end to find its header, is
		// counted.
		{"A1", 1},
		{"", 1},
	} {
		path := writeTemp(t, "d.xlsx", rawPackage(t, sheetXML(tc.dimension, rows)))
		r, err := Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Info().EstimatedRows; got != tc.want {
			t.Errorf("dimension %q: EstimatedRows %d, want %d", tc.dimension, got, tc.want)
		}
		r.Close()
	}
}

func TestRefusals(t *testing.T) {
	zipOf := func(names ...string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, n := range names {
			w, _ := zw.Create(n)
			io.WriteString(w, "x")
		}
		zw.Close()
		return buf.Bytes()
	}
	// bomb declares sizes far beyond what its few bytes could hold: the
	// reader must refuse it from the directory, before inflating anything.
	bomb := func(name string, size uint64) []byte {
		base := rawPackage(t, sheetXML("", ""))
		zr, _ := zip.NewReader(bytes.NewReader(base), int64(len(base)))
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range zr.File {
			if f.Name != name {
				zw.Copy(f)
			}
		}
		w, _ := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, UncompressedSize64: size, CompressedSize64: 2})
		w.Write([]byte{3, 0})
		zw.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		want    error
		message string
	}{
		{"OLE2", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), formats.ErrUnsupportedFormat, "OLE2"},
		{"text", []byte("Name,Email\n"), formats.ErrUnsupportedFormat, "zip"},
		{"damaged zip", []byte("PK\x03\x04garbage"), formats.ErrCorrupt, "zip"},
		{"ODS", zipOf("mimetype", "content.xml"), formats.ErrUnsupportedFormat, "OpenDocument"},
		{"DOCX", zipOf("word/document.xml"), formats.ErrUnsupportedFormat, "Word"},
		{"XLSB", zipOf("xl/workbook.bin"), formats.ErrUnsupportedFormat, ".xlsb"},
		{"other zip", zipOf("a.txt"), formats.ErrUnsupportedFormat, "without an Excel workbook"},
		// The parts read are checked from the zip directory before any is
		// inflated: these declare sizes their few bytes could never hold.
		{"worksheet bomb", bomb("xl/worksheets/sheet1.xml", 8<<30), formats.ErrTooLarge, "zip bomb"},
		{"shared strings bomb", bomb("xl/sharedStrings.xml", 1<<30), formats.ErrTooLarge, "the shared strings (xl/sharedStrings.xml) expands to 1 GiB"},
		// A part the reader never inflates does not matter: the sheet is empty.
		{"an unread part", bomb("xl/media/image1.png", 1<<30), formats.ErrNoHeader, "holds no rows"},
	} {
		path := writeTemp(t, "r.xlsx", tc.data)
		_, err := Open(path, nil)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%s: err = %v, want %v with %q", tc.name, err, tc.want, tc.message)
		}
	}

	big := writeTemp(t, "big.xlsx", rawPackage(t, sheetXML("", "")))
	if _, err := Open(big, &formats.Options{MaxSize: 10}); !errors.Is(err, formats.ErrTooLarge) {
		t.Errorf("MaxSize 10: err = %v", err)
	}
}

// TestCorpusFiles checks files whose content the corpus documents.
func TestCorpusFiles(t *testing.T) {
	poi := mustCorpus(t, "apache-poi")
	excelizeDir := mustCorpus(t, "excelize")
	greek, err := os.ReadFile(filepath.Join(poi, "spreadsheet", "54084 - Greek - beyond BMP.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		opts *formats.Options
		row  int // 0: the header
		col  int
		want string
	}{
		// One number, TRUE over booleans: data, not headers.
		{filepath.Join(excelizeDir, "test", "OverflowNumericCell.xlsx"), nil, 1, 0, "8595602512225"},
		{filepath.Join(poi, "spreadsheet", "54084 - Greek - beyond BMP.xlsx"), nil, 0, 0, strings.TrimSpace(string(greek))},
		{filepath.Join(poi, "spreadsheet", "Booleans.xlsx"), nil, 1, 0, "TRUE"},
		{filepath.Join(poi, "spreadsheet", "Booleans.xlsx"), nil, 3, 0, "FALSE"},
		{filepath.Join(poi, "spreadsheet", "DateFormatTests.xlsx"), &formats.Options{Sheet: "Tests"}, 1, 2, "1952-10-11T14:35:27"},
		{filepath.Join(poi, "spreadsheet", "TwoSheetsOneHidden.xlsx"), nil, 0, 0, ""},
	} {
		r, err := Open(tc.path, tc.opts)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(tc.path), err)
			continue
		}
		var got string
		if tc.row == 0 {
			if tc.col < len(r.Header()) {
				got = r.Header()[tc.col]
			}
		} else if rows := readRows(t, r, tc.row); len(rows) >= tc.row && tc.col < len(rows[tc.row-1].Fields) {
			got = rows[tc.row-1].Fields[tc.col]
		}
		if tc.want != "" && got != tc.want {
			t.Errorf("%s: row %d, column %d = %q, want %q", filepath.Base(tc.path), tc.row, tc.col+1, got, tc.want)
		}
		r.Close()
	}
}

func TestReadAfterClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	writeContacts(t, path)
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRowLimit reads a sheet with a row past Excel's last (1,048,576): the
// reader returns the rows before it, one *formats.ParseError, then io.EOF,
// so that a caller that skips bad rows does not loop.
func TestRowLimit(t *testing.T) {
	rows := `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>` +
		`<row r="1048577"><c r="A1048577"><v>2</v></c></row>`
	r, err := Open(writeTemp(t, "limit.xlsx", rawPackage(t, sheetXML("", rows))), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []string
	for range 5 {
		row, err := r.Read()
		var pe *formats.ParseError
		switch {
		case err == io.EOF:
			got = append(got, "EOF")
		case errors.As(err, &pe) && errors.Is(err, formats.ErrCorrupt):
			got = append(got, "parse error")
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, row.Fields[0])
		}
	}
	if want := []string{"1", "parse error", "EOF", "EOF", "EOF"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestEstimateWithoutDimension: a sheet whose writer recorded no real
// dimension (a streaming writer records "A1") is estimated from the
// bytes its first rows take, so that a large workbook is never taken for
// a small one.
func TestEstimateWithoutDimension(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader([]string{"Name", "Email", "City"}); err != nil {
		t.Fatal(err)
	}
	const rows = 20000
	for i := range rows {
		if err := w.WriteRow([]formats.Cell{formats.TextCell(fmt.Sprintf("Person %d", i)),
			formats.TextCell(fmt.Sprintf("person%d@example.com", i)), formats.TextCell("Oslo")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "streamed.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 500 {
		if _, err := r.Read(); err != nil {
			t.Fatal(err)
		}
	}
	if est := r.Info().EstimatedRows; est < rows*8/10 || est > rows*12/10 {
		t.Errorf("after 500 rows the estimate is %d, want about %d", est, rows)
	}
}
