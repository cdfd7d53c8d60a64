package workbook

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// rowsSource is a Source over rows given as "number: cell|cell|..." lines.
type rowsSource struct {
	rows   []string
	bad    map[int]bool // row numbers that fail with a ParseError
	closed bool
}

func (s *rowsSource) Next() (int, []string, error) {
	if len(s.rows) == 0 {
		return 0, nil, io.EOF
	}
	line := s.rows[0]
	s.rows = s.rows[1:]
	var num int
	var cells string
	fmt.Sscanf(line, "%d:", &num)
	_, cells, _ = strings.Cut(line, ":")
	if s.bad[num] {
		return 0, nil, &formats.ParseError{Sheet: "S", Row: num, Err: formats.ErrCorrupt}
	}
	return num, strings.Split(cells, "|"), nil
}

func (s *rowsSource) Close() error {
	s.closed = true
	return nil
}

func read(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		var pe *formats.ParseError
		if errors.As(err, &pe) {
			out = append(out, fmt.Sprintf("error at %d", pe.Row))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d: %s", row.Number, strings.Join(row.Fields, "|")))
	}
}

func TestReader(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rows       []string
		bad        map[int]bool
		headerRow  int
		wantHeader []string
		wantRows   []string
		wantErr    error
		notices    []string
		headerless bool
	}{
		{
			name:       "first row",
			rows:       []string{"1:Name|Email", "2:Ada|ada@x", "4:Grace"},
			wantHeader: []string{"Name", "Email"},
			wantRows:   []string{"2: Ada|ada@x", "4: Grace|"},
		},
		{
			name:       "blank rows above, whitespace is blank",
			rows:       []string{"1: | ", "3:Name|Email", "5:\t|", "6:Ada|ada@x"},
			wantHeader: []string{"Name", "Email"},
			wantRows:   []string{"6: Ada|ada@x"},
		},
		{
			name:       "preamble of notes",
			rows:       []string{"1:Contacts export", "2:Exported 2024-01-01", "4:Name|Email", "5:Ada|ada@x", "6:Grace|g@x"},
			wantHeader: []string{"Name", "Email"},
			wantRows:   []string{"5: Ada|ada@x", "6: Grace|g@x"},
			notices:    []string{"the header is row 4; 2 rows above it were skipped as notes"},
		},
		{
			name:       "a one-column table is no preamble",
			rows:       []string{"1:Email", "2:ada@x", "3:a|b", "4:g@x", "5:h@x", "6:i@x"},
			wantHeader: []string{"Email", "Column 2"},
			wantRows:   []string{"2: ada@x|", "3: a|b", "4: g@x|", "5: h@x|", "6: i@x|"},
			notices:    []string{`row 3: the row is longer than the header: the cells past column 1 are read as "Column 2"`},
		},
		{
			name:       "no header: the first row reads as data",
			rows:       []string{"1:Ada|ada@example.com", "2:Grace|grace@example.com|+1 555 0100", "4:Alan|alan@example.com"},
			wantHeader: []string{"Column 1", "Column 2", "Column 3"},
			wantRows:   []string{"1: Ada|ada@example.com|", "2: Grace|grace@example.com|+1 555 0100", "4: Alan|alan@example.com|"},
			notices: []string{`row 1: the row reads as data, not as a header (column 2 holds an email address, like the rows below it ("ada@example.com")): ` +
				`it is read as the first record, and the columns are called "Column 1" to "Column 3" (set the header row to 1 if it is the header)`},
			headerless: true,
		},
		{
			name:       "no header asked for",
			rows:       []string{"1:Name|Email", "2:Ada|ada@x", "3:Grace|g@x|7"},
			headerRow:  formats.NoHeaderRow,
			wantHeader: []string{"Column 1", "Column 2", "Column 3"},
			wantRows:   []string{"1: Name|Email|", "2: Ada|ada@x|", "3: Grace|g@x|7"},
			headerless: true,
		},
		{
			name:       "the header row given though it reads as data",
			rows:       []string{"1:Ada|ada@example.com", "2:Grace|grace@example.com"},
			headerRow:  1,
			wantHeader: []string{"Ada", "ada@example.com"},
			wantRows:   []string{"2: Grace|grace@example.com"},
		},
		{
			name:       "ragged rows, the header grows",
			rows:       []string{"1:A|B", "2:a|b|c", "3:a", "4:a|b|c|d|", "5:a|b"},
			wantHeader: []string{"A", "B", "Column 3", "Column 4"},
			wantRows:   []string{"2: a|b|c|", "3: a|||", "4: a|b|c|d", "5: a|b||"},
			notices:    []string{`2 rows are longer than the header (rows 2 and 4): the cells past column 2 are read as "Column 3" and "Column 4"`},
		},
		{
			name:      "no header in an empty sheet",
			rows:      []string{"1: |"},
			headerRow: formats.NoHeaderRow,
			wantErr:   formats.ErrNoHeader,
		},
		{
			name:       "header row given",
			rows:       []string{"1:Report", "2:Name|Email", "3:Ada|ada@x"},
			headerRow:  2,
			wantHeader: []string{"Name", "Email"},
			wantRows:   []string{"3: Ada|ada@x"},
		},
		{
			name:      "header row given is blank",
			rows:      []string{"1:Report", "3:Name|Email"},
			headerRow: 2,
			wantErr:   formats.ErrNoHeader,
		},
		{
			name:    "empty sheet",
			rows:    []string{"1: |", "2:"},
			wantErr: formats.ErrNoHeader,
		},
		{
			name: "names made unique",
			rows: []string{"1: Email |Email||email|Email (2)|Email||", "2:a|b|c|d|e|f|g|h"},
			// The CSV reader's rule, kept for a file that reads the same
			// saved as CSV or as a workbook.
			wantHeader: []string{"Email", "Email (2) (2)", "Column 3", "email", "Email (2)", "Email (3)", "Column 7", "Column 8"},
			wantRows:   []string{"2: a|b|c|d|e|f|g|h"},
			notices: []string{
				`row 1, column 2: the name "Email" is used by column 1 too; this one is called "Email (2) (2)"`,
				`row 1, column 3: the column has no name; it is called "Column 3"`,
				`row 1, column 6: the name "Email" is used by column 1 too; this one is called "Email (3)"`,
				`row 2: the row is longer than the header: the cells past column 6 are read as "Column 7" and "Column 8"`,
			},
		},
		{
			name:       "a bad row is skipped and reported",
			rows:       []string{"1:A", "2:x", "3:y", "4:z"},
			bad:        map[int]bool{3: true},
			wantHeader: []string{"A"},
			wantRows:   []string{"2: x", "error at 3", "4: z"},
		},
		{
			name:    "a bad row above the header",
			rows:    []string{"1:A|B", "2:x|y"},
			bad:     map[int]bool{1: true},
			wantErr: formats.ErrCorrupt,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &rowsSource{rows: tc.rows, bad: tc.bad}
			r, err := NewReader(src, Config{Info: formats.Info{Format: "xlsx", Sheet: "S"}, HeaderRow: tc.headerRow, LastRow: 10})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !src.closed {
					t.Error("the source is not closed after an error")
				}
				return
			}
			if got := r.Header(); !reflect.DeepEqual(got, tc.wantHeader) {
				t.Errorf("header = %q, want %q", got, tc.wantHeader)
			}
			if got := read(t, r); !reflect.DeepEqual(got, tc.wantRows) {
				t.Errorf("rows = %q, want %q", got, tc.wantRows)
			}
			var notices []string
			for _, n := range r.Info().Notices {
				notices = append(notices, n.String())
			}
			if !reflect.DeepEqual(notices, tc.notices) {
				t.Errorf("notices = %q, want %q", notices, tc.notices)
			}
			if info := r.Info(); info.EstimatedRows != 10-info.HeaderRow {
				t.Errorf("EstimatedRows %d with header row %d", info.EstimatedRows, info.HeaderRow)
			}
			if info := r.Info(); info.Headerless != tc.headerless || tc.headerless && info.HeaderRow != 0 {
				t.Errorf("Headerless %v, HeaderRow %d", info.Headerless, info.HeaderRow)
			}
			if err := r.Close(); err != nil || !src.closed {
				t.Errorf("Close: %v, closed %v", err, src.closed)
			}
			if _, err := r.Read(); !errors.Is(err, fs.ErrClosed) {
				t.Errorf("Read after Close: %v", err)
			}
		})
	}
}

// TestNoticesBounded reads a sheet of ragged rows and a header of empty
// names: one notice for all the ragged rows, and no more than MaxNotices.
func TestNoticesBounded(t *testing.T) {
	rows := []string{"1:A|B"}
	for i := 2; i < 300; i++ {
		rows = append(rows, fmt.Sprintf("%d:a|b|extra", i))
	}
	r, err := NewReader(&rowsSource{rows: rows}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	read(t, r)
	info := r.Info()
	if len(info.Notices) != 1 || info.NoticesDropped != 0 || !strings.HasPrefix(info.Notices[0].Message, "298 rows are longer than the header (rows 2, 3,") {
		t.Errorf("notices %v, %d dropped", info.Notices, info.NoticesDropped)
	}

	header := "1:A" + strings.Repeat("|", 150) + "|B"
	r, err = NewReader(&rowsSource{rows: []string{header, "2:a|b|c"}}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	info = r.Info()
	if len(info.Notices) != formats.MaxNotices || info.NoticesDropped != 150-formats.MaxNotices {
		t.Errorf("%d notices, %d dropped", len(info.Notices), info.NoticesDropped)
	}
}

// TestParseErrorsNameTheFile checks that the reader puts the file's name
// in the errors of rows it could not read.
func TestParseErrorsNameTheFile(t *testing.T) {
	r, err := NewReader(&rowsSource{rows: []string{"1:A", "2:x", "3:y"}, bad: map[int]bool{3: true}}, Config{File: "book.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	r.Read()
	_, err = r.Read()
	var pe *formats.ParseError
	if !errors.As(err, &pe) || pe.File != "book.xlsx" || !strings.HasPrefix(err.Error(), `book.xlsx: sheet "S", row 3: `) {
		t.Errorf("err = %v", err)
	}
	_, err = NewReader(&rowsSource{rows: []string{"1:A|B"}, bad: map[int]bool{1: true}}, Config{File: "book.xlsx"})
	if !errors.As(err, &pe) || pe.File != "book.xlsx" {
		t.Errorf("err = %v", err)
	}
}

func TestChooseSheet(t *testing.T) {
	names := []string{"Notes", "Chart", "Contacts"}
	usable := func(i int) bool { return i == 2 }
	for _, tc := range []struct {
		opts    *formats.Options
		want    int
		wantErr string
	}{
		{nil, 2, ""},
		{&formats.Options{Sheet: "Notes"}, 0, ""},
		{&formats.Options{Sheet: "notes"}, 0, ""},
		{&formats.Options{SheetIndex: 2}, 1, ""},
		{&formats.Options{SheetIndex: 4}, -1, `number 4 (the workbook has 3: "Notes", "Chart", "Contacts")`},
		{&formats.Options{SheetIndex: -1}, -1, "number -1"},
		{&formats.Options{Sheet: "Leads"}, -1, `"Leads" (the workbook has "Notes", "Chart", "Contacts")`},
	} {
		got, err := ChooseSheet(names, tc.opts, usable)
		if got != tc.want || (err == nil) != (tc.wantErr == "") || err != nil && (!errors.Is(err, formats.ErrNoSheet) || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%+v: %d, %v; want %d, %q", tc.opts, got, err, tc.want, tc.wantErr)
		}
	}
	if i, _ := ChooseSheet(names, nil, func(int) bool { return false }); i != 0 {
		t.Errorf("nothing usable: %d, want the first sheet", i)
	}
	if _, err := ChooseSheet(nil, nil, nil); !errors.Is(err, formats.ErrNoSheet) {
		t.Errorf("no sheets: %v", err)
	}
	many := make([]string, 30)
	for i := range many {
		many[i] = fmt.Sprint("S", i)
	}
	_, err := ChooseSheet(many, &formats.Options{Sheet: "X"}, nil)
	if err == nil || !strings.Contains(err.Error(), "and 10 more") {
		t.Errorf("long list: %v", err)
	}
}

// TestSparseSheet reads a sheet whose rows each hold one value 20,000
// columns to the right of the header's last: padded, they would cost far
// more than the file; the reader stops with ErrTooLarge.
func TestSparseSheet(t *testing.T) {
	rows := []string{"1:" + strings.Repeat("|", 20000) + "H"}
	for i := 2; i < 2000; i++ {
		rows = append(rows, fmt.Sprintf("%d:a", i))
	}
	r, err := NewReader(&rowsSource{rows: rows}, Config{Info: formats.Info{Sheet: "S"}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err = r.Read()
		if err != nil {
			break
		}
		n++
	}
	if !errors.Is(err, formats.ErrTooLarge) || n > 1000 {
		t.Errorf("after %d rows: %v", n, err)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("then: %v", err)
	}
}
