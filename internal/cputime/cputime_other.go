//go:build !unix

package cputime

import "time"

// Process returns 0: the CPU time is not known here, and benchmarks report
// wall time alone.
func Process() time.Duration { return 0 }
