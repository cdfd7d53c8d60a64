//go:build unix

package river_test

import (
	"path/filepath"
	"testing"
	"time"

	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

// Cancel from another process: a queued job ends cancelled at once and
// no worker runs it; a running one stops after the batch in hand, its
// committed batches kept, whole.
func TestCancelFromAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a worker process")
	}
	path := filepath.Join(t.TempDir(), "crm.db")
	store, err := sqlite.Open(t.Context(), path, sqliteOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	im, _ := submitter(t, store)
	w := startWorker(t, "sqlite:"+path, 10*time.Second) // one import at a time
	plan := testPlan()
	plan.BatchSize = 200 // many batches, also under the race detector
	ids := submitPlan(t, im, plan, testFile(t, 60_000, 7), testFile(t, 2_000, 8))
	running, queued := ids[0], ids[1]
	if w.waitFor(batchEvent(scaled(3_000))) == "" {
		t.Fatalf("the worker committed no batch:\n%s", tail(w.output(), 20))
	}

	if err := im.Cancel(t.Context(), queued); err != nil {
		t.Fatal(err)
	}
	if job, err := im.Status(t.Context(), queued); err != nil || job.Status != storage.JobCancelled {
		t.Fatalf("the queued job, cancelled: %s, %v; want cancelled at once", job.Status, err)
	}
	if err := im.Cancel(t.Context(), running); err != nil {
		t.Fatal(err)
	}
	waitAll(t, im, []string{running})
	job, err := im.Status(t.Context(), running)
	if err != nil {
		t.Fatal(err)
	}
	c := job.Counts
	if job.Status != storage.JobCancelled || c.Read == 0 || c.Read >= scaled(60_000) || c.Read%200 != 0 || job.Checkpoint.Rows != c.Read {
		t.Errorf("the running job, cancelled: %s with counts %+v, checkpoint %+v; want cancelled after whole batches", job.Status, c, job.Checkpoint)
	}
	if n := len(content(t, store)); n != c.Created {
		t.Errorf("the store holds %d people; the cancelled job created %d and the queued one none", n, c.Created)
	}
	// The worker then takes the queued job's River job, and drops it.
	if w.waitFor(eventOf(crmioriver.EventFinished, queued)) == "" {
		t.Fatalf("the worker did not drop the cancelled job's River job:\n%s", tail(w.output(), 20))
	}
	if started := jobEvents(crmioriver.EventStarted, queued, w); len(started) > 0 {
		t.Errorf("the worker started the job cancelled while queued: %+v", started)
	}
	if fin := jobEvents(crmioriver.EventFinished, running, w); len(fin) != 1 || fin[0].Status != storage.JobCancelled {
		t.Errorf("the running job's finished events: %+v, want one, cancelled", fin)
	}
	w.terminate()
}
