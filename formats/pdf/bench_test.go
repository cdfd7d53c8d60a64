package pdf_test

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio/formats/pdf"
)

// BenchmarkReport10k writes a 10,000-row report and reports the peak heap
// seen while doing it (sampled every 2 ms), since the PDF library builds
// the whole document in memory.
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
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// sampleHeap records the largest HeapAlloc into peak until stop is called.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
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
