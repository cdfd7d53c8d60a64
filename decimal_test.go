package crmio

import (
	"errors"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"1234.50", "1234.50"},
		{"-1234.50", "-1234.50"},
		{"+7", "7"},
		{"007", "7"},
		{".5", "0.5"},
		{"1.", "1"},
		{"-0.00", "0.00"},
		{"1e3", "1000"},
		{"1.5E-3", "0.0015"},
		{"4.5E+2", "450"},
		{"  42 ", "42"},
		{"0.1", "0.1"},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "1,5", "1.2.3", "abc", "1e", "1e99999", "--1", "0x10", "1 000"} {
		if _, err := ParseDecimal(bad); !errors.Is(err, ErrInvalidNumber) {
			t.Errorf("ParseDecimal(%q) error = %v, want ErrInvalidNumber", bad, err)
		}
	}
}

func TestDecimalArithmetic(t *testing.T) {
	if got := MustDecimal("0.1").Add(MustDecimal("0.2")); got.String() != "0.3" {
		t.Errorf("0.1 + 0.2 = %s, want exactly 0.3", got)
	}
	if got := MustDecimal("10").Sub(MustDecimal("0.25")); got.String() != "9.75" {
		t.Errorf("10 - 0.25 = %s", got)
	}
	if got := MustDecimal("-1.5").Add(MustDecimal("1.5")); got.Sign() != 0 {
		t.Errorf("-1.5 + 1.5 = %s, want zero", got)
	}
	if MustDecimal("1.50").Cmp(MustDecimal("1.5")) != 0 {
		t.Error("1.50 and 1.5 should compare equal")
	}
	if MustDecimal("1.50") == MustDecimal("1.5") {
		t.Error("1.50 and 1.5 should keep distinct representations")
	}
	if MustDecimal("-2").Cmp(MustDecimal("1")) != -1 || MustDecimal("0.001").Cmp(MustDecimal("0.0009")) != 1 {
		t.Error("Cmp orders wrongly")
	}
	if got := MustDecimal("1234.500").Normalize().String(); got != "1234.5" {
		t.Errorf("Normalize = %s", got)
	}
	if n, ok := MustDecimal("42.00").Int64(); !ok || n != 42 {
		t.Errorf("Int64(42.00) = %d, %v", n, ok)
	}
	if _, ok := MustDecimal("42.5").Int64(); ok {
		t.Error("Int64(42.5) should not be whole")
	}
	if f := MustDecimal("0.25").Float64(); f != 0.25 {
		t.Errorf("Float64 = %v", f)
	}
	var zero Decimal
	if zero.String() != "0" || zero.Sign() != 0 || zero.Scale() != 0 {
		t.Errorf("zero Decimal = %q", zero.String())
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "1234.50", "-1.5E-3", ".5", "1e1000", "1e-1000", "1e-999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		again, err := ParseDecimal(d.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", d.String(), s, err)
		}
		if again != d {
			t.Fatalf("canonical form is not stable: %q → %q → %q", s, d, again)
		}
		if d.Cmp(d.Normalize()) != 0 {
			t.Fatalf("Normalize changed the value of %q", s)
		}
	})
}

// TestDecimalFromIntCanonical checks that a Decimal made from an int is
// the one ParseDecimal makes of its digits, zero included, so that == and
// Value.Equal agree whichever way a number was made (a store reading
// IntValue(0) back from its text must get an equal value).
func TestDecimalFromIntCanonical(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 42, -9000, 1 << 62} {
		parsed := MustDecimal(DecimalFromInt(n).String())
		if DecimalFromInt(n) != parsed || !IntValue(n).Equal(NumberValue(parsed)) {
			t.Errorf("DecimalFromInt(%d) = %#v, ParseDecimal of its text = %#v", n, DecimalFromInt(n), parsed)
		}
	}
}
