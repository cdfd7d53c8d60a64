package dedupe

import (
	"context"
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Strategy says what an import does with a row that duplicates a record.
type Strategy int

// The duplicate strategies.
const (
	// Skip leaves the existing record as it is and skips the row.
	Skip Strategy = iota
	// Update merges the row into the existing record (see MergeMode).
	Update
	// Create inserts the row as a new record anyway.
	Create
)

var strategyNames = []string{"skip", "update", "create"}

func (s Strategy) String() string {
	if int(s) < len(strategyNames) && s >= 0 {
		return strategyNames[s]
	}
	return fmt.Sprintf("Strategy(%d)", int(s))
}

// ParseStrategy parses "skip", "update" or "create".
func ParseStrategy(s string) (Strategy, error) {
	for i, n := range strategyNames {
		if n == s {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("dedupe: unknown duplicate strategy %q (want skip, update or create)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Strategy) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Strategy) UnmarshalText(b []byte) error {
	v, err := ParseStrategy(string(b))
	*s = v
	return err
}

// MergeMode says how an update combines an existing record with a row.
type MergeMode int

// The merge modes.
const (
	// FillEmpty sets only the fields the existing record has no value for.
	FillEmpty MergeMode = iota
	// Overwrite replaces every mapped field with the row's value, blanks
	// included: a mapped column left empty clears the field.
	Overwrite
	// PreferImport takes the row's value where it has one and keeps the
	// existing value otherwise.
	PreferImport
)

var mergeNames = []string{"fill-empty", "overwrite", "prefer-import"}

func (m MergeMode) String() string {
	if int(m) < len(mergeNames) && m >= 0 {
		return mergeNames[m]
	}
	return fmt.Sprintf("MergeMode(%d)", int(m))
}

// ParseMergeMode parses "fill-empty", "overwrite" or "prefer-import".
func ParseMergeMode(s string) (MergeMode, error) {
	for i, n := range mergeNames {
		if n == s {
			return MergeMode(i), nil
		}
	}
	return 0, fmt.Errorf("dedupe: unknown merge mode %q (want fill-empty, overwrite or prefer-import)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (m MergeMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *MergeMode) UnmarshalText(b []byte) error {
	v, err := ParseMergeMode(string(b))
	*m = v
	return err
}

// Candidate is an existing record that an incoming record duplicates.
type Candidate struct {
	ID string
	// Score is 1 for an exact match on match keys, and the similarity in
	// (0, 1) for a fuzzy one.
	Score float64
}

// Match is what a Matcher found for one incoming record.
type Match struct {
	// Existing are the stored records it duplicates, best first.
	Existing []Candidate
	// Earlier is the index, in the same batch, of an earlier record it
	// duplicates, or -1. Duplicates of rows in earlier batches are found in
	// the store, where those rows already are.
	Earlier int
}

// A Matcher finds duplicates for a batch of incoming records. It returns one
// Match per record, in order, making one Store.Lookup per batch per field
// it matches on (never one per record). The records are the caller's: a
// Matcher must not keep them, or their Values maps, after Match returns
// (the importer reuses the maps for later rows).
type Matcher interface {
	Match(ctx context.Context, store storage.Store, module string, batch []crmio.Record) ([]Match, error)
}

// KeyedMatcher is the optional interface of a Matcher that matches on keys
// computed from each record alone, as FieldMatcher does. A caller may then
// compute each record's keys ahead, concurrently, and pass them along with
// the batch: the importer does so in its mapping workers, keeping the work
// off its serial write stage.
type KeyedMatcher interface {
	Matcher
	// Keys returns rec's keys, in a form only MatchKeyed reads. It must be
	// safe for concurrent use and must not keep rec.
	Keys(rec crmio.Record) Keys
	// MatchKeyed is Match where keys[i] is Keys(batch[i]).
	MatchKeyed(ctx context.Context, store storage.Store, module string, batch []crmio.Record, keys []Keys) ([]Match, error)
}

// Keys are one record's match keys, by field, as a KeyedMatcher makes
// them.
type Keys [][]string

// A Merger combines an existing record with an incoming one for an update.
// mapped lists the fields the import maps (a field mapped but absent from
// incoming was blank in the file). It returns the merged record (with the
// existing record's ID) and whether it differs from existing. merged may
// share maps with existing or incoming, but a Merger must not keep any of
// them after Merge returns (the importer reuses the maps for later rows).
type Merger interface {
	Merge(existing, incoming crmio.Record, mapped []string) (merged crmio.Record, changed bool)
}

// Ambiguity says what happens when a row matches several existing records.
type Ambiguity int

// The ambiguity policies. Each also reports a warning naming the records.
const (
	// UseBest applies the strategy to the best (first) candidate.
	UseBest Ambiguity = iota
	// SkipAmbiguous skips the row.
	SkipAmbiguous
	// FailAmbiguous makes the row a row error (crmio.ErrDuplicate).
	FailAmbiguous
)

var ambiguityNames = []string{"use-best", "skip", "fail"}

func (a Ambiguity) String() string {
	if a >= 0 && int(a) < len(ambiguityNames) {
		return ambiguityNames[a]
	}
	return fmt.Sprintf("Ambiguity(%d)", int(a))
}

// ParseAmbiguity parses "use-best", "skip" or "fail".
func ParseAmbiguity(s string) (Ambiguity, error) {
	for i, n := range ambiguityNames {
		if n == s {
			return Ambiguity(i), nil
		}
	}
	return 0, fmt.Errorf("dedupe: unknown ambiguity policy %q (want use-best, skip or fail)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (a Ambiguity) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Ambiguity) UnmarshalText(b []byte) error {
	v, err := ParseAmbiguity(string(b))
	*a = v
	return err
}
