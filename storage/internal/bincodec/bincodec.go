// Package bincodec is a compact binary encoding of a record's values
// (map[string]crmio.Value) for stores that keep records in memory as bytes
// rather than as Go maps: bytes hold no pointers, so the garbage collector
// never scans them, and encoding straight from the caller's map costs less
// than cloning it.
//
// The encoding round-trips exactly: every Kind, the digits of a number,
// text bytes as given (even invalid UTF-8), a field present with the null
// Value versus absent. A DateTime keeps its instant and its UTC offset in
// seconds; it decodes in the location the JSON form would parse to (UTC
// for offset zero, time.Local where its offset is Local's at that
// instant, else a fixed zone), so that a store using this codec returns
// what a store keeping the JSON form (crmio.Value.AppendJSON) would.
//
// Field names are not written: a Symbols table numbers them, so each field
// costs a byte or two, and decoding returns the table's interned names
// without allocating.
//
// # Layout
//
//	record := uvarint(len(meta)) meta heap
//	meta   := uvarint(fields) { uvarint(symbol) value }
//	value  := kind byte, then by kind:
//	          text, email, phone, url, number: uvarint(len)   (the bytes in heap;
//	          a number's digits, empty for the zero Decimal)
//	          bool: one byte; date: varint year, month, day
//	          datetime: varint unix seconds, uvarint nanoseconds, varint offset
//	          ref: uvarint(len id) uvarint(len key); address: five uvarint(len)
//	          list: uvarint(items) { uvarint(len label) value }
//	heap   := every string's bytes, in the order meta names them
//
// Keeping the strings together lets a full decode make one string for all
// of them, which the decoded values then share: one allocation per record
// rather than one per string.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzDecode$' -fuzzminimizetime 0 ./storage/internal/bincodec
//	go test -run '^$' -fuzz '^FuzzRoundTrip$' -fuzzminimizetime 0 ./storage/internal/bincodec
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package bincodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/crmio/crmio"
)

// ErrCorrupt is returned for bytes that are not an encoding this package
// wrote.
var ErrCorrupt = errors.New("bincodec: corrupt encoding")

// Symbols numbers field names. It is safe for concurrent use: encoders add
// names under a mutex, and decoders read a published snapshot without
// locking. Numbers are never reused or changed, so an encoding stays valid
// for the life of its table.
type Symbols struct {
	mu    sync.RWMutex
	ids   map[string]uint32 // guarded by mu
	names atomic.Pointer[[]string]
}

// NewSymbols returns an empty table.
func NewSymbols() *Symbols {
	s := &Symbols{ids: make(map[string]uint32)}
	s.names.Store(new([]string))
	return s
}

// Names returns the names by number. A snapshot taken after an encoding
// was made names every field of that encoding. It must not be modified.
func (s *Symbols) Names() []string { return *s.names.Load() }

// Lookup returns the number of name, if it has one.
func (s *Symbols) Lookup(name string) (uint32, bool) {
	s.mu.RLock()
	id, ok := s.ids[name]
	s.mu.RUnlock()
	return id, ok
}

// add numbers name; the caller holds no lock.
func (s *Symbols) add(name string) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.ids[name]; ok {
		return id
	}
	old := *s.names.Load()
	id := uint32(len(old))
	// Appending writes past the length of every published snapshot, so
	// readers of older snapshots never see the write.
	names := append(old, name)
	s.ids[name] = id
	s.names.Store(&names)
	return id
}

// Encoder encodes records. It keeps scratch space between calls; it is not
// safe for concurrent use (keep one per goroutine, or pool them).
type Encoder struct {
	syms *Symbols
	meta []byte
	heap []byte
	// recent remembers the numbers of names met, by where the name's bytes
	// are: callers usually build every record's map with the same name
	// strings, and comparing a string with itself is cheaper than hashing
	// it for the table's map.
	recent [64]symbol
}

type symbol struct {
	name string
	id   uint32
}

// NewEncoder returns an encoder numbering fields with syms.
func NewEncoder(syms *Symbols) *Encoder { return &Encoder{syms: syms} }

// AppendRecords appends the encoding of every map of values to dst, and
// each encoding's end offset in dst to ends. It takes the table's lock
// once for the batch rather than once per field.
func (e *Encoder) AppendRecords(dst []byte, ends []int, values func(i int) map[string]crmio.Value, n int) ([]byte, []int) {
	s := e.syms
	s.mu.RLock()
	// meta and heap are kept in locals while a record is encoded, where
	// the compiler keeps them in registers, rather than in e.
	meta, heap := e.meta, e.heap
	for i := range n {
		vals := values(i)
		meta = appendUvarint(meta[:0], uint64(len(vals)))
		heap = heap[:0]
		for name, v := range vals {
			slot := &e.recent[(uintptr(unsafe.Pointer(unsafe.StringData(name)))>>3^uintptr(len(name)))%uintptr(len(e.recent))]
			id := slot.id
			if slot.name != name || name == "" {
				var ok bool
				if id, ok = s.ids[name]; !ok {
					s.mu.RUnlock()
					id = s.add(name)
					s.mu.RLock()
				}
				*slot = symbol{name: name, id: id}
			}
			meta = appendUvarint(meta, uint64(id))
			switch k := v.Kind(); k {
			case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL:
				// The most common kinds, without a call.
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
		ends = append(ends, len(dst))
	}
	s.mu.RUnlock()
	e.meta, e.heap = meta, heap
	return dst, ends
}

// AppendRecord appends the encoding of values to dst.
func (e *Encoder) AppendRecord(dst []byte, values map[string]crmio.Value) []byte {
	dst, _ = e.AppendRecords(dst, nil, func(int) map[string]crmio.Value { return values }, 1)
	return dst
}

// appendUvarint is binary.AppendUvarint, with the one-byte case (field
// numbers, lengths of short strings) first and inlined.
func appendUvarint(b []byte, x uint64) []byte {
	if x < 0x80 {
		return append(b, byte(x))
	}
	return binary.AppendUvarint(b, x)
}

// appendStr writes s: its length in meta, its bytes in heap.
func appendStr(meta, heap []byte, s string) ([]byte, []byte) {
	return appendUvarint(meta, uint64(len(s))), append(heap, s...)
}

// appendValue appends the encoding of v: its kind and fixed-size parts to
// meta, its strings to heap.
func appendValue(meta, heap []byte, v *crmio.Value) ([]byte, []byte) {
	k := v.Kind()
	meta = append(meta, byte(k))
	switch k {
	case crmio.KindNull:
	case crmio.KindText, crmio.KindEmail, crmio.KindPhone, crmio.KindURL:
		meta, heap = appendStr(meta, heap, v.Str())
	case crmio.KindNumber:
		// The zero Decimal is written empty: "0" is DecimalFromInt(0),
		// which is another representation (== tells them apart, and so
		// does Value.Equal).
		if d, _ := v.Number(); d != (crmio.Decimal{}) {
			meta, heap = appendStr(meta, heap, d.String())
		} else {
			meta = append(meta, 0)
		}
	case crmio.KindBool:
		b, _ := v.Bool()
		if b {
			meta = append(meta, 1)
		} else {
			meta = append(meta, 0)
		}
	case crmio.KindDate:
		d, _ := v.Date()
		meta = binary.AppendVarint(meta, int64(d.Year))
		meta = binary.AppendVarint(meta, int64(d.Month))
		meta = binary.AppendVarint(meta, int64(d.Day))
	case crmio.KindDateTime:
		t, _ := v.Time()
		_, off := t.Zone()
		meta = binary.AppendVarint(meta, t.Unix())
		meta = appendUvarint(meta, uint64(t.Nanosecond()))
		meta = binary.AppendVarint(meta, int64(off))
	case crmio.KindRef:
		r, _ := v.Ref()
		meta, heap = appendStr(meta, heap, r.ID)
		meta, heap = appendStr(meta, heap, r.Key)
	case crmio.KindAddress:
		a, _ := v.Address()
		meta, heap = appendStr(meta, heap, a.Street)
		meta, heap = appendStr(meta, heap, a.City)
		meta, heap = appendStr(meta, heap, a.State)
		meta, heap = appendStr(meta, heap, a.Zip)
		meta, heap = appendStr(meta, heap, a.Country)
	case crmio.KindList:
		items := v.List()
		meta = appendUvarint(meta, uint64(len(items)))
		for i := range items {
			it := &items[i]
			meta, heap = appendStr(meta, heap, it.Label)
			meta, heap = appendValue(meta, heap, &it.Value)
		}
	default:
		panic(fmt.Sprintf("bincodec: unknown kind %v", k))
	}
	return meta, heap
}

// reader walks an encoding. Strings come from heap, in order.
type reader struct {
	meta []byte
	heap []byte
	// heapStr, when set, is heap as one string: strings are cut from it
	// rather than allocated one by one.
	heapStr string
	// view makes strings alias heap (see View) rather than copy it.
	view bool
	// arena, when set, makes the lists and addresses (see DecodeIn).
	arena *crmio.Arena
	hp    int // next heap byte
	err   error
}

func split(b []byte) (reader, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return reader{}, ErrCorrupt
	}
	return reader{meta: b[w : w+int(n)], heap: b[w+int(n):]}, nil
}

// open splits an encoding and reads how many fields it holds (each takes
// at least a byte of meta).
func open(b []byte) (reader, int, error) {
	r, err := split(b)
	if err != nil {
		return reader{}, 0, err
	}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.meta)) {
		return reader{}, 0, ErrCorrupt
	}
	return r, int(n), nil
}

// whole reports whether the fields read were the whole encoding, without
// an error: nothing left of its meta or its heap.
func (r *reader) whole() bool { return r.err == nil && len(r.meta) == 0 && r.hp == len(r.heap) }

func (r *reader) uvarint() uint64 {
	n, w := binary.Uvarint(r.meta)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.meta = r.meta[w:]
	return n
}

func (r *reader) varint() int64 {
	n, w := binary.Varint(r.meta)
	if w <= 0 {
		r.fail()
		return 0
	}
	r.meta = r.meta[w:]
	return n
}

func (r *reader) byte() byte {
	if len(r.meta) == 0 {
		r.fail()
		return 0
	}
	c := r.meta[0]
	r.meta = r.meta[1:]
	return c
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = ErrCorrupt
	}
	r.meta = nil
}

// str returns the next string; skip only advances past it.
func (r *reader) str(skip bool) string {
	n := r.uvarint()
	if n > uint64(len(r.heap)-r.hp) {
		r.fail()
		return ""
	}
	start := r.hp
	r.hp += int(n)
	switch {
	case skip || n == 0:
		return ""
	case r.heapStr != "":
		return r.heapStr[start:r.hp]
	case r.view:
		return unsafe.String(&r.heap[start], int(n))
	}
	return string(r.heap[start:r.hp])
}

// value decodes the next value; with skip it only advances past it and
// returns the null Value.
func (r *reader) value(skip bool) crmio.Value {
	k := crmio.Kind(r.byte())
	switch k {
	case crmio.KindNull:
		return crmio.Value{}
	case crmio.KindText:
		return crmio.TextValue(r.str(skip))
	case crmio.KindEmail:
		return crmio.EmailValue(r.str(skip))
	case crmio.KindPhone:
		return crmio.PhoneValue(r.str(skip))
	case crmio.KindURL:
		return crmio.URLValue(r.str(skip))
	case crmio.KindNumber:
		s := r.str(skip)
		if skip {
			return crmio.Value{}
		}
		switch s {
		case "":
			return crmio.NumberValue(crmio.Decimal{})
		case "0":
			return crmio.NumberValue(crmio.DecimalFromInt(0))
		}
		d, err := crmio.ParseDecimal(s)
		if err != nil || d.String() != s {
			r.fail()
		}
		return crmio.NumberValue(d)
	case crmio.KindBool:
		return crmio.BoolValue(r.byte() == 1)
	case crmio.KindDate:
		y, m, d := r.varint(), r.varint(), r.varint()
		return crmio.DateValue(crmio.NewDate(int(y), time.Month(m), int(d)))
	case crmio.KindDateTime:
		sec, nsec, off := r.varint(), r.uvarint(), r.varint()
		if skip {
			return crmio.Value{}
		}
		if nsec >= 1e9 || off != int64(int32(off)) {
			r.fail()
			return crmio.Value{}
		}
		return crmio.DateTimeValue(inZone(time.Unix(sec, int64(nsec)), int(off)))
	case crmio.KindRef:
		id, key := r.str(skip), r.str(skip)
		return crmio.RefValue(id, key)
	case crmio.KindAddress:
		a := crmio.Address{Street: r.str(skip), City: r.str(skip), State: r.str(skip), Zip: r.str(skip), Country: r.str(skip)}
		if skip {
			return crmio.Value{}
		}
		return r.arena.Address(a)
	case crmio.KindList:
		n := r.uvarint()
		if n > uint64(len(r.meta)) { // every item takes at least two bytes
			r.fail()
			return crmio.Value{}
		}
		var items []crmio.Item
		var small [8]crmio.Item // the items of a list an arena copies
		switch {
		case skip:
		case r.arena != nil && n <= uint64(len(small)):
			items = small[:n]
		default:
			items = make([]crmio.Item, n)
		}
		for i := range int(n) {
			label := r.str(skip)
			v := r.value(skip)
			if !skip {
				items[i] = crmio.Item{Label: label, Value: v}
			}
		}
		if skip {
			return crmio.Value{}
		}
		return r.arena.List(items...)
	}
	r.fail()
	return crmio.Value{}
}

// zones caches the fixed zones of the offsets met, so that decoding an
// instant does not make a new *time.Location each time.
var zones sync.Map // int → *time.Location

// inZone returns t in the location the JSON form's parser (time.Parse of
// RFC 3339) gives an instant with UTC offset off.
func inZone(t time.Time, off int) time.Time {
	if off == 0 {
		return t.UTC()
	}
	if local := t.In(time.Local); offset(local) == off {
		return local
	}
	loc, ok := zones.Load(off)
	if !ok {
		loc, _ = zones.LoadOrStore(off, time.FixedZone("", off))
	}
	return t.In(loc.(*time.Location))
}

func offset(t time.Time) int {
	_, off := t.Zone()
	return off
}

// Decode returns the values of an encoding, in a new map. names is the
// Symbols snapshot (Symbols.Names) taken after the encoding was made.
func Decode(b []byte, names []string) (map[string]crmio.Value, error) {
	return DecodeIn(nil, b, names)
}

// DecodeIn is Decode making the lists and addresses in arena (see
// crmio.Arena): for decoding many records that die together, such as the
// records of a long scan. A nil arena is Decode.
func DecodeIn(arena *crmio.Arena, b []byte, names []string) (map[string]crmio.Value, error) {
	r, n, err := open(b)
	if err != nil {
		return nil, err
	}
	r.arena = arena
	if len(r.heap) > 0 {
		r.heapStr = string(r.heap)
	}
	out := make(map[string]crmio.Value, n)
	for range n {
		id := r.uvarint()
		v := r.value(false)
		if r.err != nil || id >= uint64(len(names)) {
			return nil, ErrCorrupt
		}
		out[names[id]] = v
	}
	if !r.whole() {
		return nil, ErrCorrupt
	}
	return out, nil
}

// Mode says how decoded strings are made.
type Mode uint8

const (
	// Copy gives the values strings of their own.
	Copy Mode = iota
	// View gives them strings that alias the encoding's bytes, without
	// allocating: only for bytes that are never modified afterwards, such
	// as a store's append-only arena, and best for values that do not
	// outlive the call (a value kept keeps all of the bytes alive).
	View
)

// DecodeInto decodes the fields of an encoding that want accepts (by
// symbol) into dst: for reading a few fields of many records. It reports
// how many fields it decoded.
func DecodeInto(dst map[string]crmio.Value, b []byte, names []string, mode Mode, want func(id uint32) bool) (int, error) {
	r, n, err := open(b)
	if err != nil {
		return 0, err
	}
	r.view = mode == View
	got := 0
	for range n {
		id := r.uvarint()
		if id >= uint64(len(names)) {
			r.fail()
		}
		if r.err != nil {
			return got, r.err
		}
		ok := want(uint32(id))
		v := r.value(!ok)
		if r.err != nil {
			return got, r.err
		}
		if ok {
			dst[names[id]] = v
			got++
		}
	}
	return got, nil
}

// Field returns the value of the field numbered id in an encoding, and
// whether the encoding has it.
func Field(b []byte, id uint32, mode Mode) (crmio.Value, bool, error) {
	r, n, err := open(b)
	if err != nil {
		return crmio.Value{}, false, err
	}
	r.view = mode == View
	for range n {
		fid := r.uvarint()
		if r.err != nil {
			break
		}
		if fid == uint64(id) {
			v := r.value(false)
			return v, r.err == nil, r.err
		}
		r.value(true)
	}
	return crmio.Value{}, false, r.err
}
