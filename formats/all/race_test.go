//go:build race

package all_test

// raceEnabled reports a -race build, ten times slower: the biggest corpus
// files are left to the ordinary run.
const raceEnabled = true
