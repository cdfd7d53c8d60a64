package csv

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestUTF8Watch(t *testing.T) {
	for _, c := range []struct {
		name       string
		text       string
		fallBack   bool
		want       string
		invalidAt  int64
		fellBackAt int64
	}{
		{"ascii", "abc,def\n", true, "abc,def\n", -1, -1},
		{"utf-8", "Zoë,Αλέξης,日本\n", true, "Zoë,Αλέξης,日本\n", -1, -1},
		{"windows-1252 after ascii", "abc\nd\xe9f\n", true, "abc\ndéf\n", -1, 5},
		{"windows-1252 first", "\x80 5\n", true, "€ 5\n", -1, 0},
		{"not allowed to fall back", "abc\nd\xe9f\n", false, "abc\nd\xe9f\n", 5, -1},
		{"invalid after utf-8", "ë\nd\xe9f\n", true, "ë\nd\xe9f\n", 4, -1},
		{"cut at the end", "ë\nab\xc3", true, "ë\nab\xc3", 5, -1},
		{"overlong", "ë\n\xc0\xaf", true, "ë\n\xc0\xaf", 3, -1},
		{"surrogate", "ë\n\xed\xa0\x80", true, "ë\n\xed\xa0\x80", 3, -1},
	} {
		for _, oneByte := range []bool{false, true} {
			var src io.Reader = strings.NewReader(c.text)
			if oneByte {
				src = iotest.OneByteReader(src) // every sequence cut between reads
			}
			w := newUTF8Watch(src, c.fallBack)
			got, err := io.ReadAll(w)
			if err != nil || string(got) != c.want || w.invalidAt != c.invalidAt || w.fellBackAt != c.fellBackAt {
				t.Errorf("%s (one byte at a time: %v): %q, %v, invalid at %d, fell back at %d; want %q, %d, %d",
					c.name, oneByte, got, err, w.invalidAt, w.fellBackAt, c.want, c.invalidAt, c.fellBackAt)
			}
		}
	}
}

// chunkReader returns its text in reads of the given sizes, cycling.
type chunkReader struct {
	text  []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.text) == 0 {
		return 0, io.EOF
	}
	size := 1
	if len(c.sizes) > 0 {
		size = int(c.sizes[c.i%len(c.sizes)])%16 + 1
		c.i++
	}
	n := copy(p[:min(len(p), size)], c.text)
	c.text = c.text[n:]
	return n, nil
}

// FuzzUTF8Watch checks the watch against a reference: the text passes
// unchanged and the first invalid byte is found, unless the text is ASCII
// up to an invalid byte and falling back is allowed, in which case the
// whole text is decoded as Windows-1252; whatever the chunking.
func FuzzUTF8Watch(f *testing.F) {
	f.Add([]byte("abc\nd\xe9f\n"), []byte{0}, true)
	f.Add([]byte("ë\nab\xc3"), []byte{1, 2}, false)
	f.Add([]byte("Zoë,\xed\xa0\x80"), []byte{3}, true)
	f.Fuzz(func(t *testing.T, text, sizes []byte, mayFallBack bool) {
		w := newUTF8Watch(&chunkReader{text: text, sizes: sizes}, mayFallBack)
		got, err := io.ReadAll(io.LimitReader(w, int64(4*len(text)+16)))
		if err != nil {
			t.Fatal(err)
		}
		bad := firstInvalid(text)
		ascii := firstNonASCII(text)
		if mayFallBack && bad >= 0 && bad == ascii {
			want, _ := windows1252.enc.NewDecoder().Bytes(text)
			if string(got) != string(want) || w.fellBackAt != int64(bad) {
				t.Fatalf("%q read as %q (fell back at %d), want %q at %d", text, got, w.fellBackAt, want, bad)
			}
			return
		}
		if string(got) != string(text) || w.invalidAt != int64(bad) || w.fellBackAt != -1 {
			t.Fatalf("%q read as %q, invalid at %d, fell back at %d; want the text, %d, -1", text, got, w.invalidAt, w.fellBackAt, bad)
		}
	})
}
