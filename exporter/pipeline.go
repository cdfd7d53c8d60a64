package exporter

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/internal/guard"
	"github.com/crmio/crmio/storage"
)

// chunkRows is how many records of a Scan (a store that is no
// storage.ChunkScanner) the export reads, renders and writes as one piece
// of work, as a ChunkScanner's chunks hold.
const chunkRows = storage.ChunkRows

// chunk is a run of records read from the store and their rendered cells,
// len(cols) per record, or the error that ended the reading. The records
// are data, from a storage.ChunkScanner, or recs, from Scan.
type chunk struct {
	data  *storage.Chunk
	recs  []crmio.Record
	cells []formats.Cell
	// encoded holds the first rows of cells encoded by the writer, when
	// it is a formats.RowEncoder, and rows how many: all of them, or the
	// rows before the one that failed to encode (err).
	encoded []byte
	rows    int
	err     error
}

// len returns the number of records in c.
func (c *chunk) len() int {
	if c.data != nil {
		return c.data.Len()
	}
	return len(c.recs)
}

// id returns the id of record i.
func (c *chunk) id(i int) string {
	if c.data != nil {
		return c.data.IDs[i]
	}
	return c.recs[i].ID
}

// row returns the cells of record i, width of them.
func (c *chunk) row(i, width int) []formats.Cell { return c.cells[i*width : (i+1)*width] }

// values returns record i's value of each of fields, from its chunk's row
// or, for a record of Scan, gathered into scratch.
func (c *chunk) values(i int, fields []string, scratch []crmio.Value) []crmio.Value {
	if c.data != nil {
		return c.data.Row(i)
	}
	for j, f := range fields {
		scratch[j] = c.recs[i].Values[f]
	}
	return scratch
}

// scanRendered calls each with the chunks of the records q selects, in
// the store's order, their cells rendered (len(cols) per record). Reading (with the store's decoding), rendering
// and writing overlap: one goroutine reads chunks of records, a worker per
// core renders them, and the caller's goroutine hands them to each in
// order. An export on one core was the sum of the three; on several it is
// about the slowest of them. At most two chunks per worker are in flight.
// A storage.ChunkScanner reads only the fields of cols, each record's
// straight into a row of its chunk: no map per record. Another store's
// records come from Scan(q) as they are (q selects no field when cols
// show them all: a store would only copy every record), and the workers
// gather each one's values.
// With enc, the workers encode the rows too (chunk.encoded): the writer
// then only writes bytes, which is what keeps its goroutine from being
// the export's bottleneck.
func scanRendered(ctx context.Context, store storage.Store, m *crmio.Module, q storage.Query, cols []Column,
	proto *render, guarded bool, enc formats.RowEncoder, each func(c *chunk) error) error {
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	workers := max(1, runtime.GOMAXPROCS(0))
	spans, fields := fieldSpans(cols)
	type job struct {
		c   *chunk
		out chan *chunk
	}
	jobs := make(chan job, workers)
	futures := make(chan chan *chunk, 2*workers)
	spare := make(chan *chunk, 2*workers+2) // chunks whose cells and bytes to reuse
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the reader
		defer wg.Done()
		defer close(futures)
		defer close(jobs)
		send := func(c *chunk) bool {
			out := make(chan *chunk, 1)
			select {
			case futures <- out:
			case <-ctx.Done():
				return false
			}
			if c.err != nil {
				out <- c
				return false
			}
			jobs <- job{c, out} // workers always take jobs until it closes
			return true
		}
		fail := func(err error) {
			if ctx.Err() == nil { // else the export already stopped
				send(&chunk{err: fmt.Errorf("exporter: reading %s: %w", m.Name, err)})
			}
		}
		if cs, ok := store.(storage.ChunkScanner); ok {
			q.Fields = fields
			for data, err := range cs.ScanChunks(ctx, m.Name, q) {
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					fail(err)
					return
				}
				if !send(&chunk{data: data}) {
					return
				}
			}
			return
		}
		c := &chunk{recs: make([]crmio.Record, 0, chunkRows)}
		n := 0
		for rec, err := range store.Scan(ctx, m.Name, q) {
			if err == nil && n%checkEvery == 0 {
				err = ctx.Err()
			}
			n++
			if err != nil {
				fail(err)
				return
			}
			c.recs = append(c.recs, rec)
			if len(c.recs) == chunkRows {
				if !send(c) {
					return
				}
				c = &chunk{recs: make([]crmio.Record, 0, chunkRows)}
			}
		}
		if len(c.recs) > 0 {
			send(c)
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := render{loc: proto.loc, report: proto.report} // its own scratch
			scratch := make([]crmio.Value, len(fields))
			for j := range jobs {
				n := j.c.len()
				need := n * len(cols)
				select {
				case old := <-spare:
					j.c.cells, j.c.encoded = old.cells, old.encoded[:0]
				default:
				}
				if cap(j.c.cells) < need {
					j.c.cells = make([]formats.Cell, need)
				}
				j.c.cells = j.c.cells[:need]
				for i := range n {
					row := j.c.row(i, len(cols))
					r.row(cols, spans, j.c.values(i, fields, scratch), row)
					if !guarded {
						continue
					}
					for k, c := range row {
						if c.Kind() == formats.CellText && guard.NeedsQuote(c.String()) {
							row[k] = formats.TextCell(guard.Neutralize(c.String()))
						}
					}
				}
				if enc != nil {
					encodeRows(enc, j.c, len(cols))
				}
				j.out <- j.c
			}
		}()
	}
	var err error
	for f := range futures {
		c := <-f
		if err == nil && c.len() > 0 {
			err = each(c)
		}
		if err == nil {
			err = c.err
		}
		if err != nil {
			stop() // the reader stops; the chunks on their way are drained
		}
		if c.cells != nil {
			// A worker overwrites every cell it takes: the strings of a
			// spare chunk's cells live until then, at most 2*workers+2 chunks.
			c.data, c.recs = nil, nil
			select {
			case spare <- c:
			default:
			}
		}
	}
	stop()
	wg.Wait()
	if err == nil {
		err = parent.Err() // a reader stopped by it says nothing
	}
	return err
}

// encodeRows encodes the rows of c's cells with enc, until one fails.
func encodeRows(enc formats.RowEncoder, c *chunk, width int) {
	for i := range c.len() {
		b, err := enc.AppendRow(c.encoded, c.row(i, width))
		if err != nil {
			c.err = fmt.Errorf("exporter: record %s: %w", c.id(i), err)
			return
		}
		c.encoded = b
		c.rows = i + 1
	}
}
