package storage

import (
	"context"
	"errors"
	"iter"

	"github.com/crmio/crmio"
)

// Store keeps the records of every module. It is small and batch-oriented:
// each method takes a whole batch so that a SQL adapter makes one round
// trip per batch. Implementations must be safe for concurrent use.
//
// A Store keeps copies: it must not keep the maps of the records passed to
// Insert and Update (the importer reuses them for later rows), nor return
// maps that alias what it keeps. storetest checks both.
//
// Module names are namespaces: a Store needs no schema, because a Value
// carries its Kind and crmio.MatchKey derives its match key from the value
// alone. A module with no records behaves as an empty one.
type Store interface {
	// Insert adds records and returns their new ids, in order. The records'
	// ID must be empty: ids are the store's to assign, and a batch holding a
	// record with an ID is refused whole. An id is never reused, even after
	// its record is deleted: journals and references name records by id.
	Insert(ctx context.Context, module string, recs []crmio.Record) (ids []string, err error)

	// Update replaces the values of existing records, found by ID (the whole
	// Values map is replaced: a field absent from it is removed). When any
	// id does not exist the error wraps crmio.ErrNotFound and no record of
	// the batch is changed.
	Update(ctx context.Context, module string, recs []crmio.Record) error

	// Delete removes records by id. Ids that do not exist are ignored, so
	// that deleting twice is safe.
	Delete(ctx context.Context, module string, ids []string) error

	// Get returns the records with the given ids, in the order asked,
	// omitting ids that do not exist. Records that Get and Scan return
	// carry their ID and Module.
	Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error)

	// Lookup finds records by match key: for each key (a crmio.MatchKey)
	// the ids of the records whose field has a value with that key (any
	// item, for a list), in the store's id order. Keys that match nothing
	// are absent from the map. It must cost O(len(keys)), not O(records):
	// index the match keys.
	Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error)

	// Scan yields the records that satisfy q, in q's order. An error is
	// yielded once, with a zero Record, and ends the sequence. The caller
	// may stop early; the store then releases what the scan held. The
	// caller may write to the store while it iterates (a rollback deletes
	// what it reads): a scan must not block writers of its own store.
	Scan(ctx context.Context, module string, q Query) iter.Seq2[crmio.Record, error]
}

// Transactor is the optional capability of atomic batches. Atomic runs fn
// with a Store whose writes all take effect when fn returns nil and none
// does when it returns an error, panics, or ctx is cancelled. If the Store
// implements History, so does tx, and journal entries written through tx
// commit with the records they describe.
//
// Without it, each batch of an import is written by separate calls: a
// failure in the middle of a batch can leave part of it in the store (the
// journal still lists what was written, so rollback removes it).
type Transactor interface {
	Atomic(ctx context.Context, fn func(tx Store) error) error
}

// ErrInvalidQuery is returned (yielded, by Scan) for a query a store cannot
// run: an unknown operator, an ordered comparison with a value that has no
// order, a negative limit.
var ErrInvalidQuery = errors.New("storage: invalid query")

// ErrTxDone is returned by the Store a Transactor passed to fn when it is
// used after Atomic has returned: its writes have committed or rolled back.
var ErrTxDone = errors.New("storage: transaction has already committed or rolled back")

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("storage: store is closed")
