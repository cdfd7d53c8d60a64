package crmio

import (
	"testing"
	"time"
)

func TestMatchKey(t *testing.T) {
	tests := []struct {
		a, b Value
		same bool
	}{
		{EmailValue("Bob@Example.com "), EmailValue("bob@example.com"), true},
		{EmailValue("ＢＯＢ@example.com"), EmailValue("bob@example.com"), true}, // full-width letters, NFKC
		{PhoneValue("(415) 555-0102"), PhoneValue("+14155550102"), true},
		{PhoneValue("415.555.0102"), PhoneValue("1-415-555-0102"), true},
		{PhoneValue("+1 415 555 0102 x12"), PhoneValue("+14155550102"), true},
		{PhoneValue("00 44 20 7946 0000"), PhoneValue("+44 20 7946 0000"), true},
		{PhoneValue("011 44 20 7946 0000"), PhoneValue("+442079460000"), true},
		{PhoneValue("+44 20 7946 0000"), PhoneValue("+14155550102"), false},
		{TextValue("  Acme   Corp "), TextValue("acme corp"), true},
		{TextValue("Straße"), TextValue("STRASSE"), true},
		{TextValue("ﬁle"), TextValue("file"), true}, // ligature, NFKC
		{TextValue("Zoë"), TextValue("Zoe"), false},
		{URLValue("https://www.Acme.com/"), URLValue("acme.com"), true},
		{NumberValue(MustDecimal("1234.50")), NumberValue(MustDecimal("1234.5")), true},
		{DateTimeValue(time.Date(2024, 1, 1, 13, 0, 0, 0, time.FixedZone("", 3600))), DateTimeValue(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)), true},
		{RefValue("", "ACME"), RefValue("", "acme"), true},
		{RefValue("7", "ACME"), RefValue("8", "ACME"), false},
	}
	for _, tt := range tests {
		ka, kb := MatchKey(tt.a), MatchKey(tt.b)
		if (ka == kb) != tt.same {
			t.Errorf("MatchKey(%q)=%q, MatchKey(%q)=%q; same=%v, want %v", tt.a, ka, tt.b, kb, ka == kb, tt.same)
		}
	}
}

func TestPhoneKey(t *testing.T) {
	for in, want := range map[string]string{
		"+14155550102":      "+14155550102",
		"(415) 555-0102":    "+14155550102",
		"1 (415) 555-0102":  "+14155550102",
		"020 7946 0000":     "02079460000", // national, country unknown
		"+49 30 1234567":    "+49301234567",
		"ext 12":            "12", // no number before it: the digits are all there is
		"n/a":               "n/a",
		"+1 415 555 0102#9": "+14155550102",
	} {
		if got := PhoneKey(in); got != want {
			t.Errorf("PhoneKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchKeysOfList(t *testing.T) {
	v := ListValue(
		Item{Label: "work", Value: EmailValue("A@x.com")},
		Item{Label: "home", Value: EmailValue("a@X.com")},
		Item{Label: "other", Value: EmailValue("b@x.com")},
	)
	got := MatchKeys(v)
	if len(got) != 2 || got[0] != "a@x.com" || got[1] != "b@x.com" {
		t.Errorf("MatchKeys = %q", got)
	}
	if MatchKeys(Value{}) != nil || MatchKeys(TextValue("  ")) != nil {
		t.Error("empty values have no keys")
	}
}

func BenchmarkTextKeyASCII(b *testing.B) {
	for b.Loop() {
		TextKey("Bob.Smith@Example.com")
	}
}

func BenchmarkTextKeyUnicode(b *testing.B) {
	for b.Loop() {
		TextKey("Zoë Ørsted-Łukasiewicz")
	}
}
