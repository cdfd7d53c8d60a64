package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmio/crmio"
)

// coerceCase is a text, the options, and either the value wanted or a
// part of the reason of the error wanted.
type coerceCase struct {
	in    string
	opts  *Options
	want  crmio.Value
	error string
}

func checkCoerce(t *testing.T, f *crmio.Field, cases []coerceCase) {
	t.Helper()
	for _, tt := range cases {
		got, err := Coerce(f, tt.in, tt.opts)
		if tt.error != "" {
			var ve *ValueError
			if !errors.As(err, &ve) || !errors.Is(err, crmio.ErrInvalidValue) || !strings.Contains(ve.Reason, tt.error) {
				t.Errorf("Coerce(%s, %q) = %v, %v; want an error saying %q", f.Type, tt.in, got, err, tt.error)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("Coerce(%s, %q) = %v, %v; want %v", f.Type, tt.in, got, err, tt.want)
		}
	}
}

func TestNumbersAsPeopleWriteThem(t *testing.T) {
	comma := &Options{DecimalComma: true}
	max := "17976931348623157" + strings.Repeat("0", 292)
	checkCoerce(t, field(crmio.TypeNumber), []coerceCase{
		// Indian grouping (CLDR en-IN #,##,##0.###)
		{in: "12,34,567.89", want: num("1234567.89")},
		{in: "1,00,000", want: num("100000")},
		{in: "1,00,00,000", want: num("10000000")},
		{in: "₹1,23,45,678.50", want: num("12345678.50")},
		{in: "-98,76,543.5", want: num("-9876543.5")},
		{in: "12,34,56.7", error: "is not a number"},   // the last group has three digits
		{in: "1,234,56,789", error: "is not a number"}, // threes, then twos
		{in: "123,45,678", error: "is not a number"},   // an Indian first group has one or two digits
		// other groupings of the locale data
		{in: "1’234’567.50", want: num("1234567.50")},
		{in: "1'234'567.50", want: num("1234567.50")},
		{in: "1\u202f234\u202f567,5", opts: comma, want: num("1234567.5")},
		{in: "1\u00a0234,5", opts: comma, want: num("1234.5")},
		{in: "1.234.567,891", opts: comma, want: num("1234567.891")},
		{in: "١٬٢٣٤٬٥٦٧٫٨٩", want: num("1234567.89")}, // Arabic digits and separators
		{in: "\u061c-٩٨٧", want: num("-987")},
		{in: "१२,३४,५६७", want: num("1234567")}, // Devanagari, Indian grouping
		// scientific notation at the edges of float64
		{in: "1.7976931348623157e308", want: num(max)},
		{in: "-1.7976931348623157E+308", want: num("-" + max)},
		{in: "4.9e-324", want: num("4.9e-324")},
		{in: "2.2250738585072014e-308", want: num("2.2250738585072014e-308")},
		{in: "0e999", want: num("0")},
		{in: "1.8e308", error: "is beyond the range of numbers a spreadsheet or database can hold (about ±1.8e308)"},
		{in: "-1e400", error: "beyond the range"},
		{in: "1e-400", error: "is too small to keep: a number other than 0 must be at least about 4.9e-324"},
		{in: "2e-324", error: "too small"},
		{in: "1e99999999999", error: "beyond the range"},
		{in: strings.Repeat("9", 310), error: "beyond the range"},
		{in: "1e", error: "is not a number"},
		{in: "NaN", error: "is not a number"},
		{in: "Infinity", error: "is not a number"},
	})
}

func TestEmailsToTheirStandards(t *testing.T) {
	email := crmio.EmailValue
	checkCoerce(t, field(crmio.TypeEmail), []coerceCase{
		// quoted local parts (RFC 5322 3.2.4)
		{in: `"john doe"@example.com`, want: email(`"john doe"@example.com`)},
		{in: `"john..doe"@example.com`, want: email(`"john..doe"@example.com`)},
		{in: `"a\"b"@example.com`, want: email(`"a\"b"@example.com`)},
		{in: `"a@b"@example.com`, want: email(`"a@b"@example.com`)},
		{in: `John <"john doe"@example.com>`, want: email(`"john doe"@example.com`)},
		{in: `"unclosed@example.com`, error: "is not an email address"},
		{in: `""@example.com`, error: "is not an email address"},
		{in: `"a"b@example.com`, error: "is not an email address"},
		// the domain: no trailing dot, no look-alikes unless valid IDN
		{in: "ada@example.com.", error: `"ada@example.com." is not an email address: its domain ends with a dot`},
		{in: "ada@ｅｘａｍｐｌｅ.com", error: "its domain holds characters that are no valid international domain name (IDNA 2008), such as full-width letters"},
		{in: "ada@example．com", error: "no valid international domain name"},
		{in: "ada@例え。テスト", error: "no valid international domain name"},
		{in: "ada@bücher.de", want: email("ada@bücher.de")},
		{in: "ada@BÜCHER.de", want: email("ada@BÜCHER.de")},
		{in: "ada@bu\u0308cher.de", want: email("ada@bu\u0308cher.de")}, // decomposed ü
		{in: "ada@xn--bcher-kva.de", want: email("ada@xn--bcher-kva.de")},
		{in: "ada@xn--0.de", error: "punycode label (xn--) that is not valid"},
		{in: "ada@ab--cd.de", error: `"--" in its third and fourth places`},
		{in: "юзер@екзампл.ком", want: email("юзер@екзампл.ком")},
		{in: "ada@[192.0.2.1]", error: "IP address in brackets"},
		{in: "ada@example.c0m", error: "is not an email address"},
		{in: "ada@exam_ple.com", error: "is not an email address"},
		{in: "ad\u200ba@example.com", error: "is not an email address"}, // a zero-width space
		{in: strings.Repeat("a", 65) + "@example.com", error: "longer than 64 characters"},
		{in: "a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 61) + ".com", error: "longer than 254 characters"},
		// what was accepted before still is
		{in: "Ada@Example.COM", want: email("Ada@Example.COM")},
		{in: "mailto:ada@example.com", want: email("ada@example.com")},
		{in: "o'brien+crm@mail.example.co.uk", want: email("o'brien+crm@mail.example.co.uk")},
	})
}

func TestURLsToTheWHATWGStandard(t *testing.T) {
	url := crmio.URLValue
	checkCoerce(t, field(crmio.TypeURL), []coerceCase{
		// credentials and IPv6 hosts
		{in: "https://user:secret@example.com/x", want: url("https://user:secret@example.com/x")},
		{in: "https://user@example.com", want: url("https://user@example.com")},
		{in: "http://[2001:db8::1]/", want: url("http://[2001:db8::1]/")},
		{in: "http://[2001:db8::1]:8080/crm", want: url("http://[2001:db8::1]:8080/crm")},
		{in: "http://[::ffff:192.0.2.1]", want: url("http://[::ffff:192.0.2.1]")},
		{in: "http://[2001:db8::1", error: "is not a web address"},
		{in: "http://[fe80::1%25eth0]/", error: "not a valid IPv6 address"},
		{in: "http://[1::2]:3:4", error: "is not a web address"},
		// IPv4: out-of-range parts and the forms that name another address
		{in: "http://192.168.1.256/", error: `"http://192.168.1.256/" is not a web address: 256 is out of range in the IPv4 address 192.168.1.256 (each part is 0 to 255)`},
		{in: "http://192.168.1.10/crm", want: url("http://192.168.1.10/crm")},
		{in: "http://0x7f.0.0.1/", error: "not a valid IPv4 address"},
		{in: "http://127.1/", error: "not a valid IPv4 address"},
		{in: "http://0177.0.0.1/", error: "leading zero"},
		// ports
		{in: "http://example.com:0/", error: "its port is 0, which is reserved: no server listens on it"},
		{in: "http://example.com:00/", error: "its port is 0"},
		{in: "http://example.com:65536/", error: "beyond 65535"},
		{in: "http://example.com:8080/", want: url("http://example.com:8080/")},
		{in: "http://example.com:/", want: url("http://example.com:/")},
		{in: "http://example.com:ab/", error: "is not a web address"},
		// markup in the path, query and fragment is escaped, as the standard does
		{in: "https://example.com/<script>alert(1)</script>", want: url("https://example.com/%3Cscript%3Ealert(1)%3C/script%3E")},
		{in: `https://example.com/a b?q="x y"&z='1'#a b<c>`, want: url("https://example.com/a%20b?q=%22x%20y%22&z=%271%27#a%20b%3Cc%3E")},
		{in: "https://example.com/`{x}`", want: url("https://example.com/%60%7Bx%7D%60")},
		{in: "https://example.com/straße", want: url("https://example.com/straße")},
		{in: "https://exa\tmple.com/", want: url("https://example.com/")},
		// hosts
		{in: "https://Ｇｏ.com/", want: url("https://Ｇｏ.com/")},
		{in: "https://bücher.de/", want: url("https://bücher.de/")},
		{in: "http://exa mple.com/", error: "is not a web address"},
		{in: "http://a<b.com/", error: "is not a web address"},
		{in: "http://%41.com/", error: "percent-encoded"},
		{in: "http://xn--pokxncvks.com/", error: "not a valid domain name"},
		{in: "http://../", error: "is not a web address"},
		{in: "https://intranet/", want: url("https://intranet/")},
		{in: "intranet", error: "is not a web address"},
		{in: "javascript:alert(1)", error: "is not a web address"},
		{in: "ftp://example.com/", error: "is not a web address"},
		{in: "ada@example.com", error: "is not a web address"},
		{in: "acme.com:8080/about", want: url("acme.com:8080/about")},
		{in: "HTTPS://WWW.EXAMPLE.COM", want: url("HTTPS://WWW.EXAMPLE.COM")},
	})
}
