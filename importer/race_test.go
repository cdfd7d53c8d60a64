//go:build race

package importer_test

// raceEnabled says the tests run under the race detector, which makes the
// long ones take several times longer.
const raceEnabled = true
