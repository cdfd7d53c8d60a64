package memory

import (
	"encoding/binary"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// journal is a job's journal, kept encoded: an entry is a few strings and,
// where given, record images in the store's binary codec, all in an arena
// without pointers. Where each entry is, is in fixed-size chunks of refs,
// so that a long journal grows without copying what it holds.
type journal struct {
	arena arena
	refs  [][]ref // chunks of journalRefs
	n     int     // entries; refs past it are left by a rollback
}

const journalRefs = 1024

func (j *journal) append(b []byte) {
	c, i := j.n/journalRefs, j.n%journalRefs
	if c == len(j.refs) {
		j.refs = append(j.refs, make([]ref, journalRefs))
	}
	j.refs[c][i] = j.arena.add(b)
	j.n++
}

// entry returns the encoding of the i-th entry.
func (j *journal) entry(i int) []byte {
	return j.arena.bytes(j.refs[i/journalRefs][i%journalRefs])
}

// An entry's encoding: a flags byte, Op, Module, ID and Fingerprint (each
// uvarint length and bytes), then Before and After where present: ID,
// Module, and the length and bincodec encoding of the values.
const (
	hasBefore byte = 1 << iota
	hasAfter
	nilBeforeValues // Before.Values is nil, not empty
	nilAfterValues
)

// encodeEntries encodes journal entries, straight from the callers'
// structs: the store keeps nothing of them, so no deep copy is needed.
func (c *codec) encodeEntries(entries []storage.JournalEntry) *encoded {
	e := c.pool.Get().(*encoded)
	e.buf, e.ends = e.buf[:0], e.ends[:0]
	var scratch []byte
	for _, en := range entries {
		var flags byte
		if en.Before != nil {
			flags |= hasBefore
			if en.Before.Values == nil {
				flags |= nilBeforeValues
			}
		}
		if en.After != nil {
			flags |= hasAfter
			if en.After.Values == nil {
				flags |= nilAfterValues
			}
		}
		b := append(e.buf, flags)
		b = appendString(b, string(en.Op))
		b = appendString(b, en.Module)
		b = appendString(b, en.ID)
		b = appendString(b, en.Fingerprint)
		for _, img := range []*crmio.Record{en.Before, en.After} {
			if img == nil {
				continue
			}
			b = appendString(b, img.ID)
			b = appendString(b, img.Module)
			scratch = e.enc.AppendRecord(scratch[:0], img.Values)
			b = binary.AppendUvarint(b, uint64(len(scratch)))
			b = append(b, scratch...)
		}
		e.buf = b
		e.ends = append(e.ends, len(b))
	}
	return e
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// entryDecoder decodes journal entries. It reuses the strings that repeat
// from entry to entry (the op, the module) rather than allocating them
// again.
type entryDecoder struct {
	names  []string // the symbol table, as of the chunk read
	module string
}

func (d *entryDecoder) decode(b []byte) storage.JournalEntry {
	if len(b) == 0 {
		panic("memory: a journal entry does not decode")
	}
	flags := b[0]
	b = b[1:]
	var e storage.JournalEntry
	var op []byte
	op, b = cutString(b)
	switch string(op) {
	case string(storage.JournalCreated):
		e.Op = storage.JournalCreated
	case string(storage.JournalUpdated):
		e.Op = storage.JournalUpdated
	default:
		e.Op = storage.JournalOp(op)
	}
	e.Module, b = d.moduleName(b)
	e.ID, b = cutNewString(b)
	e.Fingerprint, b = cutNewString(b)
	if flags&hasBefore != 0 {
		e.Before, b = d.image(b, flags&nilBeforeValues != 0)
	}
	if flags&hasAfter != 0 {
		e.After, _ = d.image(b, flags&nilAfterValues != 0)
	}
	return e
}

func (d *entryDecoder) moduleName(b []byte) (string, []byte) {
	s, rest := cutString(b)
	if string(s) != d.module {
		d.module = string(s)
	}
	return d.module, rest
}

func (d *entryDecoder) image(b []byte, nilValues bool) (*crmio.Record, []byte) {
	r := new(crmio.Record)
	r.ID, b = cutNewString(b)
	r.Module, b = d.moduleName(b)
	var enc []byte
	enc, b = cutString(b)
	values, err := bincodec.Decode(enc, d.names)
	if err != nil {
		panic("memory: a journal image does not decode: " + err.Error())
	}
	if !nilValues {
		r.Values = values
	}
	return r, b
}

// cutString returns the length-prefixed bytes at the start of b, and the
// rest.
func cutString(b []byte) ([]byte, []byte) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		panic("memory: a journal entry does not decode")
	}
	return b[w : w+int(n)], b[w+int(n):]
}

func cutNewString(b []byte) (string, []byte) {
	s, rest := cutString(b)
	return string(s), rest
}
