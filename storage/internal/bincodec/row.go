package bincodec

import (
	"bytes"

	"github.com/crmio/crmio"
)

// RowDecoder decodes named encodings into rows of a fixed list of fields,
// as a store reading a scan in chunks does (storage.Chunk): a record's
// value of fields[i] goes to row[i], with no map. It keeps the slots of
// the last list of names met, which the records of a module mostly
// share, so that a record whose header is the last one's costs one
// comparison of a few bytes for all of its names. It is not safe for
// concurrent use.
type RowDecoder struct {
	slot   map[string]int // field → its place in a row
	header []byte         // the names of the last encoding met, as encoded
	slots  []int          // the row's place of each of them; -1: not wanted
	names  []string       // scratch for namedHeader
}

// NewRowDecoder returns a decoder of rows of fields, which must not repeat
// a name.
func NewRowDecoder(fields []string) *RowDecoder {
	d := &RowDecoder{slot: make(map[string]int, len(fields))}
	for i, f := range fields {
		d.slot[f] = i
	}
	return d
}

// Slot returns the place of field in a row, or -1 when the row lacks it.
func (d *RowDecoder) Slot(field string) int {
	if i, ok := d.slot[field]; ok {
		return i
	}
	return -1
}

// Decode decodes the named encoding b into row, which has a value per
// field of the decoder: the fields b lacks become the null Value and the
// fields of b that row lacks are skipped. Lists and addresses are made in
// arena (nil: on the heap); strings are made per mode.
func (d *RowDecoder) Decode(arena *crmio.Arena, b []byte, mode Mode, row []crmio.Value) error {
	clear(row)
	if len(d.header) == 0 || len(b) < len(d.header) || !bytes.Equal(b[:len(d.header)], d.header) {
		names, rec, err := namedHeader(b, d.names[:0])
		if err != nil {
			return err
		}
		d.names = names
		d.header = append(d.header[:0], b[:len(b)-len(rec)]...)
		d.slots = d.slots[:0]
		for _, n := range names {
			d.slots = append(d.slots, d.Slot(n))
		}
	}
	r, n, err := open(b[len(d.header):])
	if err != nil {
		return err
	}
	r.arena = arena
	switch {
	case mode == View:
		r.view = true
	case len(r.heap) > 0:
		r.heapStr = string(r.heap)
	}
	for range n {
		id := r.uvarint()
		if r.err != nil || id >= uint64(len(d.slots)) {
			return ErrCorrupt
		}
		at := d.slots[id]
		v := r.value(at < 0 || at >= len(row))
		if r.err != nil {
			return ErrCorrupt
		}
		if at >= 0 && at < len(row) {
			row[at] = v
		}
	}
	if !r.whole() {
		return ErrCorrupt
	}
	return nil
}
