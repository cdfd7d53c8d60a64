//go:build race

package differential

// raceEnabled: the race detector slows the stores tenfold, so fewer random
// queries run under it.
const raceEnabled = true
