//go:build unix

package river_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage/sqlite"
)

// Two worker processes on PostgreSQL take three imports of 150,000 rows;
// one is killed with SIGKILL in the middle of a job and another started:
// every job completes, the store holds what uninterrupted runs give (no
// record twice, none lost), and the history's counts are the store's.
func TestPostgresWorkersSurviveAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	store, db := pgStore(t)
	paths := testFiles(t)
	want := reference(t, paths...)
	im, _ := submitter(t, store)
	const stale = 10 * time.Second // the same machine: a dead worker is known at once
	workers := []*worker{startWorker(t, db, stale), startWorker(t, db, stale)}
	ids := submit(t, im, paths...)

	// Kill whichever worker is first well into a job.
	killed := make(chan *worker, 2)
	for _, w := range workers {
		go func() {
			if w.waitFor(batchEvent(scaled(20_000))) != "" {
				killed <- w
			}
		}()
	}
	victim := <-killed
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.wait()
	victimJob := lastBatchJob(victim)
	t.Logf("killed worker %d in the middle of job %s", victim.cmd.Process.Pid, victimJob)
	others := []*worker{startWorker(t, db, stale)}
	for _, w := range workers {
		if w != victim {
			others = append(others, w)
		}
	}
	waitAll(t, im, ids)

	got := content(t, store)
	checkHistory(t, im, ids, bigRows, len(got))
	sameContent(t, got, want)
	rescued := false
	for _, w := range others {
		for _, e := range w.events() {
			rescued = rescued || e.Kind == crmioriver.EventRescued && e.JobID == victimJob
		}
	}
	if !rescued {
		t.Errorf("no worker reported rescuing job %s, whose worker was killed", victimJob)
	}
	for _, w := range others {
		w.terminate()
	}
}

// One worker process on SQLite, killed in the middle of a job and
// started again: as on PostgreSQL.
func TestSQLiteWorkerKilledAndRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	t0 := time.Now()
	path := filepath.Join(t.TempDir(), "crm.db")
	paths := testFiles(t)
	want := reference(t, paths...)
	store, err := sqlite.Open(t.Context(), path, sqliteOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	im, _ := submitter(t, store)
	db := "sqlite:" + path
	const stale = 10 * time.Second
	first := startWorker(t, db, stale)
	ids := submit(t, im, paths...)
	t.Logf("%v: submitted", time.Since(t0).Round(time.Millisecond))
	if first.waitFor(batchEvent(scaled(20_000))) == "" {
		t.Fatalf("the worker committed no batch:\n%s", tail(first.output(), 20))
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.wait()
	t.Logf("%v: killed the worker after a batch of job %s", time.Since(t0).Round(time.Millisecond), lastBatchJob(first))
	again := startWorker(t, db, stale)
	t.Logf("%v: started another", time.Since(t0).Round(time.Millisecond))
	waitAll(t, im, ids)
	t.Logf("%v: all done", time.Since(t0).Round(time.Millisecond))

	got := content(t, store)
	checkHistory(t, im, ids, bigRows, len(got))
	sameContent(t, got, want)
	t.Logf("%v: checked", time.Since(t0).Round(time.Millisecond))
	if !again.logged("crmio import's worker died; queued again") {
		t.Errorf("the restarted worker did not rescue the killed one's job:\n%s", tail(again.output(), 20))
	}
	again.terminate()
	t.Logf("%v: terminated", time.Since(t0).Round(time.Millisecond))
}

// lastBatchJob returns the job of the last batch the worker committed.
func lastBatchJob(w *worker) string {
	job := ""
	for _, e := range w.events() {
		if e.Kind == crmioriver.EventBatch {
			job = e.JobID
		}
	}
	return job
}
