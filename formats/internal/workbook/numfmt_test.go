package workbook

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestFormatKind(t *testing.T) {
	for _, tc := range []struct {
		code string
		want Kind
	}{
		{"General", Number},
		{"0", Number},
		{"0.00", Number},
		{"#,##0.00 €", Number},
		{"0.00%", Number},
		{"0.00E+00", Number},
		{"@", Number},
		{`_("$"* #,##0.00_);_("$"* \(#,##0.00\);_("$"* "-"??_);_(@_)`, Number},
		{`0 "days"`, Number},
		{`[Red]0.00;[Blue]-0.00`, Number},
		{"d/m/yyyy", Date},
		{"mm-dd-yy", Date},
		{"yyyy-mm-dd hh:mm:ss", Date},
		{`dd\-mmm\-yyyy\ hh:mm:ss.000`, Date},
		{`[$-409]mmmm d, yyyy;@`, Date},
		{`[$-F800]dddd\,\ mmmm\ dd\,\ yyyy`, Date},
		{"mmm-yy", Date},
		{"mmmm", Date},
		{`yyyy"年"m"月"d"日"`, Date},
		{"[$-404]e/m/d", Date},
		{"DD/MM/YYYY", Date},
		{"h:mm AM/PM", Time},
		{"hh:mm:ss a/p", Time},
		{"mm:ss.0", Time},
		{"HH:MM:SS", Time},
		{"[h]:mm:ss", Duration},
		{"[mm]:ss", Duration},
		{`"Due "d/m/yyyy`, Date},
		{`"yyyy"0`, Number}, // the tokens are quoted
		{`\d0`, Number},     // the d is escaped
		{"", Number},
	} {
		if got := FormatKind(tc.code); got != tc.want {
			t.Errorf("FormatKind(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestBuiltinKind(t *testing.T) {
	want := map[Kind][]int{
		Date:     {14, 15, 16, 17, 22, 27, 31, 36, 50, 58},
		Time:     {18, 19, 20, 21, 45, 47},
		Duration: {46},
		Number:   {0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 44, 48, 49, 59, 164},
	}
	for kind, ids := range want {
		for _, id := range ids {
			if got := BuiltinKind(id); got != kind {
				t.Errorf("BuiltinKind(%d) = %v, want %v", id, got, kind)
			}
		}
	}
}

func TestFormatSerial(t *testing.T) {
	for _, tc := range []struct {
		serial   float64
		date1904 bool
		kind     Kind
		want     string
		ok       bool
	}{
		{45292, false, Date, "2024-01-01", true},
		{45292.75, false, Date, "2024-01-01T18:00:00", true},
		{45292.999999, false, Date, "2024-01-02", true}, // rounds to the second
		{36526, false, Date, "2000-01-01", true},
		{36526 - 1462, true, Date, "2000-01-01", true},
		{1, false, Date, "1900-01-01", true},
		{59, false, Date, "1900-02-28", true},
		{61, false, Date, "1900-03-01", true},
		{0.5, false, Date, "12:00:00", true}, // a time in a date-time format
		{0, true, Date, "1904-01-01", true},
		{2958465, false, Date, "9999-12-31", true},
		{2958466, false, Date, "", false},
		{-1, false, Date, "", false},
		{math.NaN(), false, Date, "", false},
		{0.340277777777778, false, Time, "08:10:00", true},
		{45292.75, false, Time, "18:00:00", true},
		{1.25, false, Duration, "30:00:00", true},
		{-0.5, false, Duration, "-12:00:00", true},
		{45292, false, Number, "", false},
	} {
		got, ok := FormatSerial(tc.serial, tc.date1904, tc.kind)
		if got != tc.want || ok != tc.ok {
			t.Errorf("FormatSerial(%v, %v, %v) = %q, %v; want %q, %v", tc.serial, tc.date1904, tc.kind, got, ok, tc.want, tc.ok)
		}
	}
}

// TestSerialTimeMatchesExcelize checks the conversion against excelize's
// ExcelDateToTime over random serials in both date systems, at the second.
// Before 1900-03-01 (day 61) excelize is a day early (it gives 1900-01-14
// for day 15, which Excel shows as 15-Jan-1900): TestFormatSerial pins
// those days instead.
func TestSerialTimeMatchesExcelize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		serial := rng.Float64() * 80000
		if i%4 == 0 {
			serial = math.Floor(serial) // whole days, the common case
		}
		date1904 := i%3 == 0
		if !date1904 && serial < 61 {
			continue
		}
		got, ok := SerialTime(serial, date1904)
		want, err := excelize.ExcelDateToTime(serial, date1904)
		if !ok || err != nil {
			t.Fatalf("serial %v: ok %v, err %v", serial, ok, err)
		}
		if d := got.Sub(want); d > time.Second || d < -time.Second {
			t.Errorf("serial %v (1904 %v): %v, excelize %v", serial, date1904, got, want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0.1 + 0.2, "0.3"},
		{42, "42"},
		{-7, "-7"},
		{8595602512225, "8595602512225"},
		{0.125, "0.125"},
		{1e21, "1e+21"},
		{1.5e-12, "1.5e-12"},
		{9.990000000000002, "9.99"},
		{123456789012345678, "123456789012346000"},
	} {
		if got := FormatNumber(tc.v); got != tc.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"0.30000000000000004", "0.3"},
		{"42", "42"},
		{"1.5E-3", "0.0015"},
		{"0.340277777777778", "0.340277777777778"},
		{"not a number", "not a number"},
	} {
		if got := CleanNumber(tc.in); got != tc.want {
			t.Errorf("CleanNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
