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
	"github.com/crmio/crmio/internal/jsonstr"
	"slices"

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
		b = jsonstr.Append(b, name)
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
