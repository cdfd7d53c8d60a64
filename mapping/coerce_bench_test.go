package mapping

import (
	"testing"

	"github.com/crmio/crmio"
)

// benchCoerce coerces each text to a field of typ, as a column of a
// compiled mapping does (the coercer is built once).
func benchCoerce(b *testing.B, typ crmio.FieldType, texts map[string]string) {
	st := (*Options)(nil).settings()
	c := newCoercer(&crmio.Field{Name: "f", Type: typ}, &st, st.dateOrder, st.decimalComma)
	for name, s := range texts {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var arena crmio.Arena // as a mapping goroutine holds one
			cpu := processCPU()
			for b.Loop() {
				c.coerce(&arena, s)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkCoerceDate: the numeric and ISO forms most files hold, the
// free forms of issue 20, and texts that are no date at all (a column of
// them must not be slow either).
func BenchmarkCoerceDate(b *testing.B) {
	benchCoerce(b, crmio.TypeDate, map[string]string{
		"US":          "12/10/1985",
		"ISO":         "2024-01-15",
		"German":      "15.01.2024",
		"MonthName":   "January 15, 2024",
		"Weekday":     "Tue Mar  5 10:20:30 2019",
		"Ordinal":     "the 2nd of June 2019",
		"French":      "22 janvier 2015 à 14h40",
		"NotADate":    "call back next week",
		"NotADateNum": "12345678901",
	})
}

func BenchmarkCoerceDateTime(b *testing.B) {
	benchCoerce(b, crmio.TypeDateTime, map[string]string{
		"ISOZone":   "2024-01-15T10:30:00+02:00",
		"USPM":      "1/15/2024 2:05 PM",
		"TimeFirst": "9:15 a.m., March 3, 2018",
	})
}

func BenchmarkCoerceNumber(b *testing.B) {
	benchCoerce(b, crmio.TypeNumber, map[string]string{
		"Plain":      "1234.50",
		"Grouped":    "1,234,567.89",
		"Indian":     "12,34,567.89",
		"Currency":   "$1,200",
		"Scientific": "1.7976931348623157e308",
	})
}

func BenchmarkCoerceEmail(b *testing.B) {
	benchCoerce(b, crmio.TypeEmail, map[string]string{
		"ASCII":  "ada.lovelace@analytical.co.uk",
		"Quoted": `"ada lovelace"@example.com`,
		"IDN":    "jörg@bücher.de",
	})
}

func BenchmarkCoerceURL(b *testing.B) {
	benchCoerce(b, crmio.TypeURL, map[string]string{
		"HTTPS": "https://www.example.com/about?x=1",
		"Bare":  "acme.co.uk",
		"IPv6":  "http://[2001:db8::1]:8080/",
	})
}
