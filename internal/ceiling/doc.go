// Package ceiling holds benchmarks that measure crmio against its ceiling:
// what a loader written by hand for the same file does, timed in the same
// run on the same machine, so that a figure is a ratio that the load of
// the machine moves less than a time. It has no code of its own: only its
// tests and benchmarks (see issue 14).
package ceiling
