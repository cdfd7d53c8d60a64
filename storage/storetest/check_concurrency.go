package storetest

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Writers, batches and batch size of the concurrency check: enough to
// interleave under the race detector, small enough to stay fast.
const (
	concurrentWriters = 6
	concurrentBatches = 8
	concurrentBatch   = 5
)

func checkConcurrency(c *checker, s storage.Store) {
	const check = "concurrent writers"
	var wg sync.WaitGroup
	idsOf := make([][]string, concurrentWriters)
	stop := make(chan struct{})
	var readers sync.WaitGroup

	// Readers run alongside the writers.
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := scan(c.ctx, s, people, storage.Query{Order: []storage.Order{{Field: "n"}}, Limit: 10}); err != nil {
				c.errorf(check, "Scan alongside writers: %v", err)
				return
			}
			if _, err := s.Lookup(c.ctx, people, "writer", []string{"w0", "w1"}); err != nil {
				c.errorf(check, "Lookup alongside writers: %v", err)
				return
			}
		}
	}()

	for w := range concurrentWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			writer := "w" + strconv.Itoa(w)
			for b := range concurrentBatches {
				recs := make([]crmio.Record, concurrentBatch)
				for i := range recs {
					recs[i] = crmio.Record{Values: vals{
						"key":    text(fmt.Sprintf("%s-%d-%d", writer, b, i)),
						"writer": text(writer),
						"n":      crmio.IntValue(int64(b*concurrentBatch + i)),
					}}
				}
				ids, err := s.Insert(c.ctx, people, recs)
				if err != nil || len(ids) != len(recs) {
					c.errorf(check, "writer %s: Insert returned %d ids, %v", writer, len(ids), err)
					return
				}
				idsOf[w] = append(idsOf[w], ids...)
				// Update the batch just written: the values gain "done".
				for i := range recs {
					recs[i].ID = ids[i]
					recs[i].Values["done"] = crmio.BoolValue(true)
				}
				if err := s.Update(c.ctx, people, recs); err != nil {
					c.errorf(check, "writer %s: Update: %v", writer, err)
					return
				}
			}
		}()
	}
	c.within(check, wg.Wait)
	close(stop)
	c.within(check, readers.Wait)

	all := c.scanAll(check, s, people, storage.Query{})
	want := concurrentWriters * concurrentBatches * concurrentBatch
	if len(all) != want {
		c.errorf(check, "%d records after the writers finished, want %d", len(all), want)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.ID] {
			c.errorf(check, "id %q yielded twice", r.ID)
		}
		seen[r.ID] = true
		if done, _ := r.Get("done").Bool(); !done {
			c.errorf(check, "record %s lost its update: %v", r.Get("key").Str(), r.Values)
		}
	}
	for w, ids := range idsOf {
		writer := "w" + strconv.Itoa(w)
		got, err := s.Lookup(c.ctx, people, "writer", []string{writer})
		if err != nil {
			c.fatalf(check, "Lookup: %v", err)
		}
		if len(got[writer]) != len(ids) {
			c.errorf(check, "Lookup of writer %s found %d records, want %d", writer, len(got[writer]), len(ids))
		}
		for _, id := range ids {
			if !seen[id] {
				c.errorf(check, "record %q of writer %s is missing", id, writer)
			}
		}
	}
}
