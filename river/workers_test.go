//go:build unix

package river_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage/postgres"
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
	schema := pgSchema(t)
	paths := testFiles(t)
	want := reference(t, paths...)
	store, err := postgres.Open(t.Context(), envDSN(), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	im, _ := submitter(t, store)
	db := "postgres:" + schema
	const stale = 10 * time.Second // the same machine: a dead worker is known at once
	workers := []*worker{startWorker(t, db, stale), startWorker(t, db, stale)}
	ids := submit(t, im, paths...)

	// Kill whichever worker is first well into a job.
	killed := make(chan *worker, 2)
	for _, w := range workers {
		go func() {
			if w.waitFor(batchEvent(20_000)) != "" {
				killed <- w
			}
		}()
	}
	victim := <-killed
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.wait()
	var victimJob string
	for _, e := range victim.events() {
		if e.Kind == crmioriver.EventBatch {
			victimJob = e.JobID
		}
	}
	t.Logf("killed worker %d in the middle of job %s", victim.cmd.Process.Pid, victimJob)
	others := []*worker{startWorker(t, db, stale)}
	for _, w := range workers {
		if w != victim {
			others = append(others, w)
		}
	}
	waitAll(t, im, ids)

	checkHistory(t, im, store, ids, 150_000)
	sameContent(t, content(t, store), want)
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
	path := filepath.Join(t.TempDir(), "crm.db")
	paths := testFiles(t)
	want := reference(t, paths...)
	store, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	im, _ := submitter(t, store)
	db := "sqlite:" + path
	const stale = 10 * time.Second
	first := startWorker(t, db, stale)
	ids := submit(t, im, paths...)
	if first.waitFor(batchEvent(20_000)) == "" {
		t.Fatalf("the worker committed no batch:\n%s", tail(first.output(), 20))
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.wait()
	again := startWorker(t, db, stale)
	waitAll(t, im, ids)

	checkHistory(t, im, store, ids, 150_000)
	sameContent(t, content(t, store), want)
	if !again.logged("crmio import's worker died; queued again") {
		t.Errorf("the restarted worker did not rescue the killed one's job:\n%s", tail(again.output(), 20))
	}
	again.terminate()
}
