package exporter_test

import (
	"testing"

	"github.com/crmio/crmio/exporter"
)

func TestNeutralize(t *testing.T) {
	for _, c := range []struct {
		in        string
		dangerous bool
	}{
		{"=1+1", true},
		{"=", true},
		{"+", true},
		{"-", true},
		{"@", true},
		{"\t", true},
		{"\r", true},
		{"+1+1", true},
		{"-1+1", true},
		{"@SUM(A1)", true},
		{"\t=1", true},
		{"\r\n=1", true},
		{"+1 415 555 0102 ext", true}, // letters: not a phone shape
		{"+()", true},                 // no digit
		{"-.", true},
		{"--1", true},
		{"-1.2.3", true},
		{"-12.5", false},
		{"-.5", false},
		{"+3", false},
		{"+1 415 555 0102", false},
		{"+1 (415) 555-0102", false},
		{"+44.20.7946.0958", false},
		{"", false},
		{"Ada", false},
		{" =1+1", false}, // a leading space: text to a spreadsheet
		{"a=b", false},
		{"'=1+1", false}, // already text; Neutralize quotes it once more (see below)
		{"＝1+1", true},   // full-width
		{"﹢cmd|' /C calc'!A0", true},
		{"＠SUM(A1)", true},
		{"−1+1", true}, // minus sign
		{"Ünïcödé", false},
	} {
		if got := exporter.Dangerous(c.in); got != c.dangerous {
			t.Errorf("Dangerous(%q) = %v, want %v", c.in, got, c.dangerous)
		}
		want := c.in
		if c.dangerous || c.in == "'=1+1" {
			want = "'" + c.in
		}
		if got := exporter.Neutralize(c.in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, want)
		}
	}
}

// FuzzNeutralize: a neutralized text is never dangerous, and it changes by
// one leading quote at most.
func FuzzNeutralize(f *testing.F) {
	for _, s := range []string{"=1+1", "+1 415 555 0102", "-12.5", "@x", "\t", "plain", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := exporter.Neutralize(s)
		if exporter.Dangerous(n) {
			t.Errorf("Neutralize(%q) = %q is still dangerous", s, n)
		}
		if n != s && n != "'"+s {
			t.Errorf("Neutralize(%q) = %q changed more than a prefix", s, n)
		}
		if len(s) > 0 && (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') && n == s {
			t.Errorf("%q left as is", s)
		}
	})
}
