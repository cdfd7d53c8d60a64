package dedupe

import (
	"math"
	"testing"
)

// The measure itself is tested in internal/similarity; this checks that
// dedupe's exported name is that measure.
func TestJaroWinkler(t *testing.T) {
	if got := JaroWinkler("MARTHA", "MARHTA"); math.Abs(got-0.961) > 0.0005 {
		t.Errorf("JaroWinkler(MARTHA, MARHTA) = %.4f, want 0.961", got)
	}
}
