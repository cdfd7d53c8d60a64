package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

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

// The ceiling these are measured against, a hand-written loader of the
// same rows timed in the same run, is internal/ceiling's
// BenchmarkCeilingImport.
