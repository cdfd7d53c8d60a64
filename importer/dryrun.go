package importer

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"sync"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// overlay is the store a dry run writes to: it reads through to the real
// store and keeps its own writes in memory, so that later batches see the
// rows earlier ones "wrote" (duplicates inside the file, auto-created
// references) while the real store is never changed. A dry run therefore
// holds what it would write in memory.
type overlay struct {
	base    storage.Store
	mu      sync.Mutex
	next    int
	records map[string]map[string]crmio.Record        // module → id → record
	keys    map[string]map[string]map[string][]string // module → field → key → ids
}

func newOverlay(base storage.Store) *overlay {
	return &overlay{base: base, records: map[string]map[string]crmio.Record{}, keys: map[string]map[string]map[string][]string{}}
}

func (o *overlay) index(module string, rec crmio.Record) {
	fields := o.keys[module]
	if fields == nil {
		fields = map[string]map[string][]string{}
		o.keys[module] = fields
	}
	for f, v := range rec.Values {
		for _, k := range crmio.MatchKeys(v) {
			if fields[f] == nil {
				fields[f] = map[string][]string{}
			}
			fields[f][k] = append(fields[f][k], rec.ID)
		}
	}
}

func (o *overlay) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	ids := make([]string, len(recs))
	for i, rec := range recs {
		o.next++
		rec = rec.Clone()
		rec.ID = "dry-run-" + strconv.Itoa(o.next)
		if o.records[module] == nil {
			o.records[module] = map[string]crmio.Record{}
		}
		o.records[module][rec.ID] = rec
		o.index(module, rec)
		ids[i] = rec.ID
	}
	return ids, nil
}

func (o *overlay) Update(ctx context.Context, module string, recs []crmio.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, rec := range recs {
		if o.records[module] == nil {
			o.records[module] = map[string]crmio.Record{}
		}
		o.records[module][rec.ID] = rec.Clone()
		o.index(module, rec) // old keys linger: harmless for a dry run's lookups of new rows
	}
	return nil
}

func (o *overlay) Delete(ctx context.Context, module string, ids []string) error {
	return fmt.Errorf("importer: a dry run deletes nothing")
}

func (o *overlay) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	o.mu.Lock()
	var missing []string
	mine := map[string]crmio.Record{}
	for _, id := range ids {
		if rec, ok := o.records[module][id]; ok {
			mine[id] = rec
		} else {
			missing = append(missing, id)
		}
	}
	o.mu.Unlock()
	if len(missing) > 0 {
		recs, err := o.base.Get(ctx, module, missing)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			mine[rec.ID] = rec
		}
	}
	out := make([]crmio.Record, 0, len(ids))
	for _, id := range ids {
		if rec, ok := mine[id]; ok {
			out = append(out, rec)
		}
	}
	return out, nil
}

func (o *overlay) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	found, err := o.base.Lookup(ctx, module, field, keys)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, k := range keys {
		if ids := o.keys[module][field][k]; len(ids) > 0 {
			if found == nil {
				found = map[string][]string{}
			}
			found[k] = append(append([]string(nil), found[k]...), ids...)
		}
	}
	return found, nil
}

func (o *overlay) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return o.base.Scan(ctx, module, q)
}
