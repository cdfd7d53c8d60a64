package mapping

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// fuzzModule has a field of every type.
func fuzzModule() *crmio.Module {
	m := peopleModule()
	m.Fields = append(m.Fields,
		crmio.Field{Name: "ordered_on", Type: crmio.TypeDate, Required: true},
		crmio.Field{Name: "tags", Type: crmio.TypeText, Multi: true},
		crmio.Field{Name: "hq", Type: crmio.TypeAddress},
	)
	return m
}

// fuzzMapping maps 24 columns to fields of every type: plain values,
// multi-value fields with Google label columns, address parts with street
// lines, and a static value.
var fuzzMapping = Mapping{Columns: []ColumnMapping{
	col(0, "first_name"), col(1, "email"), colT(2, Target{Field: "email", Label: "work"}),
	colT(3, Target{Field: "phone", Group: "1", Role: RoleLabel}), colT(4, Target{Field: "phone", Group: "1"}),
	colT(5, Target{Field: "phone", Label: "mobile"}), col(6, "account"), col(7, "website"),
	colT(8, Target{Field: "address", Label: "work", Part: crmio.PartStreet}),
	colT(9, Target{Field: "address", Label: "work", Part: crmio.PartStreet}),
	colT(10, Target{Field: "address", Label: "work", Part: crmio.PartCity}),
	colT(11, Target{Field: "address", Group: "1", Part: crmio.PartZip}),
	colT(12, Target{Field: "address", Group: "1", Role: RoleLabel}),
	col(13, "birthday"), col(14, "created_on"), col(15, "status"), col(16, "subscribed"), col(17, "score"),
	col(18, "ordered_on"), col(19, "tags"), colT(20, Target{Field: "hq", Part: crmio.PartCountry}),
	colT(21, Target{Field: "hq", Part: crmio.PartStreet}), col(22, "notes"), col(23, "lead_source"),
},
	Static: []StaticValue{{Field: "ordered_on", Value: "2024-01-01"}},
}

func fuzzOptions(bits uint8) *Options {
	o := &Options{DecimalComma: bits&1 != 0}
	if bits&2 != 0 {
		o.DateOrder = DayFirst
	}
	if bits&4 != 0 {
		o.DefaultRegion = "DE"
	}
	if bits&8 != 0 {
		o.Location = time.FixedZone("X", 5*3600)
	}
	return o
}

// checkRecord checks what Apply returns: values of the fields' kinds, and
// row errors and warnings that say where and why.
func checkRecord(t *testing.T, m *crmio.Module, row int, rec crmio.Record, errs []crmio.RowError, warns []crmio.Warning) {
	t.Helper()
	for name, v := range rec.Values {
		f := m.Field(name)
		if f == nil {
			t.Fatalf("record has unknown field %q", name)
		}
		if v.IsNull() {
			t.Fatalf("field %q is set to null", name)
		}
		want := f.Type.Kind()
		for _, it := range v.List() {
			if f.Multi && v.Kind() != crmio.KindList {
				t.Fatalf("multi-value field %q holds a %v", name, v.Kind())
			}
			if it.Value.Kind() != want {
				t.Fatalf("field %q (%s) holds a %v: %v", name, f.Type, it.Value.Kind(), it.Value)
			}
			if f.Multi && it.Label != "" && !f.HasLabel(it.Label) {
				t.Fatalf("field %q holds label %q", name, it.Label)
			}
		}
	}
	for _, e := range errs {
		if e.Row != row || e.Field == "" || e.Reason == "" || e.Err == nil || !utf8.ValidString(e.Reason) && utf8.ValidString(e.Value) {
			t.Fatalf("bad row error %+v", e)
		}
	}
	for _, w := range warns {
		if w.Row != row || w.Field == "" || w.Reason == "" {
			t.Fatalf("bad warning %+v", w)
		}
	}
}

func splitCells(s string) []string {
	cells := strings.Split(s, "|")
	if len(cells) > 64 {
		cells = cells[:64]
	}
	return cells
}

// FuzzApply applies a mapping that uses every field type and every kind
// of column to arbitrary rows: it must never panic, and what it returns
// must be well formed.
func FuzzApply(f *testing.F) {
	f.Add(strings.Join([]string{"Ada", "ada@example.com ::: ADA@example.com", "ada@work.example", "* Work Fax", "+1 415 555 0102 ::: 212-555-0147",
		"(415) 555-0103", "Acme", "acme.com", "1 Main St", "Suite 2", "Springfield", "62701", "Home", "12/10/1985",
		"2024-01-15T10:30:00+02:00", "Qualified", "yes", "1.234,56", "45306", "vip ::: ", "US", "", "notes", "Web"}, "|"), uint8(0))
	f.Add("Bob|bob@|x|Mobile|555-0102|call me|  |ht tp://x|||||Other|31/02/2024|25:00|Hot|maybe|12abc|2024|||||Billboard", uint8(3))
	f.Add("|||||||||||||13/01/2024|1/15/2024 2:05 PM||x|(1,200.00)|45306.4375", uint8(6))
	f.Add(strings.Repeat("9", 70)+"|"+strings.Repeat("@", 300)+"|\x00\xff|+"+strings.Repeat("1", 40), uint8(15))
	f.Add("Jan 15th 2024|15. März 2024|Mon, 15 Jan 2024|2024-01-15 10:30 UTC+05:30|1e999|-0|'12|€ 5", uint8(9))
	m := fuzzModule()
	mappers := map[uint8]*Mapper{}
	header := make([]string, 24)
	for i := range header {
		header[i] = "C" + string(rune('A'+i))
	}
	for bits := range uint8(16) {
		mapper, err := Compile(m, fuzzMapping, header, nil, fuzzOptions(bits))
		if err != nil {
			f.Fatal(err)
		}
		mappers[bits] = mapper
	}
	f.Fuzz(func(t *testing.T, row string, bits uint8) {
		mapper := mappers[bits&15]
		cells := splitCells(row)
		rec, errs, warns := mapper.Apply(5, cells)
		checkRecord(t, m, 5, rec, errs, warns)
		// Apply is a function of its input.
		again, errs2, warns2 := mapper.Apply(5, cells)
		if !again.Equal(rec) || len(errs2) != len(errs) || len(warns2) != len(warns) {
			t.Fatalf("two Apply calls differ: %v / %v", rec.Values, again.Values)
		}
	})
}

// FuzzCoerce coerces arbitrary text to every field type.
func FuzzCoerce(f *testing.F) {
	for _, s := range []string{"", "ada@example.com", "(415) 555-0102", "+44 20 7946 0000", "acme.com", "1.234,56", "$1,200",
		"(5)", "yes", "New", "2024-01-15", "15/01/2024", "January 15, 2024", "45306.5", "2024-01-15T10:30:00.123456789-07:00",
		"1/2/3", "99999999999999999999", "1e-1000", "٣", "12:30", "+", "ext 5", "x1", "0x10",
		"the 2nd of June 2019", "Tue Mar  5 10:20:30 2019", "Sat, June 1, '19", "9:15 a.m., March 3, 2018",
		"14.03.2021 08.30", "05. 11.22", "22 janvier 2015 à 14h40", "10 agosto 88 d. C.", "12,34,567.89",
		"1.7976931348623157e308", "١٬٢٣٤٫٥", `"john doe"@example.com`, "ada@ｅｘａｍｐｌｅ.com",
		"https://user:pw@[2001:db8::1]:8080/<x>?a b#c", "http://192.168.1.256/"} {
		f.Add(s, uint8(0))
	}
	m := fuzzModule()
	f.Fuzz(func(t *testing.T, text string, bits uint8) {
		opts := fuzzOptions(bits)
		for i := range m.Fields {
			fld := &m.Fields[i]
			v, err := Coerce(fld, text, opts)
			if err != nil {
				if v.Kind() != crmio.KindNull {
					t.Fatalf("Coerce(%s, %q) returned %v with error %v", fld.Type, text, v, err)
				}
				continue
			}
			if strings.TrimSpace(text) == "" {
				if !v.IsNull() {
					t.Fatalf("Coerce(%s, %q) = %v, want null", fld.Type, text, v)
				}
				continue
			}
			if v.Kind() != fld.Type.Kind() {
				t.Fatalf("Coerce(%s, %q) = %v of kind %v", fld.Type, text, v, v.Kind())
			}
			if d, ok := v.Date(); ok && !d.Valid() {
				t.Fatalf("Coerce(%s, %q) = invalid date %v", fld.Type, text, d)
			}
			if n, ok := v.Number(); ok {
				if _, err := crmio.ParseDecimal(n.String()); err != nil {
					t.Fatalf("Coerce(%s, %q) = number %q that does not parse: %v", fld.Type, text, n, err)
				}
			}
		}
	})
}

// FuzzSuggest suggests a mapping for an arbitrary header and row: the
// built-in suggester's mapping must always compile, and apply.
func FuzzSuggest(f *testing.F) {
	f.Add(strings.Join(contactHeader, "|"), strings.Join(contactRow, "|"))
	f.Add("E-mail 1 - Type|E-mail 1 - Value|Phone 1 - Type|Phone 1 - Value|Address 1 - Type|Address 1 - City", "Home|a@b.co|Mobile|4155550102|Work|Paris")
	f.Add("Person - Email - Work|Organization - Name|Business Street 2|Business Street|BILLINGPOSTALCODE|Col6", "x|y|z|w|v|u@v.com")
	f.Add("Title|Job Title|Account Name.id|Record ID - Contact|Straße geschäftlich|E-Mail 2: Adresse", "Dr.|CEO|1|2|3|4")
	m := fuzzModule()
	m.Fields[len(m.Fields)-3].Required = false // ordered_on: a mapping need not have it
	f.Fuzz(func(t *testing.T, header, row string) {
		h, r := splitCells(header), splitCells(row)
		sugg := Suggest(h, [][]string{r}, m)
		if len(sugg) != len(h) {
			t.Fatalf("%d suggestions for %d columns", len(sugg), len(h))
		}
		for i, s := range sugg {
			if s.Column != i || s.Header != h[i] || (s.Target.IsZero() != (s.Confidence == None)) {
				t.Fatalf("bad suggestion %+v for column %d %q", s, i, h[i])
			}
		}
		mp := FromSuggestions(sugg, Low)
		mapper, err := Compile(m, mp, h, [][]string{r}, nil)
		if err != nil {
			t.Fatalf("the suggested mapping does not compile: %v\nsuggestions: %+v", err, sugg)
		}
		rec, errs, warns := mapper.Apply(2, r)
		checkRecord(t, m, 2, rec, errs, warns)
	})
}

// FuzzDate reads arbitrary text as a date both ways: it must never panic,
// must give only valid dates and times, and when the fast path reads a
// text the general reader must read it the same way.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-01-15", "01/15/2024", "15.01.2024", "15 Jan 2024", "January 15, 2024",
		"Mon, 15 Jan 2024 10:30:00 +0100", "2024-01-15T10:30:00.250Z", "1/15/2024 2:05 PM", "the 2nd of June 2019",
		"Tue Mar  5 10:20:30 2019", "Sat, June 1, '19", "9:15 a.m., March 3, 2018", "14.03.2021 08.30",
		"05. 11.22", "mar. 5 mars 2019", "sexta-feira, 10 de junho de 2014 14:52", "1996.July.10 AD 12:08 PM",
		"Thu Sep 25 10:36:28 BRST 2003", "20030925T104941-0300", "10 agosto 88 d. C.", "12.16 pm"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		order := MonthFirst
		if dayFirst {
			order = DayFirst
		}
		var free, fast dateTime
		freeSt := freeDate(s, order, &free)
		fastSt := fastDate(s, order, &fast)
		for _, r := range []struct {
			dt dateTime
			st dateStatus
		}{{free, freeSt}, {fast, fastSt}} {
			if r.st == notADate {
				continue
			}
			if !validDate(r.dt.year, r.dt.month, r.dt.day) || r.dt.hour > 23 || r.dt.min > 59 || r.dt.sec > 59 ||
				r.dt.nsec < 0 || r.dt.nsec > 999999999 || r.dt.offset < -14*3600 || r.dt.offset > 14*3600 {
				t.Fatalf("%q: %+v is not a valid date and time", s, r.dt)
			}
		}
		if fastSt != notADate && (freeSt != fastSt || free != fast) {
			t.Fatalf("%q: fast path %+v %v, general reader %+v %v", s, fast, fastSt, free, freeSt)
		}
	})
}
