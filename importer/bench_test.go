package importer_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

var (
	benchDir     string
	benchDirOnce sync.Once
	benchFiles   sync.Map // rows → path
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		runCrashChild()
	}
	if os.Getenv(memChildEnv) != "" {
		runMemChild()
	}
	if os.Getenv(resumeChildEnv) != "" {
		runResumeChild()
	}
	code := testenv.Main(m)
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// contactsFile returns a generated contacts CSV of n rows, made once per
// process.
func contactsFile(b testing.TB, n int) string {
	benchDirOnce.Do(func() {
		var err error
		if benchDir, err = os.MkdirTemp("", "crmio-importer-bench"); err != nil {
			b.Fatal(err)
		}
	})
	if p, ok := benchFiles.Load(n); ok {
		return p.(string)
	}
	path := filepath.Join(benchDir, fmt.Sprintf("contacts-%d.csv", n))
	if err := contactgen.WriteFile(path, n, nil); err != nil {
		b.Fatal(err)
	}
	benchFiles.Store(n, path)
	return path
}

func benchPlan() importer.Plan {
	return importer.Plan{
		Module:               "people",
		Duplicates:           dedupe.Update,
		Merge:                dedupe.FillEmpty,
		AutoCreateReferences: true,
		Mode:                 importer.Instant,
	}
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchImport(b *testing.B, rows int, store func() storage.Store) {
	path := contactsFile(b, rows)
	b.ResetTimer()
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		im, err := importer.New(store(), schemas.Default(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		sum, err := im.Run(context.Background(), importer.Source{Path: path, Format: &formats.Options{MaxSize: -1}}, benchPlan(), nil)
		cpu += cpuTime() - start
		if err != nil {
			b.Fatal(err)
		}
		if sum.Read != rows || sum.Failed != 0 {
			b.Fatalf("read %d of %d rows, %d failed: %v", sum.Read, rows, sum.Failed, sum.Errors[:min(3, len(sum.Errors))])
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// CPU time per row says what a quiet machine would do: on two cores the
	// rate cannot pass 2s / (CPU per row).
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(rows*b.N), "cpu-ns/row")
}

// BenchmarkImport imports a generated 15-column contacts CSV with 5%
// duplicate emails (Update + Fill empty, auto-created account references)
// into the memory store.
func BenchmarkImport(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			benchImport(b, n, func() storage.Store { return memory.New() })
		})
	}
}

// BenchmarkBareCSV reads the same file with encoding/csv alone: the ceiling.
func BenchmarkBareCSV(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			path := contactsFile(b, n)
			b.ResetTimer()
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
				r.ReuseRecord = true
				rows := -1
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				f.Close()
				if rows != n {
					b.Fatalf("%d rows", rows)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// nullStore answers every call and keeps nothing, so that a run measures
// the pipeline's own memory, not the records'.
type nullStore struct{ next atomic.Int64 }

func (s *nullStore) Insert(_ context.Context, _ string, recs []crmio.Record) ([]string, error) {
	ids := make([]string, len(recs))
	for i := range ids {
		ids[i] = strconv.FormatInt(s.next.Add(1), 10)
	}
	return ids, nil
}
func (s *nullStore) Update(context.Context, string, []crmio.Record) error { return nil }
func (s *nullStore) Delete(context.Context, string, []string) error       { return nil }
func (s *nullStore) Get(context.Context, string, []string) ([]crmio.Record, error) {
	return nil, nil
}
func (s *nullStore) Lookup(context.Context, string, string, []string) (map[string][]string, error) {
	return map[string][]string{}, nil
}
func (s *nullStore) Scan(context.Context, string, storage.Query) iter.Seq2[crmio.Record, error] {
	return func(func(crmio.Record, error) bool) {}
}

// memChildEnv names the file a memory-measuring child process imports.
const memChildEnv = "CRMIO_MEM_CHILD_FILE"

// runMemChild imports the file named by the environment into a store that
// keeps nothing and prints the process's peak resident set size, in bytes.
func runMemChild() {
	im, err := importer.New(&nullStore{}, schemas.Default(), nil)
	if err == nil {
		_, err = im.Run(context.Background(), importer.Source{Path: os.Getenv(memChildEnv), Format: &formats.Options{MaxSize: -1}}, benchPlan(), nil)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	fmt.Println("peak", peakRSS())
	os.Exit(0)
}

// peakRSS returns the process's peak resident set size (VmHWM), in bytes.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkImportMemory imports into a store that keeps nothing, each run
// in a fresh child process, and reports the child's peak RSS: the
// pipeline's memory is bounded by its batches, not by the file.
func BenchmarkImportMemory(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc to read the peak RSS")
	}
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			path := contactsFile(b, n)
			var peak int64
			b.ResetTimer()
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), memChildEnv+"="+path)
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("%v: %s", err, out)
				}
				var p int64
				if _, err := fmt.Sscanf(string(out), "peak %d", &p); err != nil {
					b.Fatalf("child said %q", out)
				}
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
