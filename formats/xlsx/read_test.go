package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

// TestScannerText reads the text of an element as XML prescribes it, and
// the tags around it, with the buffer boundary at every position.
func TestScannerText(t *testing.T) {
	xml := "<?xml version=\"1.0\"?><!DOCTYPE x [<!ELEMENT v (#PCDATA)>]><x:v a='1>2' b=\"q\">" +
		"a&amp;b &lt;&gt;&quot;&apos; &#233;&#xE9;<!-- <v>no</v> --><![CDATA[<raw & text>]]>\r\nline\rend</x:v><empty/>"
	want := "a&b <>\"' éé<raw & text>\nline\nend"
	for size := 1; size <= len(xml); size++ {
		s := newScanner(&chunkReader{data: []byte(xml), size: size})
		tg, ok := s.next()
		if !ok || !tg.is("v") || tg.kind != startTag || string(attr(tg.attrs, "a")) != "1>2" {
			t.Fatalf("size %d: first tag %q %q, %v (%v)", size, tg.name, tg.attrs, ok, s.Err())
		}
		text, err := s.text(nil, 1000)
		if err != nil || string(text) != want {
			t.Fatalf("size %d: text %q, %v; want %q", size, text, err, want)
		}
		if tg, ok := s.next(); !ok || !tg.is("v") || tg.kind != endTag {
			t.Fatalf("size %d: end tag %q %v", size, tg.name, ok)
		}
		if tg, ok := s.next(); !ok || !tg.is("empty") || tg.kind != emptyTag {
			t.Fatalf("size %d: empty tag %q %v", size, tg.name, ok)
		}
		if _, ok := s.next(); ok || s.Err() != nil {
			t.Fatalf("size %d: more after the end, or %v", size, s.Err())
		}
	}
}

// chunkReader returns data a few bytes at a time.
type chunkReader struct {
	data []byte
	size int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestScannerRefusals(t *testing.T) {
	for _, tc := range []struct {
		xml  string
		want error
	}{
		{"<v>&lol9;</v>", formats.ErrCorrupt}, // a billion laughs
		{"<v>&#xZZ;</v>", formats.ErrCorrupt}, // not a number
		{"<v>a & b</v>", formats.ErrCorrupt},  // a bare '&'
		{"<v>" + strings.Repeat("x", 40) + "</v>", errLongText},
	} {
		s := newScanner(strings.NewReader(tc.xml))
		s.next()
		if _, err := s.text(nil, 32); !errors.Is(err, tc.want) {
			t.Errorf("%.30q: err = %v, want %v", tc.xml, err, tc.want)
		}
	}
	s := newScanner(strings.NewReader("<v a=\"" + strings.Repeat("x", maxTag) + "\"/>"))
	if _, ok := s.next(); ok || !errors.Is(s.Err(), errLongTag) {
		t.Errorf("a long tag: %v", s.Err())
	}
	s = newScanner(strings.NewReader("<v a=\"1"))
	if _, ok := s.next(); ok || s.Err() == nil {
		t.Errorf("a tag cut off: %v", s.Err())
	}
}

func TestDecodeEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"a_x000D_b":               "a\rb",
		"_x005F_x000D_":           "_x000D_",
		"_x0041__x0042_":          "AB",
		"_xD800_":                 "\uFFFD",
		"_x12_ and _xZZZZ_ stay":  "_x12_ and _xZZZZ_ stay",
		"tail_x0009_":             "tail\t",
		"snake_case_x_variable_x": "snake_case_x_variable_x",
	} {
		if got := decodeEscapes([]byte(in)); got != want {
			t.Errorf("decodeEscapes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNumbers checks numbers as a person sees them in Excel: the shortest
// text of the value once rounded to 15 digits, whatever the file stored.
func TestNumbers(t *testing.T) {
	for raw, want := range map[string]string{
		"3": "3", "3.0": "3", "72.0": "72", "0.525625": "0.525625", "0.52562500000000001": "0.525625",
		"-0": "0", "-0.0": "0", "0": "0", "007": "7", "1.5E-3": "0.0015", "1E+21": "1e+21",
		"0.30000000000000004": "0.3", "8595602512225": "8595602512225", " 42 ": "42",
		"12345678901234567": "12345678901234600", "-12.50": "-12.5", "n/a": "n/a", "1e-10": "1e-10",
	} {
		if got := numberText([]byte(raw), workbook.Number, false); got != want {
			t.Errorf("numberText(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := numberText([]byte("45292.0"), workbook.Date, false); got != "2024-01-01" {
		t.Errorf("a date: %q", got)
	}
}

// TestSheetStructure reads hand-made worksheets: rows and cells in the
// shapes real writers leave them, and damage the reader must survive.
func TestSheetStructure(t *testing.T) {
	header := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`
	for _, tc := range []struct {
		name    string
		rows    string
		want    []string // "number: fields" or "error at row: column"
		notices []string
		raw     bool // the rows are the whole sheet part, which ends with them
	}{
		{
			name: "a namespace prefix, a row left open, a cell left open",
			rows: `<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:r><x:t>rich </x:t></x:r><x:r><x:t>text</x:t></x:r>` +
				`<x:rPh><x:t>phonetic</x:t></x:rPh></x:is></x:c><x:c r="B2"><x:v>1.0</x:v></x:c>` +
				`<row r="3"><c r="A3" t="b"><v>1</v><c r="B3"><v>2</v></c></row>`,
			want: []string{"2: rich text|1", "3: TRUE|2"},
		},
		{
			name: "a row out of order is an error, the rows after it are read",
			rows: `<row r="5"><c r="A5"><v>5</v></c></row><row r="4"><c r="A4"><v>4</v></c></row><row r="6"><c r="A6"><v>6</v></c></row>`,
			want: []string{"5: 5|", "error at 4: 0", "6: 6|"},
		},
		{
			name: "a cell too long is an error for its row",
			rows: `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>` + strings.Repeat("x", maxText+1) + `</t></is></c></row>` +
				`<row r="3"><c r="A3"><v>3</v></c></row>`,
			want: []string{"error at 2: 2", "3: 3|"},
		},
		{
			name:    "missing shared strings and cells past XFD",
			rows:    `<row r="2"><c r="A2" t="s"><v>99</v></c><c r="XFE2"><v>1</v></c><c r="B2" t="s"><v>x</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>`,
			want:    []string{"3: 3|"},
			notices: []string{"2 cells refer to shared strings the file does not hold; they are empty", "1 cell right of column XFD (16,384), Excel's last, was ignored"},
		},
		{
			name: "the XML breaks off",
			rows: `<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3`,
			raw:  true,
			want: []string{"2: 2|", "3: 3|", "error at 4: 0"},
		},
		{
			name: "formulas, errors, escapes, entities",
			rows: `<row r="2"><c r="A2" t="str"><f>B2&amp;"x"</f><v>a&amp;x</v></c><c r="B2" t="e"><v>#N/A</v></c></row>` +
				`<row r="3"><c r="A3" t="inlineStr"><is><t>line_x000D_&#10;two</t></is></c><c r="B3" t="d"><v>2024-02-29T00:00:00</v></c></row>`,
			want: []string{"2: a&x|#N/A", "3: line\r\ntwo|2024-02-29"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sheet := sheetXML("", header+tc.rows)
			if tc.raw {
				sheet = `<worksheet><sheetData>` + header + tc.rows
			}
			r, err := Open(writeTemp(t, "s.xlsx", rawPackage(t, sheet)), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got []string
			for range 20 {
				row, err := r.Read()
				if err == io.EOF {
					break
				}
				var pe *formats.ParseError
				if errors.As(err, &pe) {
					got = append(got, fmt.Sprintf("error at %d: %d", pe.Row, pe.Column))
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fmt.Sprintf("%d: %s", row.Number, strings.Join(row.Fields, "|")))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("rows %q\nwant %q", got, tc.want)
			}
			var notices []string
			for _, n := range r.Info().Notices {
				notices = append(notices, n.String())
			}
			if !reflect.DeepEqual(notices, tc.notices) {
				t.Errorf("notices %q\nwant %q", notices, tc.notices)
			}
		})
	}
}

// deflated returns a zip of the raw package with the sheet part's data
// inflating to the given body (written by a real deflater, not declared).
func bombPackage(t testing.TB, body func(w io.Writer)) []byte {
	t.Helper()
	base := rawPackage(t, sheetXML("", ""))
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			zw.Copy(f)
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	body(w)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExpansionRefused opens workbooks whose sheet really inflates to far
// more than a spreadsheet does: refused from the directory, before the
// reader inflates a byte of them.
func TestExpansionRefused(t *testing.T) {
	spaces := bombPackage(t, func(w io.Writer) {
		io.WriteString(w, `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
		block := bytes.Repeat([]byte(" "), 1<<20)
		for range 24 {
			w.Write(block)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	_, err := Open(writeTemp(t, "spaces.xlsx", spaces), nil)
	if !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("24 MiB of spaces in %d bytes: %v", len(spaces), err)
	}

	// Under the ratio but over ten times the size limit.
	var xmlSize int
	rows := bombPackage(t, func(w io.Writer) {
		c := &countingWriter{w: w}
		io.WriteString(c, `<worksheet><sheetData>`)
		for i := 1; i <= 100_000; i++ {
			fmt.Fprintf(c, `<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="s"><v>1</v></c></row>`, i, i, i)
		}
		io.WriteString(c, `</sheetData></worksheet>`)
		xmlSize = c.n
	})
	limit := int64(len(rows))
	if int64(xmlSize) <= 10*limit {
		t.Fatalf("the sheet's %d bytes compress to %d: too little for the test", xmlSize, len(rows))
	}
	if _, err := Open(writeTemp(t, "rows.xlsx", rows), &formats.Options{MaxSize: limit}); !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "ten times the size limit") {
		t.Errorf("a sheet of %d bytes in %d, limit %d: %v", xmlSize, len(rows), limit, err)
	}
	r, err := Open(writeTemp(t, "rows.xlsx", rows), nil)
	if err != nil {
		t.Fatalf("the same under the default limit: %v", err)
	}
	defer r.Close()
	if n := countRows(t, r); n != 99_999 {
		t.Errorf("%d rows", n)
	}
}

type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}
