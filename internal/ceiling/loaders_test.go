package ceiling

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver storage/sqlite uses: the ceiling runs the same SQLite

	"github.com/crmio/crmio/internal/contactgen"
)

// The ceilings are what a loader written by hand for this one file does:
// encoding/csv reads it, and its 15 columns go as text into a plain table
// (bare) with no key, no index and no history. Nothing crmio does beyond
// that (mapping, coercion, dedupe, references, the journal) is in them.

// bareColumns are the plain table's columns, one per column of the file.
var bareColumns = func() []string {
	cols := make([]string, len(contactgen.Header))
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i+1)
	}
	return cols
}()

// bareDDL creates the plain table under the name table.
func bareDDL(table string) string {
	return "CREATE TABLE " + table + " (" + strings.Join(bareColumns, " text, ") + " text)"
}

// parseFile reads the CSV file at path with encoding/csv, handing each
// data row to row (nil: nothing), and returns how many there were. It is
// the memory ceiling by itself: the least any import of the file does.
func parseFile(path string, row func([]string) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.ReuseRecord = true // a loader that copies each row out needs no fresh slice per row
	if _, err := r.Read(); err != nil {
		return 0, fmt.Errorf("%s: the header: %w", path, err)
	}
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if row != nil {
			if err := row(rec); err != nil {
				return n, err
			}
		}
		n++
	}
}

// openBareSQLite opens (creating) the SQLite database at path with the
// settings of the ceiling, and creates the plain table in it.
//
// The settings are what a bulk loader keeping the store's promise would
// choose: journal_mode=WAL and synchronous=NORMAL, as storage/sqlite uses,
// so that the ceiling gives up no durability crmio keeps (a crash of the
// process loses no commit); cache_size=-65536 (64 MiB of page cache, the
// store's figure); temp_store=MEMORY. The rows go in in one transaction
// (one commit, one WAL sync), through one prepared INSERT.
func openBareSQLite(path string) (*sql.DB, error) {
	params := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "cache_size(-65536)", "temp_store(MEMORY)"} {
		params.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+params.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one connection: the pragmas hold for every statement
	if _, err := db.Exec(bareDDL("bare")); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// loadBareSQLite is the SQLite import ceiling: it parses the file at path
// and inserts its rows into the plain table of db, returning how many.
func loadBareSQLite(ctx context.Context, db *sql.DB, path string) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO bare VALUES (?"+strings.Repeat(", ?", len(bareColumns)-1)+")")
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	args := make([]any, len(bareColumns))
	n, err := parseFile(path, func(rec []string) error {
		for i := range args {
			args[i] = rec[i]
		}
		_, err := stmt.ExecContext(ctx, args...)
		return err
	})
	if err != nil {
		return n, err
	}
	return n, tx.Commit()
}

// exportBareSQLite is the SQLite export ceiling: SELECT * of the plain
// table through csv.Writer into w, the file's header first. It returns
// the number of rows written.
func exportBareSQLite(ctx context.Context, db *sql.DB, w io.Writer) (int, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM bare")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return writeBare(w, rows.Next, rows.Scan, rows.Err)
}

// createBarePostgres creates the plain table in schema and returns its
// name for CopyFrom.
func createBarePostgres(ctx context.Context, conn *pgx.Conn, schema string) (pgx.Identifier, error) {
	table := pgx.Identifier{schema, "bare"}
	_, err := conn.Exec(ctx, bareDDL(table.Sanitize()))
	return table, err
}

// loadBarePostgres is the PostgreSQL import ceiling: it parses the file at
// path and copies its rows into table with pgx CopyFrom (the COPY
// protocol: one statement, the rows streamed), returning how many.
func loadBarePostgres(ctx context.Context, conn *pgx.Conn, table pgx.Identifier, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	if _, err := r.Read(); err != nil {
		return 0, fmt.Errorf("%s: the header: %w", path, err)
	}
	n, err := conn.CopyFrom(ctx, table, bareColumns, &csvRows{r: r})
	return int(n), err
}

// csvRows feeds the rows of a CSV reader to CopyFrom, one []any reused
// (CopyFrom encodes each row before it asks for the next).
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
	for i, v := range rec {
		c.row[i] = v
	}
	return true
}

func (c *csvRows) Values() ([]any, error) { return c.row, nil }
func (c *csvRows) Err() error             { return c.err }

// exportBarePostgres is the PostgreSQL export ceiling: SELECT * of table
// through csv.Writer into w, the file's header first. It returns the
// number of rows written.
func exportBarePostgres(ctx context.Context, conn *pgx.Conn, table pgx.Identifier, w io.Writer) (int, error) {
	rows, err := conn.Query(ctx, "SELECT * FROM "+table.Sanitize())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	return writeBare(w, rows.Next, rows.Scan, rows.Err)
}

// writeBare writes the rows a query's Next and Scan step through as CSV
// to w: the header of the file, then each row's 15 text columns.
func writeBare(w io.Writer, next func() bool, scan func(...any) error, rowsErr func() error) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(contactgen.Header); err != nil {
		return 0, err
	}
	rec := make([]string, len(bareColumns))
	dest := make([]any, len(rec))
	for i := range rec {
		dest[i] = &rec[i]
	}
	n := 0
	for next() {
		if err := scan(dest...); err != nil {
			return n, err
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	if err := rowsErr(); err != nil {
		return n, err
	}
	cw.Flush()
	return n, cw.Error()
}
