//go:build !unix

package csv_test

import "time"

// cpuTime is unknown here: the benchmarks report wall time alone.
func cpuTime() time.Duration { return 0 }
