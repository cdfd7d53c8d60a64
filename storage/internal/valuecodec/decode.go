package valuecodec

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// Reading records back is mostly decoding their JSON. encoding/json
// decodes a Value through crmio.Value.UnmarshalJSON, which builds a
// json.Decoder per value: about 15 KB and 170 allocations for a record of
// eight fields. fastDecodeValues reads the form appendValues writes
// directly, several times faster, and gives up (decodeValues then falls
// back to encoding/json, whose result is the reference) on anything else:
// unknown or repeated members, escapes it does not handle, invalid UTF-8.

// jsonReader reads JSON from b; its methods report false on anything
// outside the subset fastDecodeValues handles.
type jsonReader struct {
	b []byte
	i int
}

func (r *jsonReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// consume skips white space and c, reporting whether c was there.
func (r *jsonReader) consume(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// literal skips white space and the literal s (null, true, false).
func (r *jsonReader) literal(s string) bool {
	r.ws()
	if len(r.b)-r.i >= len(s) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// end reports whether only white space is left.
func (r *jsonReader) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// str reads a string.
func (r *jsonReader) str() (string, bool) {
	if !r.consume('"') {
		return "", false
	}
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\':
			return r.escapedStr(start)
		case c < 0x20:
			return "", false
		}
		r.i++
	}
	return "", false
}

// escapedStr reads the rest of a string holding escapes, from start.
func (r *jsonReader) escapedStr(start int) (string, bool) {
	out := append([]byte(nil), r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(out) {
				return "", false
			}
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			return "", false
		}
		e := r.b[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if r.i+4 > len(r.b) {
				return "", false
			}
			n, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 16)
			if err != nil || utf16.IsSurrogate(rune(n)) {
				return "", false // surrogates: encoding/json's rules
			}
			r.i += 4
			out = utf8.AppendRune(out, rune(n))
		default:
			return "", false
		}
	}
	return "", false
}

// fastDecodeValues decodes a record's values, as appendValues writes them.
func fastDecodeValues(data []byte) (map[string]crmio.Value, bool) {
	r := jsonReader{b: data}
	if !r.consume('{') {
		return nil, false
	}
	values := make(map[string]crmio.Value)
	if r.consume('}') {
		return values, r.end()
	}
	for {
		name, ok := r.str()
		if !ok || !r.consume(':') {
			return nil, false
		}
		v, ok := r.value()
		if !ok {
			return nil, false
		}
		if _, dup := values[name]; dup {
			return nil, false
		}
		values[name] = v
		if r.consume(',') {
			continue
		}
		if r.consume('}') && r.end() {
			return values, true
		}
		return nil, false
	}
}

// value reads a Value in its JSON form (see crmio.Value.MarshalJSON).
func (r *jsonReader) value() (crmio.Value, bool) {
	if r.literal("null") {
		return crmio.Value{}, true
	}
	if !r.consume('{') {
		return crmio.Value{}, false
	}
	kind, ok := r.str()
	if !ok || !r.consume(':') {
		return crmio.Value{}, false
	}
	var v crmio.Value
	switch kind {
	case "text", "email", "phone", "url":
		s, ok := r.str()
		if !ok {
			return v, false
		}
		switch kind {
		case "text":
			v = crmio.TextValue(s)
		case "email":
			v = crmio.EmailValue(s)
		case "phone":
			v = crmio.PhoneValue(s)
		default:
			v = crmio.URLValue(s)
		}
	case "number":
		s, ok := r.str()
		if !ok {
			return v, false
		}
		d, err := crmio.ParseDecimal(s)
		if err != nil {
			return v, false
		}
		v = crmio.NumberValue(d)
	case "bool":
		switch {
		case r.literal("true"):
			v = crmio.BoolValue(true)
		case r.literal("false"):
			v = crmio.BoolValue(false)
		default:
			return v, false
		}
	case "date":
		s, ok := r.str()
		if !ok {
			return v, false
		}
		d, err := crmio.ParseDate(s)
		if err != nil {
			return v, false
		}
		v = crmio.DateValue(d)
	case "datetime":
		s, ok := r.str()
		if !ok {
			return v, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return v, false
		}
		v = crmio.DateTimeValue(t)
	case "ref":
		var ref crmio.Ref
		ok := r.object(func(key string) bool {
			var ok bool
			switch key {
			case "id":
				ref.ID, ok = r.str()
			case "key":
				ref.Key, ok = r.str()
			}
			return ok
		})
		if !ok {
			return v, false
		}
		v = crmio.RefValue(ref.ID, ref.Key)
	case "address":
		var a crmio.Address
		ok := r.object(func(key string) bool {
			for _, p := range crmio.AddressParts {
				if key == string(p) {
					s, ok := r.str()
					a = a.WithPart(p, s)
					return ok
				}
			}
			return false
		})
		if !ok {
			return v, false
		}
		v = crmio.AddressValue(a)
	case "list":
		var items []crmio.Item
		if !r.consume('[') {
			return v, false
		}
		if !r.consume(']') {
			for {
				var it crmio.Item
				ok := r.object(func(key string) bool {
					var ok bool
					switch key {
					case "label":
						it.Label, ok = r.str()
					case "value":
						it.Value, ok = r.value()
					}
					return ok
				})
				if !ok {
					return v, false
				}
				items = append(items, it)
				if r.consume(',') {
					continue
				}
				if r.consume(']') {
					break
				}
				return v, false
			}
		}
		v = crmio.ListValue(items...)
	default:
		return v, false
	}
	return v, r.consume('}')
}

// object reads an object, calling member to read the value of each key;
// a key met twice, or one member does not know, ends it with false.
func (r *jsonReader) object(member func(key string) bool) bool {
	if !r.consume('{') {
		return false
	}
	if r.consume('}') {
		return true
	}
	var seen []string
	for {
		key, ok := r.str()
		if !ok || !r.consume(':') {
			return false
		}
		for _, k := range seen {
			if k == key {
				return false
			}
		}
		seen = append(seen, key)
		if !member(key) {
			return false
		}
		if r.consume(',') {
			continue
		}
		return r.consume('}')
	}
}
