package mapping

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DateOrder says how to read a numeric date whose first two numbers could
// each be the day or the month, such as 03/04/2024.
type DateOrder uint8

// The date orders. The zero DateOrder means "decide": from the column's
// sample for a column, from the default region for Options.
const (
	AutoOrder  DateOrder = iota // decide from the data, then the default
	MonthFirst                  // 03/04/2024 is March 4 (US)
	DayFirst                    // 03/04/2024 is 3 April (most of the world)
)

var dateOrderNames = [...]string{AutoOrder: "", MonthFirst: "month_first", DayFirst: "day_first"}

// String returns "month_first", "day_first" or "auto".
func (o DateOrder) String() string {
	switch o {
	case AutoOrder:
		return "auto"
	case MonthFirst, DayFirst:
		return dateOrderNames[o]
	}
	return fmt.Sprintf("DateOrder(%d)", int(o))
}

// pattern describes the order for people: "MM/DD/YYYY".
func (o DateOrder) pattern() string {
	if o == DayFirst {
		return "day-first (DD/MM/YYYY)"
	}
	return "month-first (MM/DD/YYYY)"
}

// MarshalText writes "month_first", "day_first" or "" (auto).
func (o DateOrder) MarshalText() ([]byte, error) {
	if int(o) >= len(dateOrderNames) {
		return nil, fmt.Errorf("mapping: invalid date order %d", int(o))
	}
	return []byte(dateOrderNames[o]), nil
}

// UnmarshalText reads "month_first", "day_first", "auto" or "".
func (o *DateOrder) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "", "auto":
		*o = AutoOrder
	case "month_first", "mdy":
		*o = MonthFirst
	case "day_first", "dmy":
		*o = DayFirst
	default:
		return fmt.Errorf("mapping: unknown date order %q (want month_first or day_first)", b)
	}
	return nil
}

// Options configure coercion. A nil *Options means the defaults: region US,
// month-first dates where a column's sample does not decide, a decimal
// point, UTC for date-times written without a zone.
type Options struct {
	// DateOrder is how to read numeric dates in a column whose sample does
	// not decide (every date in it could be read both ways). AutoOrder
	// means MonthFirst when DefaultRegion uses it (US, PH and a few
	// others), else DayFirst.
	DateOrder DateOrder `json:"date_order,omitempty"`
	// DecimalComma makes "1.234,56" the default number style of columns
	// whose sample does not decide; a column's sample decides when it holds
	// a number only one style can read ("12,5" or "1,234.56").
	DecimalComma bool `json:"decimal_comma,omitempty"`
	// DefaultRegion is the ISO 3166 region of phone numbers written
	// without a country code ("US" when empty).
	DefaultRegion string `json:"default_region,omitempty"`
	// Location is the time zone of date-times written without one (UTC
	// when nil). In JSON it is its IANA name, "location":"Europe/Berlin".
	Location *time.Location `json:"-"`
}

// MarshalJSON writes the options with Location as its IANA name.
func (o Options) MarshalJSON() ([]byte, error) {
	type plain Options
	out := struct {
		plain
		Location string `json:"location,omitempty"`
	}{plain: plain(o)}
	if o.Location != nil && o.Location != time.UTC {
		out.Location = o.Location.String()
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the options, loading Location by name.
func (o *Options) UnmarshalJSON(b []byte) error {
	type plain Options
	in := struct {
		*plain
		Location string `json:"location"`
	}{plain: (*plain)(o)}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	if in.Location == "" {
		o.Location = nil
		return nil
	}
	loc, err := time.LoadLocation(in.Location)
	if err != nil {
		return fmt.Errorf("mapping: options: %w", err)
	}
	o.Location = loc
	return nil
}

// settings are Options resolved to their effective values.
type settings struct {
	dateOrder    DateOrder // never AutoOrder
	decimalComma bool
	region       string // upper case
	nanp         bool   // region dials with country code 1
	loc          *time.Location
}

// monthFirstRegions write numeric dates month first.
var monthFirstRegions = map[string]bool{"US": true, "PH": true, "FM": true, "MH": true, "PW": true, "AS": true, "GU": true, "MP": true, "PR": true, "VI": true, "UM": true}

// nanpRegions share the North American Numbering Plan (country code 1).
var nanpRegions = map[string]bool{"US": true, "CA": true, "AG": true, "AI": true, "AS": true, "BB": true,
	"BM": true, "BS": true, "DM": true, "DO": true, "GD": true, "GU": true, "JM": true, "KN": true, "KY": true,
	"LC": true, "MP": true, "MS": true, "PR": true, "SX": true, "TC": true, "TT": true, "VC": true, "VG": true,
	"VI": true, "UM": true}

func (o *Options) settings() settings {
	var s settings
	if o != nil {
		s.dateOrder = o.DateOrder
		s.decimalComma = o.DecimalComma
		s.region = strings.ToUpper(strings.TrimSpace(o.DefaultRegion))
		s.loc = o.Location
	}
	if s.region == "" {
		s.region = "US"
	}
	if s.dateOrder == AutoOrder {
		s.dateOrder = DayFirst
		if monthFirstRegions[s.region] {
			s.dateOrder = MonthFirst
		}
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	s.nanp = nanpRegions[s.region]
	return s
}
