// Package dedupe finds the existing records an import's rows duplicate, and
// merges a row into the record it duplicates.
//
// An import hands each batch of rows, once mapped to records, to a [Matcher],
// which says for each record which stored records it duplicates and
// whether an earlier record of the same batch is the same one. The
// importer then applies the duplicate Strategy, and for an update a [Merger]
// combines the stored record with the row.
//
// # Strategies
//
// A Strategy says what happens to a row that duplicates a stored record:
//
//   - Skip leaves the stored record as it is and skips the row.
//   - Update merges the row into the stored record, by a MergeMode.
//   - Create inserts the row as a new record anyway.
//
// A row that duplicates several stored records is ambiguous: the Ambiguity
// policy uses the best candidate (UseBest), skips the row (SkipAmbiguous)
// or makes it a row error wrapping crmio.ErrDuplicate (FailAmbiguous). A
// warning names the records in every case.
//
// A row can also duplicate an earlier row of the same file. Rows of earlier
// batches are in the store by then and are found there; for a row of the
// same batch, Match.Earlier gives its index, so that the importer can
// treat the two rows as one record.
//
// # Matchers
//
// [FieldMatcher] is the exact matcher: two records are duplicates when they
// share the canonical match key ([crmio.MatchKey]) of a field, so that
// "Bob@Example.com" matches "bob@example.com" and "(415) 555-0102"
// matches "+14155550102". A multi-value field matches on any of its items.
// With several fields, a match on any one of them is enough, or with All,
// the records must match on every one:
//
//	dedupe.FieldMatcher{Fields: []string{"email"}}
//	dedupe.FieldMatcher{Fields: []string{"first_name", "last_name", "company"}, All: true}
//
// [FuzzyMatcher] finds people whose names are spelled differently ("Jon
// Smith" and "John Smith") among those with the same last name, when they
// also share a company or a phone number. Its candidates carry their
// similarity, the Jaro-Winkler measure of their full names ([JaroWinkler]),
// as Score; it must reach a threshold, 0.92 by default.
//
// # How matchers use the store
//
// A Matcher never asks the store about one record at a time: that would be
// one round trip per row to a SQL database. It gathers the match keys of
// the whole batch, field by field, removes the repeats and makes one
// [storage.Store.Lookup] per field, which maps each key to the ids of the
// records having it. A store indexes match keys, so a lookup costs in
// proportion to the keys asked for, not to the records stored.
// FieldMatcher needs nothing else. FuzzyMatcher looks up last names,
// companies and phones, keeps the stored records that share a last name
// and a company or a phone with a row, and reads those with one
// storage.Store.Get per batch to compare their names. Matching a batch
// thus costs a fixed number of round trips, whatever its size.
//
// # Merge modes
//
// [FieldMerger] merges field by field, over the fields the import maps, in
// one of three modes, which may differ from field to field:
//
//   - FillEmpty sets only the fields the stored record has no value for;
//     it never changes a value someone entered.
//   - Overwrite gives every mapped field the row's value, blanks included:
//     a column mapped but left empty clears the field.
//   - PreferImport takes the row's value where it has one and keeps the
//     stored value where the row is blank.
//
// Multi-value fields (emails, phones, addresses with labels) merge as sets
// of items compared by match key: FillEmpty and PreferImport keep the
// stored items and add the row's new ones; Overwrite replaces the list.
// For example, to fill the gaps but always take the file's email:
//
//	merger := dedupe.FieldMerger{
//		Mode:   dedupe.FillEmpty,
//		Fields: map[string]dedupe.MergeMode{"email": dedupe.Overwrite},
//	}
//
// Merge reports whether the merged record differs from the stored one, so
// that an update that changes nothing costs no write.
//
// # Writing your own Matcher or Merger
//
// A Matcher receives the store, the module and the batch, and returns one
// Match per record, in order. Keep to these rules and the importer can
// use it like the ones here:
//
//   - Make a fixed number of store calls per batch, never one per record:
//     gather the batch's keys, look them up together, and Get what you
//     need to compare in one call.
//   - Compare values by crmio.MatchKey or crmio.MatchKeys, the keys the
//     store indexes, or by a normalization built on them (crmio.TextKey).
//   - Order each record's candidates best first, deterministically: an
//     import run twice must decide the same way. Give exact matches
//     Score 1 and fuzzy ones their similarity.
//   - Set Earlier to the index of the first earlier record of the batch
//     that is the same one, or -1. A record without the data to match on
//     never matches.
//   - Return store errors wrapped (with %w), and honour the context
//     through the store calls.
//
// Matchers compose: a Matcher of your own can run an exact one first and a
// fuzzy one on the records the first left unmatched.
//
// A Merger receives the stored record, the incoming one and the mapped
// fields. It must not change its arguments: copy the stored record
// (crmio.Record.Clone) and change the copy. It returns the merged record
// with the stored record's ID, and changed false when nothing differs
// (crmio.Record.Equal), so that the importer can skip the write.
//
// # Fuzzing
//
// The fuzz targets of this package, each run with
//
//	go test -run '^$' -fuzz '^FuzzFieldMatcher$' -fuzzminimizetime 0 ./dedupe
//	go test -run '^$' -fuzz '^FuzzFieldMerger$' -fuzzminimizetime 0 ./dedupe
//
// start from their seeds (f.Add and testdata/fuzz); .ci/run runs each for
// two seconds, and a minute or more finds what a change broke.
package dedupe
