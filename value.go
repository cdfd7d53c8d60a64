package crmio

import (
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Kind is the kind of a Value.
type Kind uint8

// The kinds of Value. Text, Email, Phone and URL all hold a string; they are
// distinct kinds because each has its own canonical match key (see MatchKey),
// which lets a Store index values without knowing the module's schema.
const (
	KindNull     Kind = iota // no value; the zero Value
	KindText                 // text and choice fields
	KindEmail                // an email address
	KindPhone                // a phone number, E.164 once mapped ("+14155550102")
	KindURL                  // a web address
	KindNumber               // an exact Decimal
	KindBool                 // true or false
	KindDate                 // a calendar Date
	KindDateTime             // an instant, time.Time
	KindRef                  // a reference to a record of another module
	KindAddress              // a postal Address
	KindList                 // the labelled values of a multi-value field
)

var kindNames = [...]string{
	KindNull:     "null",
	KindText:     "text",
	KindEmail:    "email",
	KindPhone:    "phone",
	KindURL:      "url",
	KindNumber:   "number",
	KindBool:     "bool",
	KindDate:     "date",
	KindDateTime: "datetime",
	KindRef:      "ref",
	KindAddress:  "address",
	KindList:     "list",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is the value of one field of a Record: a tagged union in the spirit
// of log/slog.Value. The zero Value is null. Values are immutable; build them
// with the constructors (TextValue, NumberValue, ListValue, ...) and read
// them with the accessors, which return the zero of their type (and false
// where they return a bool) when the Value holds another kind.
type Value struct {
	// A Value must not be compared with ==: two lists with the same items
	// are different values to ==. The zero-length array of funcs makes ==
	// a compile error, as log/slog.Value does; use Equal.
	_    [0]func()
	kind Kind
	str  string // text kinds; the key of a Ref
	num  int64  // bool (0/1); date packed as yyyymmdd
	any  any    // Decimal, time.Time, a Ref's id, *Address, *Item (the first of a list)
}

// Ref is a reference to a record of another module: its ID once resolved,
// and the Key the user knows it by (an account's name).
type Ref struct {
	ID  string `json:"id,omitempty"`
	Key string `json:"key,omitempty"`
}

// Address is a postal address.
type Address struct {
	Street  string `json:"street,omitempty"`
	City    string `json:"city,omitempty"`
	State   string `json:"state,omitempty"`
	Zip     string `json:"zip,omitempty"`
	Country string `json:"country,omitempty"`
}

// AddressPart names one part of an Address.
type AddressPart string

// The parts of an Address, in display order.
const (
	PartStreet  AddressPart = "street"
	PartCity    AddressPart = "city"
	PartState   AddressPart = "state"
	PartZip     AddressPart = "zip"
	PartCountry AddressPart = "country"
)

// AddressParts lists every AddressPart in display order.
var AddressParts = []AddressPart{PartStreet, PartCity, PartState, PartZip, PartCountry}

// Part returns one part of a.
func (a Address) Part(p AddressPart) string {
	switch p {
	case PartStreet:
		return a.Street
	case PartCity:
		return a.City
	case PartState:
		return a.State
	case PartZip:
		return a.Zip
	case PartCountry:
		return a.Country
	}
	return ""
}

// WithPart returns a copy of a with part p set to s.
func (a Address) WithPart(p AddressPart, s string) Address {
	switch p {
	case PartStreet:
		a.Street = s
	case PartCity:
		a.City = s
	case PartState:
		a.State = s
	case PartZip:
		a.Zip = s
	case PartCountry:
		a.Country = s
	}
	return a
}

// IsZero reports whether every part is empty.
func (a Address) IsZero() bool { return a == Address{} }

// String returns the address on one line: "1 Main St, Springfield, IL 62701, US".
func (a Address) String() string {
	parts := make([]string, 0, 4)
	for _, s := range []string{a.Street, a.City, strings.TrimSpace(a.State + " " + a.Zip), a.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// Item is one labelled value of a multi-value field: Phone "Mobile" +1 415….
type Item struct {
	Label string `json:"label,omitempty"`
	Value Value  `json:"value"`
}

// TextValue returns a text value (text and choice fields).
func TextValue(s string) Value { return Value{kind: KindText, str: s} }

// EmailValue returns an email address value.
func EmailValue(s string) Value { return Value{kind: KindEmail, str: s} }

// PhoneValue returns a phone number value.
func PhoneValue(s string) Value { return Value{kind: KindPhone, str: s} }

// URLValue returns a web address value.
func URLValue(s string) Value { return Value{kind: KindURL, str: s} }

// NumberValue returns a number value.
func NumberValue(d Decimal) Value { return Value{kind: KindNumber, any: d} }

// IntValue returns a whole number value.
func IntValue(n int64) Value { return NumberValue(DecimalFromInt(n)) }

// BoolValue returns a boolean value.
func BoolValue(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.num = 1
	}
	return v
}

// DateValue returns a calendar date value.
func DateValue(d Date) Value {
	// A date is packed as yyyymmdd in num; one that packing cannot give
	// back (a negative year, a month or day past 99) is kept whole in any
	// as well. num is the packed form in both cases: the fingerprint hashes
	// it, as it always has.
	v := Value{kind: KindDate, num: int64(d.Year)*10000 + int64(d.Month)*100 + int64(d.Day)}
	if d.Year < 0 || d.Year > 1e12 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		v.any = d
	}
	return v
}

// DateTimeValue returns an instant. The monotonic clock reading is dropped.
func DateTimeValue(t time.Time) Value { return Value{kind: KindDateTime, any: t.Round(0)} }

// RefValue returns a reference: the target record's id (empty until the
// reference is resolved) and the key the user knows it by.
func RefValue(id, key string) Value {
	// The key is in str and the id, when there is one, in any: an
	// unresolved reference, as mapping makes one per row, allocates
	// nothing, and a resolved one only the id's string header.
	if id == "" {
		return Value{kind: KindRef, str: key}
	}
	return Value{kind: KindRef, str: key, any: id}
}

// ref returns the reference of a Ref value.
func (v Value) ref() Ref {
	id, _ := v.any.(string)
	return Ref{ID: id, Key: v.str}
}

// AddressValue returns a postal address value.
func AddressValue(a Address) Value { return Value{kind: KindAddress, any: &a} }

// addr returns the address of an Address value: any holds a pointer (an
// Arena hands out addresses from a shared block), never changed once made.
func (v Value) addr() Address {
	if p, ok := v.any.(*Address); ok {
		return *p
	}
	return Address{}
}

// ListValue returns the labelled values of a multi-value field. Null items
// are dropped and nested lists are flattened, so a list never holds a list.
func ListValue(items ...Item) Value {
	out := make([]Item, 0, len(items))
	for _, it := range items {
		switch it.Value.kind {
		case KindNull:
		case KindList:
			out = append(out, it.Value.items()...)
		default:
			out = append(out, it)
		}
	}
	return listOf(out)
}

// listOf returns the List value of items. It keeps a pointer to the first
// item, and the count in num, rather than the slice itself: a slice in an
// interface costs an allocation of its own, a pointer does not, and a
// large import makes several lists per row.
func listOf(items []Item) Value {
	if len(items) == 0 {
		return Value{kind: KindList}
	}
	return Value{kind: KindList, num: int64(len(items)), any: &items[0]}
}

// items returns the items of a List value.
func (v Value) items() []Item {
	if v.num == 0 {
		return nil
	}
	return unsafe.Slice(v.any.(*Item), v.num)
}

// Kind returns v's kind.
func (v Value) Kind() Kind { return v.kind }

// Str returns the string of a Text, Email, Phone or URL value, and "" for
// other kinds (see String for a display form of any kind).
func (v Value) Str() string {
	switch v.kind {
	case KindText, KindEmail, KindPhone, KindURL:
		return v.str
	}
	return ""
}

// Number returns the number of a Number value.
func (v Value) Number() (Decimal, bool) {
	d, ok := v.any.(Decimal)
	return d, ok && v.kind == KindNumber
}

// Bool returns the boolean of a Bool value.
func (v Value) Bool() (b, ok bool) { return v.num == 1, v.kind == KindBool }

// Date returns the date of a Date value.
func (v Value) Date() (Date, bool) {
	if v.kind != KindDate {
		return Date{}, false
	}
	if d, ok := v.any.(Date); ok {
		return d, true
	}
	return Date{int(v.num / 10000), time.Month(v.num / 100 % 100), int(v.num % 100)}, true
}

// Time returns the instant of a DateTime value.
func (v Value) Time() (time.Time, bool) {
	t, ok := v.any.(time.Time)
	return t, ok && v.kind == KindDateTime
}

// Ref returns the reference of a Ref value.
func (v Value) Ref() (Ref, bool) {
	if v.kind != KindRef {
		return Ref{}, false
	}
	return v.ref(), true
}

// Address returns the address of an Address value.
func (v Value) Address() (Address, bool) {
	if v.kind != KindAddress {
		return Address{}, false
	}
	return v.addr(), true
}

// List returns the items of a List value, or the value itself as one
// unlabelled item when it is not a list and not null, so that code reading
// a multi-value field also handles a single value. The slice must not be
// modified.
func (v Value) List() []Item {
	switch v.kind {
	case KindList:
		return v.items()
	case KindNull:
		return nil
	}
	return []Item{{Value: v}}
}

// IsNull reports whether v is the null value.
func (v Value) IsNull() bool { return v.kind == KindNull }

// IsZero reports whether v holds nothing a user would call a value: null,
// empty text, an empty list or address, an unset reference. Numbers, dates
// and booleans are never zero (0 and false are values).
func (v Value) IsZero() bool {
	switch v.kind {
	case KindNull:
		return true
	case KindText, KindEmail, KindPhone, KindURL:
		return v.str == ""
	case KindRef:
		r := v.ref()
		return r.ID == "" && r.Key == ""
	case KindAddress:
		return v.addr().IsZero()
	case KindList:
		return len(v.items()) == 0
	}
	return false
}

// Equal reports whether v and w are the same value: the same kind and the
// same content. Numbers must have the same digits (1.5 and 1.50 differ; use
// Decimal.Cmp to compare numerically), instants the same moment (as
// time.Time.Equal), lists the same labels and values in the same order.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindNull:
		return true
	case KindText, KindEmail, KindPhone, KindURL:
		return v.str == w.str
	case KindBool:
		return v.num == w.num
	case KindDate:
		if v.any != nil || w.any != nil {
			a, _ := v.Date()
			b, _ := w.Date()
			return a == b
		}
		return v.num == w.num
	case KindNumber:
		return v.any.(Decimal) == w.any.(Decimal)
	case KindDateTime:
		return v.any.(time.Time).Equal(w.any.(time.Time))
	case KindRef:
		return v.ref() == w.ref()
	case KindAddress:
		return v.addr() == w.addr()
	case KindList:
		a, b := v.items(), w.items()
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i].Label != b[i].Label || !a[i].Value.Equal(b[i].Value) {
				return false
			}
		}
		return true
	}
	return false
}

// String returns v for display: text as is, numbers with their digits,
// dates in ISO 8601, instants in RFC 3339, a reference by its key (or id),
// an address on one line, a list as "Label: value; Label: value".
func (v Value) String() string {
	switch v.kind {
	case KindText, KindEmail, KindPhone, KindURL:
		return v.str
	case KindNumber:
		return v.any.(Decimal).String()
	case KindBool:
		return strconv.FormatBool(v.num == 1)
	case KindDate:
		d, _ := v.Date()
		return d.String()
	case KindDateTime:
		return v.any.(time.Time).Format(time.RFC3339Nano)
	case KindRef:
		if r := v.ref(); r.Key != "" {
			return r.Key
		} else {
			return r.ID
		}
	case KindAddress:
		return v.addr().String()
	case KindList:
		var b strings.Builder
		for i, it := range v.items() {
			if i > 0 {
				b.WriteString("; ")
			}
			if it.Label != "" {
				b.WriteString(it.Label)
				b.WriteString(": ")
			}
			b.WriteString(it.Value.String())
		}
		return b.String()
	}
	return ""
}
