package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio/internal/contactgen"
)

// BenchmarkImportProcess times whole runs of
//
//	crmio --db memory: import contacts.csv --module people
//
// process start included, on a generated contacts file of 500,000 rows
// (CRMIO_BENCH_ROWS sets another count). It reports rows per second of
// wall time and rows per second of the process's CPU time (user + system),
// which is the fairer figure on a loaded machine.
//
//	go test ./cmd/crmio -run '^$' -bench ImportProcess -benchtime 1x
func BenchmarkImportProcess(b *testing.B) {
	rows := 500_000
	if s := os.Getenv("CRMIO_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("CRMIO_BENCH_ROWS=%q: want a row count", s)
		}
		rows = n
	}
	file := filepath.Join(b.TempDir(), "contacts.csv")
	if err := contactgen.WriteFile(file, rows, nil); err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		r := exe(b, nil, "", "--db", "memory:", "import", file, "--module", "people")
		if r.code != exitOK {
			b.Fatalf("exit status %d\n%s", r.code, r.stderr)
		}
		cpu += r.cpu
	}
	total := float64(rows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(total/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(0, "ns/op") // one op is a whole process: rows/s says it better
}
