package bincodec

import (
	"slices"
	"sync"

	"github.com/crmio/crmio"
)

// A named encoding is self-contained: it carries its field names, so that
// a store can keep it apart from any Symbols table, in a database column
// that outlives the process (the SQL stores). It is the record's encoding
// above preceded by the names, each field numbered by its place among
// them:
//
//	named  := 0x00 uvarint(version) uvarint(fields) { name } record
//	name   := uvarint(2*i + 1)          (version 2: commonNames[i])
//	        | uvarint(2*len) bytes      (version 2: spelled out)
//	        | uvarint(len) bytes        (version 1)
//	record := as above, the symbol of a field being its index in the names
//
// Version 2 writes the common names (names.go) as their number: the
// contacts of a 500,000-row import took 316 bytes each on average with
// version 1, 253 with version 2. Both are
// read; version 2 is written.
//
// The first byte, 0x00, is never the first byte of a JSON text, so that a
// column may hold named encodings beside the JSON objects written before
// them and a reader tells them apart by that byte (IsNamed).
const (
	namedMagic     = 0x00
	namedSpelledV1 = 1 // every name spelled out
	namedVersion   = 2 // common names by number
)

// IsNamed reports whether b is a named encoding (of any version) rather
// than something else kept in the same place, such as a JSON object.
func IsNamed(b []byte) bool { return len(b) > 0 && b[0] == namedMagic }

// NamedEncoder writes named encodings, keeping scratch space between
// calls. The zero NamedEncoder is ready to use; it is not safe for
// concurrent use.
type NamedEncoder struct {
	meta, heap []byte
	// The names of the last call and their encoding: the records of a
	// batch mostly share their fields.
	lastNames []string
	header    []byte
}

// Append appends the named encoding of values to dst. names is every
// field of values, each once, in the order they are written: sorted, for
// a store that wants equal records encoded as equal bytes.
func (e *NamedEncoder) Append(dst []byte, values map[string]crmio.Value, names []string) []byte {
	// The names of one batch's records are mostly the very same strings,
	// which compare without reading their bytes.
	if len(e.header) == 0 || !slices.Equal(names, e.lastNames) {
		e.header = appendNames(e.header[:0], names)
		e.lastNames = append(e.lastNames[:0], names...)
	}
	dst = append(dst, e.header...)
	meta := appendUvarint(e.meta[:0], uint64(len(names)))
	heap := e.heap[:0]
	for i, name := range names {
		meta = appendUvarint(meta, uint64(i))
		v := values[name]
		switch k := v.Kind(); k {
		case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL:
			str := v.Str()
			meta = appendUvarint(append(meta, byte(k)), uint64(len(str)))
			heap = append(heap, str...)
		default:
			meta, heap = appendValue(meta, heap, &v)
		}
	}
	dst = appendUvarint(dst, uint64(len(meta)))
	dst = append(dst, meta...)
	dst = append(dst, heap...)
	e.meta, e.heap = meta, heap
	return dst
}

// appendNames appends the header of a named encoding of the fields names.
func appendNames(dst []byte, names []string) []byte {
	dst = append(dst, namedMagic, namedVersion)
	dst = appendUvarint(dst, uint64(len(names)))
	for _, name := range names {
		if i, ok := commonIndex[name]; ok {
			dst = appendUvarint(dst, 2*i+1)
			continue
		}
		dst = appendUvarint(dst, 2*uint64(len(name)))
		dst = append(dst, name...)
	}
	return dst
}

// maxNamedFields bounds the names a named encoding may declare, so that
// corrupt bytes cannot make a decoder allocate without limit; a record
// has far fewer fields.
const maxNamedFields = 1 << 16

// namedHeader reads the names of a named encoding into names (reused) and
// returns them with the record's encoding that follows.
func namedHeader(b []byte, names []string) ([]string, []byte, error) {
	if len(b) < 2 || b[0] != namedMagic || (b[1] != namedVersion && b[1] != namedSpelledV1) {
		return nil, nil, ErrCorrupt
	}
	v1 := b[1] == namedSpelledV1
	r := reader{meta: b[2:]}
	n := r.uvarint()
	if n > maxNamedFields || n > uint64(len(r.meta)) {
		return nil, nil, ErrCorrupt
	}
	names = names[:0]
	for range int(n) {
		size := r.uvarint()
		if !v1 {
			if size%2 == 1 {
				if i := size / 2; i < uint64(len(commonNames)) {
					names = append(names, commonNames[i])
					continue
				}
				return nil, nil, ErrCorrupt
			}
			size /= 2
		}
		if size > uint64(len(r.meta)) {
			return nil, nil, ErrCorrupt
		}
		names = append(names, fieldNames.intern(r.meta[:size]))
		r.meta = r.meta[size:]
	}
	if r.err != nil {
		return nil, nil, ErrCorrupt
	}
	return names, r.meta, nil
}

// DecodeNamed returns the values of a named encoding, in a new map: one
// allocation for the map and one for all of its strings, the field names
// coming from an intern table.
func DecodeNamed(b []byte) (map[string]crmio.Value, error) {
	return DecodeNamedIn(nil, b)
}

// DecodeNamedIn is DecodeNamed making the lists and addresses in arena
// (see DecodeIn).
func DecodeNamedIn(arena *crmio.Arena, b []byte) (map[string]crmio.Value, error) {
	var buf [32]string
	names, rec, err := namedHeader(b, buf[:0])
	if err != nil {
		return nil, err
	}
	return DecodeIn(arena, rec, names)
}

// DecodeNamedInto decodes the fields of a named encoding that want
// accepts into dst, for reading a few fields of many records, and
// reports how many it decoded.
func DecodeNamedInto(dst map[string]crmio.Value, b []byte, mode Mode, want func(name string) bool) (int, error) {
	var buf [32]string
	names, rec, err := namedHeader(b, buf[:0])
	if err != nil {
		return 0, err
	}
	return DecodeInto(dst, rec, names, mode, func(id uint32) bool { return want(names[id]) })
}

// internTable hands out one string per field name met, so that decoding a
// record allocates no name: a CRM's modules have a bounded set of fields.
// Past maxInterned names (corrupt or hostile data), names are allocated
// as they come.
type internTable struct {
	mu    sync.RWMutex
	names map[string]string
}

const maxInterned = 1 << 14

var fieldNames = internTable{names: make(map[string]string)}

func (t *internTable) intern(b []byte) string {
	t.mu.RLock()
	s, ok := t.names[string(b)] // no allocation: the compiler knows the key is not kept
	t.mu.RUnlock()
	if ok {
		return s
	}
	s = string(b)
	t.mu.Lock()
	if len(t.names) < maxInterned {
		if old, ok := t.names[s]; ok {
			s = old
		} else {
			t.names[s] = s
		}
	}
	t.mu.Unlock()
	return s
}
