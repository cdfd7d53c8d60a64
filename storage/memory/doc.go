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
// # Cost
//
// Records are kept as copies: Insert, Update and Get copy each record's
// Values map, so that no caller shares a map with the store. Values
// themselves are immutable and shared.
//
// Lookup is served by a match-key index per field (module → field → key →
// records). A field's index is built on its first Lookup, in one pass over
// the module, and maintained by every write from then on; fields that are
// never looked up cost nothing on writes. A lookup then costs O(keys).
//
// Scan filters every record of the module with storage.Query.Matches, so
// it costs O(records); with an Order it also sorts the matches. It holds
// the lock for one chunk of records at a time and never while yielding, so
// the caller may write to the store as it iterates.
package memory
