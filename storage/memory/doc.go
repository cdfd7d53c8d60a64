// Package memory is an in-memory storage.Store: the embedded default for
// tests, examples, previews and imports that end in your own code rather
// than in a database.
//
//	store := memory.New()
//	ids, err := store.Insert(ctx, "people", records)
//
// A Store implements the whole contract of package storage, including both
// optional capabilities:
//
//   - storage.Transactor: Atomic runs a function whose writes commit
//     together or not at all (on an error, a panic or a cancelled context).
//     It serializes writers: while it runs, other goroutines wait, and never
//     see a write before it commits. The function must use the tx it is
//     given, never the Store itself, which would wait for the function.
//   - storage.History: import jobs and their journals, kept in memory.
//
// Nothing is persisted: the records live as long as the Store.
//
// # Ids and order
//
// Ids are zero-padded counters ("000000000001"), so they sort in creation
// order, which is the store's id order: the order of a Scan without Order,
// of Scan ties, and of the ids Lookup returns. Ids are never reused.
//
// # Representation
//
// The store is built to be cheap to write into and cheap for the garbage
// collector, because imports write millions of records into it and a heap
// of millions of maps of Values (each Value 48 bytes, pointers included)
// costs more to clone on the way in, and to mark at every collection, than
// the import's own work.
//
// So a record is kept encoded (package storage/internal/bincodec), not as
// a map: Insert and Update encode straight from the caller's map, outside
// the lock, and the bytes go into large append-only arena chunks of the
// module. A record is its counter and the chunk, offset and length of its
// encoding: integers, so that the slice of records, like the chunks, holds
// no pointer for the collector to scan. Field names are numbered once per
// store, so a record spends a byte or two on each. Ids are not stored:
// they are formatted from the counter.
//
// Encodings are never modified once written: an update writes a new one
// and leaves the old bytes as garbage, which is copied out (the live
// encodings into a new arena) once it outweighs the live data. So a reader
// may keep the bytes it found under the lock and decode them after
// releasing it. Get and Scan decode into new maps, so that no caller
// shares memory with the store or with another caller.
//
// The journal of import history is kept the same way: each entry encoded
// (record images included), entries located by refs in fixed-size chunks,
// so that a long journal grows without being copied.
//
// # Cost
//
// Insert and Update cost an encoding of each record (about what copying
// its map would, without the allocation); Get and Scan cost a decoding of
// each record they return.
//
// Lookup is served by a match-key index per field. A field's index is
// built on its first Lookup, in one pass over the module, and maintained
// by every write from then on; fields that are never looked up cost
// nothing on writes. An index maps the 64-bit hash of a key to the counter
// of the one record that has it, in a flat open-addressing hash table
// without pointers (kept at most half full, so that a probe is usually
// one cache miss, and never scanned by the garbage collector); keys that
// several records share (or that collide) are marked there and grouped by
// key beside it. A lookup checks a single candidate by recomputing the
// match keys of its stored value, so a hash collision never yields a wrong
// record. A lookup costs O(keys); a record is found by its counter with an
// interpolation search of the module's records, usually in a step or two.
//
// Scan reads out the encodings of a chunk of records under the shared lock
// and filters them after releasing it, decoding only the fields the
// filters and the order read until a record is chosen, so it costs
// O(records) decodings of those fields; with an Order it also sorts the
// matches. It never holds the lock while yielding, so the caller may write
// to the store as it iterates.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzTable$' -fuzzminimizetime 0 ./storage/memory
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package memory
