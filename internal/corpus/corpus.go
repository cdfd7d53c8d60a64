// Package corpus finds the shared test corpus: real files written by
// others (CSV suites, Apache POI's workbooks, CRM export headers) that
// tests read from ../shared/corpus beside the repository, and never copy
// into it. Tests skip cleanly where it is absent.
package corpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/crmio/crmio/internal/testenv"
)

// Dir returns the folder sub of the corpus ("" for the corpus itself), and
// false when it is absent.
func Dir(sub string) (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "corpus", sub)
	if _, err := os.Stat(path); err != nil {
		return "", false
	}
	return path, true
}

// Need returns the folder sub of the corpus, and skips tb when it is absent.
func Need(tb testing.TB, sub string) string {
	tb.Helper()
	path, ok := Dir(sub)
	if !ok {
		testenv.Skip(tb, testenv.Corpus, "../shared/corpus/"+sub+" is absent")
	}
	return path
}
