package bincodec

import (
	"bytes"
	"testing"
	"unsafe"

	"github.com/crmio/crmio"
)

// TestRowDecoder decodes named encodings into rows: each wanted field at
// its place, the others skipped, the missing ones null, whether the
// header is the last one's or another; the strings copied or viewed.
func TestRowDecoder(t *testing.T) {
	full := sample()
	fields := []string{"email", "missing", "name"}
	for name := range full {
		if name != "email" && name != "name" {
			fields = append(fields, name)
			break // one more, so that some fields of the encoding are skipped
		}
	}
	if _, ok := full["email"]; !ok {
		t.Fatal("sample has no email")
	}
	short := map[string]crmio.Value{"name": crmio.TextValue("Grace"), "zzz": crmio.IntValue(7)}
	var enc NamedEncoder
	d := NewRowDecoder(fields)
	row := make([]crmio.Value, len(fields))
	var arena crmio.Arena
	// Alternate two headers, and the same one twice, so that the decoder's
	// remembered slots are both reused and replaced.
	for i, values := range []map[string]crmio.Value{full, full, short, full, short, short} {
		b := enc.Append(nil, values, sortedNames(values))
		for _, mode := range []Mode{Copy, View} {
			for k := range row {
				row[k] = crmio.TextValue("stale")
			}
			if err := d.Decode(&arena, b, mode, row); err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			for k, f := range fields {
				if want := values[f]; !row[k].Equal(want) {
					t.Errorf("record %d, mode %d, field %q = %v, want %v", i, mode, f, row[k], want)
				}
			}
		}
	}
	if d.Slot("name") != 2 || d.Slot("zzz") != -1 {
		t.Errorf("Slot(name), Slot(zzz) = %d, %d; want 2, -1", d.Slot("name"), d.Slot("zzz"))
	}

	// View makes strings that alias the bytes; Copy strings of their own.
	b := enc.Append(nil, short, sortedNames(short))
	if err := d.Decode(nil, b, View, row); err != nil {
		t.Fatal(err)
	}
	name := row[2].Str()
	if !bytes.Contains(b, []byte(name)) || !aliases(b, name) {
		t.Errorf("View: %q does not alias the encoding", name)
	}
	if err := d.Decode(nil, b, Copy, row); err != nil {
		t.Fatal(err)
	}
	if aliases(b, row[2].Str()) {
		t.Errorf("Copy: %q aliases the encoding", row[2].Str())
	}
}

// aliases reports whether s lies inside b.
func aliases(b []byte, s string) bool {
	if len(s) == 0 || len(b) == 0 {
		return false
	}
	p, start := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(&b[0]))
	return p >= start && p < start+uintptr(len(b))
}

// TestRowDecoderCorrupt refuses what DecodeNamed refuses, also after a
// header the decoder remembers.
func TestRowDecoderCorrupt(t *testing.T) {
	values := sample()
	var enc NamedEncoder
	good := enc.Append(nil, values, sortedNames(values))
	d := NewRowDecoder(sortedNames(values))
	row := make([]crmio.Value, len(values))
	if err := d.Decode(nil, good, Copy, row); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{
		nil,
		{namedMagic},
		{namedMagic, 3, 0, 1, 0},
		{namedMagic, namedVersion, 1, 3, 3, 1, 1, 1}, // field 1 of one name
		good[:len(good)-1],                           // the remembered header, the values cut short
		append(good[:len(good):len(good)], 'x'),      // a byte too many
	} {
		if err := d.Decode(nil, b, Copy, row); err == nil {
			t.Errorf("Decode(%q) = nil; want an error", b)
		}
	}
}
