package importer

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crmio/crmio"
)

// refs is what a run knows of the reference fields it maps: the fields,
// and the ids their raw keys resolved to in committed batches.
//
// The cache is shared: the mapping workers set every reference it knows
// as they map a row (a million people name a few thousand accounts, so
// nearly every reference is known after the first batches), and the
// writer, which resolves the rest, adds what each batch resolved once the
// batch commits, so that a cached id always names a committed record.
type refs struct {
	fields []*crmio.Field
	ids    map[string]*refIDs // target module → its cache; fixed once the run starts
}

// refIDs maps the raw keys of one target module to ids.
type refIDs struct {
	m sync.Map // string → string
	n atomic.Int64
}

// refCacheMax bounds the keys a run's cache holds per target module; past
// it the cache starts afresh (resolution then falls back to one lookup per
// batch, as always).
const refCacheMax = 100_000

func (r *refs) add(f *crmio.Field) {
	r.fields = append(r.fields, f)
	if r.ids == nil {
		r.ids = map[string]*refIDs{}
	}
	if r.ids[f.Ref] == nil {
		r.ids[f.Ref] = &refIDs{}
	}
}

// isRef reports whether field is one of the reference fields.
func (r *refs) isRef(field string) bool { return r.index(field) >= 0 }

// index returns the index of field in fields, or -1.
func (r *refs) index(field string) int {
	for k, f := range r.fields {
		if f.Name == field {
			return k
		}
	}
	return -1
}

// localRefs is one mapping worker's copy of what it has read from the
// shared cache, by field index: a plain map read costs a fraction of a
// concurrent one, and the keys repeat. It keeps the resolved value
// itself, which every row naming the key shares (values are immutable):
// no allocation a row.
type localRefs []map[string]crmio.Value

func (r *refs) local() localRefs {
	l := make(localRefs, len(r.fields))
	for k := range l {
		l[k] = map[string]crmio.Value{}
	}
	return l
}

// setKnown sets, in values, the id of each reference the cache knows. It
// returns the references left for the writer to resolve: bit k for
// fields[k] (fields past the 64th count as always left).
func (r *refs) setKnown(values map[string]crmio.Value, local localRefs) (open uint64) {
	for k, f := range r.fields {
		ref, ok := values[f.Name].Ref()
		if !ok || ref.ID != "" {
			continue
		}
		v, ok := local[k][ref.Key]
		if !ok {
			var id string
			if id, ok = r.ids[f.Ref].get(ref.Key); ok {
				if len(local[k]) >= refCacheMax {
					clear(local[k])
				}
				// A copy of the key: the row's string is cold by the time
				// the key is compared again, and keeps the whole row alive.
				key := strings.Clone(ref.Key)
				v = crmio.RefValue(id, key)
				local[k][key] = v
			}
		}
		if ok {
			values[f.Name] = v
		} else if k < 64 {
			open |= 1 << k
		}
	}
	return open
}

// isOpen reports whether fields[k] was left for the writer to resolve in
// a row whose setKnown returned open.
func isOpen(open uint64, k int) bool { return k >= 64 || open&(1<<k) != 0 }

// cache adds what a committed batch resolved.
func (r *refs) cache(res resolved) {
	for module, keys := range res {
		c := r.ids[module]
		if c == nil {
			continue
		}
		if c.n.Load()+int64(len(keys)) > refCacheMax {
			c.m.Clear()
			c.n.Store(0)
		}
		for k, id := range keys {
			if _, loaded := c.m.Swap(k, id); !loaded {
				c.n.Add(1)
			}
		}
	}
}

func (c *refIDs) get(key string) (string, bool) {
	if c == nil {
		return "", false
	}
	id, ok := c.m.Load(key)
	if !ok {
		return "", false
	}
	return id.(string), true
}
