package ceiling

import (
	"context"
	"io"
	"testing"

	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/schemas"
)

// BenchmarkCeilingExport imports N generated contacts (CRMIO_CEILING_ROWS,
// default 500,000) into a fresh store of each SQL kind and loads them into
// the plain table, both untimed; then it times, in the same run, crmio's
// CSV export of the module (exporter.Export with the options 'crmio
// export' defaults to: every column of the module, the injection guard on)
// and the ceiling, SELECT * of the plain table through csv.Writer. Both
// write to io.Discard, so that neither is timed writing a disk. The
// issue's target for the ratio: at least 0.40.
//
// crmio writes the records the import left (the duplicates merged) in the
// module's full shape, more columns than the file's 15; the ceiling writes
// the file's rows as they were. That is the comparison the issue makes: an
// export of what was imported, against the least a program can do to put
// the same data out as CSV.
func BenchmarkCeilingExport(b *testing.B) {
	n := ceilingRows(b)
	for _, kind := range []string{kindSQLite, kindPostgres} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			if kind == kindPostgres {
				testenv.PostgresDSN(b)
			}
			path := contactsFile(b, n)
			store := freshStore(b, kind)
			sum, err := crmioImport(ctx, store, path, n)
			if err != nil {
				b.Fatal(err)
			}
			export := bareExporter(b, kind, path, n)
			people := schemas.Default().Module("people")
			var crmio, ceiling timing
			var columns int
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				t, err := measure(func() error {
					rows, err := export(ctx, io.Discard)
					if err == nil && rows != n {
						b.Fatalf("the ceiling exported %d of %d rows", rows, n)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				ceiling.add(t)
				b.StartTimer()
				t, err = measure(func() error {
					res, err := exporter.Export(ctx, store, people, io.Discard, &exporter.Options{Format: exporter.CSV})
					if err == nil && res.Rows != sum.Created {
						b.Fatalf("crmio exported %d records, the import created %d", res.Rows, sum.Created)
					}
					columns = len(res.Columns)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				crmio.add(t)
			}
			b.ReportMetric(float64(columns), "crmio-columns")
			reportRatio(b, kind, "CSV export", sum.Created, n, crmio, ceiling, 0.40, "≥")
		})
	}
}

// bareExporter loads the file at path (n rows) into a fresh plain table of
// kind, untimed, and returns the export ceiling over it.
func bareExporter(b *testing.B, kind, path string, n int) func(context.Context, io.Writer) (int, error) {
	b.Helper()
	ctx := context.Background()
	var loaded int
	var err error
	var export func(context.Context, io.Writer) (int, error)
	switch kind {
	case kindSQLite:
		db := bareSQLite(b)
		loaded, err = loadBareSQLite(ctx, db, path)
		export = func(ctx context.Context, w io.Writer) (int, error) { return exportBareSQLite(ctx, db, w) }
	case kindPostgres:
		conn, table := barePostgres(b)
		loaded, err = loadBarePostgres(ctx, conn, table, path)
		export = func(ctx context.Context, w io.Writer) (int, error) { return exportBarePostgres(ctx, conn, table, w) }
	default:
		b.Fatalf("no export ceiling for %q", kind)
	}
	if err != nil || loaded != n {
		b.Fatalf("the plain table took %d of %d rows: %v", loaded, n, err)
	}
	return export
}
