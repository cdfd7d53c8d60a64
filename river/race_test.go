//go:build race

package river_test

// raceEnabled: under the race detector, the tests import a tenth of the
// rows (the detector multiplies the CPU time; the row count adds nothing
// to what it checks).
const raceEnabled = true
