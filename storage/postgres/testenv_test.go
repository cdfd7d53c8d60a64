package postgres_test

import (
	"os"
	"testing"

	"github.com/crmio/crmio/internal/testenv"
)

// TestMain says, at the end, what was skipped for want of a component.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
