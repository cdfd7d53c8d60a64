package crmio_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmePrelude is what the README's Go blocks may take as given: the
// packages they use, and a few names a CRM has (its context, a writer, its
// store and schema, a mux, how it knows the user and their scope). Each
// block is the body of a function of its own.
const readmePrelude = `package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/exporter"
	_ "github.com/crmio/crmio/formats/all"
	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
	"github.com/crmio/crmio/wizard"
)

var (
	ctx                   = context.Background()
	w           io.Writer = os.Stdout
	store       storage.Store
	schema      = schemas.Default()
	callerScope *storage.Scope
	mux         = http.NewServeMux()
	dsn         = "postgres://localhost/crm"
	upload      = "contacts.csv"
	plan        = importer.Plan{Module: "people"}
)

func currentUser(r *http.Request) string     { return r.Header.Get("X-User") }
func scopeOf(user string) *storage.Scope     { return nil }

var _ = []any{fmt.Sprint, log.Print, crmio.TextValue, dedupe.Update, exporter.Export, importer.New,
	memory.New, postgres.Open, sqlite.Open, storage.Eq, wizard.Handler, crmioriver.New, store, callerScope, mux, dsn, ctx, w, upload, plan}

func main() {}
`

// TestReadmeCompiles builds every Go block of README.md, so that what a
// newcomer copies from it compiles.
func TestReadmeCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go block")
	}
	var src strings.Builder
	src.WriteString(readmePrelude)
	for i, b := range blocks {
		fmt.Fprintf(&src, "\nfunc readmeBlock%d() {\n%s}\n", i+1, b[1])
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "readme.go")
	if err := os.WriteFile(file, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "vet", file)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's Go blocks (%d) do not compile: %v\n%s\n--- as built:\n%s", len(blocks), err, out, numbered(src.String()))
	}
}

func numbered(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}
