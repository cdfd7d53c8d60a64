//go:build !linux

package ceiling

// spawnIfAsked does nothing where the CLI benchmark is not built: it reads
// Linux's rusage (cli_test.go).
func spawnIfAsked() {}
