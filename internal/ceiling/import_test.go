package ceiling

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crmio/crmio/internal/testenv"
)

// importTargets are issue 14's targets for the import ratio (ceiling time
// over crmio's time: 1 is at the ceiling), printed beside the figures.
var importTargets = map[string]float64{kindMemory: 0.25, kindSQLite: 0.40, kindPostgres: 0.35}

// BenchmarkCeilingImport imports N generated contacts (CRMIO_CEILING_ROWS,
// default 500,000) through importer.Run into a fresh store of each kind,
// and in the same run loads the same file by hand: its ceiling.
func BenchmarkCeilingImport(b *testing.B) {
	n := ceilingRows(b)
	for _, kind := range []string{kindMemory, kindSQLite, kindPostgres} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			if kind == kindPostgres {
				testenv.PostgresDSN(b) // skips without a server before the file is made
			}
			path := contactsFile(b, n)
			warmUp(b)
			var crmio, ceiling timing
			for b.Loop() {
				// The timer runs for crmio's import alone, so that ns/op
				// is crmio's time; the ceiling is timed by measure.
				b.StopTimer()
				load := ceilingLoader(b, kind)
				t, err := measure(func() error {
					loaded, err := load(ctx, path)
					if err == nil && loaded != n {
						b.Fatalf("the ceiling loaded %d of %d rows", loaded, n)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				ceiling.add(t)
				store := freshStore(b, kind)
				b.StartTimer()
				t, err = measure(func() error {
					_, err := crmioImport(ctx, store, path, n)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				crmio.add(t)
			}
			reportRatio(b, kind, "import", n, n, crmio, ceiling, importTargets[kind], "≥")
		})
	}
}

// add adds u to t.
func (t *timing) add(u timing) {
	t.wall += u.wall
	t.cpu += u.cpu
}

// reportRatio reports crmio's and the ceiling's times per op, the ratio of
// the ceiling's to crmio's, crmio's rows/s and both CPU times per row (of
// this process: a PostgreSQL server's is not in them), and prints them on
// one line with the load average and the target. rows are the rows
// crmio handled, ceilingRows the ceiling's: an export writes the records
// an import left, fewer than the file's rows.
func reportRatio(b *testing.B, kind, what string, rows, ceilingRows int, crmio, ceiling timing, target float64, cmp string) {
	b.Helper()
	ops := time.Duration(b.N)
	crmio.wall, crmio.cpu, ceiling.wall, ceiling.cpu = crmio.wall/ops, crmio.cpu/ops, ceiling.wall/ops, ceiling.cpu/ops
	ratio := ceiling.wall.Seconds() / crmio.wall.Seconds()
	b.ReportMetric(crmio.wall.Seconds(), "crmio-s/op")
	b.ReportMetric(ceiling.wall.Seconds(), "ceiling-s/op")
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(rate(rows, crmio.wall), "rows/s")
	b.ReportMetric(perRow(crmio.cpu, rows), "cpu-ns/row")
	b.ReportMetric(perRow(ceiling.cpu, ceilingRows), "ceiling-cpu-ns/row")
	// Where all the work is in this process (memory, SQLite), the ratio of
	// CPU times says what the ratio of times would be on a quiet machine,
	// and moves less with the load; PostgreSQL's server works elsewhere.
	cpuRatio := ""
	if kind != kindPostgres {
		r := ceiling.cpu.Seconds() / crmio.cpu.Seconds()
		b.ReportMetric(r, "cpu-ratio")
		cpuRatio = fmt.Sprintf(", CPU ratio %.3f", r)
	}
	load := reportLoad(b)
	b.Logf("%s %s: crmio %d rows in %.2f s (%.0f rows/s, %.0f CPU ns/row), ceiling %d rows in %.2f s (%.0f CPU ns/row), ratio %.3f (target %s %.2f)%s; load average %s",
		kind, what, rows, crmio.wall.Seconds(), rate(rows, crmio.wall), perRow(crmio.cpu, rows),
		ceilingRows, ceiling.wall.Seconds(), perRow(ceiling.cpu, ceilingRows), ratio, cmp, target, cpuRatio, load)
}

// ceilingLoader readies the import ceiling of kind, an empty plain table
// made untimed, and returns the load to time: the file parsed (memory),
// and its rows inserted (sqlite) or copied (postgres) into the table.
func ceilingLoader(b *testing.B, kind string) func(context.Context, string) (int, error) {
	b.Helper()
	switch kind {
	case kindMemory:
		return func(_ context.Context, path string) (int, error) { return parseFile(path, nil) }
	case kindSQLite:
		db := bareSQLite(b)
		return func(ctx context.Context, path string) (int, error) { return loadBareSQLite(ctx, db, path) }
	case kindPostgres:
		conn, table := barePostgres(b)
		return func(ctx context.Context, path string) (int, error) { return loadBarePostgres(ctx, conn, table, path) }
	}
	b.Fatalf("no ceiling for %q", kind)
	return nil
}

// bareSQLite opens a fresh SQLite database holding an empty plain table,
// closed when b ends.
func bareSQLite(b *testing.B) *sql.DB {
	b.Helper()
	db, err := openBareSQLite(filepath.Join(b.TempDir(), "bare.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// barePostgres connects to the server and creates an empty plain table in
// a fresh schema, dropped when b ends.
func barePostgres(b *testing.B) (*pgx.Conn, pgx.Identifier) {
	b.Helper()
	ctx := context.Background()
	dsn := testenv.PostgresDSN(b)
	schema := freshSchema(b, dsn)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		b.Fatal(err)
	}
	table, err := createBarePostgres(ctx, conn, schema)
	if err != nil {
		b.Fatal(err)
	}
	return conn, table
}

// BenchmarkCeilingScale imports 100,000 and then 1,000,000 generated
// contacts (CRMIO_CEILING_SCALE_ROWS sets the larger count) into fresh
// stores of each SQL kind, and reports the rate of the larger import over
// the rate of the smaller: 1 is a store that does not slow down as its
// tables grow (the target: at least 0.8).
func BenchmarkCeilingScale(b *testing.B) {
	small := 100_000
	big := envRows(b, "CRMIO_CEILING_SCALE_ROWS", 1_000_000)
	for _, kind := range []string{kindSQLite, kindPostgres} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			if kind == kindPostgres {
				testenv.PostgresDSN(b)
			}
			smallPath, bigPath := contactsFile(b, small), contactsFile(b, big)
			warmUp(b)
			var atSmall, atBig timing
			for b.Loop() {
				for _, run := range []struct {
					path string
					rows int
					t    *timing
				}{{smallPath, small, &atSmall}, {bigPath, big, &atBig}} {
					b.StopTimer()
					store := freshStore(b, kind)
					b.StartTimer()
					t, err := measure(func() error {
						_, err := crmioImport(ctx, store, run.path, run.rows)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
					run.t.add(t)
				}
			}
			ops := time.Duration(b.N)
			smallRate, bigRate := rate(small, atSmall.wall/ops), rate(big, atBig.wall/ops)
			b.ReportMetric(smallRate, "rows/s-"+strconv.Itoa(small))
			b.ReportMetric(bigRate, "rows/s-"+strconv.Itoa(big))
			b.ReportMetric(bigRate/smallRate, "ratio")
			b.ReportMetric(perRow(atSmall.cpu/ops, small), "cpu-ns/row-"+strconv.Itoa(small))
			b.ReportMetric(perRow(atBig.cpu/ops, big), "cpu-ns/row-"+strconv.Itoa(big))
			load := reportLoad(b)
			b.Logf("%s import rate: %.0f rows/s at %d rows (%.0f CPU ns/row), %.0f rows/s at %d rows (%.0f CPU ns/row), ratio %.3f (target ≥ 0.80); load average %s",
				kind, smallRate, small, perRow(atSmall.cpu/ops, small), bigRate, big, perRow(atBig.cpu/ops, big), bigRate/smallRate, load)
		})
	}
}
