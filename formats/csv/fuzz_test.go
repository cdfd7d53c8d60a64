package csv_test

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

// fuzzEncodings are the Options.Encoding values the fuzzer picks among.
var fuzzEncodings = []string{"", "", "", "utf-8", "windows-1252", "utf-16le", "utf-16be", "macintosh"}

// FuzzCSVReader reads arbitrary bytes and checks what must hold for any
// input: no panic, bounded work, a usable header, increasing row numbers
// past the header, notices within their cap, and (for plain UTF-8 with a
// given delimiter) exactly the records encoding/csv reads.
func FuzzCSVReader(f *testing.F) {
	var seeds []string
	seeds = append(seeds, globFiles(f, "testdata/*")...)
	if dir, ok := optionalCorpus(f, "csv-spectrum"); ok {
		seeds = append(seeds, globFiles(f, filepath.Join(dir, "csvs", "*.csv"))...)
	}
	if dir, ok := optionalCorpus(f, "csvkit-examples"); ok {
		seeds = append(seeds, globFiles(f, filepath.Join(dir, "examples", "*.csv"))...)
	}
	for _, path := range seeds {
		if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 16<<10 {
			continue // big seeds slow every mutation down
		}
		f.Add(data, uint8(0), uint8(0))
	}
	f.Add([]byte("a,b\n\"1\n2\",3\n\n\"x\"y,4\n"), uint8(0), uint8(0))
	f.Add([]byte("sep=;\r\na;b\r\n1;2"), uint8(2), uint8(0))
	f.Add([]byte("a\rb\r\"c\rd\"\r"), uint8(1), uint8(3))

	f.Fuzz(func(t *testing.T, data []byte, headerRow, encoding uint8) {
		opts := &formats.Options{
			MaxSize:   1 << 20,
			HeaderRow: int(headerRow%8) - 1, // formats.NoHeaderRow too
			Encoding:  fuzzEncodings[int(encoding)%len(fuzzEncodings)],
		}
		r, err := csv.NewReader(bytes.NewReader(data), opts)
		if err != nil {
			return // a clear error is a fine answer to bad input
		}
		defer r.Close()
		header := r.Header()
		if len(header) == 0 {
			t.Fatal("empty header")
		}
		seen := map[string]bool{}
		for _, name := range header {
			if name == "" || seen[name] {
				t.Fatalf("header %q: empty or repeated name", header)
			}
			seen[name] = true
		}
		info := r.Info()
		if info.Headerless != (info.HeaderRow == 0) || info.HeaderRow < 0 || (opts.HeaderRow > 0 && info.HeaderRow != opts.HeaderRow) ||
			opts.HeaderRow == formats.NoHeaderRow && !info.Headerless {
			t.Fatalf("HeaderRow %d, headerless %v with Options.HeaderRow %d", info.HeaderRow, info.Headerless, opts.HeaderRow)
		}

		var records [][]string
		var numbers []int
		last := info.HeaderRow
		for reads := 0; ; reads++ {
			if reads > len(data)+1 {
				t.Fatalf("more reads (%d) than bytes", reads)
			}
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *formats.ParseError
			if errors.As(err, &pe) {
				if pe.Row <= last || pe.Column < 1 {
					t.Fatalf("parse error at row %d column %d after row %d", pe.Row, pe.Column, last)
				}
				last = pe.Row
				continue
			}
			if err != nil {
				return
			}
			if row.Number <= last {
				t.Fatalf("row %d after row %d", row.Number, last)
			}
			last = row.Number
			records = append(records, slices.Clone(row.Fields))
			numbers = append(numbers, row.Number)
		}
		info = r.Info()
		if len(info.Notices) > formats.MaxNotices || (info.NoticesDropped > 0 && len(info.Notices) != formats.MaxNotices) {
			t.Fatalf("%d notices, %d dropped", len(info.Notices), info.NoticesDropped)
		}
		if plain(data, opts) {
			compareWithStdlib(t, data, info, header, records, numbers)
		}
		// With CRLFs, a field keeps the ones it held, where encoding/csv
		// reads "\n": folded back, the rows are encoding/csv's.
		if crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")); plain(data, opts) && !bytes.Contains(data, []byte("\r")) {
			fromCRLF, err := csv.NewReader(bytes.NewReader(crlf), opts)
			if err != nil {
				t.Fatalf("the same data with CRLF line ends: %v", err)
			}
			defer fromCRLF.Close()
			var got [][]string
			for {
				row, err := fromCRLF.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return
				}
				fields := slices.Clone(row.Fields)
				for i, f := range fields {
					if strings.Contains(f, "\n") && !strings.Contains(f, "\r\n") {
						t.Fatalf("field %q read from a CRLF file lost its CRs", f)
					}
					fields[i] = strings.ReplaceAll(f, "\r\n", "\n")
				}
				got = append(got, fields)
			}
			if !slices.EqualFunc(got, records, slices.Equal) {
				t.Fatalf("CRLF file read as %q, LF file as %q", got, records)
			}
		}
	})
}

// plain reports whether data is text the reader passes to encoding/csv
// unchanged: valid UTF-8 without a byte order mark, sep= line or CR, and
// without NUL bytes, which can make UTF-16 the better reading.
func plain(data []byte, opts *formats.Options) bool {
	return opts.HeaderRow == 1 && (opts.Encoding == "" || opts.Encoding == "utf-8") &&
		utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) &&
		!bytes.HasPrefix(data, []byte("sep=")) && !bytes.ContainsAny(data, "\r\x00")
}

// compareWithStdlib checks that the data rows are exactly the non-blank
// records encoding/csv reads after the first, when it reads them all
// without error, and that their numbers are the rows a spreadsheet shows,
// counted by rowStarts.
func compareWithStdlib(t *testing.T, data []byte, info formats.Info, header []string, got [][]string, gotNumbers []int) {
	std := stdcsv.NewReader(bytes.NewReader(data))
	std.Comma = info.Delimiter
	std.FieldsPerRecord = -1
	all, err := std.ReadAll()
	if err != nil || len(all) == 0 {
		return
	}
	rows := rowStarts(data)
	if len(rows) != len(all) {
		t.Fatalf("%d records, %d non-empty rows counted", len(all), len(rows))
	}
	var want [][]string
	var wantNumbers []int
	for i, rec := range all[1:] {
		if !blank(rec) {
			want = append(want, rec)
			wantNumbers = append(wantNumbers, rows[i+1])
		}
	}
	if len(header) != len(all[0]) || info.HeaderRow != rows[0] {
		t.Fatalf("header %q on row %d, encoding/csv %q on row %d", header, info.HeaderRow, all[0], rows[0])
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("rows %q\nencoding/csv %q", got, want)
	}
	if !slices.Equal(gotNumbers, wantNumbers) {
		t.Fatalf("row numbers %v, want %v", gotNumbers, wantNumbers)
	}
}

// rowStarts numbers the rows of CSV text that encoding/csv reads without
// error and that has no carriage returns, the simple way: a row ends at a line feed outside quotes, and
// every line counts, the empty ones too. It returns the numbers of the
// rows that are not empty lines, which encoding/csv returns as records.
func rowStarts(data []byte) []int {
	var rows []int
	row, empty, inQuotes := 1, true, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inQuotes:
			if c == '"' {
				if i+1 < len(data) && data[i+1] == '"' {
					i++
				} else {
					inQuotes = false
				}
			}
		case c == '\n':
			if !empty {
				rows = append(rows, row)
			}
			row, empty = row+1, true
			continue
		case c == '"':
			// Outside quotes a quote can only open a field here: anywhere
			// else encoding/csv reports an error and nothing is compared.
			inQuotes = true
		}
		empty = false
	}
	if !empty {
		rows = append(rows, row)
	}
	return rows
}

func blank(rec []string) bool {
	for _, f := range rec {
		if len(bytes.TrimSpace([]byte(f))) > 0 {
			return false
		}
	}
	return true
}

func globFiles(f *testing.F, pattern string) []string {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	return paths
}

// optionalCorpus is corpusDir for seeds: fuzzing runs without the corpus.
func optionalCorpus(f *testing.F, sub string) (dir string, ok bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(wd, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(wd)
		if parent == wd {
			return "", false
		}
		wd = parent
	}
	dir = filepath.Join(wd, "..", "shared", "corpus", sub)
	_, err = os.Stat(dir)
	return dir, err == nil
}
