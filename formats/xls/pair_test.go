package xls

import (
	"bytes"
	stdcsv "encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/internal/contactgen"
)

// TestSameWorkbookBothFormats writes one workbook as XLS (with this
// package's test writer) and as XLSX (with excelize), and previews both:
// a person must see the same text in every cell, whatever binary or text
// each format stores a number as (XLS an RK integer or a double, XLSX the
// writer's decimal text), and ragged rows keep every cell in both.
func TestSameWorkbookBothFormats(t *testing.T) {
	type cell struct {
		v      any // string, float64, bool
		format int // number format: 0 General, 14 a date, 10 a percent, 20 a time
	}
	rows := [][]cell{
		{{v: "Name"}, {v: "Amount"}, {v: "Share"}, {v: "Born"}, {v: "Active"}},
		{{v: "Ada"}, {v: 3.0}, {v: 0.525625}, {v: 45292.0, format: 14}, {v: true}},
		{{v: "Grace"}, {v: 72.0}, {v: 0.125, format: 10}, {v: 0.75, format: 20}, {v: false}},
		{{v: "Alan"}, {v: 0.1 + 0.2}, {v: 1e-10}, {v: 45366.5, format: 14}, {v: "n/a"}},
		{{v: "Edsger"}, {v: -12.5}, {v: 12345678901234567.0}, {v: 8595602512225.0}, {v: 1e21}, {v: "extra"}, {v: 7.0}},
	}
	formatXF := map[int]int{0: 0, 14: 1, 10: 2, 20: 3}

	// XLS: numbers as the doubles Excel writes (NUMBER records), integers
	// as RK records, as Excel stores them.
	var strs []string
	var cells [][]byte
	for r, row := range rows {
		for c, x := range row {
			xf := formatXF[x.format]
			switch v := x.v.(type) {
			case string:
				cells = append(cells, labelSST(r, c, xf, len(strs)))
				strs = append(strs, v)
			case bool:
				b := byte(0)
				if v {
					b = 1
				}
				cells = append(cells, boolErr(r, c, xf, b, false))
			case float64:
				if v == float64(int32(v)) && v < 1<<29 && v > -(1<<29) {
					cells = append(cells, rkRec(r, c, xf, rkInt(int(v))))
				} else {
					cells = append(cells, number(r, c, xf, v))
				}
			}
		}
	}
	book := bookSpec{xfs: []int{0, 14, 10, 20}, sst: sstRec(strs, nil, false), sheets: []sheetSpec{{name: "Data", cells: cells}}}
	dir := t.TempDir()
	xlsPath := filepath.Join(dir, "book.xls")
	if err := os.WriteFile(xlsPath, book.xlsFile(), 0o600); err != nil {
		t.Fatal(err)
	}

	// XLSX, with excelize as a user's program would write it.
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Data"); err != nil {
		t.Fatal(err)
	}
	styles := map[int]int{}
	for _, id := range []int{14, 10, 20} {
		s, err := f.NewStyle(&excelize.Style{NumFmt: id})
		if err != nil {
			t.Fatal(err)
		}
		styles[id] = s
	}
	for r, row := range rows {
		for c, x := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			var err error
			switch v := x.v.(type) {
			case float64:
				err = f.SetCellFloat("Data", ref, v, -1, 64)
			default:
				err = f.SetCellValue("Data", ref, v)
			}
			if err == nil && x.format != 0 {
				err = f.SetCellStyle("Data", ref, ref, styles[x.format])
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	xlsxPath := filepath.Join(dir, "book.xlsx")
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}

	preview := func(r formats.Reader, err error) ([]string, []formats.Row) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		header, rows, err := formats.Preview(r, 10)
		if err != nil {
			t.Fatal(err)
		}
		return header, rows
	}
	headerA, rowsA := preview(Open(xlsPath, nil))
	headerB, rowsB := preview(xlsx.Open(xlsxPath, nil))
	wantHeader := []string{"Name", "Amount", "Share", "Born", "Active", "Column 6", "Column 7"}
	want := [][]string{
		{"Ada", "3", "0.525625", "2024-01-01", "TRUE", "", ""},
		{"Grace", "72", "0.125", "18:00:00", "FALSE", "", ""},
		{"Alan", "0.3", "1e-10", "2024-03-15T12:00:00", "n/a", "", ""},
		{"Edsger", "-12.5", "12345678901234600", "8595602512225", "1e+21", "extra", "7"},
	}
	for name, got := range map[string]struct {
		header []string
		rows   []formats.Row
	}{"xls": {headerA, rowsA}, "xlsx": {headerB, rowsB}} {
		if !reflect.DeepEqual(got.header, wantHeader) {
			t.Errorf("%s header %q\nwant %q", name, got.header, wantHeader)
		}
		var fields [][]string
		for _, r := range got.rows {
			fields = append(fields, r.Fields)
		}
		if !reflect.DeepEqual(fields, want) {
			t.Errorf("%s rows %q\nwant %q", name, fields, want)
		}
	}
}

// headerlessBook is a contacts sheet without a header:
// testdata/headerless.xls, which the CLI's tests import.
func headerlessBook() bookSpec {
	strs := []string{"Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000", "Grace", "Hopper", "grace@example.com",
		"+1 202 555 0143", "Alan", "Turing", "alan@example.com", "+44 161 496 0000"}
	var cells [][]byte
	for i := range strs {
		cells = append(cells, labelSST(i/4, i%4, 0, i))
	}
	return bookSpec{sst: sstRec(strs, nil, false), sheets: []sheetSpec{{name: "Contacts", cells: cells}}}
}

func TestHeaderlessFixture(t *testing.T) {
	path := filepath.Join("testdata", "headerless.xls")
	if *update {
		if err := os.WriteFile(path, headerlessBook().xlsFile(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, err := formats.Preview(r, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Column 1", "Column 2", "Column 3", "Column 4"}; !reflect.DeepEqual(header, want) || len(rows) != 3 || !r.Info().Headerless {
		t.Errorf("header %q, %d rows, headerless %v", header, len(rows), r.Info().Headerless)
	}
	if got := rows[2].Fields; len(got) != 4 || got[0] != "Alan" {
		t.Errorf("row 3: %q", got)
	}
}

// generatedContactsBook is a contacts export of contactsRows rows as crmio's
// contact generator writes them: testdata/contacts-2000.xls, which the
// importer's and the CLI's tests of interrupted imports read.
const contactsRows = 2000

func generatedContactsBook(t *testing.T) bookSpec {
	var b bytes.Buffer
	if err := contactgen.Write(&b, contactsRows, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := stdcsv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	index := map[string]int{}
	var cells [][]byte
	for r, rec := range recs {
		for c, v := range rec {
			if v == "" {
				continue
			}
			i, ok := index[v]
			if !ok {
				i = len(strs)
				index[v] = i
				strs = append(strs, v)
			}
			cells = append(cells, labelSST(r, c, 0, i))
		}
	}
	// The strings run past one record's 8,224 bytes: CONTINUE records.
	size := 8
	for _, v := range strs {
		size += 3 + len(v)
	}
	var splits []int
	for at := 8000; at < size; at += 8000 {
		splits = append(splits, at)
	}
	return bookSpec{sst: sstRec(strs, splits, false), sheets: []sheetSpec{{name: "Contacts", cells: cells}}}
}

// TestContactsFixture checks that testdata/contacts-2000.xls is the
// workbook generatedContactsBook builds (-update writes it), and that it reads as
// the generator's rows.
func TestContactsFixture(t *testing.T) {
	path := filepath.Join("testdata", "contacts-2000.xls")
	want := generatedContactsBook(t).xlsFile()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is not the workbook generatedContactsBook builds (%v): run go test -run TestContactsFixture -update", path, err)
	}
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		if _, err := r.Read(); err != nil {
			break
		}
		n++
	}
	if n != contactsRows || len(r.Header()) != len(contactgen.Header) {
		t.Errorf("%d rows, header %q", n, r.Header())
	}
}
