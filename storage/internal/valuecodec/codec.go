// Package valuecodec is how the SQL stores keep a record's values.
//
// The stored form is bincodec's named encoding (Encoder): the record's
// field names in name order, then the values in binary, so that equal
// records are stored as equal bytes. It replaced, in schema version 6 of
// both stores, a JSON object of field name → crmio.Value JSON form, which
// took more than twice the bytes and most of the time of reading a record
// back. Records written before keep their JSON until they are written
// again: DecodeValues reads both, telling them apart by the first byte
// (bincodec.IsNamed), the JSON quickly for the forms AppendValues wrote
// and through encoding/json for anything else. AppendValues writes that
// JSON form still, for the tests of what older versions left.
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
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// AppendValues appends the JSON object that kept a record's values before
// schema version 6 (see the package doc):
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

// DecodeValues parses a stored form: what Encoder writes, or the JSON of
// AppendValues (quickly for the forms AppendValues writes, through
// encoding/json for anything else).
func DecodeValues(data []byte) (map[string]crmio.Value, error) {
	return DecodeValuesIn(nil, data)
}

// DecodeValuesIn is DecodeValues making the lists and addresses of the
// binary form in arena (see bincodec.DecodeIn); nil is DecodeValues.
func DecodeValuesIn(arena *crmio.Arena, data []byte) (map[string]crmio.Value, error) {
	if bincodec.IsNamed(data) {
		values, err := bincodec.DecodeNamedIn(arena, data)
		if err != nil {
			return nil, fmt.Errorf("stored values are not valid: %w", err)
		}
		return values, nil
	}
	if values, ok := fastDecodeValues(data); ok {
		return values, nil
	}
	values := make(map[string]crmio.Value)
	if err := json.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("stored values are not valid: %w", err)
	}
	return values, nil
}

// DecodeRow decodes a stored form into row, the values of the decoder's
// fields in order (see bincodec.RowDecoder): the binary form straight into
// it, the JSON form through a map.
func DecodeRow(d *bincodec.RowDecoder, arena *crmio.Arena, data []byte, mode bincodec.Mode, row []crmio.Value) error {
	if bincodec.IsNamed(data) {
		if err := d.Decode(arena, data, mode, row); err != nil {
			return fmt.Errorf("stored values are not valid: %w", err)
		}
		return nil
	}
	values, err := DecodeValues(data)
	if err != nil {
		return err
	}
	clear(row)
	for name, v := range values {
		if at := d.Slot(name); at >= 0 && at < len(row) {
			row[at] = v
		}
	}
	return nil
}
