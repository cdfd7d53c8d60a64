package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

func needsChunkScanner(s storage.Store) string {
	if _, ok := s.(storage.ChunkScanner); ok {
		return ""
	}
	return "storage.ChunkScanner"
}

// chunkRecords returns n records of several kinds of value, some fields
// absent or null, for reading back in chunks.
func chunkRecords(n int) []crmio.Record {
	recs := make([]crmio.Record, n)
	for i := range recs {
		v := vals{"key": text("c" + strconv.Itoa(i)), "i": crmio.IntValue(int64(i))}
		switch i % 4 {
		case 0:
			v["owner"] = text("ann")
			v["phone"] = crmio.ListValue(item("mobile", phone("+14155550"+strconv.Itoa(100+i%900))), item("work", phone("+442079460000")))
		case 1:
			v["owner"] = text("bob")
			v["address"] = crmio.AddressValue(crmio.Address{Street: "1 Main St\nFloor " + strconv.Itoa(i), City: "Zürich", Country: "CH"})
			v["since"] = date("2024-02-29")
		case 2:
			v["owner"] = text("Ann")  // not ann, exactly
			v["note"] = crmio.Value{} // present, null
			v["seen"] = instant("2025-06-01T12:30:00.5+02:00")
		case 3:
			v["active"] = crmio.BoolValue(i%8 == 3)
			v["mail"] = email("c" + strconv.Itoa(i) + "@example.com")
		}
		recs[i] = crmio.Record{Values: v}
	}
	return recs
}

// chunkFields are the fields the checks read in chunks: the fixture's,
// and one no record has.
var chunkFields = []string{"key", "i", "owner", "phone", "address", "since", "note", "seen", "active", "mail", "none"}

// readChunks reads q in chunks and returns them, or the error the scan
// yielded, checking what every chunk must be.
func (c *checker) readChunks(check string, s storage.Store, q storage.Query) ([]*storage.Chunk, error) {
	var out []*storage.Chunk
	for ch, err := range s.(storage.ChunkScanner).ScanChunks(c.ctx, people, q) {
		if err != nil {
			if ch != nil {
				c.errorf(check, "ScanChunks %s yielded its error with a chunk", describeQuery(q))
			}
			return out, err
		}
		switch {
		case ch == nil:
			c.errorf(check, "ScanChunks %s yielded a nil chunk without an error", describeQuery(q))
			continue
		case ch.Len() == 0 || ch.Len() > storage.ChunkRows:
			c.errorf(check, "ScanChunks %s yielded a chunk of %d records, want 1 to %d", describeQuery(q), ch.Len(), storage.ChunkRows)
		case !slices.Equal(ch.Fields, q.Fields):
			c.errorf(check, "ScanChunks %s yielded a chunk of fields %q", describeQuery(q), ch.Fields)
		case len(ch.Values) != ch.Len()*len(q.Fields):
			c.errorf(check, "ScanChunks %s yielded a chunk of %d records and %d values, want %d", describeQuery(q), ch.Len(), len(ch.Values), ch.Len()*len(q.Fields))
		}
		out = append(out, ch)
	}
	return out, nil
}

// sameAsScan reports where chunks differ from what Scan yields for q: the
// same records in the same order, each field's value in its row (the
// zero Value for a field the record lacks).
func (c *checker) sameAsScan(check string, s storage.Store, q storage.Query, chunks []*storage.Chunk) {
	want, err := scan(c.ctx, s, people, q)
	if err != nil {
		c.errorf(check, "Scan %s: %v", describeQuery(q), err)
		return
	}
	n := 0
	for _, ch := range chunks {
		for i := range ch.Len() {
			if n >= len(want) {
				c.errorf(check, "ScanChunks %s yielded more records than Scan's %d", describeQuery(q), len(want))
				return
			}
			w := want[n]
			if ch.IDs[i] != w.ID {
				c.errorf(check, "ScanChunks %s: record %d is %q, Scan's is %q", describeQuery(q), n, ch.IDs[i], w.ID)
				return
			}
			for j, f := range q.Fields {
				if got := ch.Row(i)[j]; !got.Equal(w.Values[f]) {
					c.errorf(check, "ScanChunks %s: record %s, field %q = %s, Scan gives %s", describeQuery(q), w.ID, f, show(got), show(w.Values[f]))
				}
			}
			n++
		}
	}
	if n != len(want) {
		c.errorf(check, "ScanChunks %s yielded %d records, Scan %d", describeQuery(q), n, len(want))
	}
}

func checkChunkScanner(c *checker, s storage.Store) {
	const n = 1100 // several chunks
	c.insert("setup", s, people, chunkRecords(n))
	c.insert("setup", s, "other", chunkRecords(3))
	ann := &storage.Scope{Name: "ann", Where: []storage.Filter{filter("owner", storage.Eq, text("ann"))}}
	notAnn := &storage.Scope{Name: "not ann", Where: []storage.Filter{filter("owner", storage.Ne, text("ann"))}}
	for _, tc := range []struct {
		check string
		q     storage.Query
	}{
		{"every field", storage.Query{Fields: chunkFields}},
		{"some fields, in another order", storage.Query{Fields: []string{"phone", "key"}}},
		{"no field", storage.Query{Fields: []string{}}},
		{"filter", storage.Query{Fields: chunkFields, Where: []storage.Filter{filter("i", storage.Ge, num("500"))}}},
		{"order", storage.Query{Fields: chunkFields, Order: []storage.Order{{Field: "i", Desc: true}}}},
		{"limit", storage.Query{Fields: chunkFields, Limit: 300}},
		{"scope", storage.Query{Fields: chunkFields, Scope: ann}},
		{"scope on a field not selected", storage.Query{Fields: []string{"key", "phone"}, Scope: ann}},
		{"scope and limit", storage.Query{Fields: []string{"key"}, Scope: ann, Limit: 100}},
		{"scope and limit past a chunk", storage.Query{Fields: []string{"key"}, Scope: notAnn, Limit: 400, Order: []storage.Order{{Field: "i"}}}},
		{"nothing", storage.Query{Fields: chunkFields, Where: []storage.Filter{filter("key", storage.Eq, text("none"))}}},
	} {
		chunks, err := c.readChunks(tc.check, s, tc.q)
		if err != nil {
			c.errorf(tc.check, "ScanChunks %s: %v", describeQuery(tc.q), err)
			continue
		}
		c.sameAsScan(tc.check, s, tc.q, chunks)
	}

	// storage.Scoped of the store reads in chunks too, within its scope.
	scoped := storage.Scoped(s, func(string) *storage.Scope { return ann })
	if _, ok := scoped.(storage.ChunkScanner); !ok {
		c.errorf("scoped", "storage.Scoped of the store is no storage.ChunkScanner")
	} else if chunks, err := c.readChunks("scoped", scoped, storage.Query{Fields: []string{"key", "owner"}}); err != nil {
		c.errorf("scoped", "ScanChunks through storage.Scoped: %v", err)
	} else {
		c.sameAsScan("scoped", s, storage.Query{Fields: []string{"key", "owner"}, Scope: ann}, chunks)
	}

	// The chunks are the caller's: the store does not reuse them.
	chunks, err := c.readChunks("chunks kept", s, storage.Query{Fields: chunkFields})
	if err != nil || len(chunks) < 2 {
		c.errorf("chunks kept", "ScanChunks of every record: %d chunks, %v; want several", len(chunks), err)
	} else {
		c.sameAsScan("chunks kept", s, storage.Query{Fields: chunkFields}, chunks)
	}

	for _, tc := range []struct {
		check string
		q     storage.Query
	}{
		{"no fields", storage.Query{}},
		{"a field twice", storage.Query{Fields: []string{"key", "i", "key"}}},
		{"invalid query", storage.Query{Fields: []string{"key"}, Limit: -1}},
	} {
		chunks, err := c.readChunks(tc.check, s, tc.q)
		c.isErr(tc.check, err, storage.ErrInvalidQuery, "ScanChunks "+describeQuery(tc.q))
		if len(chunks) > 0 {
			c.errorf(tc.check, "ScanChunks %s yielded %d chunks before its error", describeQuery(tc.q), len(chunks))
		}
	}

	// Inside a transaction, the transaction's store reads in chunks too
	// (where it is a ChunkScanner), what it has written included.
	if tr, ok := s.(storage.Transactor); ok {
		err := tr.Atomic(c.ctx, func(tx storage.Store) error {
			if _, ok := tx.(storage.ChunkScanner); !ok {
				return nil
			}
			if _, err := tx.Insert(c.ctx, people, chunkRecords(5)); err != nil {
				return err
			}
			q := storage.Query{Fields: chunkFields, Scope: ann}
			chunks, err := c.readChunks("in a transaction", tx, q)
			if err != nil {
				return err
			}
			c.sameAsScan("in a transaction", tx, q, chunks)
			return errors.New("rolled back")
		})
		if err == nil || err.Error() != "rolled back" {
			c.errorf("in a transaction", "Atomic: %v", err)
		}
	}

	// Stopping early releases what the scan held.
	c.within("early stop", func() {
		for _, err := range s.(storage.ChunkScanner).ScanChunks(c.ctx, people, storage.Query{Fields: chunkFields}) {
			if err != nil {
				c.fatalf("early stop", "ScanChunks: %v", err)
			}
			break
		}
		if _, err := s.Insert(c.ctx, "other", records(vals{"key": text("after break")})); err != nil {
			c.errorf("early stop", "Insert after stopping a ScanChunks early: %v", err)
		}
	})

	// A cancelled context ends the scan with its error.
	ctx, cancel := context.WithCancel(c.ctx)
	read := 0
	var last error
	c.within("cancel", func() {
		for ch, err := range s.(storage.ChunkScanner).ScanChunks(ctx, people, storage.Query{Fields: chunkFields}) {
			if err != nil {
				last = err
				break
			}
			read += ch.Len()
			cancel()
		}
	})
	cancel()
	if !errors.Is(last, context.Canceled) || read >= n {
		c.errorf("cancel", "ScanChunks cancelled after its first chunk read %d of %d records and ended with %v, want context.Canceled", read, n, last)
	}
}
