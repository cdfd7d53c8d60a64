package mapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

func col(i int, field string) ColumnMapping {
	return ColumnMapping{Column: i, Target: Target{Field: field}}
}

func colT(i int, t Target) ColumnMapping { return ColumnMapping{Column: i, Target: t} }

func mustCompile(t *testing.T, m *crmio.Module, mp Mapping, header []string, sample [][]string, opts *Options) *Mapper {
	t.Helper()
	mapper, err := Compile(m, mp, header, sample, opts)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return mapper
}

func TestCompileErrors(t *testing.T) {
	m := peopleModule()
	m.Fields[0].Required = true // first_name
	header := []string{"First", "Mobile", "City", "Type", "Last", "Other"}
	tests := []struct {
		name string
		mp   Mapping
		want []string
	}{
		{"unknown field", Mapping{Columns: []ColumnMapping{col(0, "first_name"), col(1, "fax_number")}},
			[]string{`column 2 "Mobile": module "people" has no field "fax_number"`}},
		{"label not allowed", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(1, Target{Field: "phone", Label: "cell"})}},
			[]string{`Phone has no label "cell" (its labels: mobile, work, home, fax, other)`}},
		{"label on a single-value field", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(4, Target{Field: "last_name", Label: "work"})}},
			[]string{`Last name holds one value: it has no label "work"`}},
		{"part on a non-address", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(2, Target{Field: "notes", Part: crmio.PartCity})}},
			[]string{`Notes is not an address: it has no part "city"`}},
		{"unknown part", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(2, Target{Field: "address", Part: "planet"})}},
			[]string{`an address has no part "planet"`}},
		{"single-value field twice", Mapping{Columns: []ColumnMapping{col(0, "first_name"), col(4, "last_name"), col(5, "last_name")}},
			[]string{`column 6 "Other": Last name holds one value, and column "Last" is mapped to it already`}},
		{"address part twice", Mapping{Columns: []ColumnMapping{col(0, "first_name"),
			colT(2, Target{Field: "address", Label: "work", Part: crmio.PartCity}), colT(5, Target{Field: "address", Label: "work", Part: crmio.PartCity})}},
			[]string{`the city of Address (work) is mapped from column "City" already`}},
		{"column out of range", Mapping{Columns: []ColumnMapping{col(0, "first_name"), col(9, "notes")}},
			[]string{"there is no column 10 (the file has 6)"}},
		{"column moved away", Mapping{Columns: []ColumnMapping{col(0, "first_name"), {Column: 1, Header: "Fax", Target: Target{Field: "phone"}}}},
			[]string{`the file has no column titled "Fax"`}},
		{"label column alone", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(3, Target{Field: "phone", Group: "1", Role: RoleLabel})}},
			[]string{`column 4 "Type": no column holds the values these labels are for`}},
		{"label column of a single-value field", Mapping{Columns: []ColumnMapping{col(0, "first_name"), colT(3, Target{Field: "title", Role: RoleLabel})}},
			[]string{"Job title holds one value: a column cannot hold its label"}},
		{"required unmapped", Mapping{Columns: []ColumnMapping{col(4, "last_name")}},
			[]string{`field "first_name": First name is required: map a column to it or give it a static value`}},
		{"bad static value", Mapping{Columns: []ColumnMapping{col(0, "first_name")}, Static: []StaticValue{{Field: "status", Value: "Hot"}}},
			[]string{`the static value of Status: "Hot" is not one of the choices of Status`}},
		{"static for an unknown field", Mapping{Columns: []ColumnMapping{col(0, "first_name")}, Static: []StaticValue{{Field: "region", Value: "EMEA"}}},
			[]string{`module "people" has no field "region" for a static value`}},
		{"several problems at once", Mapping{Columns: []ColumnMapping{col(1, "fax"), colT(2, Target{Field: "notes", Part: crmio.PartCity})}},
			[]string{`no field "fax"`, "Notes is not an address", "First name is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mapper, err := Compile(m, tt.mp, header, nil, nil)
			if err == nil {
				t.Fatalf("Compile succeeded (%v), want errors %q", mapper, tt.want)
			}
			if !errors.Is(err, ErrInvalidMapping) {
				t.Errorf("error %v does not wrap ErrInvalidMapping", err)
			}
			var me *MappingError
			if !errors.As(err, &me) {
				t.Errorf("error %v holds no *MappingError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not say %q", err, w)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(tt.want), err)
			}
		})
	}
}

func TestApplyContactRow(t *testing.T) {
	mapper := compileContact(t)
	rec, errs, warns := mapper.Apply(2, contactRow)
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	want := crmio.Record{Module: "people", Values: map[string]crmio.Value{
		"first_name": crmio.TextValue("Ada"),
		"last_name":  crmio.TextValue("Lovelace"),
		"email": crmio.ListValue(crmio.Item{Value: crmio.EmailValue("ada@example.com")},
			crmio.Item{Label: "work", Value: crmio.EmailValue("ada.lovelace@analytical.co.uk")}),
		"phone": crmio.ListValue(crmio.Item{Label: "mobile", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Label: "work", Value: crmio.PhoneValue("+12125550147")}),
		"account": crmio.RefValue("", "Analytical Engines Ltd"),
		"title":   crmio.TextValue("Chief Mathematician"),
		"address": crmio.ListValue(crmio.Item{Value: crmio.AddressValue(crmio.Address{
			Street: "12 St James's Square", City: "London", State: "CA", Zip: "94105"})}),
		"website":  crmio.URLValue("https://example.com"),
		"birthday": date(1985, 12, 10),
		"notes":    crmio.TextValue(contactRow[14]),
	}}
	if !rec.Equal(want) {
		t.Errorf("record\n%v\nwant\n%v", rec.Values, want.Values)
	}
	if got := mapper.Fields(); !reflect.DeepEqual(got, []string{"first_name", "last_name", "email", "phone", "account", "title", "address", "website", "birthday", "notes"}) {
		t.Errorf("Fields() = %v", got)
	}
}

// TestApplyTo checks that ApplyTo maps into the map it is given, leaving
// nothing of what the map held before.
func TestApplyTo(t *testing.T) {
	mapper := compileContact(t)
	want, _, _ := mapper.Apply(2, contactRow)
	values := map[string]crmio.Value{"stale": crmio.TextValue("from an earlier row"), "notes": crmio.TextValue("old")}
	rec, errs, warns := mapper.ApplyTo(values, 2, contactRow)
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	if !rec.Equal(want) {
		t.Errorf("ApplyTo record\n%v\nwant\n%v", rec.Values, want.Values)
	}
	rec.Values["marker"] = crmio.TextValue("x")
	if _, ok := values["marker"]; !ok {
		t.Error("the record ApplyTo returned does not hold the map it was given")
	}
	short := []string{"Grace", "Hopper"}
	rec, _, _ = mapper.ApplyTo(values, 3, short)
	if len(rec.Values) != 2 || rec.Get("first_name").Str() != "Grace" {
		t.Errorf("reusing the map for a short row gave %v", rec.Values)
	}
}

// TestApplyIn: mapping in an arena gives the records Apply gives, row
// after row, each keeping its own values while the arena makes more.
func TestApplyIn(t *testing.T) {
	mapper := compileContact(t)
	var arena crmio.Arena
	var got, want []crmio.Record
	for i := range 500 {
		row := slices.Clone(contactRow)
		row[0] = fmt.Sprintf("Ada%d", i)
		w, _, _ := mapper.Apply(i+2, row)
		r, errs, _ := mapper.ApplyIn(&arena, nil, i+2, row)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		got, want = append(got, r), append(want, w)
	}
	lists := 0
	for i := range got {
		if !got[i].Equal(want[i]) {
			t.Fatalf("row %d: ApplyIn\n%v\nwant\n%v", i+2, got[i].Values, want[i].Values)
		}
		for _, v := range got[i].Values {
			if v.Kind() == crmio.KindList || v.Kind() == crmio.KindAddress {
				lists++
			}
		}
	}
	if lists == 0 {
		t.Fatal("the contact mapping makes no list or address: the test proves nothing")
	}
}

// TestApplyRowErrors checks that each invalid cell gives a RowError that
// names the row, the column and the field, and says why.
func TestApplyRowErrors(t *testing.T) {
	m := peopleModule()
	m.Field("last_name").Required = true
	header := []string{"Last", "E-mail", "Web", "Born", "State", "Opt in", "Score", "Created"}
	mp := Mapping{Columns: []ColumnMapping{col(0, "last_name"), col(1, "email"), col(2, "website"), col(3, "birthday"),
		col(4, "status"), col(5, "subscribed"), col(6, "score"), col(7, "created_on")}}
	mapper := mustCompile(t, m, mp, header, nil, nil)
	row := []string{"", "bob@", "not a site", "31/02/2024", "Hot", "maybe", "12abc", "yesterday"}
	rec, errs, _ := mapper.Apply(7, row)
	want := []crmio.RowError{
		{Row: 7, Column: "Last", Field: "last_name", Reason: `Last name is required but "Last" is empty`, Err: crmio.ErrRequired},
		{Row: 7, Column: "E-mail", Field: "email", Value: "bob@", Reason: `"bob@" is not an email address`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "Web", Field: "website", Value: "not a site", Reason: `"not a site" is not a web address`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "Born", Field: "birthday", Value: "31/02/2024", Reason: `"31/02/2024" is not a date`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "State", Field: "status", Value: "Hot", Reason: `"Hot" is not one of the choices of Status (New, Contacted, Qualified, Lost)`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "Opt in", Field: "subscribed", Value: "maybe", Reason: `"maybe" is not yes or no`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "Score", Field: "score", Value: "12abc", Reason: `"12abc" is not a number`, Err: crmio.ErrInvalidValue},
		{Row: 7, Column: "Created", Field: "created_on", Value: "yesterday", Reason: `"yesterday" is not a date and time`, Err: crmio.ErrInvalidValue},
	}
	if len(rec.Values) != 0 {
		t.Errorf("a row of invalid cells made values %v", rec.Values)
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", dump(errs), dump(want))
	}
	for _, e := range errs {
		if !errors.Is(&e, e.Err) {
			t.Errorf("%v does not unwrap to its cause", e.Error())
		}
	}
	if got := errs[1].Error(); got != `row 7, column "E-mail": "bob@" is not an email address` {
		t.Errorf("RowError.Error() = %q", got)
	}
}

func dump[T any](list []T) string {
	var b strings.Builder
	for _, x := range list {
		fmt.Fprintf(&b, "  %+v\n", x)
	}
	return b.String()
}

func TestApplyPhoneWarning(t *testing.T) {
	m := peopleModule()
	mapper := mustCompile(t, m, Mapping{Columns: []ColumnMapping{colT(0, Target{Field: "phone", Label: "mobile"})}}, []string{"Cell"}, nil, nil)
	rec, errs, warns := mapper.Apply(3, []string{"555-0102"})
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	want := crmio.ListValue(crmio.Item{Label: "mobile", Value: crmio.PhoneValue("555-0102")})
	if !rec.Get("phone").Equal(want) {
		t.Errorf("phone = %v, want it kept as typed", rec.Get("phone"))
	}
	if len(warns) != 1 || warns[0].Row != 3 || warns[0].Column != "Cell" || warns[0].Reason != `"555-0102" is not a valid phone number for US; it was kept as typed` {
		t.Errorf("warnings = %+v", warns)
	}
}

// TestDateOrderPerColumn: each column's sample decides its own order; a
// column that stays ambiguous takes the default and says so.
func TestDateOrderPerColumn(t *testing.T) {
	m := &crmio.Module{Name: "events", Fields: []crmio.Field{
		{Name: "a", Type: crmio.TypeDate}, {Name: "b", Type: crmio.TypeDate}, {Name: "c", Type: crmio.TypeDate},
		{Name: "d", Type: crmio.TypeDate}, {Name: "e", Type: crmio.TypeDateTime}}}
	header := []string{"European", "American", "Ambiguous", "Forced", "Stamp"}
	sample := [][]string{
		{"13/01/2024", "01/13/2024", "03/04/2024", "03/04/2024", "25/12/2024 10:00"},
		{"02/03/2024", "02/03/2024", "05/06/2024", "05/06/2024", "01/02/2024 08:00"},
	}
	mp := Mapping{Columns: []ColumnMapping{col(0, "a"), col(1, "b"), col(2, "c"),
		{Column: 3, Target: Target{Field: "d"}, DateOrder: DayFirst}, col(4, "e")}}
	mapper := mustCompile(t, m, mp, header, sample, nil)
	rec, errs, warns := mapper.Apply(2, sample[1])
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	for field, want := range map[string]crmio.Value{
		"a": date(2024, 3, 2), // day first: the sample holds 13/01/2024
		"b": date(2024, 2, 3), // month first: the sample holds 01/13/2024
		"c": date(2024, 5, 6), // ambiguous: the default for US, month first
		"d": date(2024, 6, 5), // set day first by the mapping
		"e": crmio.DateTimeValue(time.Date(2024, 2, 1, 8, 0, 0, 0, time.UTC)),
	} {
		if got := rec.Get(field); !got.Equal(want) {
			t.Errorf("%s = %v, want %v", field, got, want)
		}
	}
	w := mapper.Warnings()
	if len(w) != 1 || w[0].Column != "Ambiguous" || !strings.Contains(w[0].Reason, `dates such as "03/04/2024" read both month-first and day-first; reading the column month-first (MM/DD/YYYY), the default`) {
		t.Errorf("warnings = %+v, want one about column Ambiguous", w)
	}
	// With day first as the default, the ambiguous column reads day first.
	mapper = mustCompile(t, m, mp, header, sample, &Options{DefaultRegion: "DE"})
	rec, _, _ = mapper.Apply(2, sample[1])
	if got := rec.Get("c"); !got.Equal(date(2024, 6, 5)) {
		t.Errorf("c with region DE = %v, want 2024-06-05", got)
	}
	// A row the column's order cannot read, but the other order can, is
	// an error that says so (TestDateOrderBeyondSample has more).
	rec, errs, warns = mapper.Apply(9, []string{"", "13/02/2024"})
	if len(errs) != 1 || !rec.Get("b").IsNull() || len(warns) != 0 || errs[0].Row != 9 ||
		!strings.Contains(errs[0].Reason, `"13/02/2024" cannot be month-first (MM/DD/YYYY), the order this column is read in (its sample holds "01/13/2024"); read day-first (DD/MM/YYYY) it would be 2024-02-13`) {
		t.Errorf("b = %v, errors %v, warnings %+v", rec.Get("b"), errs, warns)
	}
}

func TestExcelSerialDates(t *testing.T) {
	m := &crmio.Module{Name: "x", Fields: []crmio.Field{{Name: "d", Type: crmio.TypeDate}, {Name: "t", Type: crmio.TypeDateTime}}}
	mapper := mustCompile(t, m, Mapping{Columns: []ColumnMapping{col(0, "d"), col(1, "t")}}, []string{"D", "T"}, nil, nil)
	for _, tt := range []struct {
		d, t   string
		wantD  crmio.Value
		wantT  crmio.Value
		errors int
	}{
		{"45306", "45306.5", date(2024, 1, 15), crmio.DateTimeValue(time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)), 0},
		{"3654", "73050.999999", date(1910, 1, 1), crmio.DateTimeValue(time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC)), 0},
		{"3653", "73051", crmio.Value{}, crmio.Value{}, 2}, // out of the plausible range
		{"45306.", "-45306", crmio.Value{}, crmio.Value{}, 2},
	} {
		rec, errs, _ := mapper.Apply(2, []string{tt.d, tt.t})
		if len(errs) != tt.errors || !rec.Get("d").Equal(tt.wantD) || !rec.Get("t").Equal(tt.wantT) {
			t.Errorf("%q, %q: d = %v, t = %v, errors %v", tt.d, tt.t, rec.Get("d"), rec.Get("t"), errs)
		}
	}
}

func TestDecimalCommaPerColumn(t *testing.T) {
	m := &crmio.Module{Name: "x", Fields: []crmio.Field{{Name: "eu", Type: crmio.TypeNumber}, {Name: "us", Type: crmio.TypeNumber},
		{Name: "unknown", Type: crmio.TypeNumber}, {Name: "forced", Type: crmio.TypeNumber}}}
	yes := true
	mp := Mapping{Columns: []ColumnMapping{col(0, "eu"), col(1, "us"), col(2, "unknown"), {Column: 3, Target: Target{Field: "forced"}, DecimalComma: &yes}}}
	header := []string{"Umsatz", "Revenue", "Count", "Forced"}
	sample := [][]string{{"1.234,56", "1,234.56", "1,234", "7"}, {"12,5", "12.5", "12", "8"}}
	mapper := mustCompile(t, m, mp, header, sample, nil)
	rec, errs, _ := mapper.Apply(2, []string{"1.234,56", "1,234.56", "1,234", "1.000,5"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for f, want := range map[string]string{"eu": "1234.56", "us": "1234.56", "unknown": "1234", "forced": "1000.5"} {
		if got := rec.Get(f); !got.Equal(num(want)) {
			t.Errorf("%s = %v, want %s", f, got, want)
		}
	}
	// Decimal comma as the default of undecided columns.
	mapper = mustCompile(t, m, mp, header, sample, &Options{DecimalComma: true})
	rec, _, _ = mapper.Apply(2, []string{"", "", "1,234", ""})
	if got := rec.Get("unknown"); !got.Equal(num("1.234")) {
		t.Errorf("unknown with a decimal comma = %v, want 1.234", got)
	}
}

// TestGoogleContactsGroups maps Google's "Phone 1 - Type"/"Phone 1 - Value"
// pairs, " ::: " separated values and label texts.
func TestGoogleContactsGroups(t *testing.T) {
	header := []string{"Name", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value",
		"Phone 2 - Type", "Phone 2 - Value", "Address 1 - Type", "Address 1 - Street", "Address 1 - City"}
	rows := [][]string{
		{"Ada Lovelace", "* Home", "ada@example.com ::: Ada@Example.com ::: ada@work.example", "Work Fax", "+1 415 555 0102",
			"Google Voice", "(212) 555-0147", "Work", "1 Main St", "Springfield"},
	}
	m := peopleModule()
	sugg := Suggest(header, rows, m)
	mp := FromSuggestions(sugg, Medium)
	if len(mp.Columns) != len(header) {
		t.Fatalf("mapped %d of %d columns: %v", len(mp.Columns), len(header), sugg)
	}
	mapper := mustCompile(t, m, mp, header, rows, nil)
	rec, errs, warns := mapper.Apply(2, rows[0])
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	want := map[string]crmio.Value{
		"name": crmio.TextValue("Ada Lovelace"),
		"email": crmio.ListValue(crmio.Item{Label: "home", Value: crmio.EmailValue("ada@example.com")},
			crmio.Item{Label: "home", Value: crmio.EmailValue("ada@work.example")}),
		"phone": crmio.ListValue(crmio.Item{Label: "fax", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Label: "other", Value: crmio.PhoneValue("+12125550147")}),
		"address": crmio.ListValue(crmio.Item{Label: "work", Value: crmio.AddressValue(crmio.Address{Street: "1 Main St", City: "Springfield"})}),
	}
	if got := (crmio.Record{Module: "people", Values: want}); !rec.Equal(got) {
		t.Errorf("record\n%v\nwant\n%v", rec.Values, want)
	}
}

// TestOutlookAddresses assembles addresses from Outlook's part columns,
// joining street lines, and drops duplicate phones after normalizing.
func TestOutlookAddresses(t *testing.T) {
	header := []string{"Business Street", "Business Street 2", "Business City", "Business Postal Code",
		"Home Street", "Home City", "Business Phone", "Business Phone 2", "Mobile Phone"}
	row := []string{"1 Infinite Loop", "Building 4", "Cupertino", "95014", "", "Palo Alto",
		"(408) 555-0100", "+1 408 555 0100", ""}
	m := peopleModule()
	mp := FromSuggestions(Suggest(header, [][]string{row}, m), Medium)
	mapper := mustCompile(t, m, mp, header, nil, nil)
	rec, errs, warns := mapper.Apply(2, row)
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	wantAddr := crmio.ListValue(
		crmio.Item{Label: "work", Value: crmio.AddressValue(crmio.Address{Street: "1 Infinite Loop, Building 4", City: "Cupertino", Zip: "95014"})},
		crmio.Item{Label: "home", Value: crmio.AddressValue(crmio.Address{City: "Palo Alto"})})
	if got := rec.Get("address"); !got.Equal(wantAddr) {
		t.Errorf("address = %v, want %v", got, wantAddr)
	}
	wantPhone := crmio.ListValue(crmio.Item{Label: "work", Value: crmio.PhoneValue("+14085550100")})
	if got := rec.Get("phone"); !got.Equal(wantPhone) {
		t.Errorf("phone = %v, want %v (the second is the same number)", got, wantPhone)
	}
}

func TestSingleAddressField(t *testing.T) {
	m := &crmio.Module{Name: "sites", Fields: []crmio.Field{{Name: "name", Type: crmio.TypeText}, {Name: "location", Type: crmio.TypeAddress}}}
	header := []string{"Name", "Location - Street", "Location - City", "Location - Country"}
	mp := FromSuggestions(Suggest(header, nil, m), High)
	mapper := mustCompile(t, m, mp, header, nil, nil)
	rec, _, _ := mapper.Apply(2, []string{"HQ", "1 Main St", "Springfield", "US"})
	want := crmio.AddressValue(crmio.Address{Street: "1 Main St", City: "Springfield", Country: "US"})
	if got := rec.Get("location"); !got.Equal(want) {
		t.Errorf("location = %v, want %v (mapping %+v)", got, want, mp)
	}
	rec, _, _ = mapper.Apply(3, []string{"Nowhere", "", " ", ""})
	if _, set := rec.Values["location"]; set {
		t.Errorf("an address of empty cells was set: %v", rec.Values)
	}
}

func TestStaticValues(t *testing.T) {
	m := peopleModule()
	m.Field("lead_source").Required = true
	mp := Mapping{
		Columns: []ColumnMapping{col(0, "name"), col(1, "lead_source")},
		Static: []StaticValue{{Field: "lead_source", Value: "Event"}, {Field: "status", Value: "new"},
			{Field: "phone", Label: "work", Value: "(415) 555-0100"}},
	}
	mapper := mustCompile(t, m, mp, []string{"Name", "Source"}, nil, nil)
	rec, errs, _ := mapper.Apply(2, []string{"Ada", ""})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := rec.Get("lead_source"); !got.Equal(crmio.TextValue("event")) {
		t.Errorf("lead_source = %v, want the static value", got)
	}
	if got := rec.Get("status"); !got.Equal(crmio.TextValue("new")) {
		t.Errorf("status = %v", got)
	}
	if got, want := rec.Get("phone"), crmio.ListValue(crmio.Item{Label: "work", Value: crmio.PhoneValue("+14155550100")}); !got.Equal(want) {
		t.Errorf("phone = %v, want %v", got, want)
	}
	rec, _, _ = mapper.Apply(3, []string{"Bob", "Referral"})
	if got := rec.Get("lead_source"); !got.Equal(crmio.TextValue("referral")) {
		t.Errorf("lead_source = %v: a static value must not override the row's", got)
	}
	// An invalid cell is an error, not a reason to use the static value.
	_, errs, _ = mapper.Apply(4, []string{"Cy", "Billboard"})
	if len(errs) != 1 || errs[0].Err != crmio.ErrInvalidValue {
		t.Errorf("errors = %v", errs)
	}
}

func TestApplyShortAndLongRows(t *testing.T) {
	m := peopleModule()
	mapper := mustCompile(t, m, Mapping{Columns: []ColumnMapping{col(0, "first_name"), col(3, "notes")}}, []string{"A", "B", "C", "D"}, nil, nil)
	rec, errs, _ := mapper.Apply(2, []string{"Ada"})
	if len(errs) > 0 || len(rec.Values) != 1 || !rec.Get("first_name").Equal(crmio.TextValue("Ada")) {
		t.Errorf("short row: %v %v", rec.Values, errs)
	}
	rec, _, _ = mapper.Apply(3, []string{"Ada", "x", "y", "note", "extra", "more"})
	if len(rec.Values) != 2 || !rec.Get("notes").Equal(crmio.TextValue("note")) {
		t.Errorf("long row: %v", rec.Values)
	}
}

// TestSavedMappingFindsMovedColumn applies a mapping saved for one file
// to a later export whose columns moved.
func TestSavedMappingFindsMovedColumn(t *testing.T) {
	m := peopleModule()
	first := []string{"First Name", "Email"}
	mp := FromSuggestions(Suggest(first, nil, m), Medium)
	data, err := json.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	var saved Mapping
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	later := []string{"Record ID", "email", "First Name"}
	mapper := mustCompile(t, m, saved, later, nil, nil)
	rec, _, _ := mapper.Apply(2, []string{"17", "ada@example.com", "Ada"})
	if !rec.Get("first_name").Equal(crmio.TextValue("Ada")) || rec.Get("email").List()[0].Value.Str() != "ada@example.com" {
		t.Errorf("record = %v", rec.Values)
	}
}

func TestMappingJSON(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	no := false
	mp := Mapping{
		Columns: []ColumnMapping{
			{Column: 0, Header: "Phone 1 - Type", Target: Target{Field: "phone", Group: "1", Role: RoleLabel}},
			{Column: 1, Header: "Phone 1 - Value", Target: Target{Field: "phone", Group: "1"}},
			{Column: 2, Header: "Business City", Target: Target{Field: "address", Label: "work", Part: crmio.PartCity}},
			{Column: 3, Header: "Born", Target: Target{Field: "birthday"}, DateOrder: DayFirst},
			{Column: 4, Header: "Score", Target: Target{Field: "score"}, DecimalComma: &no},
		},
		Static:  []StaticValue{{Field: "status", Value: "new"}},
		Options: &Options{DateOrder: DayFirst, DecimalComma: true, DefaultRegion: "DE", Location: berlin},
	}
	data, err := json.Marshal(mp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"columns":[` +
		`{"column":0,"header":"Phone 1 - Type","field":"phone","group":"1","role":"label"},` +
		`{"column":1,"header":"Phone 1 - Value","field":"phone","group":"1"},` +
		`{"column":2,"header":"Business City","field":"address","label":"work","part":"city"},` +
		`{"column":3,"header":"Born","field":"birthday","date_order":"day_first"},` +
		`{"column":4,"header":"Score","field":"score","decimal_comma":false}],` +
		`"static":[{"field":"status","value":"new"}],` +
		`"options":{"date_order":"day_first","decimal_comma":true,"default_region":"DE","location":"Europe/Berlin"}}`
	if string(data) != want {
		t.Errorf("JSON\n%s\nwant\n%s", data, want)
	}
	var back Mapping
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Options.Location.String() != "Europe/Berlin" {
		t.Errorf("location = %v", back.Options.Location)
	}
	back.Options.Location, mp.Options.Location = nil, nil
	if !reflect.DeepEqual(back, mp) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", back, mp)
	}
	if err := json.Unmarshal([]byte(`{"columns":[],"options":{"location":"Mars/Olympus"}}`), &back); err == nil {
		t.Error("an unknown location was accepted")
	}
	if err := json.Unmarshal([]byte(`{"columns":[{"column":0,"field":"x","date_order":"sideways"}]}`), &back); err == nil {
		t.Error("an unknown date order was accepted")
	}
}

func TestFromSuggestionsDropsOrphanLabels(t *testing.T) {
	s := []Suggestion{
		{Column: 0, Target: Target{Field: "phone", Group: "1", Role: RoleLabel}, Confidence: High},
		{Column: 1, Target: Target{Field: "phone", Group: "1"}, Confidence: Low},
		{Column: 2, Target: Target{Field: "email", Group: "1", Role: RoleLabel}, Confidence: High},
		{Column: 3, Target: Target{Field: "email", Group: "1"}, Confidence: High},
	}
	mp := FromSuggestions(s, Medium)
	if len(mp.Columns) != 2 || mp.Columns[0].Column != 2 || mp.Columns[1].Column != 3 {
		t.Errorf("columns = %v", mp.Columns)
	}
}

func TestMappingEdits(t *testing.T) {
	var mp Mapping
	mp.Set(2, Target{Field: "email"})
	mp.Accept(Suggestion{Column: 0, Header: "First", Target: Target{Field: "first_name"}})
	mp.Set(0, Target{Field: "name"})
	if got := mp.Columns; len(got) != 2 || got[0].Column != 0 || got[0].Header != "First" || got[0].Field != "name" || got[1].Field != "email" {
		t.Errorf("columns = %+v", got)
	}
	mp.Clear(2)
	mp.Set(0, Target{})
	if len(mp.Columns) != 0 {
		t.Errorf("columns after clearing = %+v", mp.Columns)
	}
	mp.SetStatic("status", "", "new")
	mp.SetStatic("status", "", "lost")
	if len(mp.Static) != 1 || mp.Static[0].Value != "lost" {
		t.Errorf("static = %+v", mp.Static)
	}
	mp.SetStatic("status", "", "")
	if len(mp.Static) != 0 {
		t.Errorf("static = %+v", mp.Static)
	}
}

// TestApplyConcurrent runs Apply from several goroutines (under -race) and
// checks each gets the same record as a lone call.
func TestApplyConcurrent(t *testing.T) {
	mapper := compileContact(t)
	want, _, _ := mapper.Apply(2, contactRow)
	rows := [][]string{contactRow, {"Bob", "", "bob@", "", "555-0102"}}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				rec, errs, warns := mapper.Apply(i+2, rows[(g+i)%2])
				if (g+i)%2 == 0 {
					if !rec.Equal(want) || len(errs) > 0 || len(warns) > 0 {
						t.Errorf("concurrent Apply gave %v %v %v", rec.Values, errs, warns)
						return
					}
				} else if len(errs) != 1 || len(warns) != 1 {
					t.Errorf("concurrent Apply of a bad row gave %v %v", errs, warns)
					return
				}
			}
		}()
	}
	wg.Wait()
}
