package formats_test

import (
	"github.com/crmio/crmio/internal/corpus"
	"testing"
)

// corpusDir returns the shared test corpus, ../shared/corpus from the
// repository root, skipping the test when it is absent.
func corpusDir(t testing.TB) string { t.Helper(); return corpus.Need(t, "") }
