package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// ValueError is the error Coerce returns for text its field cannot hold.
// Reason is a sentence for a person: `"bob@" is not an email address`.
// It wraps crmio.ErrInvalidValue.
type ValueError struct {
	Field  string // the field's name
	Value  string // the text, as given
	Reason string
}

func (e *ValueError) Error() string { return e.Reason }

// Unwrap returns crmio.ErrInvalidValue.
func (e *ValueError) Unwrap() error { return crmio.ErrInvalidValue }

// Coerce turns one text into a value of field f, the way Apply does for a
// cell: static values and query filters use it. The text is trimmed; an
// empty text is the null Value. For a multi-value field it returns one
// item's value. An address has no one-cell form: the text becomes its
// street. A reference keeps the text as its key, crmio.RefValue("", key),
// for the importer to resolve. A phone number that is not valid is kept
// as typed (Apply warns about it); any other text the field cannot hold
// returns a *ValueError wrapping crmio.ErrInvalidValue.
func Coerce(f *crmio.Field, text string, opts *Options) (crmio.Value, error) {
	st := opts.settings()
	c := newCoercer(f, &st, st.dateOrder, st.decimalComma)
	// One text is its own column: a date that reads only in the other
	// order is read so, unless the options fix the order.
	c.orderFixed = opts != nil && opts.DateOrder != AutoOrder
	c.orderWhy = "the date order of the options"
	v, reason, warn := c.coerce(nil, strings.TrimSpace(text))
	if reason != "" && !warn {
		return crmio.Value{}, &ValueError{Field: f.Name, Value: text, Reason: reason}
	}
	return v, nil
}

// coercer turns the text of one column into values of its field. It is
// read-only once built, so a Mapper shares it between goroutines.
type coercer struct {
	field        *crmio.Field
	typ          crmio.FieldType
	st           *settings
	dateOrder    DateOrder // never AutoOrder
	decimalComma bool
	// orderFixed makes a numeric date that reads only in the other order
	// an error (a column's order holds for the whole column); without
	// it, as for one text given to Coerce, the date is read that way.
	orderFixed bool
	// orderWhy says, for the error, why the column is read in dateOrder:
	// `its sample holds "01/13/2024"`.
	orderWhy string
}

func newCoercer(f *crmio.Field, st *settings, order DateOrder, decimalComma bool) *coercer {
	return &coercer{field: f, typ: f.Type, st: st, dateOrder: order, decimalComma: decimalComma}
}

// coerce turns trimmed, non-empty text into a value, the strings it makes
// in arena (which may be nil). On failure reason says why for a person;
// warn means the value is usable all the same (a phone number kept as
// typed).
func (c *coercer) coerce(arena *crmio.Arena, s string) (v crmio.Value, reason string, warn bool) {
	if s == "" {
		return crmio.Value{}, "", false
	}
	switch c.typ {
	case crmio.TypeText:
		return crmio.TextValue(s), "", false
	case crmio.TypeEmail:
		addr, problem := checkEmail(s)
		if problem == "" {
			return crmio.EmailValue(addr), "", false
		}
		return v, because(quote(s)+" is not an email address", problem), false
	case crmio.TypePhone:
		out, valid := normalizePhone(arena, strings.TrimPrefix(s, "'"), c.st)
		if !valid {
			return crmio.PhoneValue(s), quote(s) + " is not a valid phone number for " + c.st.region + "; it was kept as typed", true
		}
		return crmio.PhoneValue(out), "", false
	case crmio.TypeURL:
		out, problem := checkURL(s)
		if problem == "" {
			return crmio.URLValue(out), "", false
		}
		return v, because(quote(s)+" is not a web address", problem), false
	case crmio.TypeNumber:
		d, problem := readNumber(s, c.decimalComma)
		switch {
		case problem == "":
			return crmio.NumberValue(d), "", false
		case problem != badNumber:
			return v, because(quote(s)+" is not a number", problem), false
		case c.decimalComma:
			return v, quote(s) + " is not a number (this column is read with a decimal comma, as in 1.234,56)", false
		}
		return v, quote(s) + " is not a number", false
	case crmio.TypeBool:
		if b, ok := parseBool(s); ok {
			return crmio.BoolValue(b), "", false
		}
		return v, quote(s) + " is not yes or no", false
	case crmio.TypeChoice:
		if ch, ok := c.field.Choice(s); ok {
			return crmio.TextValue(ch.Value), "", false
		}
		return v, quote(s) + " is not one of the choices of " + c.field.DisplayLabel() + " (" + choiceList(c.field) + ")", false
	case crmio.TypeDate, crmio.TypeDateTime:
		return c.dateValue(s)
	case crmio.TypeReference:
		return crmio.RefValue("", s), "", false
	case crmio.TypeAddress:
		return crmio.AddressValue(crmio.Address{Street: s}), "", false
	}
	return v, "field " + c.field.Name + " has an unknown type " + string(c.typ), false
}

func (c *coercer) dateValue(s string) (v crmio.Value, reason string, warn bool) {
	var dt dateTime
	st := readDate(s, c.dateOrder, &dt)
	if st == notADate {
		var ok bool
		if dt, ok = excelSerial(strings.TrimPrefix(s, "'")); ok {
			st = dateRead
		}
	}
	switch {
	case st == notADate && c.typ == crmio.TypeDateTime:
		return v, quote(s) + " is not a date and time", false
	case st == notADate:
		return v, quote(s) + " is not a date", false
	case st == otherOrder && c.orderFixed:
		return v, c.orderError(s, dt), false
	case c.typ == crmio.TypeDateTime && dt.unknownZone != "":
		return v, fmt.Sprintf("%s names the time zone %q, whose offset crmio cannot know (only UTC, GMT, Z, offsets such as +02:00 and the US zones of RFC 5322 are read): write the offset instead", quote(s), dt.unknownZone), false
	}
	if c.typ == crmio.TypeDate {
		return crmio.DateValue(dt.date()), "", false
	}
	return crmio.DateTimeValue(dt.instant(c.st.loc)), "", false
}

// orderError explains a numeric date that the column's order cannot read
// but the other order can: a value beyond the sample contradicting the
// order chosen for the whole column. It is an error, not a silent
// reading the other way: one column holds one order, so either this date
// or the column's other dates would be wrong.
func (c *coercer) orderError(s string, dt dateTime) string {
	order, other := c.dateOrder, DayFirst
	if order == DayFirst {
		other = MonthFirst
	}
	if dottedDate(s) {
		order, other = DayFirst, MonthFirst
	}
	why := c.orderWhy
	if why == "" {
		why = "set in the options"
	}
	return fmt.Sprintf("%s cannot be %s, the order this column is read in (%s); read %s it would be %s, but one column cannot hold both: check the file, or set the column's date order and import it again",
		quote(s), order.pattern(), why, other.pattern(), dt.date())
}

// dottedDate reports a numeric date written with dots, which is read day
// first whatever the column's order: 03.04.2024 is 3 April.
func dottedDate(s string) bool {
	p := dateScanner{s: s}
	p.spaces()
	if _, n := p.number(); n == 0 || n > 2 {
		return false
	}
	p.spaces()
	return p.peek() == '.'
}

// quote quotes a text for a message, shortened when long.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

func choiceList(f *crmio.Field) string {
	var b strings.Builder
	for i, ch := range f.Choices {
		if i == 10 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ch.Display())
	}
	return b.String()
}

// parseBool reads yes/no, true/false, 1/0, y/n, x, on/off, ja/nein, j,
// wahr/falsch, t/f and checked/unchecked, ignoring case.
func parseBool(s string) (value, ok bool) {
	if len(s) > 9 {
		return false, false
	}
	v, ok := lookupWord(boolWords, s)
	return v, ok
}

var boolWords = map[string]bool{
	"yes": true, "y": true, "true": true, "t": true, "1": true, "x": true, "on": true, "ja": true, "j": true,
	"wahr": true, "checked": true, "✓": true, "✔": true, "oui": true, "si": true, "sí": true,
	"no": false, "n": false, "false": false, "f": false, "0": false, "off": false, "nein": false,
	"falsch": false, "unchecked": false, "non": false,
}

// because appends the reason for a problem to a message; the problems
// "-" (badEmail, badURL, badNumber) need none.
func because(msg, problem string) string {
	if problem == "" || problem == "-" {
		return msg
	}
	return msg + ": " + problem
}
