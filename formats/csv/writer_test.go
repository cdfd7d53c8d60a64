package csv_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

var updateGolden = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// writerSample is a table that exercises quoting, every cell kind and
// non-ASCII text.
func writeSample(t *testing.T, opts *csv.WriterOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := csv.NewWriter(&buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	paris := time.FixedZone("CET", 3600)
	rows := [][]formats.Cell{
		{formats.TextCell("Zoë Łukasiewicz"), formats.NumberCell("1234.50"), formats.DateCell(1990, time.March, 7),
			formats.DateTimeCell(time.Date(2024, 3, 15, 9, 30, 0, 0, paris)), formats.BoolCell(true), formats.TextCell("Ωμέγα, Кириллица")},
		{formats.TextCell(`Say "hi"`), formats.NumberCell("-0.1"), {}, formats.DateTimeCell(time.Date(2024, 3, 15, 8, 30, 0, 500_000_000, time.UTC)),
			formats.BoolCell(false), formats.TextCell("two\nlines")},
		{formats.TextCell(" leading space"), formats.NumberCell("0")}, // short row: padded
	}
	if err := w.WriteHeader([]string{"Name", "Amount", "Birthday", "Last contact", "Active", "Notes"}); err != nil {
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

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Writer -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%q\nwant:\n%q", name, got, want)
	}
}

func TestWriterGolden(t *testing.T) {
	cases := []struct {
		golden string
		opts   *csv.WriterOptions
	}{
		{"writer_default.golden", nil},
		{"writer_bom.golden", &csv.WriterOptions{BOM: true}},
		{"writer_semicolon_lf.golden", &csv.WriterOptions{Delimiter: ';', LF: true}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			got := writeSample(t, c.opts)
			checkGolden(t, c.golden, got)
			hasBOM := bytes.HasPrefix(got, []byte("\xEF\xBB\xBF"))
			if wantBOM := c.opts != nil && c.opts.BOM; hasBOM != wantBOM {
				t.Errorf("BOM present = %v, want %v", hasBOM, wantBOM)
			}
		})
	}
}

// TestWriterRoundTrip reads the written file back with crmio's own reader:
// every cell comes back as its canonical text, whatever the options.
func TestWriterRoundTrip(t *testing.T) {
	for _, opts := range []*csv.WriterOptions{nil, {BOM: true}, {Delimiter: ';', LF: true}, {Delimiter: '\t'}} {
		data := writeSample(t, opts)
		var delim rune
		if opts != nil {
			delim = opts.Delimiter
		}
		r, err := csv.NewReader(bytes.NewReader(data), &formats.Options{Delimiter: delim})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(r.Header(), "|"); got != "Name|Amount|Birthday|Last contact|Active|Notes" {
			t.Errorf("opts %+v: header %q", opts, got)
		}
		want := [][]string{
			{"Zoë Łukasiewicz", "1234.50", "1990-03-07", "2024-03-15T09:30:00+01:00", "true", "Ωμέγα, Кириллица"},
			{`Say "hi"`, "-0.1", "", "2024-03-15T08:30:00.5Z", "false", "two\nlines"},
			{" leading space", "0", "", "", "", ""},
		}
		for i, w := range want {
			row, err := r.Read()
			if err != nil {
				t.Fatalf("opts %+v: row %d: %v", opts, i+2, err)
			}
			if got := strings.Join(row.Fields, "|"); got != strings.Join(w, "|") {
				t.Errorf("opts %+v: row %d = %q, want %q", opts, row.Number, row.Fields, w)
			}
		}
		if _, err := r.Read(); err != io.EOF {
			t.Errorf("opts %+v: after the last row: %v, want io.EOF", opts, err)
		}
		r.Close()
	}
}

func TestWriterErrors(t *testing.T) {
	for _, d := range []rune{'"', '\n', '\r', utf8RuneError} {
		if _, err := csv.NewWriter(io.Discard, &csv.WriterOptions{Delimiter: d}); !errors.Is(err, csv.ErrInvalidWriterDelimiter) {
			t.Errorf("delimiter %q: err = %v, want ErrInvalidWriterDelimiter", d, err)
		}
	}

	w, _ := csv.NewWriter(io.Discard, nil)
	if err := w.WriteRow([]formats.Cell{formats.TextCell("x")}); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("WriteRow before WriteHeader: %v, want ErrWriteOrder", err)
	}
	if err := w.Close(); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("Close after an error = %v, want the sticky error", err)
	}

	w, _ = csv.NewWriter(io.Discard, nil)
	w.WriteHeader([]string{"a"})
	err := w.WriteRow([]formats.Cell{formats.TextCell("x"), formats.TextCell("y")})
	if !errors.Is(err, formats.ErrRowTooWide) || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("too wide: %v, want ErrRowTooWide at row 2", err)
	}

	w, _ = csv.NewWriter(failingWriter{}, nil)
	w.WriteHeader([]string{"a"})
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close with a failing io.Writer: %v, want its error", err)
	}
}

// TestWriterLineBreaks: every kind of line break inside a value is written
// as it is, in a quoted field, and reads back the same.
func TestWriterLineBreaks(t *testing.T) {
	for _, opts := range []*csv.WriterOptions{nil, {LF: true}} {
		var buf bytes.Buffer
		w, _ := csv.NewWriter(&buf, opts)
		w.WriteHeader([]string{"Notes"})
		w.WriteRow([]formats.Cell{formats.TextCell("a\r\nb\rc\nd")})
		w.Close()
		lineEnd := "\r\n"
		if opts != nil && opts.LF {
			lineEnd = "\n"
		}
		want := "Notes" + lineEnd + "\"a\r\nb\rc\nd\"" + lineEnd
		if buf.String() != want {
			t.Errorf("opts %+v: %q, want %q", opts, buf.String(), want)
		}
		r, _ := csv.NewReader(&buf, nil)
		row, err := r.Read()
		if err != nil || len(row.Fields) != 1 || row.Fields[0] != "a\r\nb\rc\nd" {
			t.Errorf("opts %+v: read back %q, %v", opts, row.Fields, err)
		}
	}
}

const utf8RuneError = '\uFFFD'

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
