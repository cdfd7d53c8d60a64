package valuecodec

import (
	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/jsonstr"
)

// Encoder writes what AppendValues writes, byte for byte
// (TestEncoder and FuzzEncoder check it), faster for the records of a
// batch, which mostly share their fields. It keeps the sorted field names of the record before, with
// the JSON of each name; a record with as many fields, all of them among
// those names, has the same fields, and is encoded without listing,
// sorting and quoting its names again. Values of the common kinds are
// encoded inline, without a call per value or an allocation.
type Encoder struct {
	names []string // the fields of the last record, sorted
	keys  []byte   // `"name":` of each of names, in order
	ends  []int    // where each name's key ends in keys
}

// Append appends the JSON object of values, as AppendValues does, and
// returns the sorted field names, which stay valid until the next call.
// The zero Encoder is ready to use; it is not safe for concurrent use.
func (e *Encoder) Append(b []byte, values map[string]crmio.Value) ([]byte, []string) {
	if len(values) == len(e.names) && len(values) > 0 {
		start := len(b)
		b = append(b, '{')
		prev := 0
		for i, name := range e.names {
			v, ok := values[name]
			if !ok {
				b = b[:start]
				goto slow
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e.keys[prev:e.ends[i]]...)
			prev = e.ends[i]
			b = appendValue(b, v)
		}
		return append(b, '}'), e.names
	}
slow:
	e.names = SortedFields(values, e.names[:0])
	e.keys, e.ends = e.keys[:0], e.ends[:0]
	for _, name := range e.names {
		e.keys = append(jsonstr.Append(e.keys, name), ':')
		e.ends = append(e.ends, len(e.keys))
	}
	b = append(b, '{')
	prev := 0
	for i, name := range e.names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e.keys[prev:e.ends[i]]...)
		prev = e.ends[i]
		b = appendValue(b, values[name])
	}
	return append(b, '}'), e.names
}

// appendValue appends what v.AppendJSON appends, without a call through
// crmio for the common kinds.
func appendValue(b []byte, v crmio.Value) []byte {
	switch k := v.Kind(); k {
	case crmio.KindNull:
		return append(b, "null"...)
	case crmio.KindText:
		return append(jsonstr.Append(append(b, `{"text":`...), v.Str()), '}')
	case crmio.KindEmail:
		return append(jsonstr.Append(append(b, `{"email":`...), v.Str()), '}')
	case crmio.KindPhone:
		return append(jsonstr.Append(append(b, `{"phone":`...), v.Str()), '}')
	case crmio.KindURL:
		return append(jsonstr.Append(append(b, `{"url":`...), v.Str()), '}')
	case crmio.KindNumber:
		d, _ := v.Number()
		return append(append(append(b, `{"number":"`...), d.String()...), `"}`...)
	case crmio.KindBool:
		if t, _ := v.Bool(); t {
			return append(b, `{"bool":true}`...)
		}
		return append(b, `{"bool":false}`...)
	case crmio.KindDate:
		d, _ := v.Date()
		y, m := d.Year, int(d.Month)
		if y < 0 || y > 9999 || m < 1 || m > 12 || d.Day < 0 || d.Day > 99 {
			return v.AppendJSON(b)
		}
		return append(b, '{', '"', 'd', 'a', 't', 'e', '"', ':', '"',
			byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
			byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d.Day/10), byte('0'+d.Day%10), '"', '}')
	case crmio.KindRef:
		r, _ := v.Ref()
		b = jsonstr.Append(append(b, `{"ref":{"id":`...), r.ID)
		return append(jsonstr.Append(append(b, `,"key":`...), r.Key), "}}"...)
	case crmio.KindList:
		b = append(b, `{"list":[`...)
		for i, it := range v.List() {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(append(b, `{"label":`...), it.Label)
			b = append(appendValue(append(b, `,"value":`...), it.Value), '}')
		}
		return append(b, "]}"...)
	}
	return v.AppendJSON(b) // datetime, address, and kinds this file does not know
}
