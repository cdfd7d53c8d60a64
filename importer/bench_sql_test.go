package importer_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// benchRows is the size of the SQL import benchmarks' file (the issue's
// 1M rows); CRMIO_BENCH_ROWS overrides it for a quicker look.
func benchRows() int {
	if n, err := strconv.Atoi(os.Getenv("CRMIO_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkImportSQLite imports the generated contacts file into a fresh
// SQLite database through the whole pipeline.
func BenchmarkImportSQLite(b *testing.B) {
	n := benchRows()
	benchImport(b, n, func() storage.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

func postgresDSN(b *testing.B) string {
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		b.Skip("CRMIO_POSTGRES_DSN is not set")
	}
	return dsn
}

// BenchmarkImportPostgres imports the generated contacts file into a fresh
// schema of the PostgreSQL server through the whole pipeline.
func BenchmarkImportPostgres(b *testing.B) {
	dsn := postgresDSN(b)
	n := benchRows()
	run := 0
	benchImport(b, n, func() storage.Store {
		run++
		schema := fmt.Sprintf("crmio_bench_%d_%d", os.Getpid(), run)
		s, err := postgres.Open(context.Background(), dsn, &postgres.Options{Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			_, _ = s.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			s.Close()
		})
		return s
	})
}

// BenchmarkBareCopy reads the same file with encoding/csv and copies its
// rows as 15 text columns into a plain table with pgx CopyFrom: the
// ceiling the PostgreSQL import is measured against.
func BenchmarkBareCopy(b *testing.B) {
	dsn := postgresDSN(b)
	n := benchRows()
	path := contactsFile(b, n)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	table := fmt.Sprintf("crmio_bare_copy_%d", os.Getpid())
	cols := make([]string, len(contactgen.Header))
	ddl := "CREATE TABLE " + table + " ("
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
		if i > 0 {
			ddl += ", "
		}
		ddl += cols[i] + " text"
	}
	if _, err := conn.Exec(ctx, ddl+")"); err != nil {
		b.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP TABLE "+table)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if _, err := conn.Exec(ctx, "TRUNCATE "+table); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
		if _, err := r.Read(); err != nil { // the header
			b.Fatal(err)
		}
		copied, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, &csvRows{r: r})
		f.Close()
		if err != nil || int(copied) != n {
			b.Fatalf("copied %d of %d: %v", copied, n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// csvRows feeds CSV records to CopyFrom.
type csvRows struct {
	r   *csv.Reader
	row []any
	err error
}

func (c *csvRows) Next() bool {
	rec, err := c.r.Read()
	if err != nil {
		if err != io.EOF {
			c.err = err
		}
		return false
	}
	if c.row == nil {
		c.row = make([]any, len(rec))
	}
	for i, s := range rec {
		c.row[i] = s
	}
	return true
}

func (c *csvRows) Values() ([]any, error) { return c.row, nil }
func (c *csvRows) Err() error             { return c.err }
