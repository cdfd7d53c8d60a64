package vcard_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/vcard"
)

// people is a table as crmio's export of the default schema's people
// writes it, with the values the round trip must keep.
var (
	peopleHeader = []string{"First name", "Last name", "Email", "Email (Work)", "Email (Home)", "Phone (Mobile)", "Phone (Work)",
		"Title", "Account", "Address (Work) - Street", "Address (Work) - City", "Address (Work) - Zip", "Address (Work) - Country",
		"Address (Home) - City", "Status", "Birthday", "Created on", "Website", "Notes", "Nickname"}
	peopleRows = [][]formats.Cell{
		{formats.TextCell("Zoë"), formats.TextCell("Łukasiewicz-Ångström"), {}, formats.TextCell("zoe@work.example ::: zoe2@work.example"),
			formats.TextCell("zoe@home.example"), formats.TextCell("+14155550102"), formats.TextCell("+1 212 555 0134"),
			formats.TextCell("Head of R&D; Paris, London"), formats.TextCell("Acme, Inc."), formats.TextCell("1 Rue de Rivoli\nBâtiment B"),
			formats.TextCell("Paris"), formats.TextCell("75001"), formats.TextCell("FR"), formats.TextCell("Zürich"), formats.TextCell("qualified"),
			formats.DateCell(1990, time.March, 7), formats.DateCell(2024, time.January, 2), formats.TextCell("https://zoe.example/a;b"),
			formats.TextCell("Met at the conference.\nLikes: tea, \"quotes\" and back\\slashes; " + strings.TrimSpace(strings.Repeat("a long note ", 12))),
			formats.TextCell("Zo")},
		{formats.TextCell("Ada"), formats.TextCell("Lovelace"), formats.TextCell("ada@example.com")},
		{formats.TextCell("=cmd"), formats.TextCell("Кириллица"), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, formats.TextCell("--03-07")},
	}
)

func writeCards(t *testing.T, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := vcard.NewWriter(&buf, &vcard.WriterOptions{Version: version})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteHeader(peopleHeader); err != nil {
		t.Fatal(err)
	}
	for _, row := range peopleRows {
		if err := w.WriteRow(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteReadBack writes the table in each version and reads it back:
// every value comes back in the column it was written from (Account as
// Company, crmio's other columns through X-CRMIO-FIELD).
func TestWriteReadBack(t *testing.T) {
	for _, version := range []string{"2.1", "3.0", "4.0"} {
		t.Run(version, func(t *testing.T) {
			data := writeCards(t, version)
			for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
				if len(line) > 76 && version != "2.1" {
					t.Errorf("line %d is %d bytes long: %q", i+1, len(line), line)
				}
				if strings.ContainsAny(line, "\r\n") {
					t.Errorf("line %d holds a bare line break", i+1)
				}
			}
			if version == "2.1" && !strings.Contains(string(data), "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:") {
				t.Errorf("2.1 without quoted-printable UTF-8:\n%s", data)
			}
			_, rows, info := table(t, data)
			if len(rows) != len(peopleRows) {
				t.Fatalf("%d cards read back, want %d\n%s", len(rows), len(peopleRows), data)
			}
			for r, row := range peopleRows {
				for i, c := range row {
					col := peopleHeader[i]
					if col == "Account" {
						col = "Company"
					}
					if col == "Birthday" && strings.HasPrefix(c.String(), "--") {
						col = "Birthday (no year)"
					}
					if got := rows[r][col]; got != c.String() {
						t.Errorf("card %d, %s: %q, want %q", r+1, col, got, c.String())
					}
				}
			}
			if len(info.Notices) > 0 {
				t.Errorf("notices: %v", info.Notices)
			}
		})
	}
}

func TestWriterMisuse(t *testing.T) {
	if _, err := vcard.NewWriter(&bytes.Buffer{}, &vcard.WriterOptions{Version: "5.0"}); err == nil {
		t.Error("version 5.0 accepted")
	}
	w, _ := vcard.NewWriter(&bytes.Buffer{}, nil)
	if err := w.WriteRow(nil); !errors.Is(err, formats.ErrWriteOrder) {
		t.Errorf("WriteRow before WriteHeader: %v", err)
	}
	w, _ = vcard.NewWriter(&bytes.Buffer{}, nil)
	w.WriteHeader([]string{"First name"})
	if err := w.WriteRow([]formats.Cell{{}, {}}); !errors.Is(err, formats.ErrRowTooWide) {
		t.Errorf("a row too wide: %v", err)
	}
}

// TestWriterOutput pins the shape of a 3.0 card.
func TestWriterOutput(t *testing.T) {
	var buf bytes.Buffer
	w, _ := vcard.NewWriter(&buf, nil)
	w.WriteHeader([]string{"First name", "Last name", "Phone (Mobile)", "Email (Work)", "Company", "Birthday", "Status"})
	w.WriteRow([]formats.Cell{formats.TextCell("Ada"), formats.TextCell("Lovelace"), formats.TextCell("+14155550102"),
		formats.TextCell("ada@example.com"), formats.TextCell("Analytical Engines"), formats.DateCell(1815, time.December, 10), formats.TextCell("new")})
	w.Close()
	want := "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//crmio//crmio//EN\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nORG:Analytical Engines\r\n" +
		"EMAIL;TYPE=WORK:ada@example.com\r\nTEL;TYPE=CELL:+14155550102\r\nBDAY:1815-12-10\r\nX-CRMIO-FIELD;X-COLUMN=Status:new\r\nEND:VCARD\r\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// TestRewriteReaderTable writes the table the Reader reads from each real
// file and reads the result back: the same cells, in every version (the
// Writer knows the Reader's columns, the numbered groups included).
func TestRewriteReaderTable(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.vcf")
	for _, file := range files {
		for _, version := range []string{"2.1", "3.0", "4.0"} {
			t.Run(filepath.Base(file)+"/"+version, func(t *testing.T) {
				r, err := vcard.Open(file, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				var buf bytes.Buffer
				w, _ := vcard.NewWriter(&buf, &vcard.WriterOptions{Version: version})
				w.WriteHeader(r.Header())
				var want []map[string]string
				for {
					row, err := r.Read()
					if err != nil {
						break
					}
					cells := make([]formats.Cell, len(row.Fields))
					m := map[string]string{}
					for i, f := range row.Fields {
						cells[i] = formats.TextCell(f)
						if f != "" {
							m[r.Header()[i]] = f
						}
					}
					want = append(want, flatten(m))
					w.WriteRow(cells)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				_, got, _ := table(t, buf.Bytes())
				if len(got) != len(want) {
					t.Fatalf("%d cards, want %d", len(got), len(want))
				}
				for i := range want {
					for col, v := range want[i] {
						if col == "Full name" || col == "Birthday (as written)" {
							continue
						}
						if got[i][col] != v {
							t.Errorf("card %d, %s: %q, want %q", i+1, col, got[i][col], v)
						}
					}
				}
			})
		}
	}
}
