package valuecodec

import (
	"bytes"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

// oddDates are dates outside what the JSON form reads back (ParseDate
// takes years 0000 to 9999 and real months): the encoders must still write
// them alike.
func oddDates() map[string]crmio.Value {
	return map[string]crmio.Value{
		"date_big": crmio.DateValue(crmio.NewDate(12345, 6, 7)),
		"date_neg": crmio.DateValue(crmio.NewDate(-5, 3, 4)),
		"date_bad": crmio.DateValue(crmio.NewDate(2024, 13, 0)),
	}
}

// TestEncoder checks that what Encoder writes decodes to the values it
// was given, with their field names sorted, and that equal values encode
// to equal bytes, whatever the fields of the record before.
func TestEncoder(t *testing.T) {
	all := sampleValues()
	maps.Copy(all, oddDates())
	var records []map[string]crmio.Value
	records = append(records, all, all, map[string]crmio.Value{}, nil, all)
	// Each value alone, then records of the same size with other fields.
	for name, v := range all {
		records = append(records, map[string]crmio.Value{name: v}, map[string]crmio.Value{name: v})
		records = append(records, map[string]crmio.Value{name + "x": v})
	}
	a := map[string]crmio.Value{"a": crmio.TextValue("1"), "b": crmio.TextValue("2")}
	b := map[string]crmio.Value{"a": crmio.TextValue("1"), "c": crmio.TextValue("2")}
	c := map[string]crmio.Value{"a": crmio.TextValue("1"), "b": crmio.TextValue("2"), "c": crmio.TextValue("3")}
	records = append(records, a, b, a, c, a, a, b, b, c, c)
	var e Encoder
	prefix := []byte("prefix")
	for i, values := range records {
		got, gotNames := e.Append(append([]byte(nil), prefix...), values)
		if !bytes.HasPrefix(got, prefix) {
			t.Fatalf("record %d: the prefix is gone: %q", i, got)
		}
		got = got[len(prefix):]
		if want := SortedFields(values, nil); fmt.Sprint(gotNames) != fmt.Sprint(want) {
			t.Errorf("record %d: names %q, want %q", i, gotNames, want)
		}
		var fresh Encoder
		if alone, _ := fresh.Append(nil, values); !bytes.Equal(got, alone) {
			t.Errorf("record %d: encoded after others\n%q\nalone\n%q", i, got, alone)
		}
		decoded, err := DecodeValues(got)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if values == nil {
			values = map[string]crmio.Value{}
		}
		if !sameValues(decoded, values) {
			t.Errorf("record %d: decoded %v, want %v", i, decoded, values)
		}
	}
}

// TestDecodeBothForms checks that DecodeValues reads the JSON that stores
// wrote before the binary form as it reads the binary form.
func TestDecodeBothForms(t *testing.T) {
	values := sampleValues()
	delete(values, "invalid") // JSON cannot keep invalid UTF-8 as it is
	legacy, _ := AppendValues(nil, values, nil)
	var e Encoder
	current, _ := e.Append(nil, values)
	if len(current) >= len(legacy) {
		t.Errorf("the binary form takes %d bytes, the JSON %d: want fewer", len(current), len(legacy))
	}
	for name, data := range map[string][]byte{"json": legacy, "binary": current} {
		got, err := DecodeValues(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !sameValues(got, values) {
			t.Errorf("%s: decoded %v, want %v", name, got, values)
		}
	}
	if _, err := DecodeValues(current[:len(current)-1]); err == nil {
		t.Error("a cut binary form decoded without an error")
	}
}

// FuzzEncoder checks that Encoder's output decodes to its input, whatever
// the text (invalid UTF-8 and NUL included).
func FuzzEncoder(f *testing.F) {
	f.Add("field", "Zoë \" \\ \n \x00 \xff", "label")
	f.Fuzz(func(t *testing.T, field, text, label string) {
		values := map[string]crmio.Value{
			field:        crmio.TextValue(text),
			field + "e":  crmio.EmailValue(text),
			field + "r":  crmio.RefValue(label, text),
			field + "l":  crmio.ListValue(crmio.Item{Label: label, Value: crmio.URLValue(text)}),
			field + "a":  crmio.AddressValue(crmio.Address{City: text}),
			field + "pn": crmio.PhoneValue(label),
		}
		var e Encoder
		for range 2 {
			data, _ := e.Append(nil, values)
			got, err := DecodeValues(data)
			if err != nil {
				t.Fatalf("%q: %v", data, err)
			}
			if !sameValues(got, values) {
				t.Fatalf("decoded %v, want %v", got, values)
			}
		}
	})
}

// BenchmarkEncoder encodes the vals of a contact, as Insert does for each
// record of a batch: the JSON form stores wrote before (valuecodec), and
// Encoder.
func BenchmarkEncoder(b *testing.B) {
	values := benchContact(1)
	b.Run("valuecodec", func(b *testing.B) {
		var buf []byte
		var names []string
		for b.Loop() {
			buf, names = AppendValues(buf[:0], values, names)
		}
	})
	b.Run("Encoder", func(b *testing.B) {
		var buf []byte
		var e Encoder
		for b.Loop() {
			buf, _ = e.Append(buf[:0], values)
		}
	})
}

// benchContact is a contact as the package's other benchmarks write it
// (see person in bench_test.go).
func benchContact(i int) map[string]crmio.Value {
	return map[string]crmio.Value{
		"first_name": crmio.TextValue(fmt.Sprintf("First%d", i%5000)),
		"last_name":  crmio.TextValue(fmt.Sprintf("Last Name %d", i)),
		"email":      crmio.ListValue(crmio.Item{Label: "Work", Value: crmio.EmailValue(fmt.Sprintf("user%d@Example.com", i))}),
		"phone": crmio.ListValue(
			crmio.Item{Label: "Mobile", Value: crmio.PhoneValue(fmt.Sprintf("+1415%07d", i%10_000_000))},
			crmio.Item{Label: "Work", Value: crmio.PhoneValue(fmt.Sprintf("+1212%07d", i%10_000_000))},
		),
		"account": crmio.RefValue("", fmt.Sprintf("Company %d", i%1000)),
		"city":    crmio.TextValue("Springfield"),
		"amount":  crmio.NumberValue(crmio.MustDecimal(fmt.Sprintf("%d.50", i%100000))),
		"created": crmio.DateValue(crmio.NewDate(2024, time.Month(1+i%12), 1+i%28)),
	}
}
