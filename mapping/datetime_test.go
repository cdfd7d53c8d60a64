package mapping

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping/lexicon"
)

// TestFreeFormDates covers each form of issue 20: English free forms,
// dotted times and spaced separators, names in seven languages.
func TestFreeFormDates(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s int) crmio.Value {
		return crmio.DateTimeValue(time.Date(y, m, d, h, min, s, 0, time.UTC))
	}
	for _, tt := range []struct {
		in   string
		want crmio.Value
	}{
		// ordinals
		{"the 2nd of June 2019", date(2019, 6, 2)},
		{"21st Jan 2020", date(2020, 1, 21)},
		{"June 3rd, 2019", date(2019, 6, 3)},
		{"the 31st of December 1999", date(1999, 12, 31)},
		{"1er mai 2021", date(2021, 5, 1)},
		{"1.º de mayo de 2021", date(2021, 5, 1)},
		{"1º de maio de 2021", date(2021, 5, 1)},
		{"31ste maart 2016", date(2016, 3, 31)},
		// weekday prefixes, time in the middle (ctime)
		{"Tue Mar  5 10:20:30 2019", utc(2019, 3, 5, 10, 20, 30)},
		{"Sat, June 1, '19", date(2019, 6, 1)},
		{"Mon, 15 Jan 2024", date(2024, 1, 15)},
		{"Wednesday, 22 June 2016", date(2016, 6, 22)},
		// the time before or after the date, a.m. and p.m.
		{"9:15 a.m., March 3, 2018", utc(2018, 3, 3, 9, 15, 0)},
		{"March 3, 2018, 9:15 p.m.", utc(2018, 3, 3, 21, 15, 0)},
		{"10:06am Dec 11, 2014", utc(2014, 12, 11, 10, 6, 0)},
		{"3 PM March 3, 2018", utc(2018, 3, 3, 15, 0, 0)},
		{"12:30 a.m. 1/2/2020", utc(2020, 1, 2, 0, 30, 0)},
		{"5 p. m. 1 de julio de 2020", utc(2020, 7, 1, 17, 0, 0)},
		// eras and apostrophe years
		{"1996.July.10 AD 12:08 PM", utc(1996, 7, 10, 12, 8, 0)},
		{"July 10, 1996 AD", date(1996, 7, 10)},
		{"AD 476 September 4", date(476, 9, 4)},
		{"10 agosto 88 d. C.", date(88, 8, 10)},
		{"Jan 5 '99", date(1999, 1, 5)},
		{"5 Jan ’21", date(2021, 1, 5)},
		// dotted times, spaced separators
		{"14.03.2021 08.30", utc(2021, 3, 14, 8, 30, 0)},
		{"3.05.2021 4.30 pm", utc(2021, 5, 3, 16, 30, 0)},
		{"Monday, 3rd May, 2021, 4.30 p.m.", utc(2021, 5, 3, 16, 30, 0)},
		{"05. 11.22", date(2022, 11, 5)},
		{"05 . 11 . 22", date(2022, 11, 5)},
		{"2003 09 25", date(2003, 9, 25)},
		{"25 09 2003", date(2003, 9, 25)},
		// month and weekday names, full and abbreviated
		{"15. März 2024", date(2024, 3, 15)},
		{"Di., 5. März 2024", date(2024, 3, 5)},
		{"5. Jänner 2024", date(2024, 1, 5)},
		{"mardi 5 mars 2019", date(2019, 3, 5)},
		{"mar. 5 mars 2019", date(2019, 3, 5)},
		{"5 févr. 2019", date(2019, 2, 5)},
		{"5 fevrier 2019", date(2019, 2, 5)},
		{"le 8 déc. 2014 à 15:11", utc(2014, 12, 8, 15, 11, 0)},
		{"22 janvier 2015 à 14h40", utc(2015, 1, 22, 14, 40, 0)},
		{"martes 21 de octubre de 2014", date(2014, 10, 21)},
		{"mié, 5 de sept de 2018", date(2018, 9, 5)},
		{"sábado 3 de enero de 2015", date(2015, 1, 3)},
		{"sexta-feira, 10 de junho de 2014 14:52", utc(2014, 6, 10, 14, 52, 0)},
		{"terça-feira, 4 de março de 2014", date(2014, 3, 4)},
		{"ter., 4 de mar. de 2014", date(2014, 3, 4)},
		{"martedì 4 marzo 2014", date(2014, 3, 4)},
		{"4 mag 2014", date(2014, 5, 4)},
		{"dinsdag 4 maart 2014", date(2014, 3, 4)},
		{"di 4 mrt 2014", date(2014, 3, 4)},
		{"MARDI 5 MARS 2019", date(2019, 3, 5)},
		{"mercoledi 5 giugno 2019", date(2019, 6, 5)},
		// noon and midnight
		{"November 19, 2014 at noon", utc(2014, 11, 19, 12, 0, 0)},
		{"19 novembre 2014 à minuit", utc(2014, 11, 19, 0, 0, 0)},
		// zones
		{"Thu, 25 Sep 2003 10:49:41 -0300", crmio.DateTimeValue(time.Date(2003, 9, 25, 13, 49, 41, 0, time.UTC))},
		{"Tue Apr 4 00:22:12 PDT 1995", crmio.DateTimeValue(time.Date(1995, 4, 4, 7, 22, 12, 0, time.UTC))},
		{"2024-01-15 10:30 UTC+05:30", crmio.DateTimeValue(time.Date(2024, 1, 15, 5, 0, 0, 0, time.UTC))},
		{"Mon, 15 Jan 2024 10:30:00 +0100 (CET)", crmio.DateTimeValue(time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC))},
		// ISO 8601 basic and reduced forms
		{"20030925T104941", utc(2003, 9, 25, 10, 49, 41)},
		{"2003-09-25T10", utc(2003, 9, 25, 10, 0, 0)},
	} {
		typ := crmio.TypeDate
		if tt.want.Kind() == crmio.KindDateTime {
			typ = crmio.TypeDateTime
		}
		got, err := Coerce(field(typ), tt.in, nil)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("Coerce(%s, %q) = %v, %v; want %v", typ, tt.in, got, err, tt.want)
		}
	}
}

// TestNotDates: texts with date-like parts that are no date.
func TestNotDates(t *testing.T) {
	for _, s := range []string{
		"call me on the 5th", "10:00 - 11:00", "June 2019", "the 2nd", "Mar 5", "2019", "5 6 7",
		"Jan 20, 2015 PM", "13:44 AM", "2024-01-15 25:00", "June 31, 2019", "Feb 29, 2023", "31/02/2024",
		"2 June 2019 3 June 2019", "June July 2019", "5 March 2019 or so", "10 09 03", "5/6", "1/2/3/4",
		"3 Mar 2019 10:00 11:00", "mardi", "le 5", "25 09 2003 2004", "15 Jan 2024 BC", "12 Hulyo 2003",
		"1st 2nd 2019", "5 de de 2019", "0000 Jun 20", "2024-01-15T", "2024-01-15T10:30:00+15:00",
	} {
		if v, err := Coerce(field(crmio.TypeDateTime), s, nil); err == nil {
			t.Errorf("Coerce(datetime, %q) = %v, want an error", s, v)
		}
	}
}

// TestMonthAndWeekdayNames reads every name of package lexicon, as CLDR
// spells it, in lower and upper case and without accents, in the usual
// layouts of a date with a month name.
func TestMonthAndWeekdayNames(t *testing.T) {
	for _, c := range append(lexicon.Calendars, lexicon.Supplement) {
		for m, names := range c.Months {
			for _, name := range names {
				for _, spelling := range []string{name, strings.ToUpper(name), strings.ToLower(name), stripAccents(name)} {
					for _, layout := range []string{"15 %s 2024", "%s 15, 2024", "15-%s-2024", "2024-%s-15", "15. %s 2024"} {
						s := fmt.Sprintf(layout, spelling)
						got, err := Coerce(field(crmio.TypeDate), s, nil)
						if want := date(2024, time.Month(m+1), 15); err != nil || !got.Equal(want) {
							t.Errorf("%s: Coerce(%q) = %v, %v; want %v", c.Lang, s, got, err, want)
						}
					}
				}
			}
		}
		for _, names := range c.Weekdays {
			for _, name := range names {
				for _, layout := range []string{"%s 15 Jan 2024", "%s, 15 janvier 2024", "%s. 15/01/2024", "%s 15 de enero de 2024"} {
					s := fmt.Sprintf(layout, name)
					if got, err := Coerce(field(crmio.TypeDate), s, &Options{DateOrder: DayFirst}); err != nil || !got.Equal(date(2024, 1, 15)) {
						t.Errorf("%s: Coerce(%q) = %v, %v", c.Lang, s, got, err)
					}
				}
			}
		}
	}
}

// TestDateWords: no name of the lexicon names two months once folded.
func TestDateWords(t *testing.T) {
	if len(dateWordConflicts) > 0 {
		t.Errorf("names of two months: %v", dateWordConflicts)
	}
	for _, w := range []string{"mar", "März", "MÄRZ", "marz", "fe\u0301vrier", "Sept", "sept.", "août", "aout"} {
		if m := monthOf(strings.TrimSuffix(w, ".")); m == 0 {
			t.Errorf("monthOf(%q) = 0", w)
		}
	}
}

// TestFastAndFreeAgree: the general reader reads what the fast path
// reads, the same way, so a date never depends on which path took it.
func TestFastAndFreeAgree(t *testing.T) {
	for _, s := range []string{
		"2024-01-15", "2024/1/5", "2024.01.15", "20240115", "01/15/2024", "15/01/2024", "1-15-24", "15.01.2024",
		"15 Jan 2024", "15-Jan-24", "15. Januar 2024", "January 15, 2024", "Jan 15th 2024", "Mon, 15 Jan 2024",
		"2024-01-15 10:30", "2024-01-15T10:30:00Z", "1/15/2024 2:05 PM", "15/01/2024 10:30:15", "2024-01-15 10:30 UTC",
		"2024-01-15T10:30:00.250-0500", "03/04/2024", "13/01/2024", "01/13/2024", "15 janvier 2024", "Sa 21. Jan 2017",
		"2/5/24 1:51", "12/10/1985", "2024-01-15 10:30 EST", "Jan 1 1999 11:23:34.578", "15 Jan 00", "Mon, 15 Jan 00",
	} {
		for _, order := range []DateOrder{MonthFirst, DayFirst} {
			var fast, free dateTime
			fst := fastDate(s, order, &fast)
			if fst == notADate {
				t.Errorf("fastDate(%q) does not read it", s)
				continue
			}
			frst := freeDate(s, order, &free)
			if frst != fst || free != fast {
				t.Errorf("%q %v: fast path %+v %v, general %+v %v", s, order, fast, fst, free, frst)
			}
		}
	}
}

// TestDateOrderBeyondSample: a column's order is decided over the whole
// column; a value beyond the sample that only the other order reads is a
// row error that says so, never a date read the other way.
func TestDateOrderBeyondSample(t *testing.T) {
	m := &crmio.Module{Name: "events", Fields: []crmio.Field{{Name: "on", Type: crmio.TypeDate}}}
	header := []string{"Date"}
	mp := Mapping{Columns: []ColumnMapping{col(0, "on")}}

	// The sample reads both ways: the default (US, month first) is taken.
	sample := [][]string{{"03/04/2024"}, {"05/06/2024"}, {"12/11/2024"}}
	mapper := mustCompile(t, m, mp, header, sample, nil)
	if rec, errs, _ := mapper.Apply(2, sample[0]); len(errs) > 0 || !rec.Get("on").Equal(date(2024, 3, 4)) {
		t.Fatalf("sample row: %v, %v", rec.Get("on"), errs)
	}
	// Row 5000, beyond the sample, proves the column day first.
	rec, errs, warns := mapper.Apply(5000, []string{"25/12/2024"})
	if len(errs) != 1 || !rec.Get("on").IsNull() || len(warns) != 0 {
		t.Fatalf("row beyond the sample: %v, errors %+v, warnings %+v", rec.Get("on"), errs, warns)
	}
	want := `"25/12/2024" cannot be month-first (MM/DD/YYYY), the order this column is read in (the default for region US: no date in its sample decides); read day-first (DD/MM/YYYY) it would be 2024-12-25, but one column cannot hold both: check the file, or set the column's date order and import it again`
	if e := errs[0]; e.Row != 5000 || e.Column != "Date" || e.Value != "25/12/2024" || e.Reason != want || e.Err != crmio.ErrInvalidValue {
		t.Errorf("row error %+v\nwant reason %s", e, want)
	}

	// The sample decides month first; a later day-first date contradicts it.
	mapper = mustCompile(t, m, mp, header, [][]string{{"12/25/2024"}, {"03/04/2024"}}, nil)
	_, errs, _ = mapper.Apply(9000, []string{"31/01/2025"})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, `the order this column is read in (its sample holds "12/25/2024")`) {
		t.Errorf("errors %+v", errs)
	}
	// A day-first column, set by the mapping; a month-first date beyond it.
	dayFirst := Mapping{Columns: []ColumnMapping{{Column: 0, Target: Target{Field: "on"}, DateOrder: DayFirst}}}
	mapper = mustCompile(t, m, dayFirst, header, nil, nil)
	_, errs, _ = mapper.Apply(7, []string{"12/25/2024"})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, `cannot be day-first (DD/MM/YYYY), the order this column is read in (set in the mapping); read month-first (MM/DD/YYYY) it would be 2024-12-25`) {
		t.Errorf("errors %+v", errs)
	}
	// Dates with dots are day first in any column.
	_, errs, _ = mustCompile(t, m, mp, header, nil, nil).Apply(8, []string{"12.25.2024"})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, `"12.25.2024" cannot be day-first (DD/MM/YYYY)`) {
		t.Errorf("errors %+v", errs)
	}
	// Free forms follow the column's order too.
	_, errs, _ = mapper.Apply(10, []string{"Tue 12/25/2024 10:00"})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, "cannot be day-first") {
		t.Errorf("errors %+v", errs)
	}

	// One text given to Coerce is its own column: its date decides.
	if v, err := Coerce(field(crmio.TypeDate), "25/12/2024", nil); err != nil || !v.Equal(date(2024, 12, 25)) {
		t.Errorf("Coerce = %v, %v", v, err)
	}
	// Unless the options fix the order.
	if _, err := Coerce(field(crmio.TypeDate), "25/12/2024", &Options{DateOrder: MonthFirst}); err == nil ||
		!strings.Contains(err.Error(), "cannot be month-first (MM/DD/YYYY), the order this column is read in (the date order of the options)") {
		t.Errorf("Coerce with month-first options: %v", err)
	}
}
