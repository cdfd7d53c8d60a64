//go:build race

package sqlite_test

// raceEnabled: the race detector slows SQLite (transpiled C) tenfold,
// so the longest tests do less under it.
const raceEnabled = true
