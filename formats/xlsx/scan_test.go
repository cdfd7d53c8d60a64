package xlsx

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestCellScanner(t *testing.T) {
	xml := `<?xml version="1.0"?><x:worksheet xmlns:x="main"><x:dimension ref="A1:C9"/><x:sheetData>` +
		`<x:row r="1"><x:c r="A1" t="b"><x:v>1</x:v></x:c><x:c r='C1' s='4'><x:v>45292</x:v></x:c></x:row>` +
		`<!-- <x:row r="2"><x:c r="A2" t="b"/></x:row> --><![CDATA[<x:row r="3">]]>` +
		`<x:row r="4"><x:c r="B4" t="s" s="1"><x:v>0</x:v></x:c><x:c t="d" s="2"><x:v>2024-01-01</x:v></x:c>` +
		`<x:c r="D4" t="inlineStr"><x:is><x:t>` + strings.Repeat("long text ", 20000) + `</x:t></x:is></x:c></x:row>` +
		`<x:row><x:c><x:v>7</x:v></x:c><x:c s="3" t="n"/></x:row>` +
		`<x:row r="9" spans="1:2" x14ac:dyDescent="0.25"><x:c r="AB9" s="12"><x:v>1</x:v></x:c></x:row>` +
		`</x:sheetData><x:row r="10"><x:c r="A10" t="b"/></x:row></x:worksheet>`
	s := newCellScanner(io.NopCloser(strings.NewReader(xml)))
	defer s.Close()
	want := map[int]string{
		1:  "[{1 1 0} {3 0 4}]",
		4:  "[{3 2 2}]",
		5:  "[{1 0 0} {2 0 3}]",
		9:  "[{28 0 12}]",
		10: "[]", // after </sheetData>
	}
	for n := 1; n <= 10; n++ {
		got := fmt.Sprint(s.cellsOf(n))
		w, ok := want[n]
		if !ok {
			w = "[]"
		}
		if got != w {
			t.Errorf("row %d: %s, want %s", n, got, w)
		}
	}
}

func TestColumnOf(t *testing.T) {
	for ref, want := range map[string]int{"A1": 1, "Z9": 26, "AA1": 27, "XFD1048576": 16384, "a1": 1} {
		if got, ok := columnOf([]byte(ref)); !ok || got != want {
			t.Errorf("columnOf(%q) = %d, %v; want %d", ref, got, ok, want)
		}
	}
	for _, ref := range []string{"", "12", strings.Repeat("Z", 10) + "1"} {
		if _, ok := columnOf([]byte(ref)); ok {
			t.Errorf("columnOf(%q) ok", ref)
		}
	}
	if got := attr([]byte(` r="A1" x:s = '3' t="b"/`), "s"); string(got) != "3" || !reflect.DeepEqual(attr([]byte(` r="A1`), "r"), []byte(nil)) {
		t.Errorf("attr: %q", got)
	}
}

// FuzzCellScanner scans arbitrary bytes as worksheet XML: no panic, and
// what it reports is well formed.
func FuzzCellScanner(f *testing.F) {
	f.Add([]byte(`<sheetData><row r="1"><c r="A1" t="b"><v>1</v></c><c s="3"/></row><row><c r='B2' s='1'/></row></sheetData>`))
	f.Add([]byte(`<x:row r="2"><!-- <c r="A1"> --><![CDATA[<c>]]><x:c r="ZZ2" t="d"/></x:row></x:sheetData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newCellScanner(io.NopCloser(strings.NewReader(string(data))))
		for n := 1; n <= 64; n++ {
			for _, c := range s.cellsOf(n) {
				if c.col < 1 || c.typ > typeDate || c.style < 0 {
					t.Fatalf("row %d: bad cell %+v", n, c)
				}
			}
		}
	})
}
