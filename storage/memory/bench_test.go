package memory_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

const benchBatch = 1000

// person returns a record shaped like an imported contact: eight fields,
// unique email and phone, a few shared values.
func person(n int) crmio.Record {
	s := strconv.Itoa(n)
	return crmio.Record{Values: map[string]crmio.Value{
		"first_name": crmio.TextValue("Person"),
		"last_name":  crmio.TextValue("Number " + s),
		"email":      crmio.EmailValue("Person." + s + "@Example.com"),
		"phone":      crmio.PhoneValue("+1415" + strconv.Itoa(1000000+n%9000000)),
		"company":    crmio.TextValue("Company " + strconv.Itoa(n%5000)),
		"city":       crmio.TextValue("Springfield"),
		"score":      crmio.NumberValue(crmio.MustDecimal(strconv.Itoa(n%100) + ".50")),
		"created":    crmio.DateValue(crmio.NewDate(2024, 1, 1+n%28)),
	}}
}

func batch(start int) []crmio.Record {
	recs := make([]crmio.Record, benchBatch)
	for i := range recs {
		recs[i] = person(start + i)
	}
	return recs
}

// benchmarkInsert inserts batches of 1,000 records into one growing store,
// as an import does. indexed fields are looked up first, so that their
// index is maintained on every insert, as during a deduplicating import.
func benchmarkInsert(b *testing.B, indexed ...string) {
	ctx := context.Background()
	s := memory.New()
	if len(indexed) > 0 {
		// An index is built on a field's first lookup in an existing module.
		if _, err := s.Insert(ctx, "people", batch(-benchBatch)); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range indexed {
		if _, err := s.Lookup(ctx, "people", f, []string{"x"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Making the batch is timed too (b.StopTimer would stop the world
		// to read memory statistics, a cost that grows with the store):
		// subtract BenchmarkMakeBatch for the store's own cost.
		if _, err := s.Insert(ctx, "people", batch(i*benchBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkMakeBatch is the cost of making one batch of records, included
// in the Insert benchmarks.
func BenchmarkMakeBatch(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		batch(i * benchBatch)
	}
}

func BenchmarkInsert(b *testing.B)             { benchmarkInsert(b) }
func BenchmarkInsertIndexedEmail(b *testing.B) { benchmarkInsert(b, "email") }
func BenchmarkInsertIndexedEmailPhoneCompany(b *testing.B) {
	benchmarkInsert(b, "email", "phone", "company")
}

// filled returns a store holding n people, with the email index built.
func filled(b *testing.B, n int) *memory.Store {
	ctx := context.Background()
	s := memory.New()
	for start := 0; start < n; start += benchBatch {
		if _, err := s.Insert(ctx, "people", batch(start)); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Lookup(ctx, "people", "email", nil); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkLookup looks up 1,000 email keys, nine in ten of them present,
// in a store of 100,000 people: what the importer asks once per batch.
func BenchmarkLookup(b *testing.B) {
	ctx := context.Background()
	s := filled(b, 100_000)
	keys := make([]string, benchBatch)
	for i := range keys {
		n := i * 97
		if i%10 == 9 {
			n = 1_000_000 + i // absent
		}
		keys[i] = crmio.MatchKey(crmio.EmailValue("person." + strconv.Itoa(n) + "@example.com"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Lookup(ctx, "people", "email", keys)
		if err != nil || len(got) != 900 {
			b.Fatalf("found %d keys, %v", len(got), err)
		}
	}
}

// BenchmarkUpdate updates batches of 1,000 records of a store of 100,000,
// changing one unindexed field and keeping the indexed email.
func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	s := filled(b, 100_000)
	var recs []crmio.Record
	for rec, err := range s.Scan(ctx, "people", storage.Query{Limit: benchBatch}) {
		if err != nil {
			b.Fatal(err)
		}
		rec.Values["city"] = crmio.TextValue("Shelbyville")
		recs = append(recs, rec)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Update(ctx, "people", recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkScan runs a filtered and an ordered query over 100,000 people.
func BenchmarkScan(b *testing.B) {
	ctx := context.Background()
	s := filled(b, 100_000)
	queries := map[string]storage.Query{
		"all": {},
		"filter": {Where: []storage.Filter{
			{Field: "score", Op: storage.Ge, Value: crmio.IntValue(90)},
			{Field: "company", Op: storage.Contains, Value: crmio.TextValue("company 12")},
		}},
		"order": {Order: []storage.Order{{Field: "score", Desc: true}, {Field: "last_name"}}, Limit: 100},
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				n := 0
				for _, err := range s.Scan(ctx, "people", q) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n == 0 {
					b.Fatal("nothing yielded")
				}
			}
		})
	}
}

// BenchmarkGet reads 1,000 records by id from a store of 100,000 people, as
// the importer does for the duplicates of a batch.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	s := filled(b, 100_000)
	ids := make([]string, benchBatch)
	for i := range ids {
		ids[i] = strconv.FormatInt(int64(1+i*97), 10)
		for len(ids[i]) < 12 {
			ids[i] = "0" + ids[i]
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Get(ctx, "people", ids)
		if err != nil || len(got) != benchBatch {
			b.Fatalf("got %d records, %v", len(got), err)
		}
	}
}
