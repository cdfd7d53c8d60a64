package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

func TestHistoryStatusRollback(t *testing.T) {
	db := sqliteDB(t)
	cli(t, "--db", db, "history").want(t, exitOK, []string{"No imports yet."}, nil)
	var jobs []storage.Job
	decodeStrict(t, cli(t, "--db", db, "history", "--json").stdout, &jobs)
	if len(jobs) != 0 {
		t.Errorf("history --json of an empty store: %+v", jobs)
	}

	cli(t, "--db", db, "import", testdata("people.csv"), "--module", "people", "--auto-create-refs").want(t, exitRowsFailed, []string{"job 1)"}, nil)

	r := cli(t, "--db", db, "history")
	r.want(t, exitOK, []string{"job  status     module  file", "1    completed  people  people.csv"}, nil)
	decodeStrict(t, cli(t, "--db", db, "history", "--json").stdout, &jobs)
	if len(jobs) != 1 || jobs[0].ID != "1" || jobs[0].Status != storage.JobCompleted || jobs[0].Module != "people" ||
		jobs[0].File != "people.csv" || jobs[0].Mode != "instant" || jobs[0].Counts != (storage.Counts{Read: 6, Created: 3, Skipped: 1, Failed: 2, ReferencesCreated: 3, Estimated: 6}) {
		t.Errorf("history --json: %+v", jobs)
	}

	r = cli(t, "--db", db, "status", "1")
	r.want(t, exitOK, []string{
		"Job 1: completed",
		"file      people.csv",
		"rows      6 read: 3 created, 0 updated, 1 skipped, 2 failed; 3 references created",
		"Problems:",
		`error: column "Email": row 4: "alan@example" is not an email address`,
		"warning: row 7: duplicate of an earlier row",
	}, nil)
	var job storage.Job
	decodeStrict(t, cli(t, "--db", db, "status", "1", "--json").stdout, &job)
	if job.ID != "1" || job.Status != storage.JobCompleted || job.Counts.Created != 3 || job.Finished.IsZero() || len(job.Detail) == 0 {
		t.Errorf("status --json: %+v", job)
	}

	// Change a record the job created: the rollback refuses, changing nothing.
	changed := filepath.Join(t.TempDir(), "changed.csv")
	os.WriteFile(changed, []byte("Last Name,Email,Job Title\nLovelace,ada@example.com,Countess\n"), 0o644)
	cli(t, "--db", db, "import", changed, "--module", "people", "--duplicates", "update").want(t, exitOK, []string{"updated             1", "job 2"}, nil)

	r = cli(t, "--db", db, "rollback", "1")
	r.want(t, exitRowsFailed, nil, []string{
		"crmio rollback: 1 records changed since job 1 imported them (people/",
		"Nothing was rolled back. Run 'crmio rollback 1 --force'",
	})
	cli(t, "--db", db, "status", "1").want(t, exitOK, []string{"Job 1: completed"}, nil)

	r = cli(t, "--db", db, "rollback", "1", "--force")
	r.want(t, exitOK, []string{"Rolled back job 1: 6 records deleted, 0 restored."}, nil)
	cli(t, "--db", db, "status", "1").want(t, exitOK, []string{"Job 1: rolled_back"}, nil)
	cli(t, "--db", db, "history").want(t, exitOK, []string{"1    rolled_back"}, nil)
	r = cli(t, "--db", db, "export", "--module", "people", "-o", "-")
	if strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("after the rollback the store should be empty:\n%s", r.stdout)
	}
	// Twice is safe.
	cli(t, "--db", db, "rollback", "1").want(t, exitOK, []string{"Rolled back job 1: 0 records deleted"}, nil)
	// Job 2 updated a record job 1's rollback deleted: nothing to restore.
	cli(t, "--db", db, "rollback", "2").want(t, exitRowsFailed, nil, []string{"1 records changed since job 2"})

	cli(t, "--db", db, "cancel", "1").want(t, exitOK, []string{"Job 1 is rolled_back already."}, nil)
	cli(t, "--db", db, "status", "99").want(t, exitError, nil, []string{"crmio status: no job 99 in the store's history"})
	cli(t, "--db", db, "rollback", "99").want(t, exitError, nil, []string{"no job 99"})
	cli(t, "--db", "memory:", "status", "1").want(t, exitError, nil, []string{"the memory: store forgets its jobs"})
}

// An update restored by a rollback.
func TestRollbackRestores(t *testing.T) {
	db := peopleDB(t)
	changed := filepath.Join(t.TempDir(), "changed.csv")
	os.WriteFile(changed, []byte("Last Name,Email,Job Title,Status\nLovelace,ada@example.com,Countess,lost\n"), 0o644)
	cli(t, "--db", db, "import", changed, "--module", "people", "--duplicates", "update", "--merge", "overwrite").want(t, exitOK, []string{"job 2"}, nil)
	cli(t, "--db", db, "export", "--module", "people", "--where", "status = lost", "--fields", "title", "-o", "-").want(t, exitOK, []string{"Countess"}, nil)
	cli(t, "--db", db, "rollback", "2").want(t, exitOK, []string{"Rolled back job 2: 0 records deleted, 1 restored."}, nil)
	r := cli(t, "--db", db, "export", "--module", "people", "--where", "email = ada@example.com", "--fields", "title,status", "-o", "-")
	r.want(t, exitOK, []string{"Title,Status\r\n,qualified\r\n"}, nil)
}

// watchJob follows a background job until it ends.
func TestWatchJob(t *testing.T) {
	var data bytes.Buffer
	if err := contactgen.Write(&data, 20000, nil); err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(memory.New(), schemas.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job, err := im.Start(ctx, importer.Source{Reader: bytes.NewReader(data.Bytes()), Name: "contacts.csv"},
		importer.Plan{Module: "people", Mode: importer.Background}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &env{stdout: bufio.NewWriter(&out), stderr: &out}
	status, err := im.Status(ctx, job.JobID)
	if err != nil {
		t.Fatal(err)
	}
	final, err := watchJob(ctx, e, im, status)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != storage.JobCompleted || final.Counts.Read != 20000 {
		t.Errorf("watchJob returned %s with %d rows read, want completed with 20000", final.Status, final.Counts.Read)
	}
	if _, err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}
