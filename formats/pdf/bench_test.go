package pdf_test

import (
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio/formats/pdf"
)

// BenchmarkReport10k writes a 10,000-row report and reports the peak live
// heap seen while doing it (sampled every 2 ms), since the PDF library
// builds the whole document in memory.
func BenchmarkReport10k(b *testing.B) {
	const rows = 10_000
	var peak atomic.Uint64
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		w, err := pdf.NewWriter(io.Discard, &pdf.Options{Title: "Benchmark", Created: time.Unix(0, 0)})
		if err != nil {
			b.Fatal(err)
		}
		w.WriteHeader(reportHeader)
		for i := 1; i <= rows; i++ {
			if err := w.WriteRow(reportRow(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		stop()
	}
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-live-MB")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
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
