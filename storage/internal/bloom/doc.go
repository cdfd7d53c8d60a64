// Package bloom is a Bloom filter of strings that grows as strings are
// added: a set that answers "maybe" for every string added and, for a
// string never added, "no" but for a small share of false "maybe"s.
//
// The SQL stores use it to skip the index lookups of keys that cannot be
// there (see storage/sqlite's Lookup inside Atomic): a "no" saves a
// lookup, a false "maybe" costs the lookup that would have been made
// anyway, so the answers stay exact.
//
// A Filter is a list of layers, each a blocked Bloom filter (every string
// sets and tests its bits in one 64-byte block, one cache line) four times
// the capacity of the one before; a string goes into the newest layer and
// a test asks each. With 12 bits a string and 8 probes, a full layer
// answers a false "maybe" for about 0.5% of strings, the whole filter for
// at most the sum of its layers' (1,000,000 strings: four layers, 2 MB,
// about 2%; see TestFalsePositives).
package bloom
