package csv_test

import (
	"bytes"
	stdcsv "encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
)

// FuzzWriterMatchesStdlib writes arbitrary fields, split from the input at
// each 0x1f (a row at each 0x1e), with the delimiters a CSV file uses,
// and checks that Writer quotes and writes every field exactly as
// encoding/csv does (records ending "\r\n" unless LF), through WriteRow
// and through AppendRow + WriteEncoded alike.
func FuzzWriterMatchesStdlib(f *testing.F) {
	for _, seed := range []string{
		"a\x1fb\x1fc",
		"",
		"\x1f\x1e\x1f",
		" lead\x1ftrail \x1f\\.\x1f\"quoted\"",
		"line\nbreak\x1fcr\rlone\x1fcrlf\r\n\x1e\tTab\x1f\u00a0nbsp\x1f\u3000ideo",
		"semi;colon\x1fcomma,\x1fpipe|\x1ftab\tin",
		"é\x1f\xff\xfe invalid\x1f\"\"\"",
	} {
		for _, delim := range []rune{',', ';', '\t', '|', '§'} {
			f.Add(seed, delim, false)
		}
	}
	f.Add("x\x1fy", ',', true)
	f.Fuzz(func(t *testing.T, data string, delim rune, lf bool) {
		if delim == 0 || delim == '"' || delim == '\r' || delim == '\n' || !utf8.ValidRune(delim) || delim == utf8.RuneError {
			return // NewWriter refuses them (TestWriterErrors)
		}
		var rows [][]string
		for _, line := range strings.Split(data, "\x1e") {
			rows = append(rows, strings.Split(line, "\x1f"))
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		header := make([]string, width)
		for i := range header {
			header[i] = "h" + strings.Repeat("\"", i%2)
		}

		var want bytes.Buffer
		std := stdcsv.NewWriter(&want)
		std.Comma = delim
		end := "\r\n"
		if lf {
			end = "\n"
		}
		for _, r := range append([][]string{header}, rows...) {
			var line bytes.Buffer
			lw := stdcsv.NewWriter(&line)
			lw.Comma = delim
			padded := append(r[:len(r):len(r)], make([]string, width-len(r))...)
			if err := lw.Write(padded); err != nil {
				t.Fatal(err)
			}
			lw.Flush()
			want.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
			want.WriteString(end)
		}

		for _, encoded := range []bool{false, true} {
			var got bytes.Buffer
			w, err := csv.NewWriter(&got, &csv.WriterOptions{Delimiter: delim, LF: lf})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.WriteHeader(header); err != nil {
				t.Fatal(err)
			}
			var batch []byte
			for _, r := range rows {
				cells := make([]formats.Cell, len(r))
				for i, s := range r {
					cells[i] = formats.TextCell(s)
				}
				if encoded {
					if batch, err = w.AppendRow(batch, cells); err != nil {
						t.Fatal(err)
					}
				} else if err := w.WriteRow(cells); err != nil {
					t.Fatal(err)
				}
			}
			if encoded {
				if err := w.WriteEncoded(batch, len(rows)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("encoded %v, delimiter %q, LF %v:\n got %q\nwant %q", encoded, delim, lf, got.Bytes(), want.Bytes())
			}
		}
	})
}
