package crmio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/crmio/crmio/internal/jsonstr"
	"strconv"
	"time"
)

// The JSON form of a Value is null or an object with exactly one member
// naming the kind:
//
//	null
//	{"text":"Ada"}   {"email":"ada@example.com"}   {"phone":"+14155550102"}   {"url":"https://…"}
//	{"number":"1234.50"}   {"bool":true}   {"date":"1815-12-10"}   {"datetime":"2024-01-15T10:30:00Z"}
//	{"ref":{"id":"42","key":"Acme"}}   {"address":{"street":"…","city":"…"}}
//	{"list":[{"label":"Mobile","value":{"phone":"+14155550102"}}]}
//
// Numbers are strings so that no JSON decoder rounds them. The form
// round-trips exactly: Unmarshal(Marshal(v)) is Equal to v.

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(nil), nil
}

// AppendJSON appends v's JSON form to b. It is what MarshalJSON does,
// without the allocation, for stores that encode many values.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case KindNull:
		return append(b, "null"...)
	case KindText, KindEmail, KindPhone, KindURL:
		b = append(b, `{"`...)
		b = append(b, kindNames[v.kind]...)
		b = append(b, `":`...)
		return append(jsonstr.Append(b, v.str), '}')
	case KindNumber:
		b = append(b, `{"number":"`...)
		return append(append(b, v.any.(Decimal).String()...), `"}`...)
	case KindBool:
		return append(append(b, `{"bool":`...), strconv.FormatBool(v.num == 1)+"}"...)
	case KindDate:
		d, _ := v.Date()
		return append(append(b, `{"date":"`...), d.String()+`"}`...)
	case KindDateTime:
		b = append(b, `{"datetime":"`...)
		b = v.any.(time.Time).AppendFormat(b, time.RFC3339Nano)
		return append(b, `"}`...)
	case KindRef:
		r := v.ref()
		b = append(b, `{"ref":{"id":`...)
		b = jsonstr.Append(b, r.ID)
		b = append(b, `,"key":`...)
		return append(jsonstr.Append(b, r.Key), "}}"...)
	case KindAddress:
		a := v.addr()
		b = append(b, `{"address":{`...)
		first := true
		for _, p := range AddressParts {
			s := a.Part(p)
			if s == "" {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = jsonstr.Append(b, string(p))
			b = append(b, ':')
			b = jsonstr.Append(b, s)
		}
		return append(b, "}}"...)
	case KindList:
		b = append(b, `{"list":[`...)
		for i, it := range v.items() {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"label":`...)
			b = jsonstr.Append(b, it.Label)
			b = append(b, `,"value":`...)
			b = append(it.Value.AppendJSON(b), '}')
		}
		return append(b, "]}"...)
	}
	return append(b, "null"...)
}

type valueJSON struct {
	Text     *string  `json:"text"`
	Email    *string  `json:"email"`
	Phone    *string  `json:"phone"`
	URL      *string  `json:"url"`
	Number   *string  `json:"number"`
	Bool     *bool    `json:"bool"`
	Date     *string  `json:"date"`
	DateTime *string  `json:"datetime"`
	Ref      *Ref     `json:"ref"`
	Address  *Address `json:"address"`
	List     *[]Item  `json:"list"`
}

var errValueJSON = errors.New("crmio: a Value's JSON must be null or an object with exactly one of text, email, phone, url, number, bool, date, datetime, ref, address, list")

// UnmarshalJSON implements json.Unmarshaler.
func (v *Value) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*v = Value{}
		return nil
	}
	var j valueJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("%w: %v", errValueJSON, err)
	}
	var out []Value
	if j.Text != nil {
		out = append(out, TextValue(*j.Text))
	}
	if j.Email != nil {
		out = append(out, EmailValue(*j.Email))
	}
	if j.Phone != nil {
		out = append(out, PhoneValue(*j.Phone))
	}
	if j.URL != nil {
		out = append(out, URLValue(*j.URL))
	}
	if j.Number != nil {
		d, err := ParseDecimal(*j.Number)
		if err != nil {
			return err
		}
		out = append(out, NumberValue(d))
	}
	if j.Bool != nil {
		out = append(out, BoolValue(*j.Bool))
	}
	if j.Date != nil {
		d, err := ParseDate(*j.Date)
		if err != nil {
			return err
		}
		out = append(out, DateValue(d))
	}
	if j.DateTime != nil {
		t, err := time.Parse(time.RFC3339Nano, *j.DateTime)
		if err != nil {
			return fmt.Errorf("crmio: datetime %q is not RFC 3339", *j.DateTime)
		}
		out = append(out, DateTimeValue(t))
	}
	if j.Ref != nil {
		out = append(out, RefValue(j.Ref.ID, j.Ref.Key))
	}
	if j.Address != nil {
		out = append(out, AddressValue(*j.Address))
	}
	if j.List != nil {
		out = append(out, ListValue(*j.List...))
	}
	if len(out) != 1 {
		return errValueJSON
	}
	*v = out[0]
	return nil
}
