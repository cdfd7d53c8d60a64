package memory

import (
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// ref locates one encoding in an arena: integers, not a slice, so that the
// structs holding refs hold no pointers for the garbage collector to scan.
type ref struct {
	chunk uint32
	off   uint32
	n     uint32
}

// Arena chunks start small, so that a store with a few records stays
// small, and double up to maxChunk.
const (
	minChunk = 8 << 10
	maxChunk = 1 << 20
)

// arena is append-only byte storage for encodings. Bytes once written are
// never written again (a rollback or an update leaves garbage behind; a
// compaction copies into new chunks), so a reader may keep a slice of a
// chunk and decode it after releasing the store's lock.
type arena struct {
	chunks [][]byte
	size   int64 // bytes written, live or garbage
}

// add copies b into the arena.
func (a *arena) add(b []byte) ref {
	i := len(a.chunks) - 1
	if i < 0 || cap(a.chunks[i])-len(a.chunks[i]) < len(b) {
		size := minChunk
		if i >= 0 {
			size = min(2*cap(a.chunks[i]), maxChunk)
		}
		a.chunks = append(a.chunks, make([]byte, 0, max(size, len(b))))
		i++
	}
	c := a.chunks[i]
	off := len(c)
	a.chunks[i] = append(c, b...)
	a.size += int64(len(b))
	return ref{chunk: uint32(i), off: uint32(off), n: uint32(len(b))}
}

// bytes returns the encoding r locates. The slice is capped: appending to
// it cannot write into the arena.
func (a *arena) bytes(r ref) []byte {
	return a.chunks[r.chunk][r.off : r.off+r.n : r.off+r.n]
}

// codec encodes records outside the store's lock, numbering field names
// with the store's symbol table. It is safe for concurrent use.
type codec struct {
	syms *bincodec.Symbols
	pool sync.Pool // *encoded
}

func newCodec() *codec {
	c := &codec{syms: bincodec.NewSymbols()}
	c.pool.New = func() any { return &encoded{enc: bincodec.NewEncoder(c.syms)} }
	return c
}

// encoded is a batch of encodings, end to end in one buffer.
type encoded struct {
	enc  *bincodec.Encoder
	buf  []byte
	ends []int
}

// encode encodes the values of recs, straight from the callers' maps:
// nothing of them is kept, so no copy of a map is needed.
func (c *codec) encode(recs []crmio.Record) *encoded {
	e := c.pool.Get().(*encoded)
	e.buf, e.ends = e.enc.AppendRecords(e.buf[:0], e.ends[:0], func(i int) map[string]crmio.Value { return recs[i].Values }, len(recs))
	return e
}

// release returns e to the pool once its bytes are copied into an arena.
func (c *codec) release(e *encoded) {
	if cap(e.buf) <= 4*maxChunk {
		c.pool.Put(e)
	}
}

// rec returns the encoding of the i-th record.
func (e *encoded) rec(i int) []byte {
	start := 0
	if i > 0 {
		start = e.ends[i-1]
	}
	return e.buf[start:e.ends[i]]
}

// decode returns the values of an encoding the store made, in a new map.
// names is a snapshot of the symbol table taken after the encoding was
// made (after reading it under the lock).
func decode(b []byte, names []string) map[string]crmio.Value {
	values, err := bincodec.Decode(b, names)
	if err != nil {
		panic("memory: a stored record does not decode: " + err.Error())
	}
	return values
}

// field returns the value of one field of an encoding, for use while the
// caller runs: its strings alias the arena (which is never written twice,
// so that is safe), and a string kept would keep a whole arena chunk.
func (c *codec) field(b []byte, name string) (crmio.Value, bool) {
	id, ok := c.syms.Lookup(name)
	if !ok {
		return crmio.Value{}, false // no record ever had the field
	}
	return c.fieldByID(b, id)
}

// fieldByID is field for the field numbered id.
func (c *codec) fieldByID(b []byte, id uint32) (crmio.Value, bool) {
	v, found, err := bincodec.Field(b, id, bincodec.View)
	if err != nil {
		panic("memory: a stored record does not decode: " + err.Error())
	}
	return v, found
}
