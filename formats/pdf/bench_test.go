package pdf_test

import (
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/internal/fpdfbaseline"
)

// BenchmarkReport10k writes a 10,000-row report, measured first as the
// exporter does, and then the same rows as a bare fpdf table (one
// CellFormat per cell, fixed widths, no wrapping, no layout), the
// baseline the issue set: it reports both times per report, their ratio,
// and the peak live heap of each (sampled every 2 ms).
func BenchmarkReport10k(b *testing.B) {
	const rows = 10_000
	cells := make([][]formats.Cell, rows)
	texts := make([][]string, rows)
	for i := range cells {
		cells[i] = reportRow(i + 1)
		for _, c := range cells[i] {
			texts[i] = append(texts[i], c.String())
		}
	}
	var ours, bare time.Duration
	var peakOurs, peakBare atomic.Uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peakOurs)
		start := time.Now()
		w, err := pdf.NewWriter(io.Discard, &pdf.Options{Title: "Benchmark", Created: time.Unix(0, 0)})
		if err != nil {
			b.Fatal(err)
		}
		w.WriteHeader(reportHeader)
		for _, row := range cells {
			w.Measure(row)
		}
		for _, row := range cells {
			if err := w.WriteRow(row); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		stop()

		runtime.GC()
		stop = sampleHeap(&peakBare)
		start = time.Now()
		if err := fpdfbaseline.Table(io.Discard, reportHeader, texts); err != nil {
			b.Fatal(err)
		}
		bare += time.Since(start)
		stop()
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()*1000/n, "crmio-ms/report")
	b.ReportMetric(bare.Seconds()*1000/n, "fpdf-ms/report")
	b.ReportMetric(ours.Seconds()/bare.Seconds(), "ratio")
	b.ReportMetric(float64(peakOurs.Load())/(1<<20), "crmio-peak-MB")
	b.ReportMetric(float64(peakBare.Load())/(1<<20), "fpdf-peak-MB")
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

// BenchmarkReportMemory writes reports of 10,000 and 100,000 rows,
// measured first, and reports the peak live heap of each: the pages are
// written as they fill, so it stays flat however many rows there are.
func BenchmarkReportMemory(b *testing.B) {
	for _, rows := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			var peak atomic.Uint64
			var written int64
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				cw := &countingWriter{}
				w, err := pdf.NewWriter(cw, &pdf.Options{Title: "Benchmark", Created: time.Unix(0, 0)})
				if err != nil {
					b.Fatal(err)
				}
				w.WriteHeader(reportHeader)
				for i := 1; i <= rows; i++ {
					w.Measure(reportRow(i))
				}
				for i := 1; i <= rows; i++ {
					if err := w.WriteRow(reportRow(i)); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				stop()
				written = cw.n
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-live-MB")
			b.ReportMetric(float64(written)/(1<<20), "file-MB")
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
