// Package testenv is how crmio's tests skip for want of a component the
// machine may lack (PostgreSQL, the shared corpus, Chromium, poppler), and
// how they say so: each skip is counted, and a package's TestMain (Main)
// ends its run with one line per missing component, saying how many tests
// it skipped and how to run them.
//
// go test's package-list mode (go test ./...) discards what a passing
// package prints, so Main also writes its lines to the terminal the tests
// run in, when there is one: a person running go test ./... on a fresh
// clone reads what was left out. With -v they are in the output too.
package testenv

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// The components tests may need, and how to provide each.
const (
	PostgreSQL = "PostgreSQL"
	Corpus     = "the shared corpus"
	Chromium   = "Chromium"
	Poppler    = "poppler-utils"
)

var how = map[string]string{
	PostgreSQL: "set CRMIO_POSTGRES_DSN, e.g. CRMIO_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
	Corpus:     "put the corpus at ../shared/corpus, beside the clone",
	Chromium:   "install Debian's chromium package, or set CRMIO_CHROMIUM to a Chromium binary",
	Poppler:    "install poppler-utils (pdftoppm, pdftotext)",
}

var (
	mu      sync.Mutex
	skipped = map[string]int{}
)

// Skip skips tb for want of component, saying why, and counts it.
func Skip(tb testing.TB, component, why string) {
	tb.Helper()
	mu.Lock()
	skipped[component]++
	mu.Unlock()
	tb.Skipf("%s: %s (%s)", component, why, how[component])
}

// PostgresDSN returns the DSN of the PostgreSQL server tests run against,
// from CRMIO_POSTGRES_DSN, and skips tb when it is not set.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		Skip(tb, PostgreSQL, "CRMIO_POSTGRES_DSN is not set")
	}
	return dsn
}

// Main runs the package's tests and then reports the skips (use it as
// os.Exit(testenv.Main(m)) in TestMain).
func Main(m *testing.M) int {
	code := m.Run()
	Report(os.Stdout)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
			Report(tty) // go test holds stdout back: tell the person
		}
		tty.Close()
	}
	return code
}

// Report writes one line per component tests skipped for want of.
func Report(w io.Writer) {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(skipped))
	for c := range skipped {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		n := skipped[c]
		tests := "tests"
		if n == 1 {
			tests = "test"
		}
		fmt.Fprintf(w, "%s: %d %s skipped for want of %s: %s\n", pkg(), n, tests, c, how[c])
	}
}

// pkg names the package under test, for the report: go test runs a
// package's tests in its directory, which is named relative to the module.
func pkg() string {
	dir, err := os.Getwd()
	if err != nil {
		return "crmio"
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			rel, err := filepath.Rel(d, dir)
			if err != nil || rel == "." {
				return "crmio"
			}
			return "crmio/" + filepath.ToSlash(rel)
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}
