package xlsx_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
)

func writeWorkbook(t *testing.T, opts *xlsx.WriterOptions, header []string, rows ...[]formats.Cell) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xlsx.NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(header); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openWorkbook(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// numFmtOf returns the number format of a cell: the custom format code, or
// the built-in format id as a string.
func numFmtOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return strconv.Itoa(st.NumFmt)
}

func TestWriterTypedCells(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	data := writeWorkbook(t, &xlsx.WriterOptions{SheetName: "People: EMEA/Ω"},
		[]string{"Name", "Amount", "Count", "Birthday", "Last contact", "Active", "Big", "Old", "Empty"},
		[]formats.Cell{formats.TextCell("Zoë Łukasiewicz"), formats.NumberCell("-1234.50"), formats.NumberCell("42"),
			formats.DateCell(1990, time.March, 7), formats.DateTimeCell(time.Date(2024, 3, 15, 9, 30, 0, 0, berlin)),
			formats.BoolCell(true), formats.NumberCell("12345678901234567890"), formats.DateCell(1850, time.May, 1), {}},
		[]formats.Cell{formats.TextCell("=1+1"), formats.NumberCell("not a number"), {}, {}, {}, formats.BoolCell(false)},
	)
	f := openWorkbook(t, data)
	sheet := f.GetSheetName(0)
	if sheet != "People_ EMEA_Ω" {
		t.Errorf("sheet name %q", sheet)
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	isNumber := func(cell string) bool {
		ct := typ(cell)
		return ct == excelize.CellTypeUnset || ct == excelize.CellTypeNumber
	}

	// Numbers are number cells showing their decimal places.
	if !isNumber("B2") || raw("B2") != "-1234.5" || numFmtOf(t, f, sheet, "B2") != "0.00" {
		t.Errorf("B2: type %v raw %q format %q, want a number -1234.5 in 0.00", typ("B2"), raw("B2"), numFmtOf(t, f, sheet, "B2"))
	}
	if !isNumber("C2") || raw("C2") != "42" || numFmtOf(t, f, sheet, "C2") != "0" {
		t.Errorf("C2: type %v raw %q format %q", typ("C2"), raw("C2"), numFmtOf(t, f, sheet, "C2"))
	}
	// Dates are serials with a date format.
	if !isNumber("D2") || raw("D2") != "32939" || numFmtOf(t, f, sheet, "D2") != "yyyy-mm-dd" {
		t.Errorf("D2: type %v raw %q format %q, want serial 32939 in yyyy-mm-dd", typ("D2"), raw("D2"), numFmtOf(t, f, sheet, "D2"))
	}
	if got, _ := f.GetCellValue(sheet, "D2"); got != "1990-03-07" {
		t.Errorf("D2 formatted = %q", got)
	}
	// Instants keep their wall clock.
	if numFmtOf(t, f, sheet, "E2") != "yyyy-mm-dd hh:mm:ss" {
		t.Errorf("E2 format %q", numFmtOf(t, f, sheet, "E2"))
	}
	if got, _ := f.GetCellValue(sheet, "E2"); got != "2024-03-15 09:30:00" {
		t.Errorf("E2 formatted = %q", got)
	}
	// Booleans are boolean cells.
	if typ("F2") != excelize.CellTypeBool || raw("F2") != "1" || typ("F3") != excelize.CellTypeBool || raw("F3") != "0" {
		t.Errorf("F2/F3: %v %q / %v %q, want booleans", typ("F2"), raw("F2"), typ("F3"), raw("F3"))
	}
	// What a worksheet cannot hold exactly stays text.
	if isNumber("G2") || raw("G2") != "12345678901234567890" {
		t.Errorf("G2: type %v raw %q, want the 20 digits as text", typ("G2"), raw("G2"))
	}
	if isNumber("H2") || raw("H2") != "1850-05-01" {
		t.Errorf("H2: type %v raw %q, want the ISO text", typ("H2"), raw("H2"))
	}
	if raw("I2") != "" || raw("C3") != "" {
		t.Errorf("empty cells hold %q, %q", raw("I2"), raw("C3"))
	}
	// Text is text, never a formula.
	if f, _ := f.GetCellFormula(sheet, "A3"); f != "" {
		t.Errorf("A3 became a formula %q", f)
	}
	if raw("A3") != "=1+1" || raw("B3") != "not a number" || raw("A2") != "Zoë Łukasiewicz" {
		t.Errorf("text cells: %q %q %q", raw("A3"), raw("B3"), raw("A2"))
	}
}

func TestWriterHeaderFrozenStyledAndFitted(t *testing.T) {
	long := strings.Repeat("x", 200)
	data := writeWorkbook(t, &xlsx.WriterOptions{Emphasize: []string{"Email"}},
		[]string{"Email", "Notes", "N"},
		[]formats.Cell{formats.TextCell("ada@example.com"), formats.TextCell(long), formats.NumberCell("1")},
	)
	f := openWorkbook(t, data)
	sheet := f.GetSheetName(0)
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want the header row frozen", panes)
	}
	for cell, wantFill := range map[string]string{"A1": "F8CBAD", "B1": "DDEBF7"} {
		id, _ := f.GetCellStyle(sheet, cell)
		st, _ := f.GetStyle(id)
		if st.Font == nil || !st.Font.Bold || len(st.Fill.Color) == 0 || st.Fill.Color[0] != wantFill {
			t.Errorf("%s style: font %+v fill %+v, want bold on %s", cell, st.Font, st.Fill, wantFill)
		}
	}
	widths := map[string]float64{}
	for _, col := range []string{"A", "B", "C"} {
		widths[col], _ = f.GetColWidth(sheet, col)
	}
	if widths["A"] < 15 || widths["A"] > 25 {
		t.Errorf("width of the email column = %v, want it fitted to 15 characters", widths["A"])
	}
	if widths["B"] != xlsx.DefaultMaxColumnWidth {
		t.Errorf("width of the long column = %v, want the cap %v", widths["B"], xlsx.DefaultMaxColumnWidth)
	}
	if widths["C"] < 6 || widths["C"] > 8 {
		t.Errorf("width of a narrow column = %v, want the minimum", widths["C"])
	}
}

// TestWriterManyRows writes past the width sample, so rows stream straight
// out, and checks every row arrives in order.
func TestWriterManyRows(t *testing.T) {
	var rows [][]formats.Cell
	for i := range 1000 {
		rows = append(rows, []formats.Cell{formats.NumberCell(strconv.Itoa(i)), formats.TextCell("row " + strconv.Itoa(i))})
	}
	data := writeWorkbook(t, &xlsx.WriterOptions{WidthSampleRows: 10}, []string{"N", "Text"}, rows...)
	f := openWorkbook(t, data)
	got, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1001 || got[1000][1] != "row 999" || got[11][0] != "10" {
		t.Errorf("read %d rows; last %v", len(got), got[len(got)-1])
	}
}

func TestWriterSheets(t *testing.T) {
	var buf bytes.Buffer
	w, err := xlsx.NewWriter(&buf, &xlsx.WriterOptions{SheetName: "Import"})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]string{"A"})
	w.WriteRow([]formats.Cell{formats.TextCell("a")})
	if err := w.NewSheet("Instructions"); err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]string{"Column", "Notes"})
	w.WriteRow([]formats.Cell{formats.TextCell("A"), formats.TextCell("required")})
	if err := w.NewSheet("Import"); err == nil {
		t.Error("a second sheet named Import was accepted")
	}
	w.Close()
	if _, err := xlsx.NewWriter(io.Discard, nil); err != nil {
		t.Fatal(err)
	}
}

func TestWriterErrors(t *testing.T) {
	w, _ := xlsx.NewWriter(io.Discard, nil)
	if err := w.WriteRow(nil); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("WriteRow before the header: %v", err)
	}
	if err := w.Close(); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("Close after an error: %v, want the sticky error", err)
	}
	w, _ = xlsx.NewWriter(io.Discard, nil)
	w.WriteHeader([]string{"a"})
	if err := w.WriteRow([]formats.Cell{{}, {}}); !errors.Is(err, formats.ErrRowTooWide) {
		t.Errorf("too wide: %v", err)
	}
	w.Close()
}

// TestWriterReadBack reads a written workbook with this package's own
// reader: every cell comes back as the text an import expects.
func TestWriterReadBack(t *testing.T) {
	data := writeWorkbook(t, nil,
		[]string{"Name", "Amount", "Birthday", "Active"},
		[]formats.Cell{formats.TextCell("Ωμέγα"), formats.NumberCell("0.1"), formats.DateCell(2024, time.February, 29), formats.BoolCell(true)},
	)
	path := t.TempDir() + "/book.xlsx"
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := xlsx.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := strings.Join(r.Header(), "|"); got != "Name|Amount|Birthday|Active" {
		t.Errorf("header %q", got)
	}
	row, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(row.Fields, "|"); got != "Ωμέγα|0.1|2024-02-29|TRUE" && got != "Ωμέγα|0.1|2024-02-29|true" {
		t.Errorf("row %d = %q", row.Number, row.Fields)
	}
}
