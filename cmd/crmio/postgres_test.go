package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/crmio/crmio/internal/testenv"
	"github.com/jackc/pgx/v5"
)

// TestPostgres runs an import, an export and a rollback against the
// PostgreSQL server of CRMIO_POSTGRES_DSN, in a schema of its own (the
// ?schema= parameter of --db), dropped at the end.
func TestPostgres(t *testing.T) {
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		testenv.Skip(t, testenv.PostgreSQL, "CRMIO_POSTGRES_DSN is not set: no PostgreSQL to test against")
	}
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skipf("CRMIO_POSTGRES_DSN is not a postgres:// URL")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "crmio_cli_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	db := u.String()

	r := cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--auto-create-refs", "--json")
	r.want(t, exitRowsFailed, nil, nil)
	var out importOut
	decodeStrict(t, r.stdout, &out)
	if out.Job == "" || out.Created != 3 || out.ReferencesCreated != 3 || out.Failed != 2 {
		t.Fatalf("import into PostgreSQL: %+v", out)
	}
	r = cli(t, "--db", db, "export", "--module", "people", "--where", "account = NASA", "--fields", "last_name", "-o", "-")
	r.want(t, exitOK, []string{"Last name\r\nJohnson\r\n"}, nil)
	cli(t, "--db", db, "history").want(t, exitOK, []string{"completed  people  people.csv"}, nil)
	cli(t, "--db", db, "rollback", out.Job).want(t, exitOK, []string{"6 records deleted"}, nil)
	cli(t, "--db", db, "status", out.Job).want(t, exitOK, []string{"rolled_back"}, nil)
}
