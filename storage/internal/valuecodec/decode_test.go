package valuecodec

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

// sampleValues holds a value of every kind, with the edge cases of each
// that the JSON form keeps.
func sampleValues() map[string]crmio.Value {
	return map[string]crmio.Value{
		"text":      crmio.TextValue("Zoë Ådams — 東京 ✓ 🎉"),
		"ascii":     crmio.TextValue("plain ascii text, with ~ and \x7f"),
		"escapes":   crmio.TextValue("quote \" backslash \\ slash / newline \n tab \t cr \r bell \a nul \x00 del \x7f <&> \u2028"),
		"invalid":   crmio.TextValue("bad \xff byte \xe2\x82 cut"),
		"empty":     crmio.TextValue(""),
		"null":      {},
		"email":     crmio.EmailValue("Bob@Example.com"),
		"phone":     crmio.PhoneValue("+14155550102"),
		"url":       crmio.URLValue("https://www.example.com/path?q=1&r=ü"),
		"num":       crmio.NumberValue(crmio.MustDecimal("-1234.50")),
		"num_big":   crmio.NumberValue(crmio.MustDecimal("123456789012345678901234567890.000")),
		"int":       crmio.IntValue(0),
		"bool":      crmio.BoolValue(false),
		"bool_true": crmio.BoolValue(true),
		"date":      crmio.DateValue(crmio.NewDate(1815, 12, 10)),
		"date_0":    crmio.DateValue(crmio.NewDate(0, 1, 1)),
		"dt":        crmio.DateTimeValue(time.Date(2024, 1, 15, 16, 0, 0, 123456789, time.FixedZone("", 5*3600+1800))),
		"ref":       crmio.RefValue("42", "Acme \"Corp\""),
		"ref_empty": crmio.RefValue("", ""),
		"address":   crmio.AddressValue(crmio.Address{Street: "1 Main St", City: "Zürich", Country: "CH"}),
		"address_0": crmio.AddressValue(crmio.Address{}),
		"list": crmio.ListValue(
			crmio.Item{Label: "Mobile", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Value: crmio.NumberValue(crmio.MustDecimal("1.50"))},
			crmio.Item{Label: "Home\n", Value: crmio.AddressValue(crmio.Address{City: "Oslo"})},
			crmio.Item{Value: crmio.RefValue("7", "x")},
		),
		"list_empty":    crmio.ListValue(),
		"":              crmio.TextValue("empty field name"),
		"quo\"te\\\x01": crmio.TextValue("odd field name"),
		"ünï":           crmio.TextValue("non-ASCII field name"),
	}
}

// slowDecode is the reference: encoding/json and crmio.Value.UnmarshalJSON.
func slowDecode(data []byte) (map[string]crmio.Value, error) {
	values := make(map[string]crmio.Value)
	err := json.Unmarshal(data, &values)
	return values, err
}

// sameValues reports whether a and b hold the same fields with Equal
// values of the same String form (which keeps a time's offset).
func sameValues(a, b map[string]crmio.Value) bool {
	if !slices.Equal(slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))) {
		return false
	}
	for k, v := range a {
		if w := b[k]; !v.Equal(w) || v.String() != w.String() {
			return false
		}
	}
	return true
}

func TestFastDecodeValues(t *testing.T) {
	values := sampleValues()
	data, _ := AppendValues(nil, values, nil)
	got, ok := fastDecodeValues(data)
	if !ok {
		t.Fatalf("fastDecodeValues gave up on %s", data)
	}
	want, err := slowDecode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !sameValues(got, want) {
		t.Errorf("fastDecodeValues(%s)\n= %v\nwant %v", data, got, want)
	}
	delete(values, "invalid") // JSON has no invalid UTF-8: it becomes U+FFFD
	delete(want, "invalid")
	if !sameValues(values, want) {
		t.Errorf("the values did not round-trip:\n%v\nwant %v", want, values)
	}

	// Forms appendValues does not write but JSON allows.
	for _, in := range []string{
		` { "a" : { "text" : "x\u00e9\/\u0001" } , "b" : null } `,
		`{"a":{"ref":{"key":"k","id":"1"}}}`,
		`{"a":{"list":[{"value":{"bool":true},"label":"L"},{"label":"x"}]}}`,
		`{"a":{"list":[{"value":{"list":[{"value":{"text":"nested"}}]}}]}}`,
	} {
		got, ok := fastDecodeValues([]byte(in))
		want, err := slowDecode([]byte(in))
		if !ok || err != nil || !sameValues(got, want) {
			t.Errorf("%s: fast %v (%v), encoding/json %v (%v)", in, got, ok, want, err)
		}
	}
	// Forms it leaves to encoding/json.
	for _, in := range []string{
		`{"a":{"TEXT":"x"}}`, `{"a":{"text":"x","text":"y"}}`, `{"a":null,"a":null}`, `{"a":{"text":"\ud83d\ude00"}}`,
		`{"a":{"ref":{"ID":"1"}}}`, `{"a":{"number":"1e999999"}}`, `{"a":{"text":"x"}} x`, "{\"a\":{\"text\":\"\xff\"}}",
		`{"a":{"list":[{"value":null,"other":1}]}}`, `{"a":{"date":"2024-02-30"}}`,
	} {
		if got, ok := fastDecodeValues([]byte(in)); ok {
			t.Errorf("%s: fastDecodeValues = %v, want it to leave it to encoding/json", in, got)
		}
	}
}

// FuzzFastDecodeValues checks that whatever fastDecodeValues accepts,
// encoding/json decodes to the same values.
func FuzzFastDecodeValues(f *testing.F) {
	data, _ := AppendValues(nil, sampleValues(), nil)
	f.Add(data)
	f.Add([]byte(`{"a":{"list":[{"label":"","value":{"text":"\u00e9"}}]},"b":{"address":{"city":"x"}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := fastDecodeValues(data)
		if !ok {
			return
		}
		want, err := slowDecode(data)
		if err != nil {
			t.Fatalf("fastDecodeValues accepted %q, which encoding/json refuses: %v", data, err)
		}
		if !sameValues(got, want) {
			t.Fatalf("%q: fastDecodeValues = %v, encoding/json = %v", data, got, want)
		}
	})
}

// BenchmarkDecodeValues decodes the values of a contact in the stored
// form (binary), and in the JSON form stores wrote before: fast, and
// through encoding/json.
func BenchmarkDecodeValues(b *testing.B) {
	data, _ := AppendValues(nil, benchContact(1), nil)
	var e Encoder
	bin, _ := e.Append(nil, benchContact(1))
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(bin)))
		for b.Loop() {
			if _, err := DecodeValues(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := fastDecodeValues(data); !ok {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := slowDecode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
