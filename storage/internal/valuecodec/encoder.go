package valuecodec

import (
	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// Encoder writes the stored form of records' values: bincodec's named
// encoding, fields in name order, so that equal records are stored as
// equal bytes. It keeps the sorted field names of the record before; a
// record with as many fields, all of them among those names, has the same
// fields, and is encoded without listing and sorting its names again (the
// records of a batch mostly share their fields).
//
// The zero Encoder is ready to use; it is not safe for concurrent use.
type Encoder struct {
	names []string // the fields of the last record, sorted
	bin   bincodec.NamedEncoder
}

// Append appends the stored form of values and returns their sorted field
// names, which stay valid until the next call.
func (e *Encoder) Append(b []byte, values map[string]crmio.Value) ([]byte, []string) {
	if !sameFields(values, e.names) {
		e.names = SortedFields(values, e.names[:0])
	}
	return e.bin.Append(b, values, e.names), e.names
}

// sameFields reports whether values has exactly the fields names (which
// holds no name twice).
func sameFields(values map[string]crmio.Value, names []string) bool {
	if len(values) != len(names) {
		return false
	}
	for _, name := range names {
		if _, ok := values[name]; !ok {
			return false
		}
	}
	return true
}
