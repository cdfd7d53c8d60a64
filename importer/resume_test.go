package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/internal/testenv"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
)

// The kill-and-resume test runs this binary again as the importing child;
// these say what the child does.
const (
	resumeChildEnv = "CRMIO_RESUME_CHILD_STORE" // sqlite:PATH or postgres:SCHEMA
	resumeFileEnv  = "CRMIO_RESUME_CHILD_FILE"
	resumeStopEnv  = "CRMIO_RESUME_CHILD_STOP" // the batch the child stops in
	resumeJobEnv   = "CRMIO_RESUME_CHILD_JOB"  // the job the child resumes; none: a new import
	resumeBatch    = 1000
)

// resumePlan is the plan of the kill-and-resume test: in-file duplicates
// merged into records of earlier batches and of the same batch, accounts
// created on first mention and referenced after, the mapping suggested.
func resumePlan() importer.Plan {
	return importer.Plan{Module: "people", Duplicates: dedupe.Update, Merge: dedupe.FillEmpty,
		AutoCreateReferences: true, BatchSize: resumeBatch, Mode: importer.Streaming}
}

// openSpec opens the store a spec names.
func openSpec(ctx context.Context, spec string) (storage.Store, func() error, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, arg, nil)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	case "postgres":
		s, err := postgres.Open(ctx, os.Getenv("CRMIO_POSTGRES_DSN"), &postgres.Options{Schema: arg})
		if err != nil {
			return nil, nil, err
		}
		return s, func() error { s.Close(); return nil }, nil
	}
	return nil, nil, fmt.Errorf("unknown store spec %q", spec)
}

// runResumeChild imports the file into the store the environment names,
// or resumes the job it names, and stops for good inside the batch it
// names, counted from the file's start (its hook never returns), for the
// parent to kill it there: the batch's transaction is open, its writes
// uncommitted.
func runResumeChild() {
	ctx := context.Background()
	store, _, err := openSpec(ctx, os.Getenv(resumeChildEnv))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	var stop int
	fmt.Sscan(os.Getenv(resumeStopEnv), &stop)
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	batch := 0
	hooks := &importer.Hooks{
		Batch: func(ctx context.Context, b *importer.Batch) error {
			batch++
			if batch == stop {
				fmt.Printf("stopped in batch %d\n", batch)
				select {} // until killed
			}
			return nil
		},
	}
	if id := os.Getenv(resumeJobEnv); id != "" {
		job, err := im.Status(ctx, id)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		batch = job.Checkpoint.Rows / resumeBatch
		_, err = im.Resume(ctx, id, importer.Source{}, hooks)
		fmt.Println("finished:", err)
		os.Exit(0)
	}
	_, err = im.Run(ctx, importer.Source{Path: os.Getenv(resumeFileEnv)}, resumePlan(), hooks)
	fmt.Println("finished:", err)
	os.Exit(0)
}

// dumpStore returns every record of the default schema's people and
// accounts as text, sorted: values by kind and content, a reference by
// the key of the record it names (ids differ between stores and runs).
func dumpStore(t *testing.T, store storage.Store) []string {
	t.Helper()
	ctx := context.Background()
	names := map[string]string{}
	var out []string
	for _, module := range []string{"accounts", "people"} {
		for rec, err := range store.Scan(ctx, module, storage.Query{}) {
			if err != nil {
				t.Fatal(err)
			}
			if module == "accounts" {
				names[rec.ID] = rec.Get("name").String()
			}
			fields := make([]string, 0, len(rec.Values))
			for f, v := range rec.Values {
				if r, ok := v.Ref(); ok {
					fields = append(fields, f+"=ref:"+names[r.ID]+"/"+r.Key)
					continue
				}
				fields = append(fields, f+"="+v.Kind().String()+":"+v.String())
			}
			sort.Strings(fields)
			out = append(out, module+" "+strings.Join(fields, " | "))
		}
	}
	sort.Strings(out)
	return out
}

// sameDump reports the first differences between two dumps.
func sameDump(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s: %d records, want the %d of an uninterrupted run", what, len(got), len(want))
	diffs := 0
	for i := 0; i < max(len(got), len(want)) && diffs < 5; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("first differing record, %d:\n got %s\nwant %s", i, g, w)
			diffs++
		}
	}
}

// jobCounts are the counts a comparison of two runs looks at.
func jobCounts(c storage.Counts) storage.Counts {
	c.Estimated = 0
	return c
}

// killAt runs the importing child (importing file, or resuming job when
// it is set) until it stops in batch stop, and kills it there with
// SIGKILL.
func killAt(t *testing.T, spec, file, job string, stop int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), resumeChildEnv+"="+spec, resumeFileEnv+"="+file, resumeStopEnv+"="+fmt.Sprint(stop), resumeJobEnv+"="+job)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	stopped := false
	for lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "stopped in batch") {
			stopped = true
			break
		}
		if strings.HasPrefix(line, "finished") || strings.HasPrefix(line, "error") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !stopped {
		t.Fatalf("the child did not stop in batch %d", stop)
	}
}

// TestKillAndResume kills (SIGKILL) a process importing 400,000 rows at
// three points — in its first batch, in the middle, in its last — into
// SQLite and PostgreSQL, each kill in a process resuming the job the kill
// before interrupted, and resumes the job to its end: the store and the
// job's counts must equal an uninterrupted run's exactly. An XLSX source
// is killed and resumed too.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 400,000 rows twice per store, in child processes")
	}
	rows := 400_000
	if raceEnabled {
		rows = 20_000 // the same points, in a file the race detector gets through
	}
	if n, err := strconv.Atoi(os.Getenv("CRMIO_RESUME_ROWS")); err == nil && n > 0 {
		rows = n // a quicker run by hand
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "contacts.csv")
	if err := contactgen.WriteFile(csvPath, rows, nil); err != nil {
		t.Fatal(err)
	}
	stores := []struct {
		name string
		spec func(t *testing.T, run string) string
	}{{"sqlite", func(t *testing.T, run string) string { return "sqlite:" + filepath.Join(dir, run+".db") }}}
	stores = append(stores, struct {
		name string
		spec func(t *testing.T, run string) string
	}{"postgres", func(t *testing.T, run string) string { testenv.PostgresDSN(t); return "postgres:" + pgSchema(t) }})
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) { testKillAndResume(t, st.spec, csvPath, rows) })
	}
	t.Run("sqlite/xlsx", func(t *testing.T) {
		n := rows / 8
		xlsxPath := filepath.Join(dir, "contacts.xlsx")
		if err := contactgen.WriteXLSXFile(xlsxPath, n, nil); err != nil {
			t.Fatal(err)
		}
		testKillAndResume(t, stores[0].spec, xlsxPath, n)
	})
}

// testKillAndResume runs file once uninterrupted into a store; then, into
// another, kills the import in its first batch, the process resuming it
// in the middle batch, the next in the last batch, and resumes the job to
// its end; and compares the two stores and jobs.
func testKillAndResume(t *testing.T, spec func(*testing.T, string) string, file string, rows int) {
	ctx := context.Background()
	open := func(spec string) storage.Store {
		s, closeStore, err := openSpec(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { closeStore() })
		return s
	}
	ref := open(spec(t, filepath.Base(file)+"-reference"))
	im, err := importer.New(ref, schemas.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := im.Run(ctx, importer.Source{Path: file}, resumePlan(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantDump := dumpStore(t, ref)
	t.Logf("uninterrupted: %d rows, %d created, %d updated, %d accounts created in %s",
		want.Read, want.Created, want.Updated, want.ReferencesCreated, want.Duration.Round(time.Millisecond))

	batches := (rows + resumeBatch - 1) / resumeBatch
	s := spec(t, filepath.Base(file)+"-killed")
	job := ""
	for _, stop := range []int{1, batches / 2, batches} {
		killAt(t, s, file, job, stop)
		store := open(s)
		im, err := importer.New(store, schemas.Default(), nil)
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := im.History(ctx, 0)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("killed in batch %d: history of %d jobs, %v; want the killed one", stop, len(jobs), err)
		}
		j := jobs[0]
		job = j.ID
		// Its process is gone, on this machine: interrupted at once.
		if j.Status != storage.JobInterrupted {
			t.Fatalf("killed in batch %d: the job is %s (%s), want interrupted", stop, j.Status, j.Error)
		}
		// What committed is whole batches, and the history says so.
		if done := (stop - 1) * resumeBatch; j.Checkpoint.Rows != done || j.Counts.Read != done {
			t.Errorf("killed in batch %d: checkpoint %+v, counts %+v; want %d rows done", stop, j.Checkpoint, j.Counts, done)
		}
		people := 0
		for _, err := range store.Scan(ctx, "people", storage.Query{Fields: []string{}}) {
			if err != nil {
				t.Fatal(err)
			}
			people++
		}
		if people != j.Counts.Created {
			t.Errorf("killed in batch %d: the history counts %d people created, the store holds %d", stop, j.Counts.Created, people)
		}
	}

	store := open(s)
	im, err = importer.New(store, schemas.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := im.Status(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	got, err := im.Resume(ctx, job, importer.Source{}, nil)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if got.Status != storage.JobCompleted || got.Resumed != before.Checkpoint.Rows {
		t.Errorf("resumed: status %s, resumed at %d; want completed, at %d", got.Status, got.Resumed, before.Checkpoint.Rows)
	}
	if jobCounts(got.Counts) != jobCounts(want.Counts) {
		t.Errorf("resumed counts %+v, want the uninterrupted run's %+v", got.Counts, want.Counts)
	}
	final, err := im.Status(ctx, job)
	if err != nil || final.Status != storage.JobCompleted || jobCounts(final.Counts) != jobCounts(want.Counts) {
		t.Errorf("the job after the resume: %s %+v, %v", final.Status, final.Counts, err)
	}
	sameDump(t, "after the resume", dumpStore(t, store), wantDump)
	if t.Failed() {
		return
	}
	// The job resumed three times rolls back as one: to an empty store.
	if _, err := im.Rollback(ctx, job, nil); err != nil {
		t.Fatalf("rollback of the resumed job: %v", err)
	}
	if left := dumpStore(t, store); len(left) != 0 {
		t.Errorf("after rolling back the resumed job %d records are left, e.g. %s", len(left), left[0])
	}
}

// pgSchema returns a PostgreSQL schema of its own for t, dropped at its end.
func pgSchema(t *testing.T) string {
	name := fmt.Sprintf("crmio_resume_%d_%d", os.Getpid(), schemaSeq.next())
	t.Cleanup(func() {
		s, err := postgres.Open(context.Background(), os.Getenv("CRMIO_POSTGRES_DSN"), &postgres.Options{Schema: name})
		if err != nil {
			return
		}
		defer s.Close()
		_, _ = s.Pool().Exec(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	})
	return name
}

var schemaSeq counter

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}
