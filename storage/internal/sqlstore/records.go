package sqlstore

import (
	"fmt"
	"runtime"

	"github.com/crmio/crmio"
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
	c, more, err := readChunk[B](rows)
	if err != nil {
		return err
	}
	if !more {
		// A short scan: no goroutines.
		c.decode(module, decode)
		if _, err := c.deliver(f); err != nil {
			return err
		}
		return rows.Err()
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *chunk)
	defer close(jobs)
	for range workers {
		go func() {
			for c := range jobs {
				c.decode(module, decode)
				close(c.done)
			}
		}()
	}
	var queue []*chunk // submitted, in the rows' order
	submit := func(c *chunk) {
		c.done = make(chan struct{})
		jobs <- c
		queue = append(queue, c)
	}
	// drain waits for the chunks on their way, so that no goroutine still
	// holds one when ReadRecords returns early.
	drain := func() {
		for _, c := range queue {
			<-c.done
		}
	}
	// deliverHead waits for the oldest chunk and hands its records to f.
	deliverHead := func() (goOn bool, err error) {
		head := queue[0]
		<-head.done
		queue = queue[1:]
		if goOn, err = head.deliver(f); !goOn || err != nil {
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

// chunk is a run of rows read, then decoded into records.
type chunk struct {
	ids  []int64
	vals [][]byte // each a copy: a driver may reuse what Scan gave
	recs []crmio.Record
	err  error // of the first record that failed to decode; recs stop there
	done chan struct{}
}

// readChunk reads up to decodeChunk rows; more reports whether rows may
// hold others.
func readChunk[B ~[]byte](rows Rows) (*chunk, bool, error) {
	c := &chunk{ids: make([]int64, 0, decodeChunk), vals: make([][]byte, 0, decodeChunk)}
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

func (c *chunk) decode(module string, decode func(*crmio.Arena, []byte) (map[string]crmio.Value, error)) {
	c.recs = make([]crmio.Record, 0, len(c.ids))
	// A short scan (one chunk: a Get, a page) decodes without an arena,
	// whose blocks would outweigh its few records.
	var arena *crmio.Arena
	if len(c.ids) == decodeChunk {
		arena = new(crmio.Arena)
	}
	for i, id := range c.ids {
		values, err := decode(arena, c.vals[i])
		if err != nil {
			c.err = fmt.Errorf("record %d: %w", id, err)
			break
		}
		c.recs = append(c.recs, crmio.Record{ID: FormatID(id), Module: module, Values: values})
	}
	c.vals = nil // the bytes are done with
}

// deliver calls f with the chunk's records; goOn is false when f asked to
// stop.
func (c *chunk) deliver(f func(crmio.Record) bool) (goOn bool, err error) {
	for _, r := range c.recs {
		if !f(r) {
			return false, nil
		}
	}
	return c.err == nil, c.err
}
