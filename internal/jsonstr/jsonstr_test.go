package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is what encoding/json writes for s, without HTML escapes.
func encodingJSON(t testing.TB, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppend(t *testing.T) {
	for _, s := range []string{
		"", "Ada", `say "hi"`, `C:\path`, "a\nb\rc\td", "\x00\x1f", "<b>&</b>",
		"Zoë Łukasiewicz", "日本語", "bad \xff utf-8", "\xc3", "emoji 🙂",
	} {
		got := Append([]byte("x"), s)
		want := append([]byte("x"), encodingJSON(t, s)...)
		if !bytes.Equal(got, want) {
			t.Errorf("Append(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzAppend: whatever the string, the literal is valid JSON, it reads
// back as the string (invalid UTF-8 as U+FFFD), and it is encoding/json's.
//
//	go test ./internal/jsonstr -fuzz FuzzAppend -fuzztime 30s
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", "q\"\\", "\n\x01", "é\xffz", "🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Append(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Append(%q) = %s: not JSON: %v", s, out, err)
		}
		// Each byte of invalid UTF-8 becomes one U+FFFD, as a conversion
		// to runes does.
		if back != string([]rune(s)) {
			t.Fatalf("Append(%q) reads back as %q", s, back)
		}
		// encoding/json writes \u2028 and \u2029 escaped; crmio does not
		// (it is not HTML), and both read back the same.
		if !bytes.ContainsAny([]byte(s), "\u2028\u2029") {
			if want := encodingJSON(t, s); !bytes.Equal(out, want) {
				t.Fatalf("Append(%q) = %s, encoding/json %s", s, out, want)
			}
		}
	})
}
