package sniff

import (
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, bigEndian bool) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return b
}

func TestLooksUTF16(t *testing.T) {
	table := "Name,Email\r\nAda,ada@example.com\r\n"
	for _, tc := range []struct {
		name          string
		b             []byte
		ok, bigEndian bool
	}{
		{"little endian", utf16Bytes(table, false), true, false},
		{"big endian", utf16Bytes(table, true), true, true},
		{"UTF-8", []byte(table), false, false},
		{"too short", []byte{'a', 0}, false, false},
		{"zeros without a delimiter or line end", utf16Bytes("abcdefgh", false), false, false},
		{"binary: zeros on both sides", []byte{0, 1, 2, 0, 0, 3, 4, 0, ',', 0}, false, false},
	} {
		bigEndian, ok := LooksUTF16(tc.b)
		if ok != tc.ok || bigEndian != tc.bigEndian {
			t.Errorf("%s: LooksUTF16 = %v, %v; want %v, %v", tc.name, bigEndian, ok, tc.bigEndian, tc.ok)
		}
	}
}
