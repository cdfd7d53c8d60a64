package bincodec

import (
	"bytes"
	"slices"
	"testing"
	"unsafe"

	"github.com/crmio/crmio"
)

func sortedNames(values map[string]crmio.Value) []string {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func TestNamedRoundTrip(t *testing.T) {
	want := sample()
	var enc NamedEncoder
	b := enc.Append([]byte("prefix"), want, sortedNames(want))
	b = b[len("prefix"):]
	if !IsNamed(b) {
		t.Fatalf("IsNamed(%q) = false", b)
	}
	got, err := DecodeNamed(b)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, want)
	var arena crmio.Arena
	for range 300 { // past the arena's first blocks
		inArena, err := DecodeNamedIn(&arena, b)
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, inArena, want)
	}

	// The same values encode to the same bytes, whatever the encoder
	// wrote before.
	again := enc.Append(nil, want, sortedNames(want))
	if !bytes.Equal(again, b) {
		t.Errorf("second encoding differs:\n%q\n%q", again, b)
	}

	// The names are interned: two decodings share them.
	other, _ := DecodeNamed(b)
	for name := range got {
		for name2 := range other {
			if name == name2 && unsafeData(name) != unsafeData(name2) {
				t.Errorf("field %q decoded twice into two strings", name)
			}
		}
	}
}

func TestNamedSelected(t *testing.T) {
	values := sample()
	var enc NamedEncoder
	b := enc.Append(nil, values, sortedNames(values))
	dst := make(map[string]crmio.Value)
	n, err := DecodeNamedInto(dst, b, Copy, func(name string) bool { return name == "email" || name == "missing" })
	if err != nil || n != 1 || len(dst) != 1 || !dst["email"].Equal(values["email"]) {
		t.Fatalf("DecodeNamedInto = %d, %v, %v; want only email %v", n, err, dst, values["email"])
	}
}

func TestNamedEmpty(t *testing.T) {
	var enc NamedEncoder
	b := enc.Append(nil, map[string]crmio.Value{}, nil)
	got, err := DecodeNamed(b)
	if err != nil || len(got) != 0 {
		t.Fatalf("DecodeNamed(%q) = %v, %v; want an empty map", b, got, err)
	}
}

func TestNamedCorrupt(t *testing.T) {
	values := sample()
	var enc NamedEncoder
	good := enc.Append(nil, values, sortedNames(values))
	for _, b := range [][]byte{
		nil,
		{},
		[]byte(`{"name":{"text":"Ada"}}`), // JSON is not a named encoding
		{namedMagic},
		{namedMagic, 3, 0, 1, 0}, // a version this package does not know
		{namedMagic, namedVersion, 0x80},
		{namedMagic, namedSpelledV1, 1, 5, 'a'}, // a name longer than the bytes
		{namedMagic, namedSpelledV1, 0xff, 0xff, 0xff, 1},                                              // more names than bytes
		{namedMagic, namedSpelledV1, 1, 1, 'a', 3, 1, 1, 1},                                            // field 1 of one name
		{namedMagic, namedVersion, 1, 10, 'a'},                                                         // a name longer than the bytes
		append(appendUvarint([]byte{namedMagic, namedVersion, 1}, 2*uint64(len(commonNames))+1), 1, 0), // no such common name
		{namedMagic, namedVersion, 1, 3, 3, 1, 1, 1},                                                   // field 1 of one name
		good[:len(good)-1],
	} {
		if v, err := DecodeNamed(b); err == nil {
			t.Errorf("DecodeNamed(%q) = %v, nil; want an error", b, v)
		}
	}
}

// FuzzNamed decodes arbitrary bytes as a named encoding: never a panic,
// and what decodes encodes to bytes that decode to the same values, and
// decodes into a row (RowDecoder) to the same values too. Its
// seeds include what valuesFrom makes of FuzzRoundTrip's inputs.
func FuzzNamed(f *testing.F) {
	var enc NamedEncoder
	f.Add(enc.Append(nil, sample(), sortedNames(sample())))
	f.Add([]byte{namedMagic, namedVersion, 0, 1, 0})
	f.Add([]byte{namedMagic, namedSpelledV1, 1, 1, 'a', 3, 1, 0, 1, 1, 'x'})
	f.Add([]byte{namedMagic, namedVersion, 1, 2, 'a', 3, 1, 0, 1, 1, 'x'})
	f.Add([]byte{namedMagic, namedVersion, 2, 15, 2, 'a', 5, 1, 0, 1, 1, 1, 1, 'x', 'y'})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeNamed(data)
		if err != nil {
			// Values built from the bytes round-trip instead.
			want := valuesFrom(data)
			b := enc.Append(nil, want, sortedNames(want))
			if got, err = DecodeNamed(b); err != nil {
				t.Fatalf("decoding %q: %v", b, err)
			}
			checkSame(t, got, want)
			return
		}
		b := enc.Append(nil, got, sortedNames(got))
		again, err := DecodeNamed(b)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", b, err)
		}
		checkSame(t, again, got)
		var arena crmio.Arena
		inArena, err := DecodeNamedIn(&arena, data)
		if err != nil {
			t.Fatalf("decoding %q in an arena: %v", data, err)
		}
		checkSame(t, inArena, got)
		// A RowDecoder of its fields and one it lacks reads the same.
		fields := append(sortedNames(got), "\x00absent")
		row := make([]crmio.Value, len(fields))
		if err := NewRowDecoder(fields).Decode(&arena, data, View, row); err != nil {
			t.Fatalf("decoding %q into a row: %v", data, err)
		}
		for i, name := range fields {
			if !row[i].Equal(got[name]) {
				t.Fatalf("decoding %q into a row: field %q = %v, DecodeNamed %v", data, name, row[i], got[name])
			}
		}
	})
}

func BenchmarkDecodeNamed(b *testing.B) {
	values := sample()
	var enc NamedEncoder
	data := enc.Append(nil, values, sortedNames(values))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeNamed(data); err != nil {
			b.Fatal(err)
		}
	}
}

func unsafeData(s string) *byte { return unsafe.StringData(s) }
