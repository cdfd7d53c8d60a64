package vcard_test

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/vcard"
)

// FuzzReader: whatever the bytes, the reader neither panics nor loops,
// every row is as wide as the header, and its text is valid UTF-8.
//
//	go test ./formats/vcard -run '^$' -fuzz FuzzReader -fuzztime 60s -fuzzminimizetime 0
func FuzzReader(f *testing.F) {
	for _, name := range []string{"ezvcard-John_Doe_GMAIL.vcf", "ezvcard-John_Doe_EVOLUTION.vcf", "folkerkinzel-wab-v2_1.vcf", "folkerkinzel-cardbook-v4.vcf"} {
		if data, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:=C3=\n=A9;x\nPHOTO;ENCODING=BASE64:AAAA\nAAAA\n\nEND:VCARD\n",
		"BEGIN:VCARD\nBEGIN:VCARD\nEND:VCARD\n",
		"BEGIN:VCARD\r\nitem1.TEL;TYPE=\"a:b\";X=\"\":1\r\n item1.X-ABLabel:\r\nEND:VCARD",
		"\xff\xfeB\x00E\x00G\x00I\x00N\x00:\x00V\x00C\x00A\x00R\x00D\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := vcard.NewReader(bytes.NewReader(data), &formats.Options{MaxSize: 1 << 20})
		if err != nil {
			return
		}
		defer r.Close()
		n := len(r.Header())
		for rows := 0; ; rows++ {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(row.Fields) != n {
				t.Fatalf("a row of %d fields, the header has %d", len(row.Fields), n)
			}
			for _, f := range row.Fields {
				if !utf8.ValidString(f) {
					t.Fatalf("invalid UTF-8 %q", f)
				}
			}
			if rows > len(data) {
				t.Fatal("more rows than bytes")
			}
		}
	})
}

// FuzzWriteRead: text written into a card reads back as it was (leading
// and trailing spaces aside), in every version.
func FuzzWriteRead(f *testing.F) {
	f.Add("Zoë", "Łukasiewicz", "a;b,c\\d\ne", "Acme, Inc.", "2.1")
	f.Add("=1+1", "O'Neill", "", "R&D; Paris", "3.0")
	f.Add("王", "小明", "line\r\nbreak", "x:y", "4.0")
	f.Fuzz(func(t *testing.T, first, last, note, company, version string) {
		if version != "2.1" && version != "3.0" && version != "4.0" {
			version = "3.0"
		}
		for _, s := range []string{first, last, note, company} {
			if !utf8.ValidString(s) || strings.Contains(s, " ::: ") || strings.ContainsAny(s, "\x00") {
				return
			}
		}
		var buf bytes.Buffer
		w, _ := vcard.NewWriter(&buf, &vcard.WriterOptions{Version: version})
		w.WriteHeader([]string{"First name", "Last name", "Notes", "Company"})
		w.WriteRow([]formats.Cell{formats.TextCell(first), formats.TextCell(last), formats.TextCell(note), formats.TextCell(company)})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := vcard.NewReader(bytes.NewReader(buf.Bytes()), nil)
		if err != nil {
			t.Fatal(err)
		}
		row, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for i, h := range r.Header() {
			got[h] = row.Fields[i]
		}
		norm := func(s string) string {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
			return strings.TrimSpace(s)
		}
		for col, want := range map[string]string{"Notes": note, "Company": company} {
			if norm(got[col]) != norm(want) {
				t.Errorf("%s version %s: %q read back as %q\n%s", col, version, want, got[col], buf.Bytes())
			}
		}
	})
}
