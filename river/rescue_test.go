//go:build unix

package river_test

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// forceRescue does to the running River import jobs what River's rescuer
// does to a job it takes for stuck (its driver's JobRescueMany, as the
// rescuer calls it), making them available at once: a second attempt
// while the first still runs. It returns how many it rescued.
func forceRescue(t *testing.T, store *postgres.Store) int {
	t.Helper()
	ctx := t.Context()
	rows, err := store.Pool().Query(ctx, `SELECT id FROM `+pgx.Identifier{store.Schema(), "river_job"}.Sanitize()+` WHERE state = 'running' AND kind = 'crmio_import'`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p := &riverdriver.JobRescueManyParams{Schema: store.Schema(), StuckHorizon: now.Add(time.Hour)}
	for _, id := range ids {
		e, _ := json.Marshal(map[string]any{"at": now, "attempt": 1, "error": "forced rescue", "trace": ""})
		p.ID, p.Error = append(p.ID, id), append(p.Error, e)
		p.FinalizedAt, p.ScheduledAt, p.State = append(p.FinalizedAt, nil), append(p.ScheduledAt, now), append(p.State, "available")
	}
	if len(ids) > 0 {
		if _, err := riverpgxv5.New(store.Pool()).GetExecutor().JobRescueMany(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return len(ids)
}

// A rescue of a job while its first worker still runs it: the second
// attempt, in another worker, finds the job held by a live worker and
// waits, never running it; the job ends as one uninterrupted run.
func TestForcedRescueWhileTheWorkerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	store, db := pgStore(t)
	file := testFile(t, 60_000, 11)
	want := reference(t, file)
	im, _ := submitter(t, store)
	first := startWorker(t, db, 10*time.Second)
	ids := submit(t, im, file)
	if first.waitFor(batchEvent(scaled(5_000))) == "" {
		t.Fatalf("the worker committed no batch:\n%s", tail(first.output(), 20))
	}
	second := startWorker(t, db, 10*time.Second)
	if n := forceRescue(t, store); n != 1 {
		t.Fatalf("rescued %d River jobs, want the running one", n)
	}
	if second.waitFor(func(l string) bool { return strings.Contains(l, "crmio import runs in another worker") }) == "" {
		t.Fatalf("the second worker did not take the rescued attempt:\n%s", tail(second.output(), 20))
	}
	waitAll(t, im, ids)
	got := content(t, store)
	checkHistory(t, im, ids, scaled(60_000), len(got))
	sameContent(t, got, want)
	if started := jobEvents(crmioriver.EventStarted, ids[0], first, second); len(started) != 1 {
		t.Errorf("the job was started %d times (%+v), want once: the rescued attempt must not run it", len(started), started)
	}
	first.terminate()
	second.terminate()
}

// A worker that stops answering (SIGSTOP) past its lease is replaced; when
// it wakes up, the batch it had in hand is refused by the fence and it
// stops without writing it: the job ends as one uninterrupted run.
func TestStalledWorkerIsFenced(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	store, db := pgStore(t)
	file := testFile(t, 60_000, 12)
	want := reference(t, file)
	im, _ := submitter(t, store)
	const stale = time.Second
	stalled := startWorker(t, db, stale)
	ids := submit(t, im, file)
	if stalled.waitFor(batchEvent(scaled(5_000))) == "" {
		t.Fatalf("the worker committed no batch:\n%s", tail(stalled.output(), 20))
	}
	replacing := startWorker(t, db, stale)
	tookOver := false
	for try := 0; try < 3 && !tookOver; try++ {
		if err := stalled.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		// Stopped inside the commit of its batch, it holds the job's row
		// and nobody can take over until it goes on: then try again.
		done := make(chan bool, 1)
		go func() { done <- replacing.waitFor(eventOf(crmioriver.EventStarted, ids[0])) != "" }()
		select {
		case tookOver = <-done:
		case <-time.After(20 * time.Second):
		}
		if err := stalled.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
	}
	if !tookOver {
		t.Fatalf("no worker took over the stalled worker's job:\n%s", tail(replacing.output(), 20))
	}
	waitAll(t, im, ids)
	got := content(t, store)
	checkHistory(t, im, ids, scaled(60_000), len(got))
	sameContent(t, got, want)
	if !stalled.logged("crmio import runs in another worker") {
		t.Errorf("the stalled worker, awake, did not find its job taken over:\n%s", tail(stalled.output(), 20))
	}
	stalled.terminate()
	replacing.terminate()
}
