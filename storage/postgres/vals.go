package postgres

import (
	"unicode/utf8"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// valsEncoder writes a record's vals: byte for byte what
// valuecodec.AppendValues writes (TestValsEncoder checks it against
// valuecodec), faster for the records of one batch, which mostly share
// their fields. It keeps the sorted field names of the record before, with
// the JSON of each name; a record with as many fields, all of them among
// those names, has the same fields, and is encoded without listing,
// sorting and quoting its names again. Values of the common kinds are
// encoded inline, without a call per value or an allocation.
type valsEncoder struct {
	names []string // the fields of the last record, sorted
	keys  []byte   // `"name":` of each of names, in order
	ends  []int    // where each name's key ends in keys
}

// append appends the vals of values, and returns the sorted field names,
// which stay valid until the next call.
func (e *valsEncoder) append(b []byte, values map[string]crmio.Value) ([]byte, []string) {
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
			b = appendValueJSON(b, v)
		}
		return append(b, '}'), e.names
	}
slow:
	e.names = valuecodec.SortedFields(values, e.names[:0])
	e.keys, e.ends = e.keys[:0], e.ends[:0]
	for _, name := range e.names {
		e.keys = append(appendJSONString(e.keys, name), ':')
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
		b = appendValueJSON(b, values[name])
	}
	return append(b, '}'), e.names
}

// appendValueJSON appends v.AppendJSON(nil), without a call through
// crmio for the common kinds.
func appendValueJSON(b []byte, v crmio.Value) []byte {
	switch k := v.Kind(); k {
	case crmio.KindNull:
		return append(b, "null"...)
	case crmio.KindText:
		return append(appendJSONString(append(b, `{"text":`...), v.Str()), '}')
	case crmio.KindEmail:
		return append(appendJSONString(append(b, `{"email":`...), v.Str()), '}')
	case crmio.KindPhone:
		return append(appendJSONString(append(b, `{"phone":`...), v.Str()), '}')
	case crmio.KindURL:
		return append(appendJSONString(append(b, `{"url":`...), v.Str()), '}')
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
		b = appendJSONString(append(b, `{"ref":{"id":`...), r.ID)
		return append(appendJSONString(append(b, `,"key":`...), r.Key), "}}"...)
	case crmio.KindList:
		b = append(b, `{"list":[`...)
		for i, it := range v.List() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(append(b, `{"label":`...), it.Label)
			b = append(appendValueJSON(append(b, `,"value":`...), it.Value), '}')
		}
		return append(b, "]}"...)
	}
	return v.AppendJSON(b) // datetime, address, and kinds this file does not know
}

// appendJSONString appends s as a JSON string, as crmio and valuecodec
// write it (as encoding/json would, without its HTML escapes; invalid
// UTF-8 becomes U+FFFD). Plain ASCII, most of what a record holds, is
// copied in one piece.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	if i == len(s) {
		return append(append(b, s...), '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
