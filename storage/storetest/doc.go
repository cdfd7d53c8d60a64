// Package storetest checks that a storage.Store keeps the contract of
// package storage, in the spirit of testing/fstest.TestFS and
// testing/slogtest.Run.
//
// # Using it
//
// An adapter author calls Run from the adapter's own tests, with a function
// that returns a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := mystore.Open(filepath.Join(t.TempDir(), "test.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run the test with -race: one area checks concurrent writers. Run makes one
// subtest per area of the contract (Insert, Lookup, Filters, Transactor,
// …), each on its own fresh store, and reports every failure it finds with
// t.Errorf, each naming the check that failed ("after update: Lookup(…) =
// …"), so that one run shows everything left to fix. Select areas with
// go test -run, as for any subtest: -run 'TestConformance/Lookup'.
//
// TestStore does the same outside a test and returns the failures joined
// into one error, each prefixed with its area: for tools, and for testing
// this package itself.
//
// The checks use the modules "people", "accounts", "many", "other",
// "collation", "concurrent", "empty", "never-written" and a few with odd
// names; they
// take well under a second on an in-memory store.
//
// # What it checks
//
// The semantics are those documented in package storage, whose reference
// implementations (Filter.Match, Query.Compare, SortKey, crmio.MatchKey)
// the expectations agree with.
//
//   - Insert: ids assigned, non-empty, distinct, never reused after a
//     delete; a batch holding a record with an ID refused whole; the store
//     keeps copies (changing a map after Insert, or one Get or Scan
//     returned, changes nothing stored); records come back with ID and
//     Module.
//   - Get: order as asked, missing ids omitted.
//   - Update: the whole Values map replaced; a batch with a missing, empty
//     or deleted id fails with crmio.ErrNotFound and changes nothing.
//   - Delete: missing ids ignored, deleting twice is safe.
//   - Values: every Kind round-trips exactly through Insert+Get, Scan and
//     Update: non-ASCII and emoji text, escapes and a NUL byte, a long
//     text, numbers with their digits ("1234.50", 60 digits), dates,
//     datetimes with their offsets and nanoseconds, references, addresses,
//     labelled lists, false, and empty text versus a null Value versus an
//     absent field; field names with spaces, quotes and dots.
//   - Modules: each module is its own namespace; an unknown module is
//     empty; module names with quotes and spaces work.
//   - Lookup: by crmio.MatchKey, so "Bob@Example.com" is found by the key
//     of "bob@example.com" and "(415) 555-0102" by that of "+14155550102";
//     every item of a list; text, numbers, references, dates and datetimes
//     (across offsets); several
//     keys at once, unmatched keys absent; ids in the store's id order;
//     keys follow updates and deletes, and records inserted after a first
//     lookup.
//   - Filters: every operator on numbers (decimals, negatives, 9 < 10),
//     dates, datetimes (across offsets, to the nanosecond), text (case and
//     spacing folded, C-collation order), phones (across formats), lists
//     and booleans; several
//     filters; absent and null fields; values of another kind ignored by
//     ordered comparisons.
//   - Order: ascending, descending, several keys, missing values last in
//     both directions, ties in id order, non-ASCII text bytewise ("é" after
//     "z"); Limit with and without Order.
//   - Fields: only the fields selected, an empty selection, unknown fields.
//   - Scope: records outside are never yielded, combined with filters,
//     order, limit and field selection; a scope compares exactly (case,
//     surrounding space and full-width forms of text differ; email without
//     case, phones in E.164, numbers by value, text in NFC), and a limit
//     counts only records inside.
//   - InvalidQuery: bad limits, operators, values and field names yield
//     one error wrapping storage.ErrInvalidQuery and nothing else.
//   - Iteration: every record once across many chunks; a scan stopped
//     early releases the store; the consumer may insert, update, delete
//     and scan again while iterating (a store that blocks fails after 30 s
//     instead of hanging).
//   - Cancellation: every method fails with an error wrapping
//     context.Canceled when its context is done, without writing; a scan
//     cancelled midway ends with that error.
//   - Concurrency: writers inserting and updating alongside readers; every
//     record and update present afterwards.
//
// Optional capabilities are checked only where the store implements them;
// otherwise their area is skipped (Run) or left out (TestStore).
//
//   - Transactor: a committed transaction keeps its inserts, updates and
//     deletes, and reads its own writes; one whose fn returns an error, or
//     panics (the panic goes on), or whose context is cancelled leaves
//     nothing, match keys included; another goroutine never sees
//     uncommitted writes; a tx used after Atomic returns fails with
//     storage.ErrTxDone; scanning and writing inside a transaction, and
//     transactions from several goroutines, work. With History, the tx is
//     a History too and journal entries and jobs roll back with it.
//   - History: a Job round-trips every field (times to the microsecond,
//     Detail byte for byte); UpdateJob, Job, AppendJournal and Journal of a
//     missing job fail with crmio.ErrNotFound; Jobs lists newest first,
//     ties in creation order, with a limit; the journal lists exactly what
//     was appended, in order, with before and after images intact, kept as
//     copies; a long journal can be read while the store is written; every
//     method honours a cancelled context. UpdateJob is a compare-and-set on
//     the job's Version: a stale writer gets storage.ErrJobChanged and
//     changes nothing, and writers racing through storage.UpdateJobFunc
//     lose no write.
//   - Uploads (where the store implements storage.Uploads): content back
//     byte for byte (empty, small, megabytes), size, SHA-256, name and
//     owner kept; ListUploads oldest first and by age; delete, twice;
//     missing ids; a failed or cancelled put keeps nothing.
package storetest
