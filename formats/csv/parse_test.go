package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// stdRecords reads data with encoding/csv as the reader configures it,
// recording each record or error as text.
func stdRecords(data []byte, comma rune) []string {
	r := stdcsv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	var out []string
	for range len(data) + 2 {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		out = append(out, describe(rec, err))
		var pe *stdcsv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return out
		}
	}
	return append(out, "no end")
}

// parserRecords reads data with the parser over a read buffer of size
// bytes (16 is bufio's least: lines span many chunks).
func parserRecords(data []byte, comma rune, size int) []string {
	p := newParser(bufio.NewReaderSize(bytes.NewReader(data), size), comma)
	var out []string
	for range len(data) + 2 {
		rec := p.read()
		if rec.err == io.EOF {
			return out
		}
		out = append(out, describe(rec.fields, rec.err))
		var pe *stdcsv.ParseError
		if rec.err != nil && !errors.As(rec.err, &pe) {
			return out
		}
	}
	return append(out, "no end")
}

func describe(fields []string, err error) string {
	var pe *stdcsv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("error %v from line %d at %d after %q", pe.Err, pe.StartLine, pe.Line, fields)
	}
	return fmt.Sprintf("%q", fields)
}

// TestParserMatchesEncodingCSV reads inputs that exercise every state of
// the parser, with the whole line in the buffer and split into chunks, and
// checks that the records and errors are encoding/csv's.
func TestParserMatchesEncodingCSV(t *testing.T) {
	for _, in := range []string{
		"a,b,c\n1,2,3\n",
		"a,b\n\n\n1,2",
		"\"quoted, with comma\",\"and \"\"quotes\"\"\"\n",
		"\"multi\nline\",x\ny,z\n",
		"a,b\nx\"y,1\nok,2\n",      // a bare quote
		"a,\"b\"c,d\nnext,line\n",  // text after a closing quote
		"a,\"unterminated\nmore\n", // a quoted field to the end
		"a,\n,\n\"\"\n",            // empty fields
		"a;b;\"c;d\"\n1;2;3\n",     // another delimiter
		strings.Repeat("x", 100) + ",\"" + strings.Repeat("y\n", 20) + "\"\n",
		"a,b\r\nc,d\r\n\r\ne,f\r",
		"lone\rcr,x\n\"q\"\r\n",
		"\"a\"\"\n",
	} {
		want := stdRecords([]byte(in), ',')
		if strings.Contains(in, ";") {
			want = stdRecords([]byte(in), ';')
		}
		for _, size := range []int{16, 4096} {
			comma := ','
			if strings.Contains(in, ";") {
				comma = ';'
			}
			got := parserRecords([]byte(in), comma, size)
			if strings.Contains(in, "\r") {
				for i := range got {
					got[i] = strings.ReplaceAll(got[i], `\r\n`, `\n`)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q, buffer %d:\n got %q\nwant %q", in, size, got, want)
			}
		}
	}
}

// TestParserUnicodeDelimiter reads a file delimited by a multi-byte rune.
func TestParserUnicodeDelimiter(t *testing.T) {
	in := "a§b§\"c§d\"\n1§2§3\n"
	if got, want := parserRecords([]byte(in), '§', 16), stdRecords([]byte(in), '§'); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRecordBuffer gathers a large record in blocks: the text is whole.
func TestRecordBuffer(t *testing.T) {
	var b recordBuffer
	var want strings.Builder
	for i := range 5000 {
		piece := strings.Repeat(string(rune('a'+i%26)), i%700)
		b.append([]byte(piece))
		want.WriteString(piece)
	}
	if b.len() != want.Len() || !b.large {
		t.Fatalf("len %d, want %d; large %v", b.len(), want.Len(), b.large)
	}
	if got := b.string(); got != want.String() {
		t.Error("the record's text differs")
	}
	b.reset()
	b.append([]byte("small"))
	if b.string() != "small" || b.large {
		t.Error("a small record after a large one")
	}
}

// FuzzParser compares the parser with encoding/csv on arbitrary input
// without carriage returns (which the parser keeps in quoted fields), read
// with a 16-byte buffer so that lines span chunks.
func FuzzParser(f *testing.F) {
	f.Add([]byte("a,b\n\"1\n2\",3\n\n\"x\"y,4\nz,\"\"\"\"\n"))
	f.Add([]byte("x\"y,1\nok,\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.IndexByte(data, '\r') >= 0 {
			return
		}
		if got, want := parserRecords(data, ',', 16), stdRecords(data, ','); !slices.Equal(got, want) {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}
