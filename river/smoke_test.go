package river_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/sqlite"
)

// withFailures writes a people file of n rows in which every 7th row has
// no last name (required: the row fails).
func withFailures(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("First Name,Last Name,Email,Notes\n")
	for i := range n {
		last := fmt.Sprintf("Last%d", i)
		if i%7 == 3 {
			last = ""
		}
		fmt.Fprintf(&b, "First%d,%s,p%d@example.com,\"note, with a comma\"\n", i, last, i)
	}
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// In one process: a job whose worker stops in the middle (Stop hands it
// back) and starts again ends as one run; its failed rows, written by both
// runs, read back as one file equal to an uninterrupted run's; the events
// tell its life; the retention then removes its file and failed rows.
func TestFailedRowsEventsAndRetention(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "crm.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var mu sync.Mutex
	var events []crmioriver.Event
	batches := make(chan int, 1000)
	cfg := testConfig(time.Second)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	// Long enough for the test to read the failed rows after the job ends
	// on a loaded machine (300 ms once was not, under CI), short enough to
	// wait for their removal below.
	cfg.Retention = 2 * time.Second
	cfg.Events = func(e crmioriver.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
		if e.Kind == crmioriver.EventBatch {
			batches <- e.Counts.Read
		}
	}
	runner, err := crmioriver.New(ctx, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Runner: runner, Heartbeat: testHeartbeat, StaleAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 20_000
	file := withFailures(t, rows)
	plan := importer.Plan{Module: "people", Mode: importer.Background, BatchSize: 250}
	// The failed rows an uninterrupted run writes, made first: the job's
	// are only kept for the retention once it ends.
	var want bytes.Buffer
	ref, err := importer.New(memory.New(), schemas.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Run(ctx, importer.Source{Path: file}, plan, &importer.Hooks{FailedRows: &want}); err != nil {
		t.Fatal(err)
	}
	h, err := im.Start(ctx, importer.Source{Path: file}, plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.Start(ctx, im); err != nil {
		t.Fatal(err)
	}
	for read := 0; read < 2_000; read = <-batches {
	}
	if err := runner.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	job, err := im.Status(ctx, h.JobID)
	if err != nil || job.Status != storage.JobQueued || job.Checkpoint.Rows == 0 {
		t.Fatalf("after Stop: %s, checkpoint %+v, %v; want handed back, queued", job.Status, job.Checkpoint, err)
	}
	if err := runner.Start(ctx, im); err != nil {
		t.Fatal(err)
	}
	waitAll(t, im, []string{h.JobID})
	job, err = im.Status(ctx, h.JobID)
	if err != nil || job.Status != storage.JobCompleted || job.Counts.Read != rows {
		t.Fatalf("the job: %s with %+v, %v", job.Status, job.Counts, err)
	}

	// The failed rows, as the uninterrupted run made before wrote them.
	rc, err := crmioriver.FailedRows(ctx, store, h.JobID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("FailedRows: %d bytes (%d lines), want %d (%d lines), as one run writes them:\n%.300s",
			len(got), bytes.Count(got, []byte("\n")), want.Len(), bytes.Count(want.Bytes(), []byte("\n")), got)
	}
	if failing := (rows-4)/7 + 1; job.Counts.Failed != failing || bytes.Count(got, []byte("\n")) != failing+1 {
		t.Errorf("%d failed rows counted, %d lines in the file; want %d and a header", job.Counts.Failed, bytes.Count(got, []byte("\n")), failing)
	}

	mu.Lock()
	var kinds []crmioriver.EventKind
	for _, e := range events {
		if e.JobID == h.JobID && (len(kinds) == 0 || kinds[len(kinds)-1] != e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	mu.Unlock()
	wantKinds := []crmioriver.EventKind{crmioriver.EventQueued, crmioriver.EventStarted, crmioriver.EventBatch, crmioriver.EventRequeued,
		crmioriver.EventStarted, crmioriver.EventBatch, crmioriver.EventFinished}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("the job's events: %v, want %v", kinds, wantKinds)
	}

	// After the retention, the file and the failed rows go.
	deadline := waitCtx(t)
	for {
		_, upErr := store.Upload(ctx, job.Source.Upload)
		_, frErr := crmioriver.FailedRows(ctx, store, h.JobID)
		if errors.Is(upErr, crmio.ErrNotFound) && errors.Is(frErr, crmio.ErrNotFound) {
			break
		}
		select {
		case <-deadline.Done():
			t.Fatalf("after the retention: the file %v, the failed rows %v; want both removed", upErr, frErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := runner.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
