package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// jobTime returns a time in a zone other than UTC, to the microsecond (the
// precision of PostgreSQL's timestamps).
func jobTime(offset time.Duration) time.Time {
	zone := time.FixedZone("UTC+2", 2*60*60)
	return time.Date(2024, 3, 10, 14, 30, 15, 123456000, zone).Add(offset)
}

// fullJob is a job with every field set.
func fullJob() storage.Job {
	return storage.Job{
		ID:         "chosen-by-the-caller",
		Module:     people,
		File:       "contacts – 2024 (ü).xlsx",
		Status:     storage.JobRunning,
		Mode:       "background",
		StartedBy:  "ada@example.com",
		Counts:     storage.Counts{Read: 10, Created: 5, Updated: 3, Skipped: 1, Failed: 1, ReferencesCreated: 2, Estimated: 1000},
		Checkpoint: storage.Checkpoint{Rows: 10, Row: 12, Batches: 2},
		Source:     storage.JobSource{Name: "contacts – 2024 (ü).xlsx", Path: "/tmp/ü/contacts.xlsx", Size: 123456, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Upload: "u-1"},
		// Plan is JSON the store keeps as JSON (not byte for byte).
		Plan:            json.RawMessage(`{"module":"people","static":{"status":"ü"}}`),
		Runner:          &storage.Runner{ID: "r-1", Host: "crm-1", Boot: "b0", PID: 4242, Start: 987654321, Worker: "w-1"},
		CancelRequested: true,
		Version:         77, // ignored: a new job is version 1
		Error:           "",
		Created:         jobTime(0),
		Started:         jobTime(time.Second),
		Heartbeat:       jobTime(2 * time.Second),
		// Detail is opaque: its bytes come back as given, spacing, key
		// order and all.
		Detail: json.RawMessage(`{"z": 1,  "a": [2, 3], "s": "ü \u00e9"}`),
	}
}

// sameJob reports when got is not want.
func (c *checker) sameJob(check string, got, want storage.Job) {
	sameTime := func(name string, g, w time.Time) {
		if !g.Equal(w) {
			c.errorf(check, "job %s: %s is %v, want %v", want.ID, name, g, w)
		}
	}
	if got.ID != want.ID || got.Module != want.Module || got.File != want.File || got.Status != want.Status ||
		got.Mode != want.Mode || got.StartedBy != want.StartedBy || got.Counts != want.Counts || got.Error != want.Error ||
		got.Checkpoint != want.Checkpoint || got.Source != want.Source || got.CancelRequested != want.CancelRequested ||
		got.Version != want.Version {
		c.errorf(check, "job is %+v, want %+v", got, want)
	}
	if (got.Runner == nil) != (want.Runner == nil) || got.Runner != nil && *got.Runner != *want.Runner {
		c.errorf(check, "job %s: Runner is %+v, want %+v", want.ID, got.Runner, want.Runner)
	}
	if !sameJSON(got.Plan, want.Plan) {
		c.errorf(check, "job %s: Plan is %s, want %s", want.ID, got.Plan, want.Plan)
	}
	sameTime("Created", got.Created, want.Created)
	sameTime("Started", got.Started, want.Started)
	sameTime("Finished", got.Finished, want.Finished)
	sameTime("Heartbeat", got.Heartbeat, want.Heartbeat)
	if !bytes.Equal(got.Detail, want.Detail) {
		c.errorf(check, "job %s: Detail is %q, want the bytes given: %q", want.ID, got.Detail, want.Detail)
	}
}

func checkHistory(c *checker, s storage.Store) {
	h := s.(storage.History)

	// A job round-trips; the caller's ID is ignored.
	job := fullJob()
	id, err := h.CreateJob(c.ctx, job)
	if err != nil || id == "" {
		c.fatalf("create job", "CreateJob returned %q, %v", id, err)
	}
	job.Detail[2] = 'X' // the store must have kept a copy
	want := fullJob()
	want.ID = id
	want.Version = 1
	got, err := h.Job(c.ctx, id)
	if err != nil {
		c.fatalf("job round trip", "Job(%q): %v", id, err)
	}
	c.sameJob("job round trip", got, want)
	if len(got.Detail) > 2 {
		got.Detail[2] = 'Y'
		if again, err := h.Job(c.ctx, id); err == nil && !bytes.Equal(again.Detail, want.Detail) {
			c.errorf("job round trip", "changing the Detail Job returned changed the stored job")
		}
	}
	other, err := h.CreateJob(c.ctx, storage.Job{Module: people, Status: storage.JobQueued, Created: jobTime(-time.Hour)})
	if err != nil || other == "" || other == id {
		c.errorf("create job", "a second CreateJob returned %q, %v; want a new id (first %q)", other, err, id)
	}
	if got, err := h.Job(c.ctx, other); err == nil && len(got.Detail) != 0 {
		c.errorf("job round trip", "a job created without Detail came back with %q", got.Detail)
	}

	// UpdateJob replaces the job's fields, and counts the version on.
	want.Status = storage.JobCompleted
	want.Counts.Created = 500
	want.Checkpoint = storage.Checkpoint{Rows: 600, Row: 601, Batches: 6}
	want.Runner = nil
	want.CancelRequested = false
	want.Plan = nil
	want.Finished = jobTime(time.Minute)
	want.Heartbeat = jobTime(time.Minute)
	want.Error = "row 7: something"
	want.Detail = json.RawMessage(`{"summary":{"created":500}}`)
	if err := h.UpdateJob(c.ctx, want); err != nil {
		c.fatalf("update job", "UpdateJob: %v", err)
	}
	stale := want
	want.Version = 2
	if got, err := h.Job(c.ctx, id); err != nil {
		c.errorf("update job", "Job(%q): %v", id, err)
	} else {
		c.sameJob("update job", got, want)
	}

	// A writer that read version 1 is told the job changed since, and
	// changes nothing.
	stale.Status, stale.Error = storage.JobFailed, "stale writer"
	err = h.UpdateJob(c.ctx, stale)
	c.isErr("update job: stale version", err, storage.ErrJobChanged, "UpdateJob of version 1 when version 2 is stored")
	c.isErr("update job: stale version", err, crmio.ErrConflict, "UpdateJob of version 1 when version 2 is stored")
	if got, err := h.Job(c.ctx, id); err == nil {
		c.sameJob("update job: stale version", got, want)
	}
	c.concurrentJobUpdates(h, other)

	err = h.UpdateJob(c.ctx, storage.Job{ID: "missing-job", Status: storage.JobFailed})
	c.isErr("missing job", err, crmio.ErrNotFound, "UpdateJob of a missing job")
	_, err = h.Job(c.ctx, "missing-job")
	c.isErr("missing job", err, crmio.ErrNotFound, "Job of a missing job")
	err = h.AppendJournal(c.ctx, "missing-job", []storage.JournalEntry{{Op: storage.JournalCreated, Module: people, ID: "1"}})
	c.isErr("missing job", err, crmio.ErrNotFound, "AppendJournal to a missing job")
	_, err = journal(c.ctx, h, "missing-job")
	c.isErr("missing job", err, crmio.ErrNotFound, "Journal of a missing job")

	c.checkJobList(h, id, other)
	c.checkJournal(s, h, id, other)
	c.historyCancelled(h, id)
}

// concurrentJobUpdates checks that writers racing on one job lose no
// write: each counts the job's Read on by one through UpdateJobFunc.
func (c *checker) concurrentJobUpdates(h storage.History, id string) {
	const check = "update job: concurrent writers"
	start := mustJob(c, h, id)
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := storage.UpdateJobFunc(c.ctx, h, id, func(j *storage.Job) error {
					j.Counts.Read++
					return nil
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	c.within(check, wg.Wait)
	close(errs)
	for err := range errs {
		c.errorf(check, "UpdateJobFunc: %v", err)
		break
	}
	got := mustJob(c, h, id)
	if got.Counts.Read != start.Counts.Read+writers*each || got.Version != start.Version+writers*each {
		c.errorf(check, "after %d updates by %d writers the job has Read %d and version %d, want %d and %d",
			writers*each, writers, got.Counts.Read, got.Version, start.Counts.Read+writers*each, start.Version+writers*each)
	}
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// checkJobList checks Jobs: newest first, ties by creation, limit.
func (c *checker) checkJobList(h storage.History, first, second string) {
	// first was created at jobTime(0), second an hour before.
	var ids []string
	for i, at := range []time.Duration{2 * time.Hour, time.Hour, time.Hour, -2 * time.Hour} {
		id, err := h.CreateJob(c.ctx, storage.Job{Module: people, File: "jobs " + strconv.Itoa(i), Status: storage.JobQueued, Created: jobTime(at)})
		if err != nil {
			c.fatalf("jobs newest first", "CreateJob: %v", err)
		}
		ids = append(ids, id)
	}
	// Newest first; of the two created at the same time, the later one.
	want := []string{ids[0], ids[2], ids[1], first, second, ids[3]}
	jobs, err := h.Jobs(c.ctx, 0)
	if err != nil {
		c.fatalf("jobs newest first", "Jobs: %v", err)
	}
	if got := jobIDs(jobs); !slices.Equal(got, want) {
		c.errorf("jobs newest first", "Jobs(0) = %q, want %q", got, want)
	}
	if jobs, err := h.Jobs(c.ctx, 2); err != nil || !slices.Equal(jobIDs(jobs), want[:2]) {
		c.errorf("jobs limit", "Jobs(2) = %q, %v; want %q", jobIDs(jobs), err, want[:2])
	}
	if jobs, err := h.Jobs(c.ctx, 100); err != nil || !slices.Equal(jobIDs(jobs), want) {
		c.errorf("jobs limit", "Jobs(100) = %q, %v; want %q", jobIDs(jobs), err, want)
	}
	for _, j := range jobs {
		if j.ID == first {
			c.sameJob("jobs round trip", j, mustJob(c, h, first))
		}
	}
}

func mustJob(c *checker, h storage.History, id string) storage.Job {
	j, err := h.Job(c.ctx, id)
	if err != nil {
		c.fatalf("jobs", "Job(%q): %v", id, err)
	}
	return j
}

func jobIDs(jobs []storage.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

// journal reads a job's whole journal.
func journal(ctx context.Context, h storage.History, jobID string) ([]storage.JournalEntry, error) {
	var out []storage.JournalEntry
	for e, err := range h.Journal(ctx, jobID) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// checkJournal checks that the journal lists exactly what was appended, in
// order, with the record images intact.
func (c *checker) checkJournal(s storage.Store, h storage.History, jobID, otherJob string) {
	if got, err := journal(c.ctx, h, jobID); err != nil || len(got) != 0 {
		c.errorf("journal", "the journal of a new job has %d entries, %v; want none", len(got), err)
	}
	before := crmio.Record{ID: "7", Module: people, Values: everyKind()}
	after := crmio.Record{ID: "7", Module: people, Values: vals{"key": text("after"), "empty": text(""), "null": {}}}
	entries := []storage.JournalEntry{
		{Op: storage.JournalCreated, Module: people, ID: "5", After: &crmio.Record{ID: "5", Module: people, Values: vals{"key": text("five")}}},
		{Op: storage.JournalUpdated, Module: people, ID: "7", Before: &before, After: &after},
		{Op: storage.JournalCreated, Module: "accounts", ID: "9", Fingerprint: crmio.Record{Values: vals{"name": text("Acme")}}.Fingerprint()},
	}
	if err := h.AppendJournal(c.ctx, jobID, entries[:2]); err != nil {
		c.fatalf("journal", "AppendJournal: %v", err)
	}
	if err := h.AppendJournal(c.ctx, jobID, entries[2:]); err != nil {
		c.fatalf("journal", "AppendJournal: %v", err)
	}
	if err := h.AppendJournal(c.ctx, jobID, nil); err != nil {
		c.errorf("journal", "AppendJournal of no entries: %v", err)
	}
	// The store keeps copies.
	after.Values["key"] = text("changed by the caller")
	wantAfter := crmio.Record{ID: "7", Module: people, Values: vals{"key": text("after"), "empty": text(""), "null": {}}}
	want := []storage.JournalEntry{entries[0], {Op: storage.JournalUpdated, Module: people, ID: "7", Before: &before, After: &wantAfter}, entries[2]}

	got, err := journal(c.ctx, h, jobID)
	if err != nil {
		c.fatalf("journal", "Journal: %v", err)
	}
	if len(got) != len(want) {
		c.fatalf("journal", "the journal has %d entries, want the %d appended", len(got), len(want))
	}
	for i := range want {
		c.sameEntry("journal", i, got[i], want[i])
	}
	if len(got) > 1 && got[1].After != nil {
		got[1].After.Values["key"] = text("changed through Journal")
		if again, err := journal(c.ctx, h, jobID); err == nil && len(again) > 1 && again[1].After != nil && again[1].After.Get("key").Str() != "after" {
			c.errorf("journal", "changing an image Journal returned changed the stored journal")
		}
	}
	if got, err := journal(c.ctx, h, otherJob); err != nil || len(got) != 0 {
		c.errorf("journal", "the journal of another job has %d entries, %v; want none", len(got), err)
	}

	// A long journal keeps its order; the caller may write while reading it.
	var long []storage.JournalEntry
	for i := range manyCount {
		long = append(long, storage.JournalEntry{Op: storage.JournalCreated, Module: people, ID: strconv.Itoa(i)})
	}
	for chunk := range slices.Chunk(long, 400) {
		if err := h.AppendJournal(c.ctx, otherJob, chunk); err != nil {
			c.fatalf("long journal", "AppendJournal: %v", err)
		}
	}
	c.within("write while reading the journal", func() {
		n := 0
		for e, err := range h.Journal(c.ctx, otherJob) {
			if err != nil {
				c.fatalf("long journal", "Journal: %v", err)
			}
			if e.ID != strconv.Itoa(n) {
				c.errorf("long journal", "entry %d has id %q, want %q", n, e.ID, strconv.Itoa(n))
				break
			}
			if n == 0 {
				if err := h.AppendJournal(c.ctx, jobID, []storage.JournalEntry{{Op: storage.JournalCreated, Module: people, ID: "late"}}); err != nil {
					c.errorf("write while reading the journal", "AppendJournal: %v", err)
				}
				if _, err := s.Insert(c.ctx, people, records(vals{"key": text("during journal")})); err != nil {
					c.errorf("write while reading the journal", "Insert: %v", err)
				}
			}
			n++
		}
		if n != manyCount {
			c.errorf("long journal", "Journal yielded %d entries, want %d", n, manyCount)
		}
		for _, err := range h.Journal(c.ctx, otherJob) {
			if err != nil {
				c.fatalf("long journal", "Journal: %v", err)
			}
			break
		}
		if err := h.AppendJournal(c.ctx, jobID, nil); err != nil {
			c.errorf("write while reading the journal", "AppendJournal after stopping Journal early: %v", err)
		}
	})
}

func (c *checker) sameEntry(check string, i int, got, want storage.JournalEntry) {
	if got.Op != want.Op || got.Module != want.Module || got.ID != want.ID {
		c.errorf(check, "entry %d is %s %s %s, want %s %s %s", i, got.Op, got.Module, got.ID, want.Op, want.Module, want.ID)
	}
	if got.Fingerprint != want.Fingerprint {
		c.errorf(check, "entry %d has Fingerprint %q, want %q", i, got.Fingerprint, want.Fingerprint)
	}
	image := func(name string, g, w *crmio.Record) {
		switch {
		case w == nil && g != nil:
			c.errorf(check, "entry %d: %s is %v, want none", i, name, g.Values)
		case w != nil && g == nil:
			c.errorf(check, "entry %d: %s is missing", i, name)
		case w != nil:
			if g.Module != w.Module {
				c.errorf(check, "entry %d: %s has Module %q, want %q", i, name, g.Module, w.Module)
			}
			c.sameRecord(check+": entry "+strconv.Itoa(i)+" "+name, *g, *w)
		}
	}
	image("Before", got.Before, want.Before)
	image("After", got.After, want.After)
}

// historyCancelled checks that every History method honours a cancelled
// context.
func (c *checker) historyCancelled(h storage.History, jobID string) {
	const check = "cancelled context"
	ctx, cancel := context.WithCancel(c.ctx)
	cancel()
	before, _ := journal(c.ctx, h, jobID)
	_, err := h.CreateJob(ctx, storage.Job{Module: people})
	c.isErr(check, err, context.Canceled, "CreateJob")
	err = h.UpdateJob(ctx, storage.Job{ID: jobID, Status: storage.JobFailed})
	c.isErr(check, err, context.Canceled, "UpdateJob")
	_, err = h.Job(ctx, jobID)
	c.isErr(check, err, context.Canceled, "Job")
	_, err = h.Jobs(ctx, 0)
	c.isErr(check, err, context.Canceled, "Jobs")
	err = h.AppendJournal(ctx, jobID, []storage.JournalEntry{{Op: storage.JournalCreated, Module: people, ID: "x"}})
	c.isErr(check, err, context.Canceled, "AppendJournal")
	_, err = journal(ctx, h, jobID)
	c.isErr(check, err, context.Canceled, "Journal")
	if j, err := h.Job(c.ctx, jobID); err == nil && j.Status == storage.JobFailed {
		c.errorf(check, "UpdateJob with a cancelled context changed the job")
	}
	if after, _ := journal(c.ctx, h, jobID); len(after) != len(before) {
		c.errorf(check, "AppendJournal with a cancelled context changed the journal from %d to %d entries", len(before), len(after))
	}
}
