package importer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// stores returns a fresh store of each kind crmio ships, closed at the
// end of t (a PostgreSQL one skips t without CRMIO_POSTGRES_DSN).
func stores(t *testing.T) map[string]func(t *testing.T) storage.Store {
	out := map[string]func(t *testing.T) storage.Store{
		"memory": func(t *testing.T) storage.Store { return memory.New() },
		"sqlite": func(t *testing.T) storage.Store {
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "crm.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	out["postgres"] = func(t *testing.T) storage.Store {
		s, err := postgres.Open(t.Context(), testenv.PostgresDSN(t), &postgres.Options{Schema: pgSchema(t)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return out
}

// batchCounter is a Batch hook that counts batches and, at batch n, calls
// at (which may block or cancel).
type batchCounter struct {
	mu sync.Mutex
	n  int
}

func (c *batchCounter) hook(n int, at func(ctx context.Context)) importer.BatchHook {
	return func(ctx context.Context, b *importer.Batch) error {
		c.mu.Lock()
		c.n++
		k := c.n
		c.mu.Unlock()
		if k == n {
			at(ctx)
		}
		return nil
	}
}

func count(t *testing.T, store storage.Store, module string) int {
	t.Helper()
	return len(all(t, store, module))
}

// TestRunHonoursItsDeadline runs 1,000 rows in batches of 100 in every
// mode with a deadline that passes while the third batch is in hand: the
// import stops there, keeping the batches before it (nothing, for
// Instant), never handing another batch to the writer, and the job ends
// cancelled with the deadline's error. A cancel works the same.
func TestRunHonoursItsDeadline(t *testing.T) {
	for _, mode := range []importer.Mode{importer.Instant, importer.Streaming, importer.Background} {
		for _, how := range []string{"deadline", "cancel"} {
			t.Run(mode.String()+"/"+how, func(t *testing.T) {
				store := memory.New()
				im := newImporter(t, store)
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				want := context.DeadlineExceeded
				if how == "cancel" {
					ctx, cancel = context.WithCancel(context.Background())
					defer cancel()
					want = context.Canceled
				}
				var c batchCounter
				// The third batch waits for the context's end.
				hooks := &importer.Hooks{Batch: c.hook(3, func(ctx context.Context) {
					if how == "cancel" {
						cancel()
					}
					<-ctx.Done()
				})}
				sum, err := im.Run(ctx, generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: mode}, hooks)
				if !errors.Is(err, importer.ErrCancelled) || !errors.Is(err, want) {
					t.Fatalf("Run = %v, want ErrCancelled and %v", err, want)
				}
				n := count(t, store, "people")
				// Under a heavy load the deadline may pass before the third
				// batch: fewer whole batches, never more.
				switch {
				case mode == importer.Instant && n != 0:
					t.Errorf("an Instant import stopped by its context kept %d people, want none", n)
				case mode != importer.Instant && (n > 200 || n%100 != 0 || how == "cancel" && n != 200):
					t.Errorf("%d people kept, want the whole batches before the third", n)
				}
				if sum.Created != n {
					t.Errorf("the summary counts %d created, the store holds %d", sum.Created, n)
				}
				job, err := im.Status(context.Background(), sum.JobID)
				if err != nil || job.Status != storage.JobCancelled || job.Counts.Created != n {
					t.Errorf("job %s %+v, %v; want cancelled with %d created", job.Status, job.Counts, err, n)
				}
				if c.n > 3 {
					t.Errorf("%d batches were handed to the writer: the import went on after its context ended", c.n)
				}
			})
		}
	}
}

// TestInstantIsAllOrNothing: a failure of the store in the third batch of
// an Instant import leaves nothing written, and the job failed with no
// counts; the same in Streaming keeps the two batches before.
func TestInstantIsAllOrNothing(t *testing.T) {
	for mode, want := range map[importer.Mode]int{importer.Instant: 0, importer.Streaming: 200} {
		t.Run(mode.String(), func(t *testing.T) {
			store := &faultyStore{Store: memory.New(), failAt: 3}
			im := newImporter(t, store)
			sum, err := im.Run(context.Background(), generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: mode}, nil)
			if err == nil || !strings.Contains(err.Error(), "disk on fire") {
				t.Fatalf("Run = %v, want the store's failure", err)
			}
			if n := count(t, store, "people"); n != want || sum.Created != want || sum.Status != storage.JobFailed {
				t.Errorf("%d people, summary %s with %d created; want %d, failed", n, sum.Status, sum.Created, want)
			}
			job, _ := im.Status(context.Background(), sum.JobID)
			if job.Status != storage.JobFailed || job.Counts.Created != want || job.Checkpoint.Rows != want {
				t.Errorf("job %s, counts %+v, checkpoint %+v", job.Status, job.Counts, job.Checkpoint)
			}
		})
	}
}

// TestModes checks that the mode comes from the file and the options:
// small files are Instant, larger Streaming, large Background; InstantMax
// and StreamingMax move the limits; and a file whose reader cannot
// estimate its rows is never taken for a small one.
func TestModes(t *testing.T) {
	tests := []struct {
		rows int
		opts *importer.Options
		want importer.Mode
	}{
		{10, nil, importer.Instant},
		{6000, nil, importer.Streaming},
		{6000, &importer.Options{InstantMax: 10000}, importer.Instant},
		{300, &importer.Options{InstantMax: 100, StreamingMax: 200}, importer.Background},
	}
	for _, tt := range tests {
		im, err := importer.New(memory.New(), testSchema(), tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := im.Run(context.Background(), generated(tt.rows), importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Mode != tt.want || sum.Created != tt.rows {
			t.Errorf("%d rows with %+v: mode %s, %d created; want %s", tt.rows, tt.opts, sum.Mode, sum.Created, tt.want)
		}
	}
	// A workbook whose writer recorded no dimension (a streaming writer
	// records "A1") is estimated from its first rows, never taken for a
	// small one: beyond StreamingMax it runs in the background.
	book := filepath.Join(t.TempDir(), "streamed.xlsx")
	if err := contactgen.WriteXLSXFile(book, 12000, nil); err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(memory.New(), schemas.Default(), &importer.Options{InstantMax: 1000, StreamingMax: 10000})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := im.Run(context.Background(), importer.Source{Path: book}, importer.Plan{Module: "people", DryRun: true}, nil)
	if err != nil || sum.Mode != importer.Background || sum.Read != 12000 {
		t.Errorf("a 12,000-row workbook without dimension: mode %s, %d read, %v; want background", sum.Mode, sum.Read, err)
	}
}

// TestStreamingReportsProgress: a Streaming import reports its counts at
// a steady rate, going up, and once at the end; an Instant one only once,
// at the end.
func TestStreamingReportsProgress(t *testing.T) {
	for _, mode := range []importer.Mode{importer.Streaming, importer.Instant} {
		var reports []importer.Progress
		hooks := &importer.Hooks{ProgressInterval: time.Nanosecond, Progress: func(p importer.Progress) { reports = append(reports, p) }}
		im := newImporter(t, memory.New())
		if _, err := im.Run(context.Background(), generated(2000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: mode}, hooks); err != nil {
			t.Fatal(err)
		}
		last := reports[len(reports)-1]
		if last.Read != 2000 || last.Mode != mode {
			t.Errorf("%s: last report %+v, want 2000 rows read", mode, last)
		}
		switch {
		case mode == importer.Instant && len(reports) != 1:
			t.Errorf("instant: %d progress reports, want 1, at the end", len(reports))
		case mode == importer.Streaming && len(reports) < 20:
			t.Errorf("streaming: %d progress reports for 20 batches, want one a batch at least", len(reports))
		}
		for i := 1; i < len(reports); i++ {
			if reports[i].Read < reports[i-1].Read {
				t.Errorf("%s: progress went backwards: %d then %d", mode, reports[i-1].Read, reports[i].Read)
			}
		}
	}
}

// fakeRunner records the jobs Start hands it.
type fakeRunner struct {
	store storage.Store
	jobs  []storage.Job
	files []string
}

func (f *fakeRunner) Submit(ctx context.Context, job storage.Job, src importer.Source) (string, error) {
	data, err := os.ReadFile(src.Path)
	if err != nil {
		return "", err
	}
	f.files = append(f.files, string(data))
	id, err := f.store.(storage.History).CreateJob(ctx, job)
	job.ID = id
	f.jobs = append(f.jobs, job)
	return id, err
}

// TestStartHandsBackgroundJobsToTheRunner: with Options.Runner, Start of
// a Background import records nothing itself and hands the runner the
// job, queued, with its plan and the file's identity, and the file; a
// worker then runs it with Resume, and the Handle follows it to its end.
func TestStartHandsBackgroundJobsToTheRunner(t *testing.T) {
	store := memory.New()
	runner := &fakeRunner{store: store}
	im, err := importer.New(store, testSchema(), &importer.Options{Runner: runner, PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h, err := im.Start(ctx, generated(500), importer.Plan{Module: "people", Mapping: peopleMapping(), Mode: importer.Background, StartedBy: "ann"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(runner.jobs) != 1 {
		t.Fatalf("the runner got %d jobs, want 1", len(runner.jobs))
	}
	job := runner.jobs[0]
	if job.Status != storage.JobQueued || job.Mode != "background" || job.StartedBy != "ann" || len(job.Plan) == 0 ||
		job.Source.SHA256 == "" || job.Source.Size != int64(len(runner.files[0])) || h.JobID != job.ID {
		t.Errorf("the job handed over: %+v", job)
	}
	if n := count(t, store, "people"); n != 0 {
		t.Errorf("Start imported %d rows itself", n)
	}
	// A worker runs it, from a copy of the file.
	path := filepath.Join(t.TempDir(), "copy.csv")
	os.WriteFile(path, []byte(runner.files[0]), 0o600)
	if _, err := im.Resume(ctx, job.ID, importer.Source{Path: path}, nil); err != nil {
		t.Fatal(err)
	}
	sum, err := h.Wait(ctx)
	if err != nil || sum.Status != storage.JobCompleted || sum.Created != 500 {
		t.Fatalf("Wait = %+v, %v", sum, err)
	}
	// Another file is refused.
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte(runner.files[0]+"Extra,Row,extra@example.com,,,\n"), 0o600)
	h2, err := im.Start(ctx, generated(10), importer.Plan{Module: "people", Mapping: peopleMapping(), Mode: importer.Background}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := im.Resume(ctx, h2.JobID, importer.Source{Path: other}, nil); !errors.Is(err, importer.ErrSourceChanged) {
		t.Errorf("Resume with another file = %v, want ErrSourceChanged", err)
	}
	// A queued job that is cancelled ends at once, and is not run.
	if err := im.Cancel(ctx, h2.JobID); err != nil {
		t.Fatal(err)
	}
	if j, _ := im.Status(ctx, h2.JobID); j.Status != storage.JobCancelled {
		t.Errorf("a cancelled queued job is %s", j.Status)
	}
}

// TestLiveness: a running job whose process on this machine is gone is
// interrupted at once, for Status and History alike; one whose runner is
// elsewhere only after its heartbeat lease; cancel of a dead job ends it
// cancelled, everywhere; rollback and resume refuse a live one.
func TestLiveness(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	now := time.Now()
	clock := func() time.Time { return now }
	im, err := importer.New(store, testSchema(), &importer.Options{Now: clock, StaleAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	h := store
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	// A process that existed and is gone: a child that has exited.
	dead := deadPID(t)
	mk := func(runner *storage.Runner) string {
		id, err := h.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning, Runner: runner, Heartbeat: now, Created: now})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	here := mk(&storage.Runner{ID: "r1", Host: host, Boot: strings.TrimSpace(string(boot)), PID: dead})
	elsewhere := mk(&storage.Runner{ID: "r2", Host: "another-machine", PID: 1})
	alive := mk(&storage.Runner{ID: "r3", Host: host, Boot: strings.TrimSpace(string(boot)), PID: os.Getpid()})

	jobs, err := im.History(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]storage.JobStatus{}
	for _, j := range jobs {
		status[j.ID] = j.Status
	}
	if status[here] != storage.JobInterrupted || status[elsewhere] != storage.JobRunning || status[alive] != storage.JobRunning {
		t.Errorf("history: dead here %s, elsewhere %s, alive %s; want interrupted, running, running", status[here], status[elsewhere], status[alive])
	}
	if j, _ := im.Status(ctx, here); j.Status != storage.JobInterrupted || !strings.Contains(j.Error, "is gone") {
		t.Errorf("status of the dead job: %s %q", j.Status, j.Error)
	}
	if j, _ := h.Job(ctx, here); j.Status != storage.JobInterrupted {
		t.Errorf("the history keeps the dead job as %s: Status must record what it concludes", j.Status)
	}
	// Past the lease, the job of another machine is taken as dead too.
	now = now.Add(2 * time.Minute)
	if j, _ := im.Status(ctx, elsewhere); j.Status != storage.JobInterrupted {
		t.Errorf("the job of another machine past its lease is %s, want interrupted", j.Status)
	}
	now = now.Add(-2 * time.Minute)
	// Live: rollback and resume refuse; cancel asks it to stop.
	if _, err := im.Rollback(ctx, alive, nil); !errors.Is(err, importer.ErrJobRunning) {
		t.Errorf("rollback of a live job = %v, want ErrJobRunning", err)
	}
	if _, err := im.Resume(ctx, alive, importer.Source{Path: "x.csv"}, nil); !errors.Is(err, importer.ErrJobRunning) {
		t.Errorf("resume of a live job = %v, want ErrJobRunning", err)
	}
	if err := im.Cancel(ctx, alive); err != nil {
		t.Fatal(err)
	}
	if j, _ := im.Status(ctx, alive); j.Status != storage.JobRunning || !j.CancelRequested {
		t.Errorf("a live job asked to stop: %s, requested %v", j.Status, j.CancelRequested)
	}
	// Dead with a cancel request: cancelled, for every reader.
	deadToo := mk(&storage.Runner{ID: "r4", Host: host, Boot: strings.TrimSpace(string(boot)), PID: dead})
	if err := im.Cancel(ctx, deadToo); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (storage.Job, error){
		func() (storage.Job, error) { return im.Status(ctx, deadToo) },
		func() (storage.Job, error) { return h.Job(ctx, deadToo) },
		func() (storage.Job, error) {
			jobs, err := im.History(ctx, 0)
			for _, j := range jobs {
				if j.ID == deadToo {
					return j, err
				}
			}
			return storage.Job{}, err
		},
	} {
		if j, err := read(); err != nil || j.Status != storage.JobCancelled || j.CancelRequested {
			t.Errorf("cancel of a dead job: %s (requested %v), %v; want cancelled, everywhere", j.Status, j.CancelRequested, err)
		}
	}
}

// deadPID returns the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Skip("cannot start a process:", err)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	return p.Pid
}

// duringBatch4 returns hooks for an import of batches of 100 rows: the
// first row of batch 4 waits for batch 3 to commit, then calls act with
// the job's id (the newest job of history), so that act happens while
// batch 4 is on its way.
func duringBatch4(history storage.History, act func(ctx context.Context, jobID string) error) *importer.Hooks {
	third := make(chan struct{}) // closed once batch 3 has committed
	var once sync.Once
	return &importer.Hooks{
		ProgressInterval: time.Nanosecond,
		Progress: func(p importer.Progress) {
			if p.Read == 300 {
				once.Do(func() { close(third) })
			}
		},
		Row: func(ctx context.Context, r *importer.Row) error {
			if r.Number != 302 {
				return nil
			}
			<-third
			jobs, err := history.Jobs(ctx, 1)
			if err != nil {
				return err
			}
			return act(ctx, jobs[0].ID)
		},
	}
}

// TestCancelFromAnotherProcess: a cancel written to the history by
// another process while a batch is on its way stops the import before
// that batch commits, keeping the batches before.
func TestCancelFromAnotherProcess(t *testing.T) {
	store := memory.New()
	im := newImporter(t, store)
	other := newImporter(t, store) // another process, as far as the job knows
	var jobID string
	// Once batch 3 has committed, with batch 4 on its way, the other
	// process cancels the job.
	hooks := duringBatch4(store, func(ctx context.Context, id string) error {
		jobID = id
		return other.Cancel(ctx, id)
	})
	sum, err := im.Run(context.Background(), generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: importer.Streaming}, hooks)
	if !errors.Is(err, importer.ErrCancelled) {
		t.Fatalf("Run = %v, want ErrCancelled", err)
	}
	if sum.Created != 300 || count(t, store, "people") != 300 {
		t.Errorf("%d created, %d in the store; want the three batches before the cancel", sum.Created, count(t, store, "people"))
	}
	job, _ := other.Status(context.Background(), jobID)
	if job.Status != storage.JobCancelled || job.CancelRequested || job.Checkpoint.Rows != 300 {
		t.Errorf("job %s, requested %v, checkpoint %+v", job.Status, job.CancelRequested, job.Checkpoint)
	}
	// And it can be finished.
	sum, err = other.Resume(context.Background(), jobID, generated(1000), nil)
	if err != nil || sum.Created != 1000 || count(t, store, "people") != 1000 {
		t.Fatalf("resume: %d created, %v", sum.Created, err)
	}
}

// TestHooks checks each kind of hook: the column hook cleans a cell before
// it is coerced (and fails a row by error), the row hook changes a record
// and fails or warns, the batch hook rejects rows by looking at the store
// in the batch's transaction.
func TestHooks(t *testing.T) {
	ctx := context.Background()
	t.Run("column", func(t *testing.T) {
		store := memory.New()
		im := newImporter(t, store)
		hooks := &importer.Hooks{Column: func(c *importer.Cell) (string, error) {
			if c.Field != "notes" {
				return c.Value, nil
			}
			if strings.HasPrefix(c.Value, "SECRET") {
				return "", fmt.Errorf("notes may not hold secrets")
			}
			return strings.TrimPrefix(c.Value, "SF-"), nil
		}}
		sum, err := im.Run(ctx, csvSource(peopleHeader, "Ada,Lovelace,ada@example.com,,,SF-00042", "Alan,Turing,alan@example.com,,,SECRET x"),
			importer.Plan{Module: "people", Mapping: peopleMapping()}, hooks)
		if err != nil {
			t.Fatal(err)
		}
		recs := all(t, store, "people")
		if len(recs) != 1 || recs[0].Get("notes").Str() != "00042" {
			t.Errorf("records %v, want Ada with notes 00042", recs)
		}
		if sum.Failed != 1 || len(sum.Errors) != 1 || sum.Errors[0].Row != 3 || sum.Errors[0].Column != "Notes" ||
			!errors.Is(&sum.Errors[0], crmio.ErrRejected) || sum.FailedRows[0].Fields[5] != "SECRET x" {
			t.Errorf("errors %+v, failed rows %+v", sum.Errors, sum.FailedRows)
		}
	})
	t.Run("row", func(t *testing.T) {
		store := memory.New()
		im := newImporter(t, store)
		hooks := &importer.Hooks{Row: func(ctx context.Context, r *importer.Row) error {
			v := r.Record.Values
			if v["first_name"].Str() == "" {
				r.Fail("first_name", "a person needs a first name here")
			}
			if strings.Contains(r.Fields[2], "example.org") {
				r.Warn("email", "an .org address")
			}
			v["status"] = crmio.TextValue("new")
			return nil
		}}
		sum, err := im.Run(ctx, csvSource(peopleHeader, "Ada,Lovelace,ada@example.org,,,", ",Turing,alan@example.com,,,"),
			importer.Plan{Module: "people", Mapping: peopleMapping()}, hooks)
		if err != nil {
			t.Fatal(err)
		}
		recs := all(t, store, "people")
		if len(recs) != 1 || recs[0].Get("status").Str() != "new" {
			t.Errorf("records %v, want Ada, status new", recs)
		}
		if sum.Failed != 1 || sum.Errors[0].Row != 3 || sum.Errors[0].Column != "First Name" || sum.Errors[0].Reason != "a person needs a first name here" {
			t.Errorf("errors %+v", sum.Errors)
		}
		if len(sum.Warnings) != 1 || sum.Warnings[0].Row != 2 || sum.Warnings[0].Column != "Email" {
			t.Errorf("warnings %+v", sum.Warnings)
		}
		// An error from the hook is a failure of the system.
		_, err = im.Run(ctx, csvSource(peopleHeader, "Grace,Hopper,grace@example.com,,,"), importer.Plan{Module: "people", Mapping: peopleMapping()},
			&importer.Hooks{Row: func(ctx context.Context, r *importer.Row) error { return errors.New("the CRM is down") }})
		if err == nil || !strings.Contains(err.Error(), "the CRM is down") {
			t.Errorf("a row hook's error: %v", err)
		}
	})
	t.Run("batch", func(t *testing.T) {
		// A customer number must be unique: the hook looks the batch's
		// numbers up in the store, and rejects rows whose number is
		// taken, by a record or by an earlier row.
		for name, open := range stores(t) {
			t.Run(name, func(t *testing.T) {
				store := open(t)
				im := newImporter(t, store)
				insert(t, store, "people", crmio.Record{Values: values("last_name", crmio.TextValue("Existing"), "notes", crmio.TextValue("C-1"))})
				calls := 0
				hooks := &importer.Hooks{Batch: func(ctx context.Context, b *importer.Batch) error {
					calls++
					keys := make([]string, 0, len(b.Rows))
					for _, r := range b.Rows {
						keys = append(keys, crmio.MatchKey(r.Record.Values["notes"]))
					}
					taken, err := b.Store.Lookup(ctx, "people", "notes", keys)
					if err != nil {
						return err
					}
					seen := map[string]bool{}
					for _, r := range b.Rows {
						k := crmio.MatchKey(r.Record.Values["notes"])
						if len(taken[k]) > 0 || seen[k] {
							r.Fail("notes", "customer number "+r.Record.Values["notes"].Str()+" is taken")
						}
						seen[k] = true
					}
					return nil
				}}
				sum, err := im.Run(ctx, csvSource(peopleHeader,
					"Ada,Lovelace,ada@example.com,,,C-1",
					"Alan,Turing,alan@example.com,,,C-2",
					"Grace,Hopper,grace@example.com,,,C-2",
					"Katherine,Johnson,kj@example.com,,,C-3"), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 2}, hooks)
				if err != nil {
					t.Fatal(err)
				}
				if calls != 2 {
					t.Errorf("the batch hook ran %d times, want once per batch (2)", calls)
				}
				if sum.Created != 2 || sum.Failed != 2 || sum.Errors[0].Row != 2 || sum.Errors[1].Row != 4 || sum.Errors[0].Column != "Notes" {
					t.Errorf("%s; errors %+v", counts(sum), sum.Errors)
				}
				if n := count(t, store, "people"); n != 3 {
					t.Errorf("%d people, want the existing one and two new", n)
				}
			})
		}
	})
}

// TestScopedImport: an import under a scope (owner = alice) over every
// store finds duplicates and references only among alice's records,
// never reads, updates or reveals bob's (nor those of "Alice" or " alice":
// the scope is exact), creates records that take owner alice, and fails a
// row that would write outside; a scope naming a field the module lacks is
// an error of the plan.
func TestScopedImport(t *testing.T) {
	schema := testSchema()
	for i := range schema.Modules {
		schema.Modules[i].Fields = append(schema.Modules[i].Fields, crmio.Field{Name: "owner", Type: crmio.TypeText})
	}
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := open(t)
			im, err := importer.New(store, schema, nil)
			if err != nil {
				t.Fatal(err)
			}
			owner := func(s string) crmio.Value { return crmio.TextValue(s) }
			accIDs := insert(t, store, "accounts",
				crmio.Record{Values: values("name", crmio.TextValue("Acme"), "owner", owner("bob"))},
				crmio.Record{Values: values("name", crmio.TextValue("Initech"), "owner", owner("alice"))})
			ids := insert(t, store, "people",
				crmio.Record{Values: values("last_name", crmio.TextValue("Bob's"), "email", email("work", "shared@example.com"), "owner", owner("bob"))},
				crmio.Record{Values: values("last_name", crmio.TextValue("Alice's"), "email", email("work", "mine@example.com"), "owner", owner("alice"))},
				crmio.Record{Values: values("last_name", crmio.TextValue("Other Alice"), "email", email("work", "other@example.com"), "owner", owner("Alice"))},
				crmio.Record{Values: values("last_name", crmio.TextValue("Spaced"), "email", email("work", "spaced@example.com"), "owner", owner(" alice"))})
			before := snapshot(t, store)

			seen := map[string]bool{} // every record id the matcher is shown
			spy := &spyMatcher{inner: dedupe.FieldMatcher{Fields: []string{"email"}}, seen: seen}
			scope := &storage.Scope{Name: "alice", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: owner("alice")}}}
			sum, err := im.Run(ctx, csvSource(peopleHeader,
				"Shared,Row,shared@example.com,,Acme,",        // bob's duplicate: no match; Acme is bob's: a new Acme
				"Mine,Updated,mine@example.com,,Initech,note", // alice's: updated, Initech resolved
				"Other,Row,other@example.com,,,",              // "Alice"'s: no match
				"Spaced,Row,spaced@example.com,,,",            // " alice"'s: no match
			), importer.Plan{Module: "people", Mapping: peopleMapping(), Duplicates: dedupe.Update, Merge: dedupe.Overwrite,
				AutoCreateReferences: true, Scope: scope}, &importer.Hooks{Matcher: spy})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 3 || sum.Updated != 1 || sum.Failed != 0 || sum.ReferencesCreated != 1 {
				t.Errorf("summary %s, %d references created; want 3 created, 1 updated, 1 account created", counts(sum), sum.ReferencesCreated)
			}
			for _, id := range []string{ids[0], ids[2], ids[3]} {
				if seen[id] {
					t.Errorf("the matcher was shown record %s, outside the scope", id)
				}
			}
			after := snapshot(t, store)
			for _, id := range []string{ids[0], ids[2], ids[3], accIDs[0]} {
				key := "people/" + id
				if id == accIDs[0] {
					key = "accounts/" + id
				}
				if !after[key].Equal(before[key]) {
					t.Errorf("record %s outside the scope changed: %v → %v", key, before[key].Values, after[key].Values)
				}
			}
			if got := after["people/"+ids[1]]; got.Get("last_name").Str() != "Updated" || got.Get("account").String() != "Initech" {
				t.Errorf("alice's record: %v", got.Values)
			}
			for k, r := range after {
				if _, old := before[k]; old {
					continue
				}
				if r.Get("owner").Str() != "alice" {
					t.Errorf("a record the import created, %s, has owner %q, want alice", k, r.Get("owner").Str())
				}
			}
			for _, w := range sum.Warnings {
				for _, id := range ids {
					if strings.Contains(w.Reason, id) {
						t.Errorf("a warning reveals record %s outside the scope: %s", id, w)
					}
				}
			}

			// A row that would put a record outside fails.
			mp := peopleMapping()
			mp.Set(5, mapping.Target{Field: "owner"})
			sum, err = im.Run(ctx, csvSource(peopleHeader, "New,Person,new@example.com,,,bob"), importer.Plan{Module: "people", Mapping: mp, Scope: scope}, nil)
			if err != nil || sum.Failed != 1 || !errors.Is(&sum.Errors[0], crmio.ErrOutOfScope) {
				t.Errorf("a row owned by bob under alice's scope: %s %+v, %v", counts(sum), sum.Errors, err)
			}

			// A scope naming a field the module lacks is an error.
			bad := &storage.Scope{Where: []storage.Filter{{Field: "team", Op: storage.Eq, Value: owner("x")}}}
			if _, err := im.Run(ctx, csvSource(peopleHeader, "A,B,c@example.com,,,"), importer.Plan{Module: "people", Mapping: peopleMapping(), Scope: bad}, nil); !errors.Is(err, crmio.ErrUnknownField) {
				t.Errorf("a scope on an unknown field: %v, want ErrUnknownField", err)
			}
		})
	}
}

// spyMatcher records the ids of every record the store shows it.
type spyMatcher struct {
	inner dedupe.Matcher
	seen  map[string]bool
}

func (s *spyMatcher) Match(ctx context.Context, store storage.Store, module string, batch []crmio.Record) ([]dedupe.Match, error) {
	ms, err := s.inner.Match(ctx, store, module, batch)
	for _, m := range ms {
		for _, c := range m.Existing {
			s.seen[c.ID] = true
		}
	}
	return ms, err
}

// TestRollbackDanglingReferences over every store: job 1 creates accounts
// that job 2's people then reference. Rolling job 1 back refuses, naming
// the references and changing nothing; with Force it clears them,
// journaled, and no record names a deleted one; a second rollback is a
// no-op.
func TestRollbackDanglingReferences(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := open(t)
			im := newImporter(t, store)
			job1, err := im.Run(ctx, csvSource(peopleHeader, "Ada,Lovelace,ada@example.com,,Analytical Engines,", "Grace,Hopper,grace@example.com,,Navy,"),
				importer.Plan{Module: "people", Mapping: peopleMapping(), AutoCreateReferences: true}, nil)
			if err != nil || job1.ReferencesCreated != 2 {
				t.Fatalf("job 1: %+v, %v", job1, err)
			}
			job2, err := im.Run(ctx, csvSource(peopleHeader, "Alan,Turing,alan@example.com,,Analytical Engines,", "Kate,Johnson,kate@example.com,,Navy,", "Radia,Perlman,radia@example.com,,,"),
				importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
			if err != nil || job2.Created != 3 {
				t.Fatalf("job 2: %+v, %v", job2, err)
			}
			before := snapshot(t, store)
			_, err = im.Rollback(ctx, job1.JobID, nil)
			var refErr *importer.ReferencedError
			if !errors.As(err, &refErr) || !errors.Is(err, crmio.ErrConflict) {
				t.Fatalf("rollback of job 1 = %v, want a *ReferencedError", err)
			}
			if refErr.N != 2 || len(refErr.Refs) != 1 || refErr.Refs[0].Module != "people" || refErr.Refs[0].Field != "account" ||
				refErr.Refs[0].Target != "accounts" || refErr.Refs[0].Count != 2 {
				t.Errorf("the refusal: %+v", refErr)
			}
			sameState(t, snapshot(t, store), before)
			if j, _ := im.Status(ctx, job1.JobID); j.Status != storage.JobCompleted {
				t.Errorf("job 1 after the refused rollback: %s", j.Status)
			}

			res, err := im.Rollback(ctx, job1.JobID, &importer.RollbackOptions{Force: true})
			if err != nil || res.Deleted != 4 || res.Cleared != 2 {
				t.Fatalf("forced rollback: %+v, %v; want 4 deleted (2 people, 2 accounts), 2 references cleared", res, err)
			}
			accounts := map[string]bool{}
			for _, r := range all(t, store, "accounts") {
				accounts[r.ID] = true
			}
			people := all(t, store, "people")
			if len(people) != 3 {
				t.Errorf("%d people left, want job 2's 3", len(people))
			}
			for _, p := range people {
				if ref, ok := p.Get("account").Ref(); ok && !accounts[ref.ID] {
					t.Errorf("%s names account %s, which no longer exists", p.Get("last_name").Str(), ref.ID)
				}
			}
			cleared := 0
			for e, err := range store.(storage.History).Journal(ctx, job1.JobID) {
				if err != nil {
					t.Fatal(err)
				}
				if e.Op == storage.JournalCleared {
					cleared++
					if e.Before == nil || e.Before.Get("account").IsZero() {
						t.Errorf("a cleared reference is journaled without the record as it was: %+v", e)
					}
				}
			}
			if cleared != 2 {
				t.Errorf("%d cleared references journaled, want 2", cleared)
			}
			if res, err := im.Rollback(ctx, job1.JobID, &importer.RollbackOptions{Force: true}); err != nil || res.Deleted != 0 {
				t.Errorf("rollback twice: %+v, %v", res, err)
			}
			// Job 2's people changed since it imported them (their
			// references were cleared): its rollback says so, and goes
			// through with Force.
			var conflict *importer.ConflictError
			if _, err := im.Rollback(ctx, job2.JobID, nil); !errors.As(err, &conflict) || conflict.N != 2 {
				t.Errorf("rollback of job 2 = %v, want a conflict over the 2 records whose references were cleared", err)
			}
			if res, err := im.Rollback(ctx, job2.JobID, &importer.RollbackOptions{Force: true}); err != nil || res.Deleted != 3 {
				t.Errorf("forced rollback of job 2: %+v, %v", res, err)
			}
		})
	}
}

// TestUnreadableRowsFailAndReadingGoesOn: a row the reader cannot parse
// (a stray quote) is a failed row with its row number and the reader's
// reason, and the rows after it are imported; the resume of such a file
// counts it as read, as one run does.
func TestUnreadableRowsFailAndReadingGoesOn(t *testing.T) {
	store := memory.New()
	im := newImporter(t, store)
	sum, err := im.Run(context.Background(), csvSource(peopleHeader,
		"Ada,Lovelace,ada@example.com,,,",
		`Alan,Tu"ring,alan@example.com,,,`,
		"Grace,Hopper,grace@example.com,,,"), importer.Plan{Module: "people", Mapping: peopleMapping()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 3 || sum.Created != 2 || sum.Failed != 1 || len(sum.Errors) != 1 || sum.Errors[0].Row != 3 ||
		!strings.Contains(sum.Errors[0].Reason, "cannot be read") || sum.Status != storage.JobCompleted {
		t.Errorf("%s, status %s, errors %+v", counts(sum), sum.Status, sum.Errors)
	}
	if n := count(t, store, "people"); n != 2 {
		t.Errorf("%d people, want the 2 readable rows", n)
	}
}

// contactFiles returns a contacts export of 2,000 rows in each reader's
// format: CSV and XLSX generated, XLS the fixture formats/xls keeps.
func contactFiles(t *testing.T) map[string]string {
	dir := t.TempDir()
	files := map[string]string{
		"csv":  filepath.Join(dir, "contacts.csv"),
		"xlsx": filepath.Join(dir, "contacts.xlsx"),
		"xls":  filepath.Join("..", "formats", "xls", "testdata", "contacts-2000.xls"),
	}
	if err := contactgen.WriteFile(files["csv"], 2000, nil); err != nil {
		t.Fatal(err)
	}
	if err := contactgen.WriteXLSXFile(files["xlsx"], 2000, nil); err != nil {
		t.Fatal(err)
	}
	return files
}

// TestCancelEveryReader cancels the context of imports of CSV, XLSX and
// XLS files, with every duplicate strategy, half-way: each ends cancelled,
// with rows unread, never completed.
func TestCancelEveryReader(t *testing.T) {
	files := contactFiles(t)
	for _, format := range []string{"csv", "xlsx", "xls"} {
		for _, dup := range []dedupe.Strategy{dedupe.Skip, dedupe.Update, dedupe.Create} {
			t.Run(format+"/"+dup.String(), func(t *testing.T) {
				store := memory.New()
				im, err := importer.New(store, schemas.Default(), nil)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				hooks := &importer.Hooks{Row: func(_ context.Context, r *importer.Row) error {
					if r.Number == 1000 {
						cancel()
					}
					return nil
				}}
				sum, err := im.Run(ctx, importer.Source{Path: files[format]}, importer.Plan{Module: "people", Duplicates: dup,
					BatchSize: 100, Mode: importer.Streaming, AutoCreateReferences: true}, hooks)
				if !errors.Is(err, importer.ErrCancelled) || !errors.Is(err, context.Canceled) {
					t.Fatalf("Run = %v, want ErrCancelled", err)
				}
				job, err := im.Status(context.Background(), sum.JobID)
				if err != nil {
					t.Fatal(err)
				}
				if job.Status != storage.JobCancelled || sum.Status != storage.JobCancelled || job.Counts.Read >= 2000 || job.Counts.Read != job.Checkpoint.Rows {
					t.Errorf("job %s (summary %s) with %d rows read, checkpoint %d: want cancelled before the end", job.Status, sum.Status, job.Counts.Read, job.Checkpoint.Rows)
				}
			})
		}
	}
}

// TestTakenOverAttemptStops: a runner that another took over (it was
// seen as dead and its job resumed elsewhere) stops without writing, and
// says it was taken over, whether it finds out at its next batch or is
// cancelled first: the job stays the other runner's, running.
func TestTakenOverAttemptStops(t *testing.T) {
	for _, cancelFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "at its next batch", true: "cancelled first"}[cancelFirst], func(t *testing.T) {
			store := memory.New()
			im := newImporter(t, store)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			var jobID string
			hooks := duringBatch4(store, func(rctx context.Context, id string) error {
				jobID = id
				// What a rescuer's resume writes: the job is its own.
				_, err := storage.UpdateJobFunc(rctx, store, id, func(j *storage.Job) error {
					j.Runner = &storage.Runner{ID: "the-other-runner", Host: "another-machine", PID: 1}
					return nil
				})
				if cancelFirst {
					cancel(errors.New("this attempt's queue dropped it"))
				}
				return err
			})
			sum, err := im.Run(ctx, generated(1000), importer.Plan{Module: "people", Mapping: peopleMapping(), BatchSize: 100, Mode: importer.Streaming}, hooks)
			if !errors.Is(err, importer.ErrTakenOver) || errors.Is(err, importer.ErrCancelled) {
				t.Fatalf("Run = %v, want ErrTakenOver alone", err)
			}
			if sum.Status != storage.JobInterrupted || count(t, store, "people") != 300 {
				t.Errorf("summary %s, %d in the store; want interrupted and the three batches before", sum.Status, count(t, store, "people"))
			}
			job, err := store.Job(context.Background(), jobID)
			if err != nil {
				t.Fatal(err)
			}
			if job.Status != storage.JobRunning || job.Runner == nil || job.Runner.ID != "the-other-runner" || job.Checkpoint.Rows != 300 {
				t.Errorf("the job after the stale attempt stopped: %s, runner %+v, checkpoint %+v", job.Status, job.Runner, job.Checkpoint)
			}
		})
	}
}
