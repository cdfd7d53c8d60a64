//go:build race

package postgres_test

// raceEnabled: the race detector slows SQLite (transpiled C) tenfold,
// so the longest tests do less under it.
const raceEnabled = true
