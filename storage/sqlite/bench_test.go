package sqlite_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

var benchRows = flag.Int("crmio.rows", 1_000_000, "records BenchmarkInsert writes per run")

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

// BenchmarkInsert writes -crmio.rows records (1M by default) in batches
// of 1,000, one Insert per batch, into a fresh database, and reports
// records per second. Run it with -benchtime=1x.
//
// The sub-benchmarks differ in the module's lookup fields, whose match
// keys are indexed: none (no Lookup yet), the two an import that dedupes
// by email and phone looks up, and every field.
func BenchmarkInsert(b *testing.B) {
	const batch = 1000
	recs := make([]crmio.Record, *benchRows)
	for i := range recs {
		recs[i] = person(i)
	}
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
				s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", n)), nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.IndexFields(b.Context(), "people", bc.lookup...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for i := 0; i < len(recs); i += batch {
					if _, err := s.Insert(b.Context(), "people", recs[i:min(i+batch, len(recs))]); err != nil {
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

// BenchmarkScan reads back 100,000 records, in id order and ordered by a
// field, and reports records per second.
func BenchmarkScan(b *testing.B) {
	const rows = 100_000
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "scan.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	recs := make([]crmio.Record, 0, 1000)
	for i := 0; i < rows; i++ {
		recs = append(recs, person(i))
		if len(recs) == cap(recs) {
			if _, err := s.Insert(b.Context(), "people", recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	// The order field's items are written ahead (on its first Scan, the
	// store would write them then): this measures the Scans after.
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
