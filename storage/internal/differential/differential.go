// Package differential checks a store against storage/memory, whose Scan is
// the reference semantics (storage.Filter.Match, storage.Query.Compare):
// random records, random queries and lookups, after updates and deletes,
// must give the same records, in the same order, with the same values. The
// SQL stores run it from their tests.
package differential

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// randomValue returns a value of a random kind, drawn from small pools so
// that filters match often, with the edge cases of each kind.
func randomValue(r *rand.Rand) crmio.Value {
	texts := []string{"Ada", "ada", " ADA  ", "Bob", "bob smith", "Zoë", "zoe", "東京", "", "a\x00b", "abc", "ab", "b"}
	switch r.IntN(13) {
	case 0:
		return crmio.TextValue(texts[r.IntN(len(texts))])
	case 1:
		return crmio.EmailValue([]string{"Bob@Example.com", "bob@example.com ", "ada@x.org", ""}[r.IntN(4)])
	case 2:
		return crmio.PhoneValue([]string{"+14155550102", "(415) 555-0102", "020 7946 0000", "+442079460000", "x"}[r.IntN(5)])
	case 3:
		return crmio.URLValue([]string{"https://www.Acme.com/", "acme.com", "http://b.org"}[r.IntN(3)])
	case 4:
		return crmio.NumberValue(crmio.MustDecimal([]string{"0", "1", "1.50", "1.5", "-1.2", "-1.23", "10", "9.99", "-0.001", "123456789012345678901234567890"}[r.IntN(10)]))
	case 5:
		return crmio.BoolValue(r.IntN(2) == 0)
	case 6:
		return crmio.DateValue(crmio.NewDate(1990+r.IntN(3), time.Month(1+r.IntN(2)), 1+r.IntN(3)))
	case 7:
		zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+1800), time.FixedZone("", -8*3600)}
		return crmio.DateTimeValue(time.Date(2024, 1, 15, 10+r.IntN(3), 0, 0, r.IntN(2)*500, zones[r.IntN(3)]))
	case 8:
		return crmio.RefValue([]string{"", "42", "7"}[r.IntN(3)], []string{"", "Acme", "acme "}[r.IntN(3)])
	case 9:
		return crmio.AddressValue(crmio.Address{City: []string{"", "Oslo", "oslo"}[r.IntN(3)]})
	case 10:
		n := r.IntN(4)
		items := make([]crmio.Item, n)
		for i := range items {
			v := randomValue(r)
			for v.Kind() == crmio.KindList {
				v = randomValue(r)
			}
			items[i] = crmio.Item{Label: []string{"", "Work", "Home"}[r.IntN(3)], Value: v}
		}
		return crmio.ListValue(items...)
	case 11:
		return crmio.Value{} // null, present
	}
	return crmio.TextValue(fmt.Sprint(r.IntN(5)))
}

var diffFields = []string{"a", "b", "c", `q"uo'te`}

func randomRecord(r *rand.Rand) crmio.Record {
	var rec crmio.Record
	for _, f := range diffFields {
		if r.IntN(4) > 0 {
			rec.Set(f, randomValue(r))
		}
	}
	return rec
}

func randomFilter(r *rand.Rand) storage.Filter {
	for {
		f := storage.Filter{Field: diffFields[r.IntN(len(diffFields))], Op: storage.Ops[r.IntN(len(storage.Ops))], Value: randomValue(r)}
		if f.Value.Kind() == crmio.KindList && r.IntN(2) == 0 {
			continue
		}
		if (storage.Query{Where: []storage.Filter{f}}).Validate() == nil {
			return f
		}
	}
}

func randomQuery(r *rand.Rand) storage.Query {
	var q storage.Query
	for range r.IntN(3) {
		q.Where = append(q.Where, randomFilter(r))
	}
	for range r.IntN(3) {
		q.Order = append(q.Order, storage.Order{Field: diffFields[r.IntN(len(diffFields))], Desc: r.IntN(2) == 0})
	}
	if r.IntN(3) == 0 {
		q.Limit = 1 + r.IntN(10)
	}
	if r.IntN(3) == 0 {
		q.Scope = &storage.Scope{Name: "random", Where: []storage.Filter{randomFilter(r)}}
	}
	switch r.IntN(4) {
	case 0:
		q.Fields = []string{}
	case 1:
		q.Fields = []string{diffFields[r.IntN(len(diffFields))], "missing"}
	}
	return q
}

// differential inserts the same random records into s and a memory store,
// with some updates and deletes, then compares random queries and lookups.
// Run compares s with a memory store through random writes, queries and
// lookups, reporting every difference.
func Run(t *testing.T, s storage.Store) {
	ctx := t.Context()
	ref := memory.New()
	r := rand.New(rand.NewPCG(1, 2))
	recs := make([]crmio.Record, 300)
	for i := range recs {
		recs[i] = randomRecord(r)
	}
	refIDs, err := ref.Insert(ctx, "m", recs)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.Insert(ctx, "m", recs)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{} // the store's id → record number
	refIndex := map[string]int{}
	for i := range ids {
		index[ids[i]] = i
		refIndex[refIDs[i]] = i
	}
	// Lookup a field before the updates, so that its index is maintained
	// by them.
	if _, err := s.Lookup(ctx, "m", "a", []string{"ada"}); err != nil {
		t.Fatal(err)
	}
	var upd, refUpd []crmio.Record
	for i := 0; i < len(recs); i += 7 {
		rec := randomRecord(r)
		upd = append(upd, crmio.Record{ID: ids[i], Values: rec.Values})
		refUpd = append(refUpd, crmio.Record{ID: refIDs[i], Values: rec.Values})
	}
	if err := s.Update(ctx, "m", upd); err != nil {
		t.Fatal(err)
	}
	if err := ref.Update(ctx, "m", refUpd); err != nil {
		t.Fatal(err)
	}
	var del, refDel []string
	for i := 3; i < len(recs); i += 11 {
		del, refDel = append(del, ids[i]), append(refDel, refIDs[i])
	}
	if err := s.Delete(ctx, "m", del); err != nil {
		t.Fatal(err)
	}
	if err := ref.Delete(ctx, "m", refDel); err != nil {
		t.Fatal(err)
	}

	describe := func(recs []crmio.Record, index map[string]int) string {
		var b strings.Builder
		for _, rec := range recs {
			fmt.Fprintf(&b, "#%d", index[rec.ID])
			for _, f := range slices.Sorted(func(yield func(string) bool) {
				for k := range rec.Values {
					if !yield(k) {
						return
					}
				}
			}) {
				v, _ := rec.Values[f].MarshalJSON()
				fmt.Fprintf(&b, " %s=%s", f, v)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	collect := func(st storage.Store, q storage.Query) ([]crmio.Record, error) {
		var out []crmio.Record
		for rec, err := range st.Scan(ctx, "m", q) {
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
		return out, nil
	}
	queries := 400
	if raceEnabled {
		queries = 100
	}
	for n := range queries {
		q := randomQuery(r)
		want, err := collect(ref, q)
		if err != nil {
			t.Fatalf("query %d: memory: %v", n, err)
		}
		got, err := collect(s, q)
		if err != nil {
			t.Fatalf("query %d %+v: %v", n, q, err)
		}
		if g, w := describe(got, index), describe(want, refIndex); g != w {
			t.Errorf("query %d %+v:\ngot\n%s\nwant\n%s", n, q, g, w)
		}
	}
	for n := range 100 {
		field := diffFields[r.IntN(len(diffFields))]
		var keys []string
		for range 1 + r.IntN(4) {
			keys = append(keys, crmio.MatchKey(randomValue(r)))
		}
		want, err := ref.Lookup(ctx, "m", field, keys)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Lookup(ctx, "m", field, keys)
		if err != nil {
			t.Fatal(err)
		}
		norm := func(m map[string][]string, index map[string]int) string {
			var lines []string
			for k, list := range m {
				nums := make([]string, len(list))
				for i, id := range list {
					nums[i] = fmt.Sprint(index[id])
				}
				lines = append(lines, fmt.Sprintf("%q: %v", k, nums))
			}
			slices.Sort(lines)
			return strings.Join(lines, "\n")
		}
		if g, w := norm(got, index), norm(want, refIndex); g != w {
			t.Errorf("lookup %d %s %q:\ngot  %s\nwant %s", n, field, keys, g, w)
		}
	}
}
