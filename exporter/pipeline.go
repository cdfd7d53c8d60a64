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

// chunkRows is how many records the export reads, renders and writes as
// one piece of work: enough to make handing them between goroutines cheap,
// few enough that the records in flight take little memory.
const chunkRows = 256

// chunk is a run of records read from the store and their rendered cells,
// len(cols) per record, or the error that ended the reading.
type chunk struct {
	recs  []crmio.Record
	cells []formats.Cell
	err   error
}

// scanRendered calls each, in the store's order, with every record q
// selects and its cells. Reading (with the store's decoding), rendering
// and writing overlap: one goroutine reads chunks of records, a worker per
// core renders them, and the caller's goroutine hands them to each in
// order. An export on one core was the sum of the three; on several it is
// about the slowest of them. At most two chunks per worker are in flight.
func scanRendered(ctx context.Context, store storage.Store, m *crmio.Module, q storage.Query, cols []Column,
	proto *render, guarded bool, each func(rec *crmio.Record, cells []formats.Cell) error) error {
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	workers := max(1, runtime.GOMAXPROCS(0))
	spans := fieldSpans(cols)
	type job struct {
		c   *chunk
		out chan *chunk
	}
	jobs := make(chan job, workers)
	futures := make(chan chan *chunk, 2*workers)
	spare := make(chan []formats.Cell, 2*workers+2) // cell slabs to reuse
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
		c := &chunk{recs: make([]crmio.Record, 0, chunkRows)}
		n := 0
		for rec, err := range store.Scan(ctx, m.Name, q) {
			if err == nil && n%checkEvery == 0 {
				err = ctx.Err()
			}
			n++
			if err != nil {
				if ctx.Err() == nil { // else the export already stopped
					send(&chunk{err: fmt.Errorf("exporter: reading %s: %w", m.Name, err)})
				}
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
			for j := range jobs {
				need := len(j.c.recs) * len(cols)
				var cells []formats.Cell
				select {
				case cells = <-spare:
				default:
				}
				if cap(cells) < need {
					cells = make([]formats.Cell, need)
				}
				cells = cells[:need]
				for i := range j.c.recs {
					row := cells[i*len(cols) : (i+1)*len(cols)]
					r.row(cols, spans, &j.c.recs[i], row)
					if !guarded {
						continue
					}
					for k, c := range row {
						if c.Kind() == formats.CellText && guard.NeedsQuote(c.String()) {
							row[k] = formats.TextCell(guard.Neutralize(c.String()))
						}
					}
				}
				j.c.cells = cells
				j.out <- j.c
			}
		}()
	}
	var err error
	for f := range futures {
		c := <-f
		if err == nil {
			err = c.err
			for i := range c.recs {
				if err != nil {
					break
				}
				err = each(&c.recs[i], c.cells[i*len(cols):(i+1)*len(cols)])
			}
		}
		if err != nil {
			stop() // the reader stops; the chunks on their way are drained
		}
		if c.cells != nil {
			clear(c.cells) // let the strings go
			select {
			case spare <- c.cells:
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
