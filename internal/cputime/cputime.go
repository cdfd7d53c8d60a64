// Package cputime reads the CPU time a process has used, for benchmarks
// to report beside wall time: on a machine shared with other work, wall
// time measures the machine's load as much as the code.
package cputime
