package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/sqlstore"
)

// readJournal returns the journal of job.
func readJournal(t *testing.T, s *Store, job string) []storage.JournalEntry {
	t.Helper()
	var out []storage.JournalEntry
	for e, err := range s.Journal(t.Context(), job) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// sameJournal reports how got differs from want.
func sameJournal(t *testing.T, when string, got, want []storage.JournalEntry) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d journal entries, want %d", when, len(got), len(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Op != w.Op || g.Module != w.Module || g.ID != w.ID || g.Fingerprint != w.Fingerprint ||
			(g.Before == nil) != (w.Before == nil) || (g.After == nil) != (w.After == nil) ||
			g.Before != nil && !g.Before.Equal(*w.Before) || g.After != nil && !g.After.Equal(*w.After) {
			t.Errorf("%s: journal entry %d is %+v, want %+v", when, i, g, w)
			return
		}
	}
}

// TestJournalSpans appends journals of every shape and reads them back:
// runs of created records in spans, and every entry a span cannot hold
// (images, another module, a gap in the ids, a fingerprint with a space,
// an id the store could not have made) in rows of their own, in order.
func TestJournalSpans(t *testing.T) {
	ctx := t.Context()
	s := tempStore(t)
	job, err := s.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning})
	if err != nil {
		t.Fatal(err)
	}
	created := func(module string, id int64) storage.JournalEntry {
		return storage.JournalEntry{Op: storage.JournalCreated, Module: module, ID: strconv.FormatInt(id, 10), Fingerprint: fmt.Sprintf("fp%d.3", id)}
	}
	before := crmio.Record{ID: "3", Module: "people", Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}
	var want []storage.JournalEntry
	var batch []storage.JournalEntry
	for id := int64(1); id <= 2500; id++ { // more than maxSpan and journalPage
		batch = append(batch, created("people", id))
	}
	batch = append(batch,
		storage.JournalEntry{Op: storage.JournalUpdated, Module: "people", ID: "3", Before: &before, Fingerprint: "x.1"},
		created("people", 2501),
		created("accounts", 2502),
		created("accounts", 2503),
		created("people", 2504),
		created("people", 2506), // a gap
		storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: "2507", Fingerprint: "with space"},
		created("people", 2508),
		storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: "2509"}, // no fingerprint
		created("people", 2510),
		storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: "02511"},
		storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: "x"},
		storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: "2512", After: &before},
		storage.JournalEntry{Op: storage.JournalCleared, Module: "people", ID: "2513", Before: &before},
		created("people", 2514),
	)
	if err := s.AppendJournal(ctx, job, batch); err != nil {
		t.Fatal(err)
	}
	want = append(want, batch...)
	// A later append does not join the span before it.
	if err := s.AppendJournal(ctx, job, []storage.JournalEntry{created("people", 2515), created("people", 2516)}); err != nil {
		t.Fatal(err)
	}
	want = append(want, created("people", 2515), created("people", 2516))
	sameJournal(t, "read back", readJournal(t, s, job), want)

	// An iteration stopped early stops.
	n := 0
	for range s.Journal(ctx, job) {
		n++
		if n == 1500 {
			break
		}
	}

	var rows int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM crmio_journal`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	// 2,500 created people in 3 spans (of at most maxSpan); then the
	// update, 2501, the accounts (one span), 2504 and 2506 (the gap ends
	// a span), the spaced one, 2508 to 2510 (one span: an empty
	// fingerprint is one), 02511, x, the two with images, 2514, and the
	// later append.
	if wantRows := 3 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1 + 2 + 1 + 1; rows != wantRows {
		t.Errorf("%d journal rows, want %d", rows, wantRows)
	}
}

// TestJournalUpgrade writes journals as schema versions 1, 2 and 4 kept
// them, upgrades each database, and checks that the old entries read as
// they were and new ones are kept in spans beside them.
func TestJournalUpgrade(t *testing.T) {
	for _, version := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			ctx := t.Context()
			path := filepath.Join(t.TempDir(), "crmio.db")
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			if err := migrateTo(ctx, db, version); err != nil {
				t.Fatal(err)
			}
			res, err := db.ExecContext(ctx, `INSERT INTO crmio_jobs (module, status, created_s, created_ns, job) VALUES ('people', 'completed', 1, 0, '{"module":"people","status":"completed"}')`)
			if err != nil {
				t.Fatal(err)
			}
			jobID, _ := res.LastInsertId()
			job := sqlstore.FormatID(jobID)
			before := crmio.Record{ID: "1", Module: "people", Values: map[string]crmio.Value{"name": crmio.TextValue("Ada")}}
			beforeJSON, _ := recordArg(&before)
			var want []storage.JournalEntry
			for id := 1; id <= 300; id++ { // a row per created record, as before version 5
				fp := fmt.Sprintf("old%d.2", id)
				if _, err := db.ExecContext(ctx, `INSERT INTO crmio_journal (job_id, op, module, record_id, fingerprint) VALUES (?, 'created', 'people', ?, ?)`,
					jobID, strconv.Itoa(id), fp); err != nil {
					t.Fatal(err)
				}
				want = append(want, storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: strconv.Itoa(id), Fingerprint: fp})
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO crmio_journal (job_id, op, module, record_id, before, fingerprint) VALUES (?, 'updated', 'people', '1', ?, 'new.1')`,
				jobID, beforeJSON); err != nil {
				t.Fatal(err)
			}
			want = append(want, storage.JournalEntry{Op: storage.JournalUpdated, Module: "people", ID: "1", Before: &before, Fingerprint: "new.1"})
			db.Close()

			s, err := Open(ctx, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var v int
			if err := s.reader.QueryRowContext(ctx, `SELECT max(version) FROM crmio_schema_migrations`).Scan(&v); err != nil || v != SchemaVersion() || v < 5 {
				t.Fatalf("after the upgrade, the schema is at version %d (%v), want %d", v, err, SchemaVersion())
			}
			sameJournal(t, "old entries", readJournal(t, s, job), want)
			var more []storage.JournalEntry
			for id := 301; id <= 600; id++ {
				more = append(more, storage.JournalEntry{Op: storage.JournalCreated, Module: "people", ID: strconv.Itoa(id), Fingerprint: fmt.Sprintf("new%d.2", id)})
			}
			if err := s.AppendJournal(ctx, job, more); err != nil {
				t.Fatal(err)
			}
			want = append(want, more...)
			sameJournal(t, "old and new entries", readJournal(t, s, job), want)
			var rows int
			if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM crmio_journal WHERE job_id = ?`, jobID).Scan(&rows); err != nil || rows != 302 {
				t.Errorf("%d journal rows (%v), want 302: the old 301 and one span", rows, err)
			}
		})
	}
}
