package cputime

import (
	"runtime"
	"testing"
)

func TestProcess(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no CPU time here")
	}
	before := Process()
	x := 0
	for i := range 50_000_000 {
		x ^= i * i
	}
	if after := Process(); after <= before || x == 1 {
		t.Errorf("CPU time %v, then %v", before, after)
	}
}
