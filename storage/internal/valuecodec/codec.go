// Package valuecodec is how the SQL stores keep a record's values: one JSON
// object of field name → crmio.Value JSON form, fields in name order so
// that equal records are stored as equal text, and a decoder for it that is
// several times faster than encoding/json on the forms it writes (and falls
// back to encoding/json on anything else). AppendValues is the plain
// encoder; an Encoder writes the same bytes faster for the records of a
// batch, which share their fields.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzEncoder$' -fuzzminimizetime 0 ./storage/internal/valuecodec
//	go test -run '^$' -fuzz '^FuzzFastDecodeValues$' -fuzzminimizetime 0 ./storage/internal/valuecodec
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package valuecodec

import (
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// AppendValues appends the JSON object that keeps a record's values:
// field name → the Value's JSON form (crmio.Value.AppendJSON), fields in
// name order so that equal records are stored as equal text. A field
// present with the null Value is kept as null, so that absent and null
// stay apart.
func AppendValues(b []byte, values map[string]crmio.Value, names []string) ([]byte, []string) {
	names = SortedFields(values, names[:0])
	b = append(b, '{')
	for i, name := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = values[name].AppendJSON(b)
	}
	return append(b, '}'), names
}

// SortedFields appends the field names of values to dst, sorted.
func SortedFields(values map[string]crmio.Value, dst []string) []string {
	for name := range values {
		dst = append(dst, name)
	}
	slices.Sort(dst)
	return dst
}

// DecodeValues parses what AppendValues wrote: quickly for the forms
// AppendValues writes, through encoding/json for anything else.
func DecodeValues(data []byte) (map[string]crmio.Value, error) {
	if values, ok := fastDecodeValues(data); ok {
		return values, nil
	}
	values := make(map[string]crmio.Value)
	if err := json.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("stored values are not valid: %w", err)
	}
	return values, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, as crmio writes it (as encoding/json would, without its HTML escapes; invalid
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
