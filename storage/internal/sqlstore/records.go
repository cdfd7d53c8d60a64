package sqlstore

import (
	"context"
	"fmt"
	"runtime"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/bincodec"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// Rows is what both stores' drivers return for a query (pgx.Rows and
// *sql.Rows): ReadRecords needs no more of them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// decodeChunk is how many rows ReadRecords hands to a decoding goroutine
// at a time; a scan of fewer rows decodes them where it reads them.
const decodeChunk = 256

// ReadRecords reads (id, vals) rows into records of module until f returns
// false or the rows end; decode parses vals, making the records' lists
// and addresses in the arena it is given (crmio.Arena), and must be safe
// for concurrent use. The caller closes rows. B is the type its driver
// scans a column's bytes into without a copy of their own, valid until
// the next row (pgtype.DriverBytes, sql.RawBytes): ReadRecords copies
// them into a block of the chunk, which a copy per row made by the driver
// would only double.
//
// Decoding the values is most of what reading a record costs the client,
// and the records of a long scan are independent: past its first rows, a
// scan reads rows on the caller's goroutine, decodes chunks of them on a
// goroutine per core, and calls f with the records in the rows' order, on
// the caller's goroutine, as a serial scan does. At most two chunks per
// core are in flight. A record that cannot be decoded ends the scan with
// its error after the records before it. Each chunk has an arena of its
// own: its records mostly die together (an export writes them and drops
// them), so that their lists and addresses cost a few allocations a
// chunk rather than several a record. A short scan decodes with a nil
// arena.
func ReadRecords[B ~[]byte](rows Rows, module string, decode func(*crmio.Arena, []byte) (map[string]crmio.Value, error), f func(crmio.Record) bool) error {
	stateless := func() func(*rawChunk) ([]crmio.Record, error) {
		return func(c *rawChunk) ([]crmio.Record, error) { return c.records(module, decode) }
	}
	return decodeInOrder[B](rows, stateless, func(recs []crmio.Record, err error) (bool, error) {
		for _, r := range recs {
			if !f(r) {
				return false, nil
			}
		}
		return err == nil, err
	})
}

// ReadChunks is ReadRecords for a scan read as chunks (storage.Chunk),
// the rows being those of pd.DB: it decodes each row's values of
// pd.DB.Fields straight into the row of a chunk, with no map
// (valuecodec.DecodeRow), and calls f with the chunks in the rows' order.
// Where the query has a scope, each row decoded goes through
// pd.KeepRow, in the rows' order, which says whether to keep it and
// whether more may follow. The chunks f gets hold the first width fields
// of the rows kept, the query's own (Pushdown puts the fields read for
// the scope alone after them). A chunk holds at most decodeChunk rows.
//
// The values' strings alias the bytes of the chunk they were read in, a
// block copied from the driver that nothing writes again, rather than
// being copied once more per record.
func ReadChunks[B ~[]byte](rows Rows, pd *storage.Pushdown, width int, f func(*storage.Chunk) bool) error {
	fields := pd.DB.Fields
	var keep func(row []crmio.Value) (keep, more bool)
	if pd.NeedsKeep() {
		keep = pd.KeepRow
	}
	out := fields[:width:width]
	decoder := func() func(*rawChunk) (*storage.Chunk, error) {
		d := bincodec.NewRowDecoder(fields)
		return func(c *rawChunk) (*storage.Chunk, error) { return c.rows(d, fields) }
	}
	return decodeInOrder[B](rows, decoder, func(c *storage.Chunk, err error) (bool, error) {
		more := true
		if keep != nil || width != len(fields) {
			kept := storage.NewChunk(out)
			for i := range c.Len() {
				row := c.Row(i)
				if keep != nil {
					var ok bool
					if ok, more = keep(row); !ok {
						continue
					}
				}
				copy(kept.Append(c.IDs[i]), row[:width])
				if !more {
					break
				}
			}
			c = kept
		}
		if c.Len() > 0 && !f(c) || !more {
			return false, nil // stopped, or at the limit: what follows is not read
		}
		return err == nil, err
	})
}

// UntilCancelled runs read, which hands on what a query's rows hold,
// giving it a function that reports whether ctx has ended: the drivers
// notice a cancelled ctx asynchronously, and rows already received would
// keep coming, so read asks before handing on each. It returns ctx's
// error if read saw it, else read's.
func UntilCancelled(ctx context.Context, read func(cancelled func() bool) error) error {
	var cancel error
	err := read(func() bool {
		cancel = ctx.Err()
		return cancel != nil
	})
	if cancel != nil {
		return cancel
	}
	return err
}

// decodeInOrder reads rows a chunk at a time, decodes the chunks, and
// hands each decoded chunk to deliver in the rows' order, with the error
// of the row that failed to decode (the chunk then holds the rows before
// it); deliver reports whether to go on, or the error that ends the read.
// Past the first chunk, the chunks are decoded on a goroutine per core,
// each with a decoding function of its own from newDecoder; at most two
// chunks per core are in flight. A scan of one chunk decodes it where it
// reads it, with no goroutine.
func decodeInOrder[B ~[]byte, T any](rows Rows, newDecoder func() func(*rawChunk) (T, error), deliver func(T, error) (bool, error)) error {
	c, more, err := readChunk[B](rows)
	if err != nil {
		return err
	}
	if !more {
		if goOn, err := deliver(newDecoder()(c)); !goOn || err != nil {
			return err
		}
		return rows.Err()
	}
	type job struct {
		raw  *rawChunk
		out  T
		err  error
		done chan struct{}
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *job)
	defer close(jobs)
	for range workers {
		go func() {
			decode := newDecoder()
			for j := range jobs {
				j.out, j.err = decode(j.raw)
				j.raw = nil // the bytes are done with
				close(j.done)
			}
		}()
	}
	var queue []*job // submitted, in the rows' order
	submit := func(c *rawChunk) {
		j := &job{raw: c, done: make(chan struct{})}
		jobs <- j
		queue = append(queue, j)
	}
	// drain waits for the chunks on their way, so that no goroutine still
	// holds one when decodeInOrder returns early.
	drain := func() {
		for _, j := range queue {
			<-j.done
		}
	}
	// deliverHead waits for the oldest chunk and delivers it.
	deliverHead := func() (goOn bool, err error) {
		head := queue[0]
		<-head.done
		queue = queue[1:]
		if goOn, err = deliver(head.out, head.err); !goOn || err != nil {
			drain()
		}
		return goOn, err
	}
	submit(c)
	for more {
		if len(queue) >= 2*workers {
			if goOn, err := deliverHead(); !goOn || err != nil {
				return err
			}
		}
		if c, more, err = readChunk[B](rows); err != nil {
			drain()
			return err
		}
		if len(c.ids) > 0 {
			submit(c)
		}
	}
	for len(queue) > 0 {
		if goOn, err := deliverHead(); !goOn || err != nil {
			return err
		}
	}
	return rows.Err()
}

// rawChunk is a run of rows read, not yet decoded.
type rawChunk struct {
	ids  []int64
	vals [][]byte // each a copy: a driver may reuse what Scan gave
}

// readChunk reads up to decodeChunk rows; more reports whether rows may
// hold others.
func readChunk[B ~[]byte](rows Rows) (*rawChunk, bool, error) {
	c := &rawChunk{ids: make([]int64, 0, decodeChunk), vals: make([][]byte, 0, decodeChunk)}
	var block []byte // the chunk's values, copied into few allocations
	var id int64
	var vals B
	for len(c.ids) < decodeChunk {
		if !rows.Next() {
			return c, false, nil
		}
		if err := rows.Scan(&id, &vals); err != nil {
			return nil, false, err
		}
		if cap(block)-len(block) < len(vals) {
			block = make([]byte, 0, max(64<<10, len(vals)))
		}
		start := len(block)
		block = append(block, vals...)
		c.ids = append(c.ids, id)
		c.vals = append(c.vals, block[start:len(block):len(block)])
	}
	return c, true, nil
}

// records decodes the chunk into records of module, up to the first that
// fails, whose error it returns.
func (c *rawChunk) records(module string, decode func(*crmio.Arena, []byte) (map[string]crmio.Value, error)) ([]crmio.Record, error) {
	recs := make([]crmio.Record, 0, len(c.ids))
	// A short scan (one chunk: a Get, a page) decodes without an arena,
	// whose blocks would outweigh its few records.
	var arena *crmio.Arena
	if len(c.ids) == decodeChunk {
		arena = new(crmio.Arena)
	}
	for i, id := range c.ids {
		values, err := decode(arena, c.vals[i])
		if err != nil {
			return recs, fmt.Errorf("record %d: %w", id, err)
		}
		recs = append(recs, crmio.Record{ID: FormatID(id), Module: module, Values: values})
	}
	return recs, nil
}

// rows decodes the chunk into a storage.Chunk of fields with d, up to the
// first row that fails, whose error it returns. The strings alias the
// chunk's blocks (bincodec.View): readChunk copied them from the driver,
// and nothing writes them again.
func (c *rawChunk) rows(d *bincodec.RowDecoder, fields []string) (*storage.Chunk, error) {
	out := storage.NewChunk(fields)
	arena := new(crmio.Arena)
	for i, id := range c.ids {
		if err := valuecodec.DecodeRow(d, arena, c.vals[i], bincodec.View, out.Append(FormatID(id))); err != nil {
			out.IDs = out.IDs[:i]
			out.Values = out.Values[:i*len(fields)]
			return out, fmt.Errorf("record %d: %w", id, err)
		}
	}
	return out, nil
}
