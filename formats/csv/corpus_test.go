package csv_test

import (
	stdcsv "encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

// TestCSVSpectrum reads every csv-spectrum case and compares it with its
// expected JSON: an array of objects whose keys, in order, are the header.
func TestCSVSpectrum(t *testing.T) {
	dir := corpusDir(t, "csv-spectrum")
	inputs, err := filepath.Glob(filepath.Join(dir, "csvs", "*.csv"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no csv-spectrum inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".csv")
		t.Run(name, func(t *testing.T) {
			wantHeader, wantRows := readSpectrumJSON(t, filepath.Join(dir, "json", name+".json"))
			got := readFile(t, in, nil)
			if !slices.Equal(got.header, wantHeader) {
				t.Errorf("header = %q, want %q", got.header, wantHeader)
			}
			if !slices.EqualFunc(got.rows, wantRows, slices.Equal) {
				t.Errorf("rows = %q\nwant %q", got.rows, wantRows)
			}
		})
	}
}

// readSpectrumJSON decodes csv-spectrum's expected output, keeping the key
// order of the objects (the header order).
func readSpectrumJSON(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objects []json.RawMessage
	if err := json.Unmarshal(data, &objects); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for i, obj := range objects {
		dec := json.NewDecoder(strings.NewReader(string(obj)))
		if _, err := dec.Token(); err != nil { // {
			t.Fatal(err)
		}
		var keys, values []string
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			var v string
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			keys, values = append(keys, k.(string)), append(values, v)
		}
		if i == 0 {
			header = keys
		} else if !slices.Equal(keys, header) {
			t.Fatalf("%s: object %d has keys %q, the first %q", path, i, keys, header)
		}
		rows = append(rows, values)
	}
	return header, rows
}

// parsePlain reads a file with bare encoding/csv: the expected outputs of
// csvkit are plain UTF-8 CSV.
func parsePlain(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := stdcsv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return recs[0], recs[1:]
}

// TestCSVKitConversions compares the csvkit inputs that have an expected
// CSV conversion (see the corpus's SOURCE.md) with it.
func TestCSVKitConversions(t *testing.T) {
	dir := filepath.Join(corpusDir(t, "csvkit-examples"), "examples")
	path := func(name string) string { return filepath.Join(dir, name) }

	// Conversions that only read: the reader must yield the expected table.
	for _, c := range []struct{ input, expected string }{
		{"dummy.tsv", "dummy.csv"},             // tab delimiter, sniffed
		{"test_utf8_bom.csv", "test_utf8.csv"}, // UTF-8 byte order mark dropped
		{"test_utf8.csv", "test_utf8.csv"},
		{"optional_quote_characters.csv", "dummy.csv"},
		{"sniff_limit.csv", "dummy.csv"}, // semicolon, sniffed
	} {
		t.Run(c.input, func(t *testing.T) {
			got := readFile(t, path(c.input), nil)
			wantHeader, wantRows := parsePlain(t, path(c.expected))
			if !slices.Equal(got.header, wantHeader) {
				t.Errorf("header = %q, want %q", got.header, wantHeader)
			}
			if !slices.EqualFunc(got.rows, wantRows, slices.Equal) {
				t.Errorf("rows = %q, want %q", got.rows, wantRows)
			}
		})
	}

	// Conversions where csvkit infers types (NA and N/A become empty, dates
	// and German numbers are rewritten): the reader yields text as the file
	// holds it, so the header must match and the rows must be the input's
	// own fields, same shape as the expected ones. Typing values is the
	// mapping package's job, with the user's locale.
	for _, c := range []struct{ input, expected string }{
		{"blanks.csv", "blanks_converted.csv"},
		{"test_date_format.csv", "test_date_format_converted.csv"},
		{"test_locale.csv", "test_locale_converted.csv"},
	} {
		t.Run(c.input, func(t *testing.T) {
			got := readFile(t, path(c.input), nil)
			wantHeader, wantRows := parsePlain(t, path(c.expected))
			_, inputRows := parsePlain(t, path(c.input))
			if !slices.Equal(got.header, wantHeader) {
				t.Errorf("header = %q, want %q", got.header, wantHeader)
			}
			if len(got.rows) != len(wantRows) {
				t.Fatalf("%d rows, want %d", len(got.rows), len(wantRows))
			}
			for i := range got.rows {
				if len(got.rows[i]) != len(wantRows[i]) || !slices.Equal(got.rows[i], inputRows[i]) {
					t.Errorf("row %d = %q, want the input's %q (csvkit's typed %q)", i, got.rows[i], inputRows[i], wantRows[i])
				}
			}
			t.Logf("csvkit's expected values are type-inferred (%q); the reader keeps the text %q", wantRows, got.rows)
		})
	}

	t.Run("no_header_row.csv", func(t *testing.T) {
		// csvkit's expected dummy.csv comes from --no-header-row, which names
		// the columns a, b, c. Its one row holds only numbers: it reads as
		// data, with the columns named as crmio names them.
		got := readFile(t, path("no_header_row.csv"), nil)
		_, wantRows := parsePlain(t, path("dummy.csv"))
		if !slices.Equal(got.header, []string{"Column 1", "Column 2", "Column 3"}) || !slices.EqualFunc(got.rows, wantRows, slices.Equal) || !got.info.Headerless {
			t.Errorf("got header %q rows %q (headerless %v), want the rows %q", got.header, got.rows, got.info.Headerless, wantRows)
		}
	})
}

// TestCSVKitRobustness reads csvkit's messy inputs.
func TestCSVKitRobustness(t *testing.T) {
	dir := filepath.Join(corpusDir(t, "csvkit-examples"), "examples")
	path := func(name string) string { return filepath.Join(dir, name) }
	abc := []string{"a", "b", "c"}

	for _, c := range []struct {
		input    string
		header   []string
		rows     [][]string
		encoding string
	}{
		{"test_latin1.csv", abc, [][]string{{"1", "2", "3"}, {"4", "5", "©"}}, "windows-1252"},
		{"test_utf16_big.csv", abc, [][]string{{"1", "2", "3"}, {"4", "5", "ʤ"}}, "utf-16be"},
		{"test_utf16_little.csv", abc, [][]string{{"1", "2", "3"}, {"4", "5", "ʤ"}}, "utf-16le"},
		{"mac_newlines.csv", abc, [][]string{{"1", "2", "3"}, {"Once upon\na time", "5", "6"}}, "utf-8"},
		{"null_byte.csv", abc, [][]string{{"\x00", "2", "3"}}, "utf-8"},
		{"test_skip_lines.csv", abc, [][]string{{"1", "2", "3"}}, "utf-8"},
	} {
		t.Run(c.input, func(t *testing.T) {
			got := readFile(t, path(c.input), nil)
			if !slices.Equal(got.header, c.header) || !slices.EqualFunc(got.rows, c.rows, slices.Equal) {
				t.Errorf("got %q %q, want %q %q", got.header, got.rows, c.header, c.rows)
			}
			if got.info.Encoding != c.encoding {
				t.Errorf("encoding %q, want %q", got.info.Encoding, c.encoding)
			}
		})
	}

	t.Run("bad.csv", func(t *testing.T) {
		got := readFile(t, path("bad.csv"), nil)
		want := [][]string{{"1", "27", "", "I'm too long!"}, {"", "I'm too short!"}, {"0", "mixed types.... uh oh", "17"}}
		if !slices.EqualFunc(got.rows, want, slices.Equal) {
			t.Errorf("rows %q, want %q", got.rows, want)
		}
		if !slices.Equal(got.numbers, []int{2, 3, 4}) {
			t.Errorf("row numbers %v", got.numbers)
		}
		var ragged []int
		for _, n := range got.info.Notices {
			ragged = append(ragged, n.Row)
		}
		if !slices.Equal(ragged, []int{2, 3}) {
			t.Errorf("notices %v, want ragged rows 2 and 3", got.info.Notices)
		}
	})

	t.Run("bad_skip_lines.csv", func(t *testing.T) {
		got := readFile(t, path("bad_skip_lines.csv"), nil)
		if got.info.HeaderRow != 4 || !slices.Equal(got.numbers, []int{5, 6, 7}) {
			t.Errorf("header row %d, rows %v; want 4 and 5, 6, 7", got.info.HeaderRow, got.numbers)
		}
	})

	t.Run("test_empty_columns.csv", func(t *testing.T) {
		got := readFile(t, path("test_empty_columns.csv"), nil)
		want := []string{"a", "b", "c", "Column 4", "Column 5"}
		if !slices.Equal(got.header, want) {
			t.Errorf("header %q, want %q", got.header, want)
		}
		// ",,,," is a blank row: counted, not returned.
		if !slices.Equal(got.numbers, []int{2, 3}) {
			t.Errorf("rows %v %q", got.numbers, got.rows)
		}
	})

	t.Run("test_header_newline.csv", func(t *testing.T) {
		got := readFile(t, path("test_header_newline.csv"), nil)
		if got.header[0] != "start \t\n\v\f\r end" || !slices.Equal(got.numbers, []int{2}) {
			t.Errorf("header %q, rows %v", got.header, got.numbers)
		}
	})

	t.Run("empty.csv", func(t *testing.T) {
		f, err := os.Open(path("empty.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := csv.NewReader(f, nil); !errors.Is(err, formats.ErrNoHeader) {
			t.Errorf("err = %v, want ErrNoHeader", err)
		}
	})
}
