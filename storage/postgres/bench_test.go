package postgres_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var benchRows = flag.Int("crmio.rows", 1_000_000, "records BenchmarkInsert and BenchmarkCopyBare write per run")

// benchBatch is the batch size of the insert benchmarks: the importer's.
const benchBatch = 1000

// person returns the i-th record of the benchmark data: a contact with
// the fields an import typically fills, two of them multi-value.
func person(i int) crmio.Record {
	var r crmio.Record
	r.Set("first_name", crmio.TextValue("First"+strconv.Itoa(i%5000)))
	r.Set("last_name", crmio.TextValue("Last Name "+strconv.Itoa(i)))
	r.Set("email", crmio.ListValue(crmio.Item{Label: "Work", Value: crmio.EmailValue("user" + strconv.Itoa(i) + "@Example.com")}))
	r.Set("phone", crmio.ListValue(
		crmio.Item{Label: "Mobile", Value: crmio.PhoneValue(fmt.Sprintf("+1415%07d", i%10_000_000))},
		crmio.Item{Label: "Work", Value: crmio.PhoneValue(fmt.Sprintf("+1212%07d", i%10_000_000))},
	))
	r.Set("account", crmio.RefValue("", "Company "+strconv.Itoa(i%1000)))
	r.Set("city", crmio.TextValue("Springfield"))
	r.Set("amount", crmio.NumberValue(crmio.MustDecimal(strconv.Itoa(i%100000)+".50")))
	r.Set("created", crmio.DateValue(crmio.NewDate(2024, time.Month(1+i%12), 1+i%28)))
	return r
}

func people(n int) []crmio.Record {
	recs := make([]crmio.Record, n)
	for i := range recs {
		recs[i] = person(i)
	}
	return recs
}

// BenchmarkInsert writes -crmio.rows records (1M by default) in batches of
// 1,000, one Insert per batch, into a fresh schema, and reports records per
// second. Compare with BenchmarkCopyBare. Run it with -benchtime=1x.
//
// The sub-benchmarks differ in the module's lookup fields, whose match
// key hashes crmio_lookup_keys holds: none (no Lookup yet), the two an import that
// dedupes by email and phone looks up, and every field.
func BenchmarkInsert(b *testing.B) {
	recs := people(*benchRows)
	for _, bc := range []struct {
		name   string
		lookup []string
	}{
		{"lookup=none", nil},
		{"lookup=email,phone", []string{"email", "phone"}},
		{"lookup=all", []string{"first_name", "last_name", "email", "phone", "account", "city", "amount", "created"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				s, err := postgres.Open(b.Context(), dsn(b), &postgres.Options{Schema: freshSchema(b)})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.IndexFields(b.Context(), "people", bc.lookup...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for i := 0; i < len(recs); i += benchBatch {
					if _, err := s.Insert(b.Context(), "people", recs[i:min(i+benchBatch, len(recs))]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(recs))/time.Since(start).Seconds(), "rows/s")
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkCopyBare is the yardstick of BenchmarkInsert: the same records,
// their values encoded as the same JSON, copied with pgx's CopyFrom into a
// plain table (id, module, vals json) without keys or indexes, in batches
// of 1,000.
func BenchmarkCopyBare(b *testing.B) {
	recs := people(*benchRows)
	schema := freshSchema(b)
	pool, err := pgxpool.New(b.Context(), dsn(b)) // as Open makes it: commits wait for the WAL flush
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	table := pgx.Identifier{schema, "bare"}
	if _, err := pool.Exec(b.Context(), "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		if _, err := pool.Exec(b.Context(), "DROP TABLE IF EXISTS "+table.Sanitize()+"; CREATE TABLE "+table.Sanitize()+" (id bigint, module text, vals json)"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		id := int64(0)
		for i := 0; i < len(recs); i += benchBatch {
			batch := recs[i:min(i+benchBatch, len(recs))]
			j := 0
			var buf []byte
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if j == len(batch) {
					return nil, nil
				}
				buf = appendValuesJSON(buf[:0], batch[j].Values)
				j++
				id++
				return []any{id, "people", string(buf)}, nil
			})
			if _, err := pool.CopyFrom(b.Context(), table, []string{"id", "module", "vals"}, src); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(recs))/time.Since(start).Seconds(), "rows/s")
	}
}

// appendValuesJSON appends values as the store encodes them: a JSON object
// of each field's crmio.Value JSON form.
func appendValuesJSON(b []byte, values map[string]crmio.Value) []byte {
	b = append(b, '{')
	first := true
	for name, v := range values {
		if !first {
			b = append(b, ',')
		}
		first = false
		k, _ := json.Marshal(name)
		b = append(append(b, k...), ':')
		b = v.AppendJSON(b)
	}
	return append(b, '}')
}

// BenchmarkScan reads back 100,000 records, in id order, ordered by a
// field, and with a field selection, and reports records per second. The
// order field is made a key field first (see BenchmarkKeyFields for what
// that costs, once).
func BenchmarkScan(b *testing.B) {
	s := open(b)
	recs := people(100_000)
	for i := 0; i < len(recs); i += benchBatch {
		if _, err := s.Insert(b.Context(), "people", recs[i:i+benchBatch]); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.KeyFields(b.Context(), "people", "last_name"); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name string
		q    storage.Query
	}{
		{"all", storage.Query{}},
		{"ordered", storage.Query{Order: []storage.Order{{Field: "last_name", Desc: true}}}},
		{"fields", storage.Query{Fields: []string{"email", "last_name"}}},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			total := 0
			for n := 0; n < b.N; n++ {
				for _, err := range s.Scan(b.Context(), "people", q.q) {
					if err != nil {
						b.Fatal(err)
					}
					total++
				}
			}
			b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkKeyFields makes a field of 100,000 records a key field, as the
// first Scan that filters or orders on it does, and reports records per
// second.
func BenchmarkKeyFields(b *testing.B) {
	recs := people(100_000)
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		s, err := postgres.Open(b.Context(), dsn(b), &postgres.Options{Schema: freshSchema(b)})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(recs); i += benchBatch {
			if _, err := s.Insert(b.Context(), "people", recs[i:i+benchBatch]); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		if err := s.KeyFields(b.Context(), "people", "last_name"); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(recs))/time.Since(start).Seconds(), "rows/s")
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
