package exporter_test

import (
	"context"
	"fmt"
	"io"
	"iter"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/internal/fpdfbaseline"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// benchStore returns a memory store holding n generated people, built
// once per size for the whole benchmark run.
var benchStores sync.Map // int → *memory.Store

func benchStore(b *testing.B, n int) *memory.Store {
	if s, ok := benchStores.Load(n); ok {
		return s.(*memory.Store)
	}
	b.Helper()
	ctx := context.Background()
	s := memory.New()
	names := []string{"Zoë", "Jürgen", "Łukasz", "Ωμέγα", "Кирилл", "Ada", "Grace", "Alan"}
	batch := make([]crmio.Record, 0, 10_000)
	for i := range n {
		batch = append(batch, crmio.Record{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue(names[i%len(names)]),
			"last_name":  crmio.TextValue(fmt.Sprintf("Person %d", i)),
			"email":      crmio.ListValue(crmio.Item{Label: "work", Value: crmio.EmailValue(fmt.Sprintf("person%d@example.com", i))}),
			"phone":      crmio.ListValue(crmio.Item{Label: "mobile", Value: crmio.PhoneValue(fmt.Sprintf("+1415555%04d", i%10000))}),
			"score":      crmio.NumberValue(crmio.MustDecimal(fmt.Sprintf("%d.%02d", i%100000, i%100))),
			"vip":        crmio.BoolValue(i%3 == 0),
			"birthday":   crmio.DateValue(crmio.NewDate(1950+i%50, time.Month(1+i%12), 1+i%28)),
			"status":     crmio.TextValue([]string{"new", "qualified"}[i%2]),
			"owner":      crmio.TextValue([]string{"alice", "bob"}[i%2]),
		}})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := s.Insert(ctx, "people", batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	benchStores.Store(n, s)
	return s
}

// BenchmarkExportCSV1M exports a million records from storage/memory as
// CSV: every field of the module (22 columns), streaming to io.Discard.
func BenchmarkExportCSV1M(b *testing.B) {
	benchmarkExport(b, 1_000_000, exporter.CSV)
}

// BenchmarkExportCSV1MNoStore exports the same million records from a
// store that yields them from a slice as they are, without the copies
// storage/memory makes: the cost of the exporter and the CSV writer alone.
func BenchmarkExportCSV1MNoStore(b *testing.B) {
	mem := benchStore(b, 1_000_000)
	var recs []crmio.Record
	for rec, err := range mem.Scan(context.Background(), "people", storage.Query{}) {
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	benchmarkExportFrom(b, sliceStore(recs), len(recs), exporter.CSV)
}

// sliceStore is a Store whose Scan yields its records, ignoring the query;
// its other methods are not implemented.
type sliceStore []crmio.Record

func (s sliceStore) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		for _, r := range s {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (sliceStore) Insert(context.Context, string, []crmio.Record) ([]string, error) { return nil, nil }
func (sliceStore) Update(context.Context, string, []crmio.Record) error             { return nil }
func (sliceStore) Delete(context.Context, string, []string) error                   { return nil }
func (sliceStore) Get(context.Context, string, []string) ([]crmio.Record, error)    { return nil, nil }
func (sliceStore) Lookup(context.Context, string, string, []string) (map[string][]string, error) {
	return nil, nil
}

// BenchmarkExportXLSX100k exports 100,000 records as an XLSX workbook.
func BenchmarkExportXLSX100k(b *testing.B) {
	benchmarkExport(b, 100_000, exporter.XLSX)
}

// BenchmarkExportPDF10k exports 10,000 records as a PDF report, and
// reports the peak heap.
func BenchmarkExportPDF10k(b *testing.B) {
	benchmarkExport(b, 10_000, exporter.PDF)
}

// BenchmarkExportPDF10kVsFpdf exports 10,000 records as a PDF report of
// eight list fields, then writes the same rows' cells as a bare fpdf
// table (one CellFormat per cell, fixed widths, fpdf's page breaks: the
// baseline issue 16 set), side by side in each iteration. It reports the
// wall and CPU time of each, their ratio, and each one's peak live heap.
func BenchmarkExportPDF10kVsFpdf(b *testing.B) {
	const n = 10_000
	store := benchStore(b, n)
	m := peopleModule()
	m.ListFields = []string{"first_name", "last_name", "email", "phone", "score", "vip", "birthday", "status"}
	ctx := context.Background()
	rec := &recorder{}
	if _, err := exporter.ExportTo(ctx, store, m, rec, &exporter.Options{Fields: m.ListFields, DisableInjectionGuard: true}); err != nil {
		b.Fatal(err)
	}
	var wallOurs, wallBare, cpuOurs, cpuBare time.Duration
	var peakOurs, peakBare atomic.Uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peakOurs)
		t0, c0 := time.Now(), cpuTime()
		res, err := exporter.Export(ctx, store, m, io.Discard, &exporter.Options{Format: exporter.PDF})
		wallOurs, cpuOurs = wallOurs+time.Since(t0), cpuOurs+cpuTime()-c0
		stop()
		if err != nil || res.Rows != n {
			b.Fatal(res.Rows, err)
		}

		runtime.GC()
		stop = sampleHeap(&peakBare)
		t0, c0 = time.Now(), cpuTime()
		err = fpdfbaseline.Table(io.Discard, rec.header, rec.rows)
		wallBare, cpuBare = wallBare+time.Since(t0), cpuBare+cpuTime()-c0
		stop()
		if err != nil {
			b.Fatal(err)
		}
	}
	k := float64(b.N)
	b.ReportMetric(wallOurs.Seconds()*1000/k, "crmio-ms")
	b.ReportMetric(wallBare.Seconds()*1000/k, "fpdf-ms")
	b.ReportMetric(cpuOurs.Seconds()*1000/k, "crmio-cpu-ms")
	b.ReportMetric(cpuBare.Seconds()*1000/k, "fpdf-cpu-ms")
	b.ReportMetric(wallOurs.Seconds()/wallBare.Seconds(), "ratio")
	b.ReportMetric(float64(peakOurs.Load())/(1<<20), "crmio-peak-MB")
	b.ReportMetric(float64(peakBare.Load())/(1<<20), "fpdf-peak-MB")
}

// recorder is a formats.Writer that keeps the texts written to it.
type recorder struct {
	header []string
	rows   [][]string
}

func (r *recorder) WriteHeader(names []string) error {
	r.header = append([]string(nil), names...)
	return nil
}
func (r *recorder) WriteRow(cells []formats.Cell) error {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = c.String()
	}
	r.rows = append(r.rows, row)
	return nil
}
func (r *recorder) Close() error { return nil }

func benchmarkExport(b *testing.B, n int, format exporter.Format) {
	benchmarkExportFrom(b, benchStore(b, n), n, format)
}

func benchmarkExportFrom(b *testing.B, store storage.Store, n int, format exporter.Format) {
	m := peopleModule()
	ctx := context.Background()
	runtime.GC()
	base := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(base)
	var peak atomic.Uint64
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		stop := sampleHeap(&peak)
		res, err := exporter.Export(ctx, store, m, io.Discard, &exporter.Options{Format: format})
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != n {
			b.Fatalf("%d rows, want %d", res.Rows, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
	}
	// The live heap above what the store itself holds: what the export
	// keeps (for PDF, the document).
	b.ReportMetric(float64(peak.Load()-min(peak.Load(), base[0].Value.Uint64()))/(1<<20), "peak-live-MB")
}

// sampleHeap records, until stop is called, the largest live heap: the
// heap the last garbage collection found in use (runtime/metrics'
// /gc/heap/live:bytes), which unlike HeapAlloc leaves out the garbage not
// yet collected.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
