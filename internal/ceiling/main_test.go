package ceiling

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/csv" // the generated files are CSV
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/internal/cputime"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

var (
	filesDir     string
	filesDirOnce sync.Once
	filesMu      sync.Mutex
	files        = map[int]string{} // rows → path
)

func TestMain(m *testing.M) {
	spawnIfAsked() // the CLI benchmark's spawner (cli_test.go) runs no tests
	code := testenv.Main(m)
	if filesDir != "" {
		os.RemoveAll(filesDir)
	}
	os.Exit(code)
}

// contactsFile returns a generated contacts CSV of n rows, written once per
// process: the benchmarks of one run share it, and it is in the page cache
// for crmio and the ceiling alike.
func contactsFile(tb testing.TB, n int) string {
	tb.Helper()
	filesMu.Lock()
	defer filesMu.Unlock()
	filesDirOnce.Do(func() {
		var err error
		if filesDir, err = os.MkdirTemp("", "crmio-ceiling"); err != nil {
			tb.Fatal(err)
		}
	})
	if p, ok := files[n]; ok {
		return p
	}
	path := filepath.Join(filesDir, fmt.Sprintf("contacts-%d.csv", n))
	if err := contactgen.WriteFile(path, n, nil); err != nil {
		tb.Fatal(err)
	}
	files[n] = path
	return path
}

// envRows reads a positive row count from the environment variable name,
// or returns def.
func envRows(tb testing.TB, name string, def int) int {
	tb.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive row count", name, s)
	}
	return n
}

// ceilingRows is N, the size of the import, export and CLI benchmarks'
// file: the 500,000 rows unless CRMIO_CEILING_ROWS says otherwise.
func ceilingRows(tb testing.TB) int { return envRows(tb, "CRMIO_CEILING_ROWS", 500_000) }

// plan is the import every benchmark runs, the one importer's benchPlan
// runs (and the issue measured): duplicates on email merged with Update +
// Fill empty, accounts created for the companies the rows name, all or
// nothing. The CLI benchmark passes the same as flags (cliImportArgs).
func plan() importer.Plan {
	return importer.Plan{
		Module:               "people",
		Duplicates:           dedupe.Update,
		Merge:                dedupe.FillEmpty,
		AutoCreateReferences: true,
		Mode:                 importer.Instant,
	}
}

// cliImportArgs are the flags of 'crmio import' that make the import plan
// makes: --no-memory because importer.Run is given no mapping memory, and
// --max-size -1 because the file is past the default 100 MiB limit.
func cliImportArgs(file string) []string {
	return []string{"import", file, "--module", "people",
		"--duplicates", "update", "--merge", "fill-empty", "--auto-create-refs",
		"--mode", "instant", "--max-size", "-1", "--no-memory", "--quiet", "--json"}
}

// timing is one measured run: wall time and this process's CPU time.
type timing struct {
	wall, cpu time.Duration
}

// measure runs f and says how long it took, in wall time and in this
// process's CPU time (a PostgreSQL server's CPU is not in it).
func measure(f func() error) (timing, error) {
	cpu0, t0 := cputime.Process(), time.Now()
	err := f()
	return timing{wall: time.Since(t0), cpu: cputime.Process() - cpu0}, err
}

// crmioImport imports path by plan into store through importer.Run and
// checks that every row was read and none failed.
func crmioImport(ctx context.Context, store storage.Store, path string, rows int) (*importer.Summary, error) {
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		return nil, err
	}
	sum, err := im.Run(ctx, importer.Source{Path: path, Format: &formats.Options{MaxSize: -1}}, plan(), nil)
	if err != nil {
		return nil, err
	}
	if sum.Read != rows || sum.Failed != 0 {
		return nil, fmt.Errorf("crmio read %d of %d rows, %d failed: %v", sum.Read, rows, sum.Failed, sum.Errors[:min(3, len(sum.Errors))])
	}
	return sum, nil
}

// kinds are the three stores the benchmarks run on.
const (
	kindMemory   = "memory"
	kindSQLite   = "sqlite"
	kindPostgres = "postgres"
)

// freshStore opens an empty crmio store of kind, closed (and for
// PostgreSQL its schema dropped) when tb ends.
func freshStore(tb testing.TB, kind string) storage.Store {
	tb.Helper()
	ctx := context.Background()
	switch kind {
	case kindMemory:
		return memory.New()
	case kindSQLite:
		s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "crmio.db"), nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	case kindPostgres:
		dsn := testenv.PostgresDSN(tb)
		schema := freshSchema(tb, dsn)
		s, err := postgres.Open(ctx, dsn, &postgres.Options{Schema: schema})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}
	tb.Fatalf("no store %q", kind)
	return nil
}

var schemaSeq int

// freshSchema names a schema no other run uses, and drops it (CASCADE,
// with whatever a store or a ceiling put in it) when tb ends.
func freshSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	schemaSeq++
	schema := fmt.Sprintf("crmio_ceiling_%d_%d", os.Getpid(), schemaSeq)
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// withSchema adds the schema parameter cmd/crmio reads to a PostgreSQL URL.
func withSchema(tb testing.TB, dsn, schema string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("CRMIO_POSTGRES_DSN: %v (cmd/crmio wants a URL)", err)
	}
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// loadAverage returns the machine's 1-, 5- and 15-minute load averages as
// /proc/loadavg gives them, and the first as a number ("" and 0 where
// there is no /proc). The benchmarks print it beside their figures: on a
// machine other work shares, a ratio is only read with it.
func loadAverage() (string, float64) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", 0
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "", 0
	}
	one, _ := strconv.ParseFloat(f[0], 64)
	return strings.Join(f[:3], " "), one
}

// reportLoad reports the 1-minute load average as a metric and returns
// the three averages for the benchmark's line.
func reportLoad(b *testing.B) string {
	s, one := loadAverage()
	b.ReportMetric(one, "load-1m")
	return s
}

// perRow is d per row, in nanoseconds.
func perRow(d time.Duration, rows int) float64 {
	return float64(d.Nanoseconds()) / float64(rows)
}

// rate is rows per second of d.
func rate(rows int, d time.Duration) float64 {
	return float64(rows) / d.Seconds()
}

var warmUpOnce sync.Once

// warmUp imports a small file into a memory store once per process, so
// that what crmio builds once for good (the phone number metadata, the
// schema's compiled mapping tables) is not timed as part of the first
// import measured: the benchmarks compare steady work per row, which is
// what a ceiling is about. The CLI benchmark's child process pays it, as
// every command does.
func warmUp(tb testing.TB) {
	tb.Helper()
	var err error
	warmUpOnce.Do(func() {
		_, err = crmioImport(context.Background(), memory.New(), contactsFile(tb, 1000), 1000)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
