//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/storage"
)

// jobStatus reads a job with 'crmio status --json'.
func jobStatus(t *testing.T, db, id string) storage.Job {
	t.Helper()
	r := cli(t, "--db", db, "status", id, "--json")
	if r.code != exitOK {
		t.Fatalf("status %s: %s", id, r.stderr)
	}
	var job storage.Job
	decodeStrict(t, r.stdout, &job)
	return job
}

// waitJob polls a job until ok accepts it; it fails t when the test's
// deadline nears first.
func waitJob(t *testing.T, db, id string, ok func(storage.Job) bool) storage.Job {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	if d, has := t.Deadline(); has {
		deadline = d.Add(-10 * time.Second)
	}
	for {
		job := jobStatus(t, db, id)
		if ok(job) {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is still %s with %+v", id, job.Status, job.Counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startWorkerCmd starts 'crmio worker' on db.
func startWorkerCmd(t *testing.T, db string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, "--db", db, "worker")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &stderr
}

// 'crmio import --background' queues the job and exits without running
// it (no worker is running: the job stays queued, nothing is written);
// 'crmio worker' runs it, and on SIGTERM finishes the batch in hand, hands
// the job back (queued, from its checkpoint) and exits 0; a worker started
// again finishes it.
func TestBackgroundImportAndWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	const rows = 40_000
	if err := contactgen.WriteFile(file, rows, nil); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(dir, "crm.db")

	r := cli(t, "--db", db, "import", file, "--module", "people", "--background", "--batch-size", "200", "--json")
	if r.code != exitOK {
		t.Fatalf("import --background: exit %d\n%s", r.code, r.stderr)
	}
	var queued struct {
		Job storage.Job `json:"job"`
	}
	decodeStrict(t, r.stdout, &queued)
	id := queued.Job.ID
	if id == "" || queued.Job.Status != storage.JobQueued || queued.Job.Source.Upload == "" {
		t.Fatalf("import --background printed %+v; want a queued job whose file is kept in the store", queued.Job)
	}
	if job := jobStatus(t, db, id); job.Status != storage.JobQueued || job.Counts.Read != 0 {
		t.Fatalf("with no worker, the job is %s with %d rows read; want queued, untouched", job.Status, job.Counts.Read)
	}
	r = cli(t, "--db", db, "import", file, "--module", "people", "--background", "--dry-run")
	r.want(t, exitError, nil, []string{"--dry-run does not go with --background"})
	r = cli(t, "--db", "memory:", "import", file, "--module", "people", "--background")
	r.want(t, exitError, nil, []string{"--background needs a store that keeps a queue"})

	// A worker runs it; SIGTERM in the middle drains it.
	worker, stderr := startWorkerCmd(t, db)
	waitJob(t, db, id, func(j storage.Job) bool { return j.Counts.Read >= 2_000 })
	if err := worker.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := worker.Wait(); err != nil {
		t.Fatalf("the worker exited with %v after SIGTERM:\n%s", err, stderr)
	}
	job := jobStatus(t, db, id)
	if job.Status == storage.JobCompleted {
		t.Skip("the import completed before SIGTERM reached the worker: nothing to drain")
	}
	if job.Status != storage.JobQueued || job.Checkpoint.Rows == 0 || job.Checkpoint.Rows%200 != 0 || job.Counts.Read != job.Checkpoint.Rows || job.Runner != nil {
		t.Fatalf("after SIGTERM the job is %s with checkpoint %+v and counts %+v; want queued again after whole batches", job.Status, job.Checkpoint, job.Counts)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("crmio import handed back to the queue")) {
		t.Errorf("the worker did not log the hand-back:\n%s", stderr)
	}

	// Started again, a worker finishes it.
	worker, stderr = startWorkerCmd(t, db)
	job = waitJob(t, db, id, func(j storage.Job) bool { return j.Status.Done() })
	c := job.Counts
	if job.Status != storage.JobCompleted || c.Read != rows || c.Created+c.Updated+c.Skipped+c.Failed != rows {
		t.Errorf("the job ended %s with %+v; want completed, every row once", job.Status, c)
	}
	want := cli(t, "--db", "sqlite:"+filepath.Join(dir, "direct.db"), "import", file, "--module", "people", "--batch-size", "200", "--json")
	var direct importJSON
	decodeStrict(t, want.stdout, &direct)
	if c.Created != direct.Created || c.Skipped != direct.Skipped || c.Updated != direct.Updated {
		t.Errorf("the drained and resumed job counts %+v; an import in one go %+v", c, direct)
	}
	if err := worker.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := worker.Wait(); err != nil {
		t.Fatalf("the idle worker exited with %v after SIGTERM:\n%s", err, stderr)
	}

	// History and rollback work on the job the workers ran.
	r = cli(t, "--db", db, "history")
	r.want(t, exitOK, []string{"completed"}, nil)
	r = cli(t, "--db", db, "rollback", id)
	r.want(t, exitOK, []string{fmt.Sprintf("%d records deleted", c.Created)}, nil)
}

// 'crmio resume' runs a background job in this process, reading its file
// from the store when the path it was queued from is gone.
func TestResumeBackgroundJobFromTheStore(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	if err := contactgen.WriteFile(file, 3_000, nil); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(dir, "crm.db")
	r := cli(t, "--db", db, "import", file, "--module", "people", "--background", "--json")
	if r.code != exitOK {
		t.Fatalf("import --background: exit %d\n%s", r.code, r.stderr)
	}
	var queued struct {
		Job storage.Job `json:"job"`
	}
	decodeStrict(t, r.stdout, &queued)
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "--db", db, "resume", queued.Job.ID, "--json")
	var sum importJSON
	if r.code != exitOK {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	decodeStrict(t, r.stdout, &sum)
	if sum.Status != string(storage.JobCompleted) || sum.Read != 3_000 {
		t.Errorf("resume of the queued job: %s with %d rows read; want completed, 3000", sum.Status, sum.Read)
	}
}
