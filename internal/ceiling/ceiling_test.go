package ceiling

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/storage/memory"
)

// testRows is the size of the file the tests load: enough for duplicates
// and repeated companies, small enough to stay well under a second.
const testRows = 1000

// fileRows reads the data rows of the CSV file at path, each joined into
// one string, sorted: what a table holds, in whatever order it returns it.
func fileRows(t *testing.T, data []byte) (header []string, rows []string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		rows = append(rows, strings.Join(r, "\x00"))
	}
	slices.Sort(rows)
	return recs[0], rows
}

// checkExport says whether an exported CSV holds exactly the rows of the
// file the table was loaded from, under its header.
func checkExport(t *testing.T, file string, exported []byte, n int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, want := fileRows(t, data)
	header, got := fileRows(t, exported)
	if n != testRows {
		t.Errorf("export wrote %d rows, want %d", n, testRows)
	}
	if !slices.Equal(header, contactgen.Header) {
		t.Errorf("export header %q, want %q", header, contactgen.Header)
	}
	if !slices.Equal(got, want) {
		t.Errorf("export holds %d rows that differ from the file's %d", len(got), len(want))
	}
}

func TestParseCeiling(t *testing.T) {
	file := contactsFile(t, testRows)
	fields := 0
	n, err := parseFile(file, func(rec []string) error {
		fields += len(rec)
		return nil
	})
	if err != nil || n != testRows || fields != testRows*len(contactgen.Header) {
		t.Fatalf("parsed %d rows, %d fields, %v; want %d rows of %d", n, fields, err, testRows, len(contactgen.Header))
	}
}

func TestSQLiteCeiling(t *testing.T) {
	ctx := context.Background()
	file := contactsFile(t, testRows)
	db, err := openBareSQLite(filepath.Join(t.TempDir(), "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := loadBareSQLite(ctx, db, file)
	if err != nil || n != testRows {
		t.Fatalf("loaded %d rows, %v; want %d", n, err, testRows)
	}
	var count int
	if err := db.QueryRow("SELECT count(*) FROM bare").Scan(&count); err != nil || count != testRows {
		t.Fatalf("the table holds %d rows (%v), want %d", count, err, testRows)
	}
	var out bytes.Buffer
	n, err = exportBareSQLite(ctx, db, &out)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, file, out.Bytes(), n)
}

func TestPostgresCeiling(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	ctx := context.Background()
	file := contactsFile(t, testRows)
	schema := freshSchema(t, dsn)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	table, err := createBarePostgres(ctx, conn, schema)
	if err != nil {
		t.Fatal(err)
	}
	n, err := loadBarePostgres(ctx, conn, table, file)
	if err != nil || n != testRows {
		t.Fatalf("copied %d rows, %v; want %d", n, err, testRows)
	}
	var out bytes.Buffer
	n, err = exportBarePostgres(ctx, conn, table, &out)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, file, out.Bytes(), n)
}

// TestPlan: the import the benchmarks time reads every row of the
// generated file and fails none, merging the duplicates into the records
// they repeat, so that what they time is the whole import.
func TestPlan(t *testing.T) {
	file := contactsFile(t, testRows)
	sum, err := crmioImport(context.Background(), memory.New(), file, testRows)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Updated == 0 || sum.Created+sum.Updated != testRows || sum.ReferencesCreated == 0 {
		t.Errorf("created %d, updated %d, %d references created: want the duplicates updated and the accounts created",
			sum.Created, sum.Updated, sum.ReferencesCreated)
	}
}
