package csv_test

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEncodings(t *testing.T) {
	const text = "Name,City\nZoë,Köln\nJosé,Besançon\n"
	want := [][]string{{"Zoë", "Köln"}, {"José", "Besançon"}}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	for _, c := range []struct {
		name     string
		input    string
		encoding string // Options.Encoding
		want     string // Info.Encoding
	}{
		{"utf-8", text, "", "utf-8"},
		{"utf-8 with BOM", "\xef\xbb\xbf" + text, "", "utf-8"},
		{"utf-8 with BOM, named", "\xef\xbb\xbf" + text, "UTF8", "utf-8"},
		{"utf-16le with BOM", "\xff\xfe" + encode(t, utf16le, text), "", "utf-16le"},
		{"utf-16be with BOM", "\xfe\xff" + encode(t, utf16be, text), "", "utf-16be"},
		{"utf-16le without BOM", encode(t, utf16le, text), "", "utf-16le"},
		{"utf-16be without BOM", encode(t, utf16be, text), "", "utf-16be"},
		{"utf-16 named, BOM picks big-endian", "\xfe\xff" + encode(t, utf16be, text), "utf-16", "utf-16be"},
		{"windows-1252 detected", encode(t, charmap.Windows1252, text), "", "windows-1252"},
		{"iso-8859-1 named", encode(t, charmap.ISO8859_1, text), "ISO-8859-1", "iso-8859-1"},
		{"latin1 alias", encode(t, charmap.ISO8859_1, text), "latin1", "iso-8859-1"},
		{"iso-8859-15 named", encode(t, charmap.ISO8859_15, text), "iso_8859-15", "iso-8859-15"},
		{"macintosh named", encode(t, charmap.Macintosh, text), "macintosh", "macintosh"},
		{"cp1252 alias", encode(t, charmap.Windows1252, text), "cp1252", "windows-1252"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readString(t, c.input, &formats.Options{Encoding: c.encoding})
			if got.info.Encoding != c.want {
				t.Errorf("Info().Encoding = %q, want %q", got.info.Encoding, c.want)
			}
			if !slices.Equal(got.header, []string{"Name", "City"}) || !slices.EqualFunc(got.rows, want, slices.Equal) {
				t.Errorf("read %q %q", got.header, got.rows)
			}
		})
	}

	t.Run("euro sign differs between iso-8859-15 and windows-1252", func(t *testing.T) {
		input := "Price\n\xa4 5\n\x80 5\n"
		got := readString(t, input, &formats.Options{Encoding: "iso-8859-15"})
		if got.rows[0][0] != "€ 5" {
			t.Errorf("iso-8859-15: %q", got.rows)
		}
		got = readString(t, input, nil)
		if got.info.Encoding != "windows-1252" || got.rows[1][0] != "€ 5" || got.rows[0][0] != "¤ 5" {
			t.Errorf("detected %s: %q", got.info.Encoding, got.rows)
		}
		if len(got.info.Notices) != 1 || !strings.Contains(got.info.Notices[0].Message, "Windows-1252") {
			t.Errorf("notices %v, want one about Windows-1252", got.info.Notices)
		}
	})

	t.Run("unknown encoding", func(t *testing.T) {
		_, err := csv.NewReader(strings.NewReader(text), &formats.Options{Encoding: "klingon"})
		if err == nil || !strings.Contains(err.Error(), `"klingon"`) || !strings.Contains(err.Error(), "windows-1252") {
			t.Errorf("err = %v, want one naming the encoding and listing the known ones", err)
		}
	})

	// Text that is ASCII for longer than the sample and then has a
	// Windows-1252 byte: ASCII is common to both, so nothing is lost by
	// switching to Windows-1252 there.
	asciiThen := func(head, tail string) string {
		var b strings.Builder
		b.WriteString("Name,Note\n")
		b.WriteString(head)
		for b.Len() < 70<<10 {
			b.WriteString("Ann,plain ascii text\n")
		}
		b.WriteString(tail)
		b.WriteString("Bob,more\n")
		return b.String()
	}
	t.Run("windows-1252 after an ASCII sample", func(t *testing.T) {
		got := readString(t, asciiThen("", "Ren\xe9,caf\xe9 \x80\n"), nil)
		n := len(got.rows)
		if got.info.Encoding != "windows-1252" || !slices.Equal(got.rows[n-2], []string{"René", "café €"}) {
			t.Errorf("encoding %q, rows %q", got.info.Encoding, got.rows[n-2:])
		}
		if len(got.info.Notices) != 1 || got.info.Notices[0].Row != got.numbers[n-2] || !strings.Contains(got.info.Notices[0].Message, "Windows-1252") {
			t.Errorf("notices %v, want one at row %d", got.info.Notices, got.numbers[n-2])
		}
	})
	t.Run("invalid after real UTF-8 stays UTF-8", func(t *testing.T) {
		got := readString(t, asciiThen("Zoë,utf-8\n", "Ren\xe9,latin-1 here\n"), nil)
		n := len(got.rows)
		if got.info.Encoding != "utf-8" || got.rows[0][0] != "Zoë" || got.rows[n-2][0] != "Ren\xe9" {
			t.Errorf("encoding %q, rows %q", got.info.Encoding, got.rows[n-2:])
		}
		if len(got.info.Notices) != 1 || got.info.Notices[0].Row != got.numbers[n-2] || !strings.Contains(got.info.Notices[0].Message, "not valid UTF-8") {
			t.Errorf("notices %v, want one at row %d", got.info.Notices, got.numbers[n-2])
		}
	})
	t.Run("named utf-8 is kept", func(t *testing.T) {
		got := readString(t, asciiThen("", "Ren\xe9,x\n"), &formats.Options{Encoding: "utf-8"})
		if got.info.Encoding != "utf-8" || len(got.info.Notices) != 1 {
			t.Errorf("encoding %q, notices %v", got.info.Encoding, got.info.Notices)
		}
	})
}

func TestDelimiterSniffing(t *testing.T) {
	for _, c := range []struct {
		name  string
		input string
		want  rune
	}{
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"semicolon with decimal commas", "Name;Price;Qty\nTea;1,50;2\nCake;2,75;1\nJam;3;10,5\n", ';'},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"pipe", "a|b|c\n1|2|3\n", '|'},
		{"commas inside quotes do not count", "a;b\n\"x, y, z\";1\n\"p, q\";2\n", ';'},
		{"semicolons in free text", "Name,Notes\nAnn,\"called; left message; call back\"\nBob,no; answer\nCy,ok\n", ','},
		{"single column", "Email\nann@example.com\nbob@example.com\n", ','},
		{"quoted multi-line field", "a;b\n\"line, one\nline, two, three\";2\n3;4\n", ';'},
		{"preamble above a semicolon table", "Exported by the CRM\n\nName;Email;Phone\nAnn;a@example.com;1\nBob;b@example.com;2\n", ';'},
		{"Excel sep= line", "sep=|\na,b|c\n1,2|3\n", '|'},
		{"last record cut by the sample is ignored", "a;b;c\n1;2;3\n", ';'},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readString(t, c.input, nil)
			if got.info.Delimiter != c.want {
				t.Errorf("Delimiter = %q, want %q (header %q)", got.info.Delimiter, c.want, got.header)
			}
		})
	}

	t.Run("given delimiter wins", func(t *testing.T) {
		got := readString(t, "a;b,c\n1;2,3\n", &formats.Options{Delimiter: ';'})
		if !slices.Equal(got.header, []string{"a", "b,c"}) {
			t.Errorf("header %q", got.header)
		}
	})
	t.Run("invalid delimiter", func(t *testing.T) {
		if _, err := csv.NewReader(strings.NewReader("a\n"), &formats.Options{Delimiter: '"'}); err == nil {
			t.Error(`delimiter '"' accepted`)
		}
	})
}

func TestHeaderRow(t *testing.T) {
	t.Run("LinkedIn preamble", func(t *testing.T) {
		got := readFile(t, "testdata/linkedin-connections.csv", nil)
		want := []string{"First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"}
		if !slices.Equal(got.header, want) {
			t.Errorf("header %q", got.header)
		}
		if got.info.HeaderRow != 4 || !slices.Equal(got.numbers, []int{5, 6}) {
			t.Errorf("header row %d, rows %v; want 4 and 5, 6", got.info.HeaderRow, got.numbers)
		}
		if len(got.info.Notices) != 1 || !strings.Contains(got.info.Notices[0].Message, "2 rows above it were skipped") {
			t.Errorf("notices %v", got.info.Notices)
		}
		if got.rows[1][4] != "Navy, US" {
			t.Errorf("row 6 = %q", got.rows[1])
		}
	})

	t.Run("LinkedIn preamble from the corpus", func(t *testing.T) {
		dir := corpusDir(t, "headers")
		got := readFile(t, filepath.Join(dir, "linkedin-connections.preamble.txt"), nil)
		names, err := os.ReadFile(filepath.Join(dir, "linkedin-connections.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Split(strings.TrimSpace(string(names)), "\n")
		if !slices.Equal(got.header, want) || got.info.HeaderRow != 4 || len(got.rows) != 0 {
			t.Errorf("header %q at row %d, %d rows; want %q at row 4", got.header, got.info.HeaderRow, len(got.rows), want)
		}
	})

	for _, c := range []struct {
		name      string
		input     string
		headerRow int
		header    []string
		rows      []int
	}{
		{"first row", "a,b\n1,2\n", 1, []string{"a", "b"}, []int{2}},
		{"blank lines above", "\n\n\na,b\n1,2\n", 4, []string{"a", "b"}, []int{5}},
		{"Excel report title", "Contacts report,,\nName,Email,Phone\nAnn,a@example.com,1\n", 2, []string{"Name", "Email", "Phone"}, []int{3}},
		{"one-column file with a ragged row keeps its header", "Email\na@example.com\nb@example.com,extra\nc@example.com\nd@example.com\n", 1, []string{"Email", "Column 2"}, []int{2, 3, 4, 5}},
		{"single row of notes only", "just a note\n", 1, []string{"just a note"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readString(t, c.input, nil)
			if got.info.HeaderRow != c.headerRow || !slices.Equal(got.header, c.header) || !slices.Equal(got.numbers, c.rows) {
				t.Errorf("header %q at row %d, rows %v; want %q at %d, %v", got.header, got.info.HeaderRow, got.numbers, c.header, c.headerRow, c.rows)
			}
		})
	}

	t.Run("given", func(t *testing.T) {
		input := "title\n\"note with a bad \"quote\n\nName,Email\nAnn,a@example.com\n"
		got := readString(t, input, &formats.Options{HeaderRow: 4})
		if !slices.Equal(got.header, []string{"Name", "Email"}) || !slices.Equal(got.numbers, []int{5}) {
			t.Errorf("header %q rows %v", got.header, got.numbers)
		}
	})
	for _, c := range []struct {
		name      string
		headerRow int
	}{{"given row is blank", 3}, {"given row past the end", 9}} {
		t.Run(c.name, func(t *testing.T) {
			_, err := csv.NewReader(strings.NewReader("a,b\n1,2\n\n3,4\n"), &formats.Options{HeaderRow: c.headerRow})
			if !errors.Is(err, formats.ErrNoHeader) || !strings.Contains(err.Error(), fmt.Sprint(c.headerRow)) {
				t.Errorf("err = %v, want ErrNoHeader naming row %d", err, c.headerRow)
			}
		})
	}
	t.Run("given row is malformed", func(t *testing.T) {
		_, err := csv.NewReader(strings.NewReader("a,b\nx\"y,1\n"), &formats.Options{HeaderRow: 2})
		var pe *formats.ParseError
		if !errors.As(err, &pe) || pe.Row != 2 {
			t.Errorf("err = %v, want a parse error at row 2", err)
		}
	})
	for _, input := range []string{"", "\n\n\r\n", ",,,\n , \n"} {
		t.Run(fmt.Sprintf("no rows %q", input), func(t *testing.T) {
			if _, err := csv.NewReader(strings.NewReader(input), nil); !errors.Is(err, formats.ErrNoHeader) {
				t.Errorf("err = %v, want ErrNoHeader", err)
			}
		})
	}
}

func TestHeaderNames(t *testing.T) {
	got := readString(t, "Email, Name ,,Email,Column 3,Email,\n", nil)
	want := []string{"Email", "Name", "Column 3 (2)", "Email (2)", "Column 3", "Email (3)", "Column 7"}
	if !slices.Equal(got.header, want) {
		t.Errorf("header %q\nwant   %q", got.header, want)
	}
	wantNotices := []formats.Notice{
		{Row: 1, Column: 3, Message: `the column has no name; it is called "Column 3 (2)"`},
		{Row: 1, Column: 4, Message: `the name "Email" is used by column 1 too; this one is called "Email (2)"`},
		{Row: 1, Column: 6, Message: `the name "Email" is used by column 1 too; this one is called "Email (3)"`},
		{Row: 1, Column: 7, Message: `the column has no name; it is called "Column 7"`},
	}
	if !slices.Equal(got.info.Notices, wantNotices) {
		t.Errorf("notices:\n%v\nwant\n%v", got.info.Notices, wantNotices)
	}

	t.Run("HubSpot duplicates", func(t *testing.T) {
		got := readString(t, "Create Date,Company Name,Company name,Create Date,Phone Number,Phone Number\n", nil)
		want := []string{"Create Date", "Company Name", "Company name", "Create Date (2)", "Phone Number", "Phone Number (2)"}
		if !slices.Equal(got.header, want) {
			t.Errorf("header %q", got.header)
		}
	})
}

func TestRaggedRows(t *testing.T) {
	got := readString(t, "a,b,c\n1,2\n1,2,3\n1,2,3,4\n1,2,3,4,5\n", nil)
	if !slices.EqualFunc(got.rows, [][]string{{"1", "2"}, {"1", "2", "3"}, {"1", "2", "3", "4"}, {"1", "2", "3", "4", "5"}}, slices.Equal) {
		t.Errorf("rows %q", got.rows)
	}
	if want := []string{"a", "b", "c", "Column 4", "Column 5"}; !slices.Equal(got.header, want) {
		t.Errorf("header %q, want %q", got.header, want)
	}
	want := []formats.Notice{
		{Message: `2 rows are longer than the header (rows 4 and 5): the cells past column 3 are read as "Column 4" and "Column 5"`},
		{Row: 2, Message: "the row has fewer fields than the header (3); the missing ones are empty"},
	}
	if !slices.Equal(got.info.Notices, want) {
		t.Errorf("notices %v", got.info.Notices)
	}

	t.Run("one notice for many rows", func(t *testing.T) {
		input := "a,b\n" + strings.Repeat("1\n", formats.MaxNotices+25)
		got := readString(t, input, nil)
		if len(got.rows) != formats.MaxNotices+25 || len(got.info.Notices) != 1 || got.info.NoticesDropped != 0 ||
			!strings.HasPrefix(got.info.Notices[0].Message, "125 rows have fewer fields than the header (2) (rows 2, 3, 4,") {
			t.Errorf("%d rows, notices %v, %d dropped", len(got.rows), got.info.Notices, got.info.NoticesDropped)
		}
	})

	t.Run("longer rows past the rows read ahead", func(t *testing.T) {
		input := "a,b\n" + strings.Repeat("1,2\n", 40) + "1,2,3\n"
		r, err := csv.NewReader(strings.NewReader(input), nil)
		if err != nil {
			t.Fatal(err)
		}
		if h := r.Header(); !slices.Equal(h, []string{"a", "b"}) {
			t.Errorf("header before reading: %q", h)
		}
		readAll(t, r)
		if h := r.Header(); !slices.Equal(h, []string{"a", "b", "Column 3"}) {
			t.Errorf("header after reading: %q", h)
		}
	})
}

// readWithErrors reads every row, keeping parse errors instead of failing.
func readWithErrors(t *testing.T, r formats.Reader) (numbers []int, rows [][]string, errs []*formats.ParseError) {
	t.Helper()
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return numbers, rows, errs
		}
		var pe *formats.ParseError
		if errors.As(err, &pe) {
			if pe.Row != row.Number {
				t.Errorf("ParseError row %d, Row.Number %d", pe.Row, row.Number)
			}
			errs = append(errs, pe)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, row.Number)
		rows = append(rows, slices.Clone(row.Fields))
	}
}

func TestRowNumbers(t *testing.T) {
	t.Run("multi-line fields, blank rows and a bad row", func(t *testing.T) {
		for _, crlf := range []bool{false, true} {
			data, err := os.ReadFile("testdata/multiline-rows.csv")
			if err != nil {
				t.Fatal(err)
			}
			if crlf {
				data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			}
			r, err := csv.NewReader(bytes.NewReader(data), nil)
			if err != nil {
				t.Fatal(err)
			}
			numbers, rows, errs := readWithErrors(t, r)
			// Row 1 header, 2 Ann (2 lines), 3 blank, 4 Bob, 5 Cy (4 lines),
			// 6 ",," (blank), 7 Dee (bad quote), 8 Eve.
			if !slices.Equal(numbers, []int{2, 4, 5, 8}) {
				t.Errorf("crlf=%v: rows %v", crlf, numbers)
			}
			wantField := "a \"quoted\"\nmulti\nline"
			if crlf { // a field's line breaks are kept as the file has them
				wantField = strings.ReplaceAll(wantField, "\n", "\r\n")
			}
			if rows[2][1] != wantField {
				t.Errorf("crlf=%v: field %q", crlf, rows[2][1])
			}
			if len(errs) != 1 || errs[0].Row != 7 || errs[0].Column != 2 || !errors.Is(errs[0], stdcsv.ErrBareQuote) {
				t.Fatalf("crlf=%v: errors %v, want a bare quote at row 7, column 2", crlf, errs)
			}
			if !strings.Contains(errs[0].Error(), "row 7, column 2") || !strings.Contains(errs[0].Error(), "line 11 of the text") {
				t.Errorf("message %q", errs[0].Error())
			}
		}
	})

	for _, c := range []struct {
		name  string
		input string
		rows  []int
	}{
		{"plain", "h\na\nb\nc\n", []int{2, 3, 4}},
		{"no final line end", "h\na\nb", []int{2, 3}},
		{"blank and white-space rows count", "h\n\n  \n\t\na\n,\nb\n", []int{5, 7}},
		{"CR line ends", "h\ra\r\"x\ry\"\rb\r", []int{2, 3, 4}},
		{"multi-line last field", "h,i\na,\"1\n2\n3\"\nb,c\n", []int{2, 3}},
		{"multi-line first and last fields", "h,i\n\"1\n2\",\"3\n4\"\nb,c\n", []int{2, 3}},
		{"CR inside a field with CRLF line ends", "h\r\n\"a\rb\"\r\nc\r\n", []int{2, 3}},
		{"sep= line is no row", "sep=,\nh\na\n", []int{2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readString(t, c.input, nil)
			if !slices.Equal(got.numbers, c.rows) {
				t.Errorf("rows %v, want %v (fields %q)", got.numbers, c.rows, got.rows)
			}
		})
	}

	t.Run("after an unterminated multi-line quoted field", func(t *testing.T) {
		r, err := csv.NewReader(strings.NewReader("h,i\n\"a\nb\"x,1\nc,2\n\nd,3\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		numbers, _, errs := readWithErrors(t, r)
		// Row 2 is the bad record on lines 2-3; c is row 3, d row 5.
		if len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != 1 || !errors.Is(errs[0], stdcsv.ErrQuote) {
			t.Errorf("errors %v", errs)
		}
		if !slices.Equal(numbers, []int{3, 5}) {
			t.Errorf("rows %v, want 3, 5", numbers)
		}
	})
}

func TestFixtures(t *testing.T) {
	t.Run("Excel sep= line, Windows-1252, CRLF", func(t *testing.T) {
		got := readFile(t, "testdata/excel-sep-windows1252.csv", nil)
		// The file ends its lines with CRLF, the note's too: kept as written.
		want := [][]string{{"Müller", "1,50", "Straße 1\r\nKöln"}, {"Dupont", "2,75", "€ only"}}
		if got.info.Delimiter != ';' || got.info.Encoding != "windows-1252" || got.info.HeaderRow != 1 {
			t.Errorf("info %+v", got.info)
		}
		if !slices.Equal(got.header, []string{"Name", "Amount", "Notes"}) || !slices.EqualFunc(got.rows, want, slices.Equal) {
			t.Errorf("read %q %q", got.header, got.rows)
		}
		if !slices.Equal(got.numbers, []int{2, 4}) {
			t.Errorf("rows %v", got.numbers)
		}
	})
	t.Run("Excel Unicode Text (UTF-16LE, tabs)", func(t *testing.T) {
		got := readFile(t, "testdata/excel-unicode-text.txt", nil)
		want := [][]string{{"Zoë Weiß", "zoe@example.com", "+49 30 1234567"}, {"Αλέξης", "alexis@example.gr", ""}}
		if got.info.Delimiter != '\t' || got.info.Encoding != "utf-16le" {
			t.Errorf("info %+v", got.info)
		}
		if !slices.EqualFunc(got.rows, want, slices.Equal) {
			t.Errorf("rows %q", got.rows)
		}
	})
}

func TestEstimatedRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("Name,Email,Phone\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "Person %d,person%d@example.com,+1 555 %04d\n", i, i, i)
	}
	data := b.String()
	for _, c := range []struct {
		name string
		text string
	}{
		{"utf-8", data},
		{"utf-16le", "\xff\xfe" + encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), data)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := formats.NewReader(strings.NewReader(c.text), "", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if info := r.Info(); info.Size != int64(len(c.text)) {
				t.Errorf("Size %d, want %d", info.Size, len(c.text))
			}
			for range 100 {
				if _, err := r.Read(); err != nil {
					t.Fatal(err)
				}
			}
			// Rows differ in length by a few bytes: the estimate is near.
			if est := r.Info().EstimatedRows; est < 4500 || est > 5500 {
				t.Errorf("estimate after 100 rows = %d, want about 5000", est)
			}
			for {
				if _, err := r.Read(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if est := r.Info().EstimatedRows; est != 5000 {
				t.Errorf("estimate at the end = %d, want 5000", est)
			}
		})
	}
	t.Run("unknown size", func(t *testing.T) {
		r, err := csv.NewReader(io.MultiReader(strings.NewReader(data)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if info := r.Info(); info.Size != -1 || info.EstimatedRows != 0 {
			t.Errorf("Size %d, EstimatedRows %d; want -1, 0", info.Size, info.EstimatedRows)
		}
	})
}

func TestSizeLimit(t *testing.T) {
	t.Run("over the limit within the sample", func(t *testing.T) {
		data := "a,b\n" + strings.Repeat("1,2\n", 1000)
		_, err := csv.NewReader(strings.NewReader(data), &formats.Options{MaxSize: 2000})
		if !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "2000 bytes") {
			t.Fatalf("err = %v, want ErrTooLarge naming the limit", err)
		}
	})
	t.Run("over the limit past the sample", func(t *testing.T) {
		const limit = 100 << 10
		data := "a,b\n" + strings.Repeat("1,2\n", 2*limit/4)
		r, err := csv.NewReader(strings.NewReader(data), &formats.Options{MaxSize: limit})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			if _, err = r.Read(); err != nil {
				break
			}
			n++
		}
		if !errors.Is(err, formats.ErrTooLarge) {
			t.Fatalf("err = %v after %d rows, want ErrTooLarge", err, n)
		}
		if _, again := r.Read(); !errors.Is(again, formats.ErrTooLarge) {
			t.Errorf("next Read: %v, want ErrTooLarge again", again)
		}
		if n > (limit-4)/4 {
			t.Errorf("%d rows read under a %d-byte limit", n, limit)
		}
	})
	t.Run("no limit", func(t *testing.T) {
		data := "a,b\n" + strings.Repeat("1,2\n", 1000)
		got := readString(t, data, &formats.Options{MaxSize: -1})
		if len(got.rows) != 1000 {
			t.Errorf("%d rows", len(got.rows))
		}
	})
}

func TestClose(t *testing.T) {
	r, err := csv.NewReader(strings.NewReader("a\n1\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
}

func TestRegistered(t *testing.T) {
	if !slices.Contains(formats.Registered(), "csv") {
		t.Errorf("Registered() = %v, want csv in it", formats.Registered())
	}
}

// A contacts export without a header: the first row holds an email address
// and a phone number like the rows under it, so it is data, and every
// record is read.
func TestHeaderless(t *testing.T) {
	const contacts = "Ada Lovelace,ada@example.com,+44 20 7946 0000\n" +
		"Grace Hopper,grace@example.com,+1 555 0100 22\n" +
		"Alan Turing,alan@example.com,\n"
	names := []string{"Column 1", "Column 2", "Column 3"}
	for _, tc := range []struct {
		name      string
		input     string
		headerRow int
		header    []string
		numbers   []int
		notice    string
	}{
		{"detected", contacts, 0, names, []int{1, 2, 3},
			`row 1: the row reads as data, not as a header (column 2 holds an email address, like the rows below it ("ada@example.com")): ` +
				`it is read as the first record, and the columns are called "Column 1" to "Column 3" (set the header row to 1 if it is the header)`},
		{"asked for", "Name,Email\nAda,ada@example.com\n", formats.NoHeaderRow, []string{"Column 1", "Column 2"}, []int{1, 2}, ""},
		{"asked for, longer rows later", "a\n" + strings.Repeat("b\n", 20) + "c,d\n", formats.NoHeaderRow, []string{"Column 1", "Column 2"}, append(seq(1, 21), 22),
			`row 22: the row is longer than the header: the cells past column 1 are read as "Column 2"`},
		{"a header over the same data", "Name,Email,Phone\n" + contacts, 0, []string{"Name", "Email", "Phone"}, []int{2, 3, 4}, ""},
		{"the header row given", contacts, 1, []string{"Ada Lovelace", "ada@example.com", "+44 20 7946 0000"}, []int{2, 3}, ""},
		{"a preamble, then data", "Exported 2024-01-31\n\n" + contacts, 0, names, []int{3, 4, 5}, "1 row above row 3 was skipped as notes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readString(t, tc.input, &formats.Options{HeaderRow: tc.headerRow})
			if !slices.Equal(got.header, tc.header) || !slices.Equal(got.numbers, tc.numbers) {
				t.Errorf("header %q, rows %v; want %q, %v", got.header, got.numbers, tc.header, tc.numbers)
			}
			headerless := tc.headerRow == formats.NoHeaderRow || slices.Equal(tc.header, names)
			if got.info.Headerless != headerless || headerless && got.info.HeaderRow != 0 {
				t.Errorf("Headerless %v, HeaderRow %d", got.info.Headerless, got.info.HeaderRow)
			}
			if tc.notice != "" && !slices.ContainsFunc(got.info.Notices, func(n formats.Notice) bool { return n.String() == tc.notice }) {
				t.Errorf("notices %v\nwant %q", got.info.Notices, tc.notice)
			}
			if got.info.EstimatedRows != len(tc.numbers) {
				t.Errorf("EstimatedRows %d, want %d", got.info.EstimatedRows, len(tc.numbers))
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestParseErrorNamesTheFile reads a malformed row through formats.NewReader,
// which gives the reader the file's name: the error carries it.
func TestParseErrorNamesTheFile(t *testing.T) {
	r, err := formats.NewReader(strings.NewReader("Name,Size\nTV,\"55\"\" screen\"\nMonitor,27\" wide\n"), "contacts.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Read()
	_, err = r.Read()
	var pe *formats.ParseError
	if !errors.As(err, &pe) || pe.File != "contacts.csv" || pe.Row != 3 || pe.Column != 2 ||
		!strings.HasPrefix(err.Error(), `contacts.csv: row 3, column 2: bare " in non-quoted-field`) {
		t.Errorf("err = %v", err)
	}

	// A bad header row: the error from NewReader names the file once.
	_, err = formats.NewReader(strings.NewReader("a,b\nx\"y,1\n"), "contacts.csv", &formats.Options{HeaderRow: 2})
	if !errors.As(err, &pe) || strings.Count(err.Error(), "contacts.csv") != 1 {
		t.Errorf("err = %v", err)
	}
}
