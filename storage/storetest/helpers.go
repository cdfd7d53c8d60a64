package storetest

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Short constructors for the fixtures.
var (
	text  = crmio.TextValue
	email = crmio.EmailValue
	phone = crmio.PhoneValue
	num   = func(s string) crmio.Value { return crmio.NumberValue(crmio.MustDecimal(s)) }
)

func date(s string) crmio.Value {
	d, err := crmio.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return crmio.DateValue(d)
}

func instant(s string) crmio.Value {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return crmio.DateTimeValue(t)
}

func item(label string, v crmio.Value) crmio.Item { return crmio.Item{Label: label, Value: v} }

// vals is the Values of a fixture record.
type vals = map[string]crmio.Value

func records(vs ...vals) []crmio.Record {
	out := make([]crmio.Record, len(vs))
	for i, v := range vs {
		out[i] = crmio.Record{Values: v}
	}
	return out
}

// insert inserts recs and ends the area when the store fails to.
func (c *checker) insert(check string, s storage.Store, module string, recs []crmio.Record) []string {
	ids, err := s.Insert(c.ctx, module, recs)
	if err != nil {
		c.fatalf(check, "Insert of %d records into %q: %v", len(recs), module, err)
	}
	if len(ids) != len(recs) {
		c.fatalf(check, "Insert of %d records into %q returned %d ids", len(recs), module, len(ids))
	}
	return ids
}

// get returns the records of ids and ends the area when the store fails.
func (c *checker) get(check string, s storage.Store, module string, ids ...string) []crmio.Record {
	recs, err := s.Get(c.ctx, module, ids)
	if err != nil {
		c.fatalf(check, "Get %s from %q: %v", describe(ids), module, err)
	}
	return recs
}

// getOne returns the record of id, reporting when it is missing.
func (c *checker) getOne(check string, s storage.Store, module, id string) (crmio.Record, bool) {
	recs := c.get(check, s, module, id)
	if len(recs) != 1 || recs[0].ID != id {
		c.errorf(check, "Get(%q) from %q returned %s, want the record", id, module, describe(recordIDs(recs)))
		return crmio.Record{}, false
	}
	return recs[0], true
}

// scan runs q and returns what it yields, with the error that ended it.
func scan(ctx context.Context, s storage.Store, module string, q storage.Query) ([]crmio.Record, error) {
	var out []crmio.Record
	for rec, err := range s.Scan(ctx, module, q) {
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// scanAll runs q and ends the area when the store fails.
func (c *checker) scanAll(check string, s storage.Store, module string, q storage.Query) []crmio.Record {
	recs, err := scan(c.ctx, s, module, q)
	if err != nil {
		c.fatalf(check, "Scan of %q: %v", module, err)
	}
	return recs
}

// count returns how many records a zero Query yields.
func (c *checker) count(check string, s storage.Store, module string) int {
	return len(c.scanAll(check, s, module, storage.Query{}))
}

func recordIDs(recs []crmio.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

// keysOf returns the "key" field of each record: the name fixtures give
// their records so that failures read well.
func keysOf(recs []crmio.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Get("key").Str()
		if out[i] == "" {
			out[i] = "#" + r.ID
		}
	}
	return out
}

// fixture is a set of records inserted into one module, known by their
// "key" field, with the store's id order learnt from a zero Query.
type fixture struct {
	module string
	idOf   map[string]string // key → id
	keyOf  map[string]string // id → key
	rank   map[string]int    // key → position in the store's id order
	order  []string          // keys in the store's id order
}

// load inserts recs (each with a distinct "key" text field) and learns the
// store's id order.
func (c *checker) load(check string, s storage.Store, module string, recs []crmio.Record) *fixture {
	ids := c.insert(check, s, module, recs)
	f := &fixture{module: module, idOf: map[string]string{}, keyOf: map[string]string{}, rank: map[string]int{}}
	for i, r := range recs {
		k := r.Get("key").Str()
		f.idOf[k] = ids[i]
		f.keyOf[ids[i]] = k
	}
	all := c.scanAll(check, s, module, storage.Query{})
	for _, r := range all {
		k, ok := f.keyOf[r.ID]
		if !ok {
			c.fatalf(check, "Scan yielded id %q, which Insert did not return", r.ID)
		}
		if _, dup := f.rank[k]; dup {
			c.fatalf(check, "Scan yielded id %q twice", r.ID)
		}
		f.rank[k] = len(f.order)
		f.order = append(f.order, k)
	}
	if len(f.order) != len(recs) {
		c.fatalf(check, "a zero Query yielded %d records after inserting %d", len(f.order), len(recs))
	}
	return f
}

// inIDOrder returns keys sorted by the store's id order.
func (f *fixture) inIDOrder(keys ...string) []string {
	out := slices.Clone(keys)
	slices.SortFunc(out, func(a, b string) int { return f.rank[a] - f.rank[b] })
	return out
}

// groups returns the keys of groups in turn, each group (records that
// compare equal) in the store's id order.
func (f *fixture) groups(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, f.inIDOrder(g...)...)
	}
	return out
}

// ids returns the ids of keys.
func (f *fixture) ids(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = f.idOf[k]
	}
	return out
}

// wantKeys reports when got's keys differ from want (in order).
func (c *checker) wantKeys(check string, got []crmio.Record, want []string) bool {
	if keys := keysOf(got); !slices.Equal(keys, want) {
		c.errorf(check, "got %s, want %s", describe(keys), describe(want))
		return false
	}
	return true
}

// isErr reports when err does not wrap target.
func (c *checker) isErr(check string, err, target error, what string) {
	switch {
	case err == nil:
		c.errorf(check, "%s returned no error, want one wrapping %v", what, target)
	case !errors.Is(err, target):
		c.errorf(check, "%s returned %q, which does not wrap %v", what, err, target)
	}
}

// sameRecord reports when got is not want: same id, same fields, each value
// Equal and with the same String form (which keeps a time's offset).
func (c *checker) sameRecord(check string, got, want crmio.Record) bool {
	ok := true
	if got.ID != want.ID {
		c.errorf(check, "record has id %q, want %q", got.ID, want.ID)
		ok = false
	}
	for f, w := range want.Values {
		g, has := got.Values[f]
		switch {
		case !has:
			c.errorf(check, "record %s: field %q is missing, want %s", want.ID, f, show(w))
			ok = false
		case !g.Equal(w) || g.String() != w.String():
			c.errorf(check, "record %s: field %q is %s, want %s", want.ID, f, show(g), show(w))
			ok = false
		}
	}
	for f, g := range got.Values {
		if _, has := want.Values[f]; !has {
			c.errorf(check, "record %s: field %q is %s, want no such field", want.ID, f, show(g))
			ok = false
		}
	}
	return ok
}

// show describes a value with its kind, in its JSON form, shortened.
func show(v crmio.Value) string {
	b, _ := v.MarshalJSON()
	if len(b) > 120 {
		b = append(b[:100:100], "…"...)
	}
	return string(b)
}
