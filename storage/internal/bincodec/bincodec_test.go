package bincodec

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

// sample holds a value of every kind, with the edge cases of each.
func sample() map[string]crmio.Value {
	tokyo := time.FixedZone("JST", 9*3600)
	lmt := time.FixedZone("LMT", -(4*3600 + 56*60 + 2)) // an offset with seconds
	return map[string]crmio.Value{
		"null":     {},
		"empty":    crmio.TextValue(""),
		"text":     crmio.TextValue("Zoë  東京 \x00 \"quoted\""),
		"invalid":  crmio.TextValue("a\xffb"),
		"email":    crmio.EmailValue("Ada@Example.com"),
		"phone":    crmio.PhoneValue("+14155550102"),
		"url":      crmio.URLValue("https://www.acme.com/"),
		"zero":     crmio.NumberValue(crmio.Decimal{}),
		"intzero":  crmio.IntValue(0), // "0", not the zero Decimal
		"int":      crmio.IntValue(-42),
		"number":   crmio.NumberValue(crmio.MustDecimal("1234.50")),
		"negative": crmio.NumberValue(crmio.MustDecimal("-0.001")),
		"big":      crmio.NumberValue(crmio.MustDecimal("123456789012345678901234567890.000")),
		"true":     crmio.BoolValue(true),
		"false":    crmio.BoolValue(false),
		"date":     crmio.DateValue(crmio.NewDate(1815, 12, 10)),
		"baddate":  crmio.DateValue(crmio.NewDate(-3, 13, 99)),
		"utc":      crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 123456789, time.UTC)),
		"tokyo":    crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, tokyo)),
		"lmt":      crmio.DateTimeValue(time.Date(1880, 1, 1, 0, 0, 0, 0, lmt)),
		"ancient":  crmio.DateTimeValue(time.Date(-500, 3, 1, 0, 0, 0, 0, time.UTC)),
		"ref":      crmio.RefValue("42", "Acme"),
		"unset":    crmio.RefValue("", "Acme Inc"),
		"address":  crmio.AddressValue(crmio.Address{Street: "1 Main St", City: "Springfield", Country: "US"}),
		"noaddr":   crmio.AddressValue(crmio.Address{}),
		"list": crmio.ListValue(
			crmio.Item{Label: "Mobile", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Value: crmio.EmailValue("a@b.c")},
			crmio.Item{Label: "when", Value: crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, tokyo))},
			crmio.Item{Label: "n", Value: crmio.NumberValue(crmio.MustDecimal("2.0"))},
		),
		"emptylist": crmio.ListValue(),
		"":          crmio.TextValue("a field with an empty name"),
	}
}

// checkSame reports how got differs from want: by Value.Equal, and by the
// exact JSON form.
func checkSame(t *testing.T, got, want map[string]crmio.Value) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("decoded %d fields, want %d", len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("field %q lost", name)
			continue
		}
		if !g.Equal(w) {
			t.Errorf("field %q: decoded %v (%v), want %v (%v)", name, g, g.Kind(), w, w.Kind())
		}
		if gj, wj := g.AppendJSON(nil), w.AppendJSON(nil); !bytes.Equal(gj, wj) {
			t.Errorf("field %q: JSON form %s, want %s", name, gj, wj)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	syms := NewSymbols()
	enc := NewEncoder(syms)
	want := sample()
	b := enc.AppendRecord(nil, want)
	got, err := Decode(b, syms.Names())
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, want)

	// Several records in one buffer, with the names numbered once.
	other := map[string]crmio.Value{"text": crmio.TextValue("other"), "new": crmio.IntValue(7)}
	buf, ends := enc.AppendRecords(nil, nil, func(i int) map[string]crmio.Value { return []map[string]crmio.Value{want, other, nil}[i] }, 3)
	if len(ends) != 3 {
		t.Fatalf("%d ends", len(ends))
	}
	start := 0
	for i, w := range []map[string]crmio.Value{want, other, {}} {
		got, err := Decode(buf[start:ends[i]], syms.Names())
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		checkSame(t, got, w)
		start = ends[i]
	}
	if n := len(syms.Names()); n != len(want)+1 {
		t.Errorf("%d names numbered, want %d", n, len(want)+1)
	}
}

// A DateTime comes back in the location the JSON form parses to, as a
// store keeping JSON would return it.
func TestDateTimeAsJSONParses(t *testing.T) {
	syms := NewSymbols()
	enc := NewEncoder(syms)
	for name, v := range sample() {
		if v.Kind() != crmio.KindDateTime {
			continue
		}
		var viaJSON crmio.Value
		if err := json.Unmarshal(v.AppendJSON(nil), &viaJSON); err != nil {
			continue // years outside 0…9999 have no RFC 3339 form
		}
		if name == "lmt" {
			continue // RFC 3339 drops the seconds of the offset; the codec keeps them
		}
		got, err := Decode(enc.AppendRecord(nil, map[string]crmio.Value{name: v}), syms.Names())
		if err != nil {
			t.Fatal(err)
		}
		gt, _ := got[name].Time()
		jt, _ := viaJSON.Time()
		gn, goff := gt.Zone()
		jn, joff := jt.Zone()
		if !gt.Equal(jt) || gn != jn || goff != joff || gt.Location().String() != jt.Location().String() {
			t.Errorf("%s: decoded %v (%s), JSON parses to %v (%s)", name, gt, gt.Location(), jt, jt.Location())
		}
	}
}

func TestDecodeSelected(t *testing.T) {
	syms := NewSymbols()
	want := sample()
	b := NewEncoder(syms).AppendRecord(nil, want)
	names := syms.Names()
	pick := map[string]bool{"text": true, "list": true, "address": true, "absent": true}
	dst := map[string]crmio.Value{}
	n, err := DecodeInto(dst, b, names, Copy, func(id uint32) bool { return pick[names[id]] })
	if err != nil || n != 3 {
		t.Fatalf("DecodeInto: %d fields, %v", n, err)
	}
	checkSame(t, dst, map[string]crmio.Value{"text": want["text"], "list": want["list"], "address": want["address"]})
	for name, w := range want {
		id, ok := syms.Lookup(name)
		if !ok {
			t.Fatalf("%q has no number", name)
		}
		for _, mode := range []Mode{Copy, View} {
			v, found, err := Field(b, id, mode)
			if err != nil || !found || !v.Equal(w) {
				t.Errorf("Field(%q, %d) = %v, %v, %v; want %v", name, mode, v, found, err, w)
			}
		}
	}
	view := map[string]crmio.Value{}
	if _, err := DecodeInto(view, b, names, View, func(uint32) bool { return true }); err != nil {
		t.Fatal(err)
	}
	checkSame(t, view, want)
	other := syms.add("other")
	if _, found, err := Field(b, other, Copy); found || err != nil {
		t.Errorf("Field of an absent field: found %v, %v", found, err)
	}
}

// Decoding bytes the encoder never wrote fails, never panics.
func TestDecodeCorrupt(t *testing.T) {
	syms := NewSymbols()
	b := NewEncoder(syms).AppendRecord(nil, sample())
	for i := range len(b) {
		if _, err := Decode(b[:i], syms.Names()); err == nil {
			t.Errorf("a truncated encoding (%d of %d bytes) decoded", i, len(b))
		}
	}
	if _, err := Decode(append(slices.Clip(b), 'x'), syms.Names()); err == nil {
		t.Error("an encoding with a trailing byte decoded")
	}
	if _, err := Decode(b, syms.Names()[:3]); err == nil {
		t.Error("an encoding naming unknown fields decoded")
	}
}

// valuesFrom builds a record from fuzz input: each field takes its kind
// and its content from the bytes, so that the fuzzer reaches every kind.
func valuesFrom(data []byte) map[string]crmio.Value {
	out := map[string]crmio.Value{}
	take := func(n int) []byte {
		n = min(n, len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	num := func() int64 {
		var b [8]byte
		copy(b[:], take(8))
		return int64(binary.LittleEndian.Uint64(b[:]))
	}
	str := func() string {
		if len(data) == 0 {
			return ""
		}
		return string(take(int(take(1)[0] % 24)))
	}
	var value func(depth int) crmio.Value
	value = func(depth int) crmio.Value {
		if len(data) == 0 {
			return crmio.Value{}
		}
		switch k := crmio.Kind(take(1)[0] % 12); k {
		case crmio.KindText:
			return crmio.TextValue(str())
		case crmio.KindEmail:
			return crmio.EmailValue(str())
		case crmio.KindPhone:
			return crmio.PhoneValue(str())
		case crmio.KindURL:
			return crmio.URLValue(str())
		case crmio.KindNumber:
			s := str()
			var digits strings.Builder
			for _, c := range []byte(s) {
				switch {
				case c%13 == 10:
					digits.WriteByte('.')
				case c%13 == 11:
					digits.WriteByte('-')
				case c%13 == 12:
					digits.WriteByte('e')
				default:
					digits.WriteByte('0' + c%13)
				}
			}
			d, err := crmio.ParseDecimal(digits.String())
			if err != nil {
				d = crmio.DecimalFromInt(num())
			}
			return crmio.NumberValue(d)
		case crmio.KindBool:
			return crmio.BoolValue(num()%2 == 0)
		case crmio.KindDate:
			return crmio.DateValue(crmio.NewDate(int(num()%20000), time.Month(num()%14), int(num()%40)))
		case crmio.KindDateTime:
			sec, nsec, off := num(), num(), num()
			sec %= 1 << 40
			nsec = (nsec%1e9 + 1e9) % 1e9
			var loc *time.Location
			switch off % 4 {
			case 0:
				loc = time.UTC
			case 1:
				loc = time.Local
			default:
				loc = time.FixedZone(str(), int(off%(18*3600)))
			}
			return crmio.DateTimeValue(time.Unix(sec, nsec).In(loc))
		case crmio.KindRef:
			return crmio.RefValue(str(), str())
		case crmio.KindAddress:
			return crmio.AddressValue(crmio.Address{Street: str(), City: str(), State: str(), Zip: str(), Country: str()})
		case crmio.KindList:
			if depth > 0 {
				return crmio.Value{}
			}
			items := make([]crmio.Item, num()&7)
			for i := range items {
				items[i] = crmio.Item{Label: str(), Value: value(depth + 1)}
			}
			return crmio.ListValue(items...)
		}
		return crmio.Value{}
	}
	for len(data) > 0 {
		out[str()] = value(0)
	}
	return out
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("\x04name\x01\x03Ada\x05email\x02\x0bada@x.org"))
	f.Add([]byte("\x01n\x05\x06\x01\x02\x03\x0a\x05\x01d\x08\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"))
	f.Add([]byte("\x01l\x0b\x03\x00\x00\x00\x00\x00\x00\x00\x02L1\x03\x04+141\x01L2\x0a\x02id\x03key"))
	f.Fuzz(func(t *testing.T, data []byte) {
		want := valuesFrom(data)
		syms := NewSymbols()
		enc := NewEncoder(syms)
		b := enc.AppendRecord([]byte("prefix"), want)
		got, err := Decode(b[len("prefix"):], syms.Names())
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		checkSame(t, got, want)
		// Every field alone, as an index reads it.
		for name, w := range want {
			id, _ := syms.Lookup(name)
			v, found, err := Field(b[len("prefix"):], id, View)
			if err != nil || !found || !v.Equal(w) {
				t.Errorf("Field(%q) = %v, %v, %v; want %v", name, v, found, err, w)
			}
		}
	})
}

// FuzzDecode feeds arbitrary bytes to the decoder: it may fail, never
// panic, and what it accepts re-encodes to an equal record.
func FuzzDecode(f *testing.F) {
	syms := NewSymbols()
	enc := NewEncoder(syms)
	f.Add(enc.AppendRecord(nil, sample()))
	f.Add([]byte{0})
	f.Add([]byte{1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		names := syms.Names()
		got, err := Decode(b, names)
		Field(b, 3, View)
		DecodeInto(map[string]crmio.Value{}, b, names, View, func(id uint32) bool { return id%2 == 0 })
		if err != nil {
			return
		}
		again, err := Decode(NewEncoder(syms).AppendRecord(nil, got), syms.Names())
		if err != nil {
			t.Fatalf("re-encoding of a decoded record fails: %v", err)
		}
		checkSame(t, again, got)
	})
}

// BenchmarkEncode encodes batches of 1,000 contacts shaped like an
// import's (fifteen fields, a list of two emails), which share their field
// name strings as an importer's maps do.
func BenchmarkEncode(b *testing.B) {
	names := []string{"first_name", "last_name", "email", "phone", "account", "title", "street",
		"city", "country", "score", "created", "newsletter", "website", "notes", "updated"}
	recs := make([]map[string]crmio.Value, 1000)
	for i := range recs {
		s := strconv.Itoa(i)
		recs[i] = map[string]crmio.Value{
			names[0]: crmio.TextValue("Person"),
			names[1]: crmio.TextValue("Number " + s),
			names[2]: crmio.ListValue(
				crmio.Item{Label: "work", Value: crmio.EmailValue("person." + s + "@example.com")},
				crmio.Item{Label: "home", Value: crmio.EmailValue("p" + s + "@mail.example.org")}),
			names[3]:  crmio.PhoneValue("+1415555" + s),
			names[4]:  crmio.RefValue("", "Company "+s),
			names[5]:  crmio.TextValue("Engineer"),
			names[6]:  crmio.AddressValue(crmio.Address{Street: s + " Main St", City: "Springfield", Zip: "12345", Country: "US"}),
			names[7]:  crmio.TextValue("Springfield"),
			names[8]:  crmio.TextValue("US"),
			names[9]:  crmio.NumberValue(crmio.MustDecimal(s + ".50")),
			names[10]: crmio.DateValue(crmio.NewDate(2024, 1, 1+i%28)),
			names[11]: crmio.BoolValue(i%2 == 0),
			names[12]: crmio.URLValue("https://example.com/" + s),
			names[13]: crmio.TextValue("Met at the conference; follow up in spring"),
			names[14]: crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)),
		}
	}
	e := NewEncoder(NewSymbols())
	var dst []byte
	var ends []int
	b.ReportAllocs()
	for b.Loop() {
		dst, ends = e.AppendRecords(dst[:0], ends[:0], func(i int) map[string]crmio.Value { return recs[i] }, len(recs))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
	b.ReportMetric(float64(len(dst))/float64(len(recs)), "bytes/record")
}
