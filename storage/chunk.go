package storage

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/crmio/crmio"
)

// A Chunk is a run of the records of a scan as a table: their ids, and
// the values of the query's selected fields, record by record. It is what
// a reader of every record of a module wants (an export renders chunks
// of records into cells, field by field) without a map for each record,
// which is most of what decoding a record costs.
//
// A Chunk belongs to its reader once yielded: the store does not reuse
// it. Its values may share memory with one another (the SQL stores' text
// is cut from the bytes the chunk was read from), so that a value kept
// keeps that chunk's bytes alive: copy a string out (strings.Clone) to
// keep a few values of many chunks. A Chunk cannot tell a field a record
// lacks from a field present with the null Value: both are the zero
// Value.
type Chunk struct {
	// Fields are the fields of the chunk's table, the query's Fields. Every
	// chunk of a scan shares the same slice.
	Fields []string
	// IDs are the records' ids, in the query's order.
	IDs []string
	// Values holds len(Fields) values per record: record i's value of
	// Fields[j] is Values[i*len(Fields)+j] (see Row).
	Values []crmio.Value
}

// Len returns the number of records in c.
func (c *Chunk) Len() int { return len(c.IDs) }

// Row returns the values of record i, one per field of c.Fields.
func (c *Chunk) Row(i int) []crmio.Value {
	n := len(c.Fields)
	return c.Values[i*n : (i+1)*n : (i+1)*n]
}

// ChunkRows is how many records a chunk of ScanChunks holds, but the last
// of a scan: enough for the handing of chunks between goroutines to cost
// little, few enough that a chunk in flight takes little memory.
const ChunkRows = 256

// ChunkScanner is the optional capability of reading a scan as chunks.
// ScanChunks yields, in q's order, the records Scan(ctx, module, q)
// yields, at most ChunkRows in a chunk (none when the scan is empty),
// with q.Fields as the chunks' fields; a query ChunkQueryError refuses
// (q.Fields nil, or naming a field twice) yields its error. An error is
// yielded once, with a nil chunk, after the chunks of the records before
// it, and ends the sequence. The caller may stop early.
//
// A store that decodes its records from bytes implements it to decode
// each record straight into its row of the chunk; the function ScanChunks
// reads any other Store through Scan.
type ChunkScanner interface {
	ScanChunks(ctx context.Context, module string, q Query) iter.Seq2[*Chunk, error]
}

// ScanChunks reads the records q selects in store as chunks: through the
// store's own ScanChunks if it is a ChunkScanner, else through Scan, each
// record's selected fields copied into its row. See ChunkScanner.
func ScanChunks(ctx context.Context, store Store, module string, q Query) iter.Seq2[*Chunk, error] {
	if cs, ok := store.(ChunkScanner); ok {
		return cs.ScanChunks(ctx, module, q)
	}
	if err := ChunkQueryError(q); err != nil {
		return func(yield func(*Chunk, error) bool) { yield(nil, err) }
	}
	return ChunksOf(store.Scan(ctx, module, q), q.Fields)
}

// ChunksOf returns records as chunks of fields: the values of each
// record's fields copied into its row, ChunkRows records a chunk. For a
// ChunkScanner's scans that it reads as records (a store may read in
// chunks only where that pays).
func ChunksOf(records iter.Seq2[crmio.Record, error], fields []string) iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		c := NewChunk(fields)
		for rec, err := range records {
			if err != nil {
				if c.Len() > 0 && !yield(c, nil) {
					return
				}
				yield(nil, err)
				return
			}
			row := c.Append(rec.ID)
			for j, f := range fields {
				row[j] = rec.Values[f]
			}
			if c.Len() == ChunkRows {
				if !yield(c, nil) {
					return
				}
				c = NewChunk(fields)
			}
		}
		if c.Len() > 0 {
			yield(c, nil)
		}
	}
}

// ChunkQueryError returns the error ScanChunks yields for q before
// reading anything, or nil: an invalid query, one without Fields, or one
// naming a field twice (a chunk has one column per field); each wraps
// ErrInvalidQuery. For implementers of ChunkScanner.
func ChunkQueryError(q Query) error {
	if q.Fields == nil {
		return fmt.Errorf("%w: a scan in chunks needs its fields (Query.Fields is nil)", ErrInvalidQuery)
	}
	for i, f := range q.Fields {
		if slices.Contains(q.Fields[:i], f) {
			return fmt.Errorf("%w: a scan in chunks selects field %q twice", ErrInvalidQuery, f)
		}
	}
	return q.Validate()
}

// NewChunk returns an empty chunk of the given fields with room for
// ChunkRows records. For implementers of ChunkScanner.
func NewChunk(fields []string) *Chunk {
	return &Chunk{
		Fields: fields,
		IDs:    make([]string, 0, ChunkRows),
		Values: make([]crmio.Value, 0, ChunkRows*len(fields)),
	}
}

// Append adds a record with id to c and returns its row, of zero values,
// for the caller to fill.
func (c *Chunk) Append(id string) []crmio.Value {
	c.IDs = append(c.IDs, id)
	n := len(c.Values)
	c.Values = append(c.Values, make([]crmio.Value, len(c.Fields))...)
	return c.Values[n : n+len(c.Fields) : n+len(c.Fields)]
}
