package xls

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/internal/testenv"
)

// XF indexes of the contacts fixture.
const (
	xfGeneral  = 0
	xfDate     = 1 // built-in 14, m/d/yy
	xfDateTime = 2 // custom 164, dd/mm/yyyy hh:mm
	xfTime     = 3 // built-in 20, h:mm
	xfPercent  = 4 // built-in 10, 0.00%
	xfText     = 5 // built-in 49, @
)

// contactsBook is a BIFF8 workbook with a hidden first sheet and a contacts
// sheet that uses every cell record the reader knows, a gap of blank rows,
// an unnamed and a repeated column, and shared strings split across
// CONTINUE records.
func contactsBook() bookSpec {
	strs := []string{"Name", "Email", "Born", "Active", "Score", "Ada Lovelace", "Grace Hopper", "Zoë Ünicode 日本語", "Rate"}
	return bookSpec{
		formats: [][]byte{formatRec(164, "dd/mm/yyyy hh:mm")},
		xfs:     []int{0, 14, 164, 20, 10, 49},
		// Splits inside the characters and the rich text run of "Ada
		// Lovelace", inside "Grace Hopper", at the start of "Zoë..." and
		// inside its UTF-16 characters.
		sst: sstRec(strs, []int{50, 58, 66, 75, 90}, false, 5),
		sheets: []sheetSpec{
			{name: "Hidden notes", state: 1, cells: [][]byte{labelSST(0, 0, 0, 0)}},
			{name: "Contacts", cells: [][]byte{
				labelSST(0, 0, 0, 0), labelSST(0, 1, 0, 1), labelSST(0, 2, 0, 2),
				labelSST(0, 3, 0, 3), labelSST(0, 4, 0, 4), labelSST(0, 6, 0, 1),
				labelSST(0, 7, 0, 8),

				labelSST(1, 0, 0, 5), label(1, 1, 0, "ada@example.com"),
				number(1, 2, xfDate, 45292), boolErr(1, 3, 0, 1, false),
				rkRec(1, 4, 0, rkInt(42)), blank(1, 5, 0),
				formulaSpecial(1, 6, 0, 0, 0), rec(0x04BC, u16(0)), stringRec("ada@work.example"),
				number(1, 7, xfPercent, 0.125),

				// Rows 3 and 4 are blank: no records at all.

				labelSST(4, 0, 0, 6), label(4, 1, xfText, "grace@example.com"),
				number(4, 2, xfDateTime, 45366.75), formulaSpecial(4, 3, 0, 1, 0),
				mulRK(4, 4, 0, rkCents(1250), rkFloat(2.5)),
				formulaNum(4, 7, 0, 0.1+0.2),

				labelSST(5, 0, 0, 7), boolErr(5, 1, 0, 0x2A, true),
				number(5, 2, xfTime, 0.5), formulaSpecial(5, 3, 0, 2, 0x07),
				rkRec(5, 4, xfGeneral, rkInt(-7)), formulaSpecial(5, 6, 0, 3, 0),
				number(5, 8, 0, 99), // right of the last named column
			}},
		},
	}
}

var update = flag.Bool("update", false, "rewrite the fixtures in testdata built by the tests")

func TestReadContacts(t *testing.T) {
	r, err := Parse(contactsBook().xlsFile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkContacts(t, r)
}

// TestFixture checks the committed fixture the examples read, written by
// the test writer; go test -update rewrites it.
func TestFixture(t *testing.T) {
	path := filepath.Join("testdata", "contacts.xls")
	if *update {
		if err := os.WriteFile(path, contactsBook().xlsFile(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkContacts(t, r)
}

func checkContacts(t *testing.T, r formats.Reader) {
	t.Helper()

	wantHeader := []string{"Name", "Email", "Born", "Active", "Score", "Column 6", "Email (2)", "Rate", "Column 9"}
	if got := r.Header(); !reflect.DeepEqual(got, wantHeader) {
		t.Errorf("header = %q, want %q", got, wantHeader)
	}
	want := []struct {
		number int
		fields []string
	}{
		{2, []string{"Ada Lovelace", "ada@example.com", "2024-01-01", "TRUE", "42", "", "ada@work.example", "0.125", ""}},
		{5, []string{"Grace Hopper", "grace@example.com", "2024-03-15T18:00:00", "FALSE", "12.5", "2.5", "", "0.3", ""}},
		{6, []string{"Zoë Ünicode 日本語", "#N/A", "12:00:00", "#DIV/0!", "-7", "", "", "", "99"}},
	}
	for _, w := range want {
		row, err := r.Read()
		if err != nil {
			t.Fatalf("row %d: %v", w.number, err)
		}
		if row.Number != w.number || !reflect.DeepEqual(row.Fields, w.fields) {
			t.Errorf("got row %d %q,\nwant row %d %q", row.Number, row.Fields, w.number, w.fields)
		}
	}
	if _, err := r.Read(); err == nil {
		t.Error("no io.EOF after the last row")
	}

	info := r.Info()
	if info.Format != "xls" || info.Sheet != "Contacts" || info.HeaderRow != 1 || info.EstimatedRows != 5 {
		t.Errorf("info = %+v", info)
	}
	if !reflect.DeepEqual(info.Sheets, []string{"Hidden notes", "Contacts"}) {
		t.Errorf("sheets = %q", info.Sheets)
	}
	var notices []string
	for _, n := range info.Notices {
		notices = append(notices, n.String())
	}
	wantNotices := []string{
		`row 1, column 6: the column has no name; it is called "Column 6"`,
		`row 1, column 7: the name "Email" is used by column 2 too; this one is called "Email (2)"`,
		`row 6: the row is longer than the header: the cells past column 8 are read as "Column 9"`,
	}
	if !reflect.DeepEqual(notices, wantNotices) {
		t.Errorf("notices:\n%s\nwant:\n%s", strings.Join(notices, "\n"), strings.Join(wantNotices, "\n"))
	}
}

func TestSheetSelection(t *testing.T) {
	data := contactsBook().xlsFile()
	for _, tc := range []struct {
		opts      *formats.Options
		wantSheet string
		wantErr   error
	}{
		{nil, "Contacts", nil}, // the first visible sheet
		{&formats.Options{Sheet: "Hidden notes"}, "Hidden notes", nil},
		{&formats.Options{Sheet: "contacts"}, "Contacts", nil}, // as Excel, without regard to case
		{&formats.Options{SheetIndex: 1}, "Hidden notes", nil},
		{&formats.Options{SheetIndex: 2}, "Contacts", nil},
		{&formats.Options{SheetIndex: 3}, "", formats.ErrNoSheet},
		{&formats.Options{Sheet: "Leads"}, "", formats.ErrNoSheet},
	} {
		r, err := Parse(data, tc.opts)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%+v: err = %v, want %v", tc.opts, err, tc.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), `"Hidden notes", "Contacts"`) {
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

func TestHeaderRow(t *testing.T) {
	book := bookSpec{sheets: []sheetSpec{{name: "S", cells: [][]byte{
		label(0, 0, 0, "Contacts export"), // a note above the table
		label(2, 0, 0, "First"), label(2, 1, 0, "Last"),
		label(3, 0, 0, "Ada"), label(3, 1, 0, "Lovelace"),
		label(4, 0, 0, "Grace"), label(4, 1, 0, "Hopper"),
	}}}}
	data := book.xlsFile()
	for _, tc := range []struct {
		headerRow  int
		wantHeader []string
		wantFirst  int
		wantErr    error
	}{
		{0, []string{"First", "Last"}, 4, nil}, // the note is skipped
		{3, []string{"First", "Last"}, 4, nil},
		{1, []string{"Contacts export", "Column 2"}, 3, nil}, // the rows below are wider
		{2, nil, 0, formats.ErrNoHeader},                     // a blank row
		{9, nil, 0, formats.ErrNoHeader},                     // past the end
	} {
		r, err := Parse(data, &formats.Options{HeaderRow: tc.headerRow})
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("HeaderRow %d: err = %v, want %v", tc.headerRow, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		row, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.Header(), tc.wantHeader) || row.Number != tc.wantFirst {
			t.Errorf("HeaderRow %d: header %q, first row %d; want %q, %d", tc.headerRow, r.Header(), row.Number, tc.wantHeader, tc.wantFirst)
		}
		r.Close()
	}
}

func TestDateSystems(t *testing.T) {
	for _, tc := range []struct {
		date1904 bool
		serial   float64
		want     string
	}{
		{false, 36526, "2000-01-01"},
		{true, 36526 - 1462, "2000-01-01"},
		{false, 1, "1900-01-01"},
		{false, 61, "1900-03-01"},
		{true, 0, "1904-01-01"},
		{false, -1, "-1"}, // not a date: the number stays
	} {
		book := bookSpec{date1904: tc.date1904, xfs: []int{0, 14}, sheets: []sheetSpec{{name: "S", cells: [][]byte{
			label(0, 0, 0, "When"), number(1, 0, 1, tc.serial),
		}}}}
		r, err := Parse(book.xlsFile(), nil)
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		if row.Fields[0] != tc.want {
			t.Errorf("1904=%v serial %v: %q, want %q", tc.date1904, tc.serial, row.Fields[0], tc.want)
		}
		r.Close()
	}
}

func TestSharedStringSplits(t *testing.T) {
	strs := []string{"Name", "Émile Zola", "名前", strings.Repeat("x", 300)}
	// Every split point of the string data, with and without a switch to
	// UTF-16 after the split: the table must always read the same.
	size := len(sstRec(strs, nil, false)) - 12
	for _, wide := range []bool{false, true} {
		for at := 1; at < size; at++ {
			book := bookSpec{sst: sstRec(strs, []int{at}, wide), sheets: []sheetSpec{{name: "S", cells: [][]byte{
				labelSST(0, 0, 0, 0), labelSST(1, 0, 0, 1), labelSST(2, 0, 0, 2), labelSST(3, 0, 0, 3),
			}}}}
			r, err := Parse(book.xlsFile(), nil)
			if err != nil {
				t.Fatalf("split at %d: %v", at, err)
			}
			rows := readRows(t, r, 10)
			got := []string{r.Header()[0], rows[0][0], rows[1][0], rows[2][0]}
			if !reflect.DeepEqual(got, strs) {
				t.Errorf("split at %d (wide %v): %q", at, wide, got)
			}
			r.Close()
		}
	}
}

func TestBIFF5CodePage(t *testing.T) {
	// "Имя" and "Фамилия" in Windows-1251, in a BIFF5 workbook.
	name := []byte{0xC8, 0xEC, 0xFF}
	surname := []byte{0xD4, 0xE0, 0xEC, 0xE8, 0xEB, 0xE8, 0xFF}
	book := bookSpec{
		biff5: true, codepage: 1251,
		sheets:   []sheetSpec{{name: "x", cells: [][]byte{label5(0, 0, 0, name), label5(0, 1, 0, surname), label5(1, 0, 0, []byte("Ivan"))}}},
		rawNames: map[int][]byte{0: {0xCB, 0xE8, 0xF1, 0xF2, 0x31}}, // "Лист1"
	}
	r, err := Parse(book.xlsFile(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, want := r.Header(), []string{"Имя", "Фамилия"}; !reflect.DeepEqual(got, want) {
		t.Errorf("header %q, want %q", got, want)
	}
	info := r.Info()
	if info.Sheet != "Лист1" || info.Encoding != "windows-1251" {
		t.Errorf("sheet %q, encoding %q", info.Sheet, info.Encoding)
	}
}

func TestRefusals(t *testing.T) {
	encryptedOOXML := compoundFile(map[string][]byte{"EncryptionInfo": {4, 0, 4, 0}, "EncryptedPackage": {1, 2, 3}})
	word := compoundFile(map[string][]byte{"WordDocument": {0xEC, 0xA5}, "1Table": {0}})
	filePass := bookSpec{filePass: true, sheets: []sheetSpec{{name: "S"}}}.xlsFile()
	good := contactsBook().xlsFile()
	for _, tc := range []struct {
		name    string
		data    []byte
		want    error
		message string
	}{
		{"encrypted xlsx", encryptedOOXML, formats.ErrEncrypted, "encrypted"},
		{"FILEPASS", filePass, formats.ErrEncrypted, "password"},
		{"Word document", word, formats.ErrUnsupportedFormat, "Word document"},
		{"not OLE2", []byte("Name,Email\n"), formats.ErrUnsupportedFormat, "OLE2"},
		{"BIFF4", append([]byte{0x09, 0x04, 0x06, 0x00}, make([]byte, 8)...), formats.ErrUnsupportedFormat, "Excel 2.x-4.0"},
		{"truncated", good[:1000], formats.ErrCorrupt, ""},
		{"empty compound file", compoundFile(nil), formats.ErrUnsupportedFormat, "empty"},
		{"too large", good, formats.ErrTooLarge, ""},
	} {
		opts := &formats.Options{}
		if tc.name == "too large" {
			opts.MaxSize = 100
		}
		_, err := Parse(tc.data, opts)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) {
			t.Errorf("%s: err = %v, want %v with %q", tc.name, err, tc.want, tc.message)
		}
	}
}

// TestDamage cuts and overwrites the contacts workbook stream in many
// places: every result must be a reader or a typed error.
func TestDamage(t *testing.T) {
	stream := contactsBook().stream()
	for i := 0; i < len(stream); i += 7 {
		for _, damaged := range [][]byte{
			stream[:i],
			append(append(append([]byte(nil), stream[:i]...), 0xFF, 0xFF, 0xFF, 0xFF), stream[min(i+4, len(stream)):]...),
		} {
			r, err := Parse(compoundFile(map[string][]byte{"Workbook": damaged}), nil)
			if err != nil {
				if !typedError(err) {
					t.Fatalf("cut at %d: untyped error %v", i, err)
				}
				continue
			}
			readRows(t, r, 100)
			r.Close()
		}
	}
}

func TestRK(t *testing.T) {
	for _, tc := range []struct {
		rk   uint32
		want float64
	}{
		{rkInt(42), 42},
		{rkInt(-7), -7},
		{rkCents(1250), 12.5},
		{rkFloat(2.5), 2.5},
		{rkFloat(2.5) | 0x01, 0.025},
	} {
		if got := rk(tc.rk); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("rk(%#x) = %v, want %v", tc.rk, got, tc.want)
		}
	}
}

// TestTwins reads workbooks of the corpus saved both as XLS and as XLSX
// (extrame/xls keeps its XLSX twins as the expected values; csvkit and
// Apache POI have pairs too): header and cell text must be the same, to the
// character. Numbers included: each reader renders a number as Excel shows
// it, whatever text or binary the file stored it as. One pair is not the
// same workbook twice: superstore's twins hold values that differ in their
// 15th digit (9.98999999999999 and 9.99), saved by different programs; its
// numbers may differ there, and nowhere else.
func TestTwins(t *testing.T) {
	type pair struct {
		xls        string
		opts       *formats.Options
		lastDigits bool // numbers may differ in their 15th digit
	}
	var pairs []pair
	if dir, ok := corpusDir(t, "extrame-xls"); ok {
		matches, _ := filepath.Glob(filepath.Join(dir, "testdata", "*.xls"))
		for _, m := range matches {
			pairs = append(pairs, pair{xls: m, lastDigits: filepath.Base(m) == "superstore.xls"})
		}
	}
	if dir, ok := corpusDir(t, "csvkit-examples"); ok {
		for _, name := range []string{"dummy", "test", "test_skip_lines"} {
			pairs = append(pairs, pair{xls: filepath.Join(dir, "examples", name+".xls")})
		}
		pairs = append(pairs, pair{xls: filepath.Join(dir, "examples", "sheets.xls"), opts: &formats.Options{Sheet: "data"}})
	}
	if dir, ok := corpusDir(t, "apache-poi"); ok {
		for _, name := range []string{"SampleSS", "SimpleMultiCell"} {
			pairs = append(pairs, pair{xls: filepath.Join(dir, "spreadsheet", name+".xls")})
		}
	}
	if len(pairs) == 0 {
		testenv.Skip(t, testenv.Corpus, "../shared/corpus is absent")
	}
	compared := 0
	for _, p := range pairs {
		xlsxPath := p.xls + "x"
		if _, err := os.Stat(xlsxPath); err != nil {
			continue
		}
		if fi, err := os.Stat(p.xls); err == nil && fi.Size() > bigFile && (raceEnabled || testing.Short()) {
			t.Logf("%s: %d bytes, left to the ordinary run", filepath.Base(p.xls), fi.Size())
			continue
		}
		compared++
		t.Run(filepath.Base(p.xls), func(t *testing.T) {
			compareTwins(t, p.xls, xlsxPath, p.opts, p.lastDigits)
		})
	}
	t.Logf("%d pairs compared", compared)
}

// compareTwins reads an XLS file and its XLSX twin and checks that they
// read the same: header and every cell's text (numbers to their 15th
// digit only, with lastDigits).
func compareTwins(t *testing.T, xlsPath, xlsxPath string, opts *formats.Options, lastDigits bool) {
	t.Helper()
	a, err := Open(xlsPath, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := xlsx.Open(xlsxPath, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ai, bi := a.Info(), b.Info(); ai.Headerless != bi.Headerless || ai.HeaderRow != bi.HeaderRow {
		t.Errorf("header row: xls %d (headerless %v), xlsx %d (%v)", ai.HeaderRow, ai.Headerless, bi.HeaderRow, bi.Headerless)
	}
	rowsA, rowsB := readRows(t, a, 1<<20), readRows(t, b, 1<<20)
	if !reflect.DeepEqual(a.Header(), b.Header()) {
		t.Fatalf("header:\nxls  %q\nxlsx %q", a.Header(), b.Header())
	}
	if len(rowsA) != len(rowsB) {
		t.Fatalf("%d rows in the XLS, %d in the XLSX", len(rowsA), len(rowsB))
	}
	mismatches, digits := 0, 0
	for i := range rowsA {
		for j := range max(len(rowsA[i]), len(rowsB[i])) {
			va, vb := field(rowsA[i], j), field(rowsB[i], j)
			switch {
			case va == vb:
			case lastDigits && in15thDigit(va, vb):
				digits++
			default:
				mismatches++
				if mismatches <= 5 {
					t.Errorf("data row %d, column %d: xls %q, xlsx %q", i+1, j+1, va, vb)
				}
			}
		}
	}
	if mismatches > 5 {
		t.Errorf("%d mismatched cells in all", mismatches)
	}
	if digits > 0 {
		t.Logf("%d numbers differ in their 15th digit", digits)
	}
}

// in15thDigit reports whether a and b are numbers that differ by at most
// one unit of their 15th significant digit.
func in15thDigit(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-14*math.Max(math.Abs(x), math.Abs(y))
}

// bigFile is the size from which -race and -short runs skip a corpus file.
const bigFile = 1 << 20

func field(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TestCorpusFiles checks files whose content the corpus documents.
func TestCorpusFiles(t *testing.T) {
	dir := mustCorpus(t, "apache-poi")
	for _, tc := range []struct {
		file  string
		row   int // 0: the header
		col   int
		want  string
		sheet string
	}{
		// One date in A1: data, not a header.
		{file: "spreadsheet/1900DateWindowing.xls", row: 1, col: 0, want: "2000-01-01"},
		{file: "spreadsheet/1904DateWindowing.xls", row: 1, col: 0, want: "2000-01-01"},
		{file: "spreadsheet/testEXCEL_95.xls", row: 2, col: 2, want: "4"}, // BIFF5: Square of 2
		{file: "spreadsheet/chinese-provinces.xls", row: 0, col: 0},
	} {
		r, err := Open(filepath.Join(dir, tc.file), &formats.Options{Sheet: tc.sheet})
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		var got string
		if tc.row == 0 {
			got = field(r.Header(), tc.col)
		} else {
			rows := readRows(t, r, tc.row)
			if len(rows) >= tc.row {
				got = field(rows[tc.row-1], tc.col)
			}
		}
		if tc.want != "" && got != tc.want {
			t.Errorf("%s: row %d, column %d = %q, want %q", tc.file, tc.row, tc.col+1, got, tc.want)
		}
		r.Close()
	}
}

// fixtureSeeds are the fuzz seeds built by the test writer.
func fixtureSeeds() [][]byte {
	return [][]byte{
		contactsBook().xlsFile(),
		bookSpec{biff5: true, codepage: 1251, sheets: []sheetSpec{{name: "S", cells: [][]byte{label5(0, 0, 0, []byte{0xC8})}}}}.xlsFile(),
		bookSpec{filePass: true, sheets: []sheetSpec{{name: "S"}}}.xlsFile(),
	}
}

func TestFixtureSeedsParse(t *testing.T) {
	for i, seed := range fixtureSeeds() {
		if _, err := Parse(seed, nil); err != nil && !errors.Is(err, formats.ErrEncrypted) {
			t.Errorf("seed %d: %v", i, err)
		}
	}
	if !bytes.HasPrefix(fixtureSeeds()[0], oleMagic) {
		t.Error("the writer does not write OLE2")
	}
}
