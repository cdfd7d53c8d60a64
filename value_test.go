package crmio

import (
	"encoding/json"
	"fmt"
	"github.com/crmio/crmio/internal/jsonstr"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func everyKind() map[string]Value {
	t := time.Date(2024, 1, 15, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	return map[string]Value{
		"null":     {},
		"text":     TextValue("Zoë Ørsted 👩‍💼"),
		"empty":    TextValue(""),
		"email":    EmailValue("zoe@example.com"),
		"phone":    PhoneValue("+14155550102"),
		"url":      URLValue("https://example.com/a?b=c&d=\"e\""),
		"number":   NumberValue(MustDecimal("1234.50")),
		"negative": NumberValue(MustDecimal("-0.001")),
		"bool":     BoolValue(false),
		"date":     DateValue(NewDate(1815, time.December, 10)),
		"datetime": DateTimeValue(t),
		"ref":      RefValue("42", "Acme, Inc."),
		"address":  AddressValue(Address{Street: "1 Rue de l'Église\nBât. B", City: "Paris", Zip: "75001", Country: "FR"}),
		"list": ListValue(
			Item{Label: "mobile", Value: PhoneValue("+14155550102")},
			Item{Label: "work", Value: PhoneValue("+442079460000")},
		),
		"control": TextValue("tab\there\x00nul\u2028"),
	}
}

func TestValueJSONRoundTrip(t *testing.T) {
	for name, v := range everyKind() {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: marshal: %v", name, err)
		}
		if !json.Valid(data) {
			t.Fatalf("%s: invalid JSON %s", name, data)
		}
		var back Value
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: unmarshal %s: %v", name, data, err)
		}
		if !back.Equal(v) || back.String() != v.String() {
			t.Errorf("%s: round trip %s gave %v (%s), want %v (%s)", name, data, back, back.Kind(), v, v.Kind())
		}
	}
}

func TestValueJSONMatchesEncodingJSONStrings(t *testing.T) {
	for _, s := range []string{"plain", "quo\"te", "back\\slash", "\x01\x1f", "é\u2028", "bad \xff utf8"} {
		got := string(jsonstr.Append(nil, s))
		want, _ := json.Marshal(s)
		var a, b string
		if err := json.Unmarshal([]byte(got), &a); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s", s, got)
		}
		_ = json.Unmarshal(want, &b)
		if a != b {
			t.Errorf("%q decodes to %q, encoding/json's to %q", s, a, b)
		}
	}
}

func TestValueUnmarshalRejects(t *testing.T) {
	for _, in := range []string{`{}`, `{"text":"a","email":"b"}`, `{"colour":"red"}`, `"bare"`, `{"number":"1,5"}`, `{"date":"15/01/2024"}`, `{"datetime":"yesterday"}`, `[]`} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", in, v)
		}
	}
}

func TestValueEqualAndZero(t *testing.T) {
	if TextValue("a").Equal(EmailValue("a")) {
		t.Error("values of different kinds must differ")
	}
	if !NumberValue(MustDecimal("1.5")).Equal(NumberValue(MustDecimal("1.5"))) || NumberValue(MustDecimal("1.5")).Equal(NumberValue(MustDecimal("1.50"))) {
		t.Error("number equality is by representation")
	}
	ta := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	if !DateTimeValue(ta).Equal(DateTimeValue(ta.In(time.FixedZone("X", 7200)))) {
		t.Error("datetimes compare as instants")
	}
	zero := []Value{{}, TextValue(""), ListValue(), AddressValue(Address{}), RefValue("", "")}
	for _, v := range zero {
		if !v.IsZero() {
			t.Errorf("%s value %q should be zero", v.Kind(), v)
		}
	}
	for _, v := range []Value{IntValue(0), BoolValue(false), DateValue(NewDate(2000, 1, 1)), TextValue(" ")} {
		if v.IsZero() {
			t.Errorf("%s value %q should not be zero", v.Kind(), v)
		}
	}
}

func TestValueAccessorsOfOtherKinds(t *testing.T) {
	v := TextValue("x")
	if _, ok := v.Number(); ok {
		t.Error("Number of a text value")
	}
	if _, ok := v.Bool(); ok {
		t.Error("Bool of a text value")
	}
	if _, ok := v.Date(); ok {
		t.Error("Date of a text value")
	}
	if items := v.List(); len(items) != 1 || !items[0].Value.Equal(v) {
		t.Error("List of a single value is that value")
	}
	if (Value{}).List() != nil {
		t.Error("List of null is empty")
	}
}

func TestListValueFlattens(t *testing.T) {
	inner := ListValue(Item{Label: "a", Value: TextValue("1")})
	v := ListValue(Item{Value: inner}, Item{Label: "skip", Value: Value{}}, Item{Label: "b", Value: TextValue("2")})
	if got := v.String(); got != "a: 1; b: 2" {
		t.Errorf("String = %q", got)
	}
}

func TestValueString(t *testing.T) {
	v := everyKind()
	for name, want := range map[string]string{
		"number":   "1234.50",
		"bool":     "false",
		"date":     "1815-12-10",
		"datetime": "2024-01-15T10:30:00.123456789+01:00",
		"ref":      "Acme, Inc.",
		"list":     "mobile: +14155550102; work: +442079460000",
	} {
		if got := v[name].String(); got != want {
			t.Errorf("%s: String = %q, want %q", name, got, want)
		}
	}
	if got := (Address{Street: "1 Main St", City: "Springfield", State: "IL", Zip: "62701", Country: "US"}).String(); got != "1 Main St, Springfield, IL 62701, US" {
		t.Errorf("Address.String = %q", got)
	}
}

func TestRecordEqualAbsentVersusNull(t *testing.T) {
	a := Record{ID: "1", Values: map[string]Value{"x": {}}}
	b := Record{ID: "1", Values: map[string]Value{}}
	if a.Equal(b) {
		t.Error("a field present with null must differ from an absent one")
	}
	c := a.Clone()
	c.Set("y", TextValue("new"))
	if _, ok := a.Values["y"]; ok {
		t.Error("Clone shares the map")
	}
}

func FuzzValueJSON(f *testing.F) {
	for _, v := range everyKind() {
		data, _ := json.Marshal(v)
		f.Add(data)
	}
	f.Add([]byte(`{"list":[{"label":"x","value":{"list":[]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v Value
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back Value
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !back.Equal(v) && !strings.Contains(string(data), `\u`) {
			t.Fatalf("round trip of %s: %v != %v", out, back, v)
		}
	})
}

func TestRecordFingerprint(t *testing.T) {
	a := Record{ID: "1", Values: everyKind()}
	b := Record{ID: "2", Values: everyKind()}
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("equal values must have equal fingerprints, whatever the id")
	}
	c := a.Clone()
	c.Set("number", NumberValue(MustDecimal("1234.5")))
	if a.Fingerprint() == c.Fingerprint() {
		t.Error("a changed value must change the fingerprint")
	}
	d := a.Clone()
	delete(d.Values, "null")
	if a.Fingerprint() == d.Fingerprint() {
		t.Error("a removed null field must change the fingerprint")
	}
}

// TestFingerprintSum checks that a fingerprint built field by field, in
// any order and in parts, is the record's, and that fingerprints stay what
// earlier versions wrote: journals keep them across upgrades.
func TestFingerprintSum(t *testing.T) {
	rec := Record{Values: everyKind()}
	names := slices.Sorted(maps.Keys(rec.Values))
	var forward, backward FingerprintSum
	for _, n := range names {
		forward.Add(n, rec.Values[n])
	}
	for _, n := range slices.Backward(names) {
		backward.Add(n, rec.Values[n])
	}
	if forward.String() != rec.Fingerprint() || backward.String() != rec.Fingerprint() {
		t.Errorf("built field by field: %s and %s; Fingerprint: %s", forward.String(), backward.String(), rec.Fingerprint())
	}
	if got := (FingerprintSum{}).String(); got != (Record{}).Fingerprint() {
		t.Errorf("zero FingerprintSum %q, Fingerprint of no values %q", got, (Record{}).Fingerprint())
	}
	golden := Record{Values: map[string]Value{"name": TextValue("Ada"), "n": IntValue(7)}}
	if got, want := golden.Fingerprint(), "2t04rkwroc917-2"; got != want {
		t.Errorf("Fingerprint changed: %q, journals hold %q", got, want)
	}
	// The fingerprints of earlier versions, which old journals hold, are
	// still recognized; a changed record has neither.
	changed := golden.Clone()
	changed.Set("n", IntValue(8))
	for _, fp := range []string{"2t04rkwroc917-2", "221a8y50q5wqc.2"} {
		if !golden.HasFingerprint(fp) {
			t.Errorf("HasFingerprint(%q) = false for the record it was made of", fp)
		}
		if changed.HasFingerprint(fp) {
			t.Errorf("HasFingerprint(%q) = true for a changed record", fp)
		}
	}
	if !rec.HasFingerprint(rec.Fingerprint()) || (Record{}).HasFingerprint("") {
		t.Error("HasFingerprint disagrees with Fingerprint")
	}
	if got := string(forward.AppendTo([]byte("x:"))); got != "x:"+forward.String() {
		t.Errorf("AppendTo = %q, String %q", got, forward.String())
	}
}

// TestHashString: strings that differ, in their bytes, their length or
// where one ends and the next begins, hash apart, around the word size.
func TestHashString(t *testing.T) {
	seen := map[uint64]string{}
	add := func(what string, h uint64) {
		if other, ok := seen[h]; ok {
			t.Errorf("%s and %s hash alike", what, other)
		}
		seen[h] = what
	}
	for n := range 20 {
		for _, c := range []byte{0, 'a', 0xff} {
			if n == 0 && c != 0 {
				continue // one empty string
			}
			s := strings.Repeat(string(rune(c)), n)
			if c == 0xff {
				s = strings.Repeat("\xff", n)
			}
			add(fmt.Sprintf("%d × %q", n, c), hashString(hashSeed, s))
		}
		// The same bytes split in two places.
		s := strings.Repeat("x", n)
		for cut := 0; cut <= n; cut += max(1, n/3) {
			add(fmt.Sprintf("%q|%q", s[:cut], s[cut:]), hashString(hashString(hashSeed+1, s[:cut]), s[cut:]))
		}
	}
	a := Record{Values: map[string]Value{"a": TextValue("bc")}}
	b := Record{Values: map[string]Value{"ab": TextValue("c")}}
	if a.Fingerprint() == b.Fingerprint() {
		t.Error(`{"a": "bc"} and {"ab": "c"} have one fingerprint`)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	rec := Record{Values: everyKind()}
	for b.Loop() {
		rec.Fingerprint()
	}
}

// TestDateValueKeepsEveryDate checks that a Date value gives back the
// Date it was made of, also one outside the calendar's usual range, and
// that equal dates are equal values whichever way they are kept.
func TestDateValueKeepsEveryDate(t *testing.T) {
	for _, d := range []Date{
		NewDate(2024, 2, 29), NewDate(0, 1, 1), NewDate(12345, 6, 7), NewDate(-5, 3, 4),
		NewDate(2024, 13, 0), NewDate(1, 100, 1), NewDate(1, 1, -1), NewDate(-1, -1, -1),
	} {
		got, ok := DateValue(d).Date()
		if !ok || got != d {
			t.Errorf("DateValue(%#v).Date() = %#v", d, got)
		}
		if !DateValue(d).Equal(DateValue(d)) {
			t.Errorf("DateValue(%#v) is not Equal to itself", d)
		}
	}
	if DateValue(NewDate(-5, 3, 4)).Equal(DateValue(NewDate(-4, -96, -96))) {
		t.Error("two dates that pack to the same number are Equal")
	}
	if got := DateValue(NewDate(-5, 3, 4)).String(); got != "-005-03-04" {
		t.Errorf("String of a negative year = %q", got)
	}
}
