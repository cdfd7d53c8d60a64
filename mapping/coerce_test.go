package mapping

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

func field(typ crmio.FieldType) *crmio.Field {
	return &crmio.Field{Name: "f", Label: "Field", Type: typ}
}

var statusField = &crmio.Field{Name: "status", Label: "Status", Type: crmio.TypeChoice, Choices: []crmio.Choice{
	{Value: "new", Label: "New"}, {Value: "in_progress", Label: "In progress"}, {Value: "lost", Label: "Lost"}}}

func date(y int, m time.Month, d int) crmio.Value { return crmio.DateValue(crmio.NewDate(y, m, d)) }

func num(s string) crmio.Value { return crmio.NumberValue(crmio.MustDecimal(s)) }

func TestCoerce(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	dayFirst := &Options{DateOrder: DayFirst}
	comma := &Options{DecimalComma: true}
	inBerlin := &Options{Location: berlin}
	de := &Options{DefaultRegion: "DE"}
	tests := []struct {
		name  string
		f     *crmio.Field
		opts  *Options
		in    string
		want  crmio.Value
		error string // a part of the reason, for invalid input
	}{
		{"text trimmed", field(crmio.TypeText), nil, "  Ada Lovelace \t", crmio.TextValue("Ada Lovelace"), ""},
		{"empty is null", field(crmio.TypeText), nil, "   ", crmio.Value{}, ""},

		{"email", field(crmio.TypeEmail), nil, "Ada@Example.COM", crmio.EmailValue("Ada@Example.COM"), ""},
		{"email plus", field(crmio.TypeEmail), nil, "ada+crm@mail.example.co.uk", crmio.EmailValue("ada+crm@mail.example.co.uk"), ""},
		{"email with name", field(crmio.TypeEmail), nil, "Ada Lovelace <ada@example.com>", crmio.EmailValue("ada@example.com"), ""},
		{"email mailto", field(crmio.TypeEmail), nil, "mailto:ada@example.com", crmio.EmailValue("ada@example.com"), ""},
		{"email international", field(crmio.TypeEmail), nil, "jörg@bücher.de", crmio.EmailValue("jörg@bücher.de"), ""},
		{"email no domain", field(crmio.TypeEmail), nil, "bob@", crmio.Value{}, `"bob@" is not an email address`},
		{"email no at", field(crmio.TypeEmail), nil, "bob.example.com", crmio.Value{}, "is not an email address"},
		{"email no dot", field(crmio.TypeEmail), nil, "bob@localhost", crmio.Value{}, "is not an email address"},
		{"email space", field(crmio.TypeEmail), nil, "bob smith@example.com", crmio.Value{}, "is not an email address"},
		{"email two ats", field(crmio.TypeEmail), nil, "a@b@example.com", crmio.Value{}, "is not an email address"},
		{"email double dot", field(crmio.TypeEmail), nil, "a..b@example.com", crmio.Value{}, "is not an email address"},

		{"phone US format", field(crmio.TypePhone), nil, "(415) 555-0102", crmio.PhoneValue("+14155550102"), ""},
		{"phone dashes", field(crmio.TypePhone), nil, "415-555-0102", crmio.PhoneValue("+14155550102"), ""},
		{"phone dots", field(crmio.TypePhone), nil, "415.555.0102", crmio.PhoneValue("+14155550102"), ""},
		{"phone with 1", field(crmio.TypePhone), nil, "1-415-555-0102", crmio.PhoneValue("+14155550102"), ""},
		{"phone E.164", field(crmio.TypePhone), nil, "+14155550102", crmio.PhoneValue("+14155550102"), ""},
		{"phone spaced +1", field(crmio.TypePhone), nil, "+1 415 555 0102", crmio.PhoneValue("+14155550102"), ""},
		{"phone Canada", field(crmio.TypePhone), nil, "(613) 555-0123", crmio.PhoneValue("+16135550123"), ""},
		{"phone extension", field(crmio.TypePhone), nil, "415-555-0102 x12", crmio.PhoneValue("+14155550102;ext=12"), ""},
		{"phone UK", field(crmio.TypePhone), nil, "+44 20 7946 0000", crmio.PhoneValue("+442079460000"), ""},
		{"phone German national", field(crmio.TypePhone), de, "030 123456", crmio.PhoneValue("+4930123456"), ""},
		{"phone spreadsheet apostrophe", field(crmio.TypePhone), nil, "'+1 415 555 0102", crmio.PhoneValue("+14155550102"), ""},
		// Invalid numbers are kept as typed: Coerce does not fail (Apply warns).
		{"phone unassigned area code", field(crmio.TypePhone), nil, "(299) 555-1234", crmio.PhoneValue("(299) 555-1234"), ""},
		{"phone too short", field(crmio.TypePhone), nil, "555-0102", crmio.PhoneValue("555-0102"), ""},
		{"phone words", field(crmio.TypePhone), nil, "call me", crmio.PhoneValue("call me"), ""},

		{"url", field(crmio.TypeURL), nil, "https://www.example.com/about?x=1", crmio.URLValue("https://www.example.com/about?x=1"), ""},
		{"url bare domain", field(crmio.TypeURL), nil, "acme.com", crmio.URLValue("acme.com"), ""},
		{"url www path", field(crmio.TypeURL), nil, "www.acme.co.uk/contact", crmio.URLValue("www.acme.co.uk/contact"), ""},
		{"url port", field(crmio.TypeURL), nil, "http://localhost.example:8080/", crmio.URLValue("http://localhost.example:8080/"), ""},
		{"url ip with scheme", field(crmio.TypeURL), nil, "http://192.168.1.10/crm", crmio.URLValue("http://192.168.1.10/crm"), ""},
		{"url space", field(crmio.TypeURL), nil, "ht tp://x.com", crmio.Value{}, `"ht tp://x.com" is not a web address`},
		{"url other scheme", field(crmio.TypeURL), nil, "javascript:alert(1)", crmio.Value{}, "is not a web address"},
		{"url email", field(crmio.TypeURL), nil, "ada@example.com", crmio.Value{}, "is not a web address"},
		{"url one word", field(crmio.TypeURL), nil, "acme", crmio.Value{}, "is not a web address"},

		{"number plain", field(crmio.TypeNumber), nil, "1234.50", num("1234.50"), ""},
		{"number thousands", field(crmio.TypeNumber), nil, "1,234,567.89", num("1234567.89"), ""},
		{"number currency", field(crmio.TypeNumber), nil, "$1,200", num("1200"), ""},
		{"number currency code", field(crmio.TypeNumber), nil, "USD 99.95", num("99.95"), ""},
		{"number negative currency", field(crmio.TypeNumber), nil, "-$5.00", num("-5.00"), ""},
		{"number accounting negative", field(crmio.TypeNumber), nil, "(1,200.00)", num("-1200.00"), ""},
		{"number percent", field(crmio.TypeNumber), nil, "15%", num("15"), ""},
		{"number exponent", field(crmio.TypeNumber), nil, "1.5E-3", num("0.0015"), ""},
		{"number spreadsheet apostrophe", field(crmio.TypeNumber), nil, "'-6.1330000", num("-6.1330000"), ""},
		{"number spaces", field(crmio.TypeNumber), nil, "1 234 567", num("1234567"), ""},
		{"number decimal comma", field(crmio.TypeNumber), comma, "1.234,56", num("1234.56"), ""},
		{"number decimal comma euro", field(crmio.TypeNumber), comma, "1.234,56 €", num("1234.56"), ""},
		{"number decimal comma small", field(crmio.TypeNumber), comma, "0,5", num("0.5"), ""},
		{"number no-break space", field(crmio.TypeNumber), comma, "12\u00a0345,00", num("12345.00"), ""},
		{"number swiss", field(crmio.TypeNumber), nil, "1'234.50", num("1234.50"), ""},
		{"number letters", field(crmio.TypeNumber), nil, "12abc", crmio.Value{}, `"12abc" is not a number`},
		{"number bad grouping", field(crmio.TypeNumber), nil, "1,23.4", crmio.Value{}, "is not a number"},
		{"number comma in point column", field(crmio.TypeNumber), nil, "12,5", crmio.Value{}, "is not a number"},
		{"number point in comma column", field(crmio.TypeNumber), comma, "1,234.56", crmio.Value{}, "decimal comma"},
		{"number two points", field(crmio.TypeNumber), nil, "1.2.3", crmio.Value{}, "is not a number"},

		{"bool yes", field(crmio.TypeBool), nil, "Yes", crmio.BoolValue(true), ""},
		{"bool no", field(crmio.TypeBool), nil, "no", crmio.BoolValue(false), ""},
		{"bool TRUE", field(crmio.TypeBool), nil, "TRUE", crmio.BoolValue(true), ""},
		{"bool 0", field(crmio.TypeBool), nil, "0", crmio.BoolValue(false), ""},
		{"bool x", field(crmio.TypeBool), nil, "x", crmio.BoolValue(true), ""},
		{"bool y", field(crmio.TypeBool), nil, "Y", crmio.BoolValue(true), ""},
		{"bool off", field(crmio.TypeBool), nil, "off", crmio.BoolValue(false), ""},
		{"bool ja", field(crmio.TypeBool), nil, "Ja", crmio.BoolValue(true), ""},
		{"bool nein", field(crmio.TypeBool), nil, "NEIN", crmio.BoolValue(false), ""},
		{"bool maybe", field(crmio.TypeBool), nil, "maybe", crmio.Value{}, `"maybe" is not yes or no`},

		{"choice value", statusField, nil, "lost", crmio.TextValue("lost"), ""},
		{"choice label", statusField, nil, "In Progress", crmio.TextValue("in_progress"), ""},
		{"choice case", statusField, nil, "NEW", crmio.TextValue("new"), ""},
		{"choice unknown", statusField, nil, "Hot", crmio.Value{}, `"Hot" is not one of the choices of Status (New, In progress, Lost)`},

		{"date ISO", field(crmio.TypeDate), nil, "2024-01-15", date(2024, 1, 15), ""},
		{"date ISO slashes", field(crmio.TypeDate), nil, "2024/1/5", date(2024, 1, 5), ""},
		{"date compact", field(crmio.TypeDate), nil, "20240115", date(2024, 1, 15), ""},
		{"date US", field(crmio.TypeDate), nil, "01/15/2024", date(2024, 1, 15), ""},
		{"date US ambiguous", field(crmio.TypeDate), nil, "03/04/2024", date(2024, 3, 4), ""},
		{"date day first", field(crmio.TypeDate), dayFirst, "03/04/2024", date(2024, 4, 3), ""},
		{"date German dots", field(crmio.TypeDate), nil, "03.04.2024", date(2024, 4, 3), ""},
		{"date two-digit year", field(crmio.TypeDate), nil, "1/15/24", date(2024, 1, 15), ""},
		{"date two-digit year last century", field(crmio.TypeDate), nil, "6/9/62", date(1962, 6, 9), ""},
		{"date day month name", field(crmio.TypeDate), nil, "15 Jan 2024", date(2024, 1, 15), ""},
		{"date day month name dashes", field(crmio.TypeDate), nil, "15-Jan-24", date(2024, 1, 15), ""},
		{"date month name day", field(crmio.TypeDate), nil, "January 15, 2024", date(2024, 1, 15), ""},
		{"date ordinal", field(crmio.TypeDate), nil, "Jan 15th 2024", date(2024, 1, 15), ""},
		{"date weekday", field(crmio.TypeDate), nil, "Mon, 15 Jan 2024", date(2024, 1, 15), ""},
		{"date German month", field(crmio.TypeDate), nil, "15. März 2024", date(2024, 3, 15), ""},
		{"date with time", field(crmio.TypeDate), nil, "2/5/24 1:51", date(2024, 2, 5), ""},
		{"date Excel serial", field(crmio.TypeDate), nil, "45306", date(2024, 1, 15), ""},
		{"date Excel serial 1985", field(crmio.TypeDate), nil, "31391", date(1985, 12, 10), ""},
		{"date Excel serial with time", field(crmio.TypeDate), nil, "45306.4375", date(2024, 1, 15), ""},
		{"date leap day", field(crmio.TypeDate), nil, "2024-02-29", date(2024, 2, 29), ""},
		{"date not a leap year", field(crmio.TypeDate), nil, "2023-02-29", crmio.Value{}, `"2023-02-29" is not a date`},
		{"date impossible", field(crmio.TypeDate), nil, "31/02/2024", crmio.Value{}, "is not a date"},
		{"date year alone", field(crmio.TypeDate), nil, "2024", crmio.Value{}, "is not a date"},
		{"date small number", field(crmio.TypeDate), nil, "42", crmio.Value{}, "is not a date"},
		{"date words", field(crmio.TypeDate), nil, "next Tuesday", crmio.Value{}, "is not a date"},

		{"datetime ISO Z", field(crmio.TypeDateTime), nil, "2024-01-15T10:30:00Z", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)), ""},
		{"datetime ISO offset", field(crmio.TypeDateTime), nil, "2024-01-15T10:30:00+02:00", crmio.DateTimeValue(time.Date(2024, 1, 15, 8, 30, 0, 0, time.UTC)), ""},
		{"datetime ISO fraction", field(crmio.TypeDateTime), nil, "2024-01-15T10:30:00.250-0500", crmio.DateTimeValue(time.Date(2024, 1, 15, 15, 30, 0, 250e6, time.UTC)), ""},
		{"datetime no zone", field(crmio.TypeDateTime), nil, "2024-01-15 10:30", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)), ""},
		{"datetime no zone in Berlin", field(crmio.TypeDateTime), inBerlin, "2024-01-15 10:30", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, berlin)), ""},
		{"datetime US PM", field(crmio.TypeDateTime), nil, "1/15/2024 2:05 PM", crmio.DateTimeValue(time.Date(2024, 1, 15, 14, 5, 0, 0, time.UTC)), ""},
		{"datetime 12 AM", field(crmio.TypeDateTime), nil, "1/15/2024 12:00 am", crmio.DateTimeValue(time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)), ""},
		{"datetime international", field(crmio.TypeDateTime), dayFirst, "15/01/2024 10:30:15", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 15, 0, time.UTC)), ""},
		{"datetime UTC word", field(crmio.TypeDateTime), nil, "2024-01-15 10:30 UTC", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)), ""},
		{"datetime date only", field(crmio.TypeDateTime), nil, "2024-01-15", crmio.DateTimeValue(time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)), ""},
		{"datetime Excel serial", field(crmio.TypeDateTime), nil, "45306.4375", crmio.DateTimeValue(time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)), ""},
		{"datetime bad hour", field(crmio.TypeDateTime), nil, "2024-01-15 25:00", crmio.Value{}, `"2024-01-15 25:00" is not a date and time`},
		{"datetime unknown zone", field(crmio.TypeDateTime), nil, "2024-01-15 10:00 CEST", crmio.Value{}, `names the time zone "CEST", whose offset crmio cannot know`},
		{"datetime bad zone", field(crmio.TypeDateTime), nil, "2024-01-15 10:00 +25:00", crmio.Value{}, "is not a date and time"},
		{"date unknown zone", field(crmio.TypeDate), nil, "2024-01-15 10:00 CEST", date(2024, 1, 15), ""},

		{"reference keeps its key", &crmio.Field{Name: "account", Type: crmio.TypeReference, Ref: "accounts"}, nil, " Acme Inc ", crmio.RefValue("", "Acme Inc"), ""},
		{"address text is its street", field(crmio.TypeAddress), nil, "1 Main St", crmio.AddressValue(crmio.Address{Street: "1 Main St"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Coerce(tt.f, tt.in, tt.opts)
			if tt.error != "" {
				var ve *ValueError
				if !errors.As(err, &ve) || !errors.Is(err, crmio.ErrInvalidValue) {
					t.Fatalf("Coerce(%q) = %v, %v; want a *ValueError wrapping ErrInvalidValue", tt.in, got, err)
				}
				if !strings.Contains(ve.Reason, tt.error) {
					t.Errorf("Coerce(%q): reason %q does not say %q", tt.in, ve.Reason, tt.error)
				}
				return
			}
			if err != nil {
				t.Fatalf("Coerce(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Coerce(%q) = %v (%v), want %v (%v)", tt.in, got, got.Kind(), tt.want, tt.want.Kind())
			}
			if tt.want.Kind() == crmio.KindDateTime {
				g, _ := got.Time()
				w, _ := tt.want.Time()
				if g.Location().String() != w.Location().String() && !(w.Location() == time.UTC) {
					t.Errorf("Coerce(%q) is in %v, want %v", tt.in, g.Location(), w.Location())
				}
			}
		})
	}
}

// TestPhonePathsAgree checks that the fast path says what phonenumbers
// says, on numbers of every NANP area code class.
func TestPhonePathsAgree(t *testing.T) {
	st := (*Options)(nil).settings()
	var arena crmio.Arena
	for _, s := range []string{"(415) 555-0102", "212-555-0147", "+1 299 555 1234", "(911) 555-1234", "613.555.0123",
		"1 (809) 555-1234", "(441) 555-1234", "(264) 555-1234", "(800) 555-0199", "(415) 155-0102", "(415) 055-0102",
		"(876) 555-1234", "(242) 555-1234", "+1 242 357 1234", "(340) 555-1234", "4155550102", "14155550102"} {
		fast, fastOK := normalizePhone(nil, s, &st)
		slow, slowOK := slowPhone(s, "US")
		if fast != slow || fastOK != slowOK {
			t.Errorf("%q: fast path %q %v, phonenumbers %q %v", s, fast, fastOK, slow, slowOK)
		}
		if inArena, ok := normalizePhone(&arena, s, &st); inArena != fast || ok != fastOK {
			t.Errorf("%q: in an arena %q %v, without %q %v", s, inArena, ok, fast, fastOK)
		}
	}
}

func TestDecimalEvidence(t *testing.T) {
	for s, want := range map[string]int{"12,5": 1, "1.234,56": 1, "1,234.56": -1, "12.5": -1, "1,234": 0, "1.234": 0,
		"12": 0, "1,234,567": -1, "1.234.567": 1, "0,75": 1} {
		if got := decimalEvidence(s); got != want {
			t.Errorf("decimalEvidence(%q) = %d, want %d", s, got, want)
		}
	}
}
