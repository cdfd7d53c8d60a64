package river_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/postgres"
	"github.com/crmio/crmio/storage/sqlite"
	"github.com/jackc/pgx/v5"
	rq "github.com/riverqueue/river"

	_ "github.com/crmio/crmio/formats/all"
)

// The tests run this binary again as worker processes; these say what a
// worker does.
const (
	childDBEnv    = "CRMIO_RIVER_CHILD_DB" // sqlite:PATH or postgres:SCHEMA
	childStaleEnv = "CRMIO_RIVER_CHILD_STALE"
)

func TestMain(m *testing.M) {
	if db := os.Getenv(childDBEnv); db != "" {
		os.Exit(runWorkerChild(db))
	}
	code := m.Run()
	if filesDir != "" {
		os.RemoveAll(filesDir)
	}
	os.Exit(code)
}

// testPlan is the plan of the tests' imports: duplicates (5% of each
// file's rows repeat an earlier email) merged into the first record.
func testPlan() importer.Plan {
	return importer.Plan{Module: "people", Mode: importer.Background, BatchSize: 1000, Duplicates: dedupe.Update, Merge: dedupe.FillEmpty}
}

// Short leases, so that the tests see dead workers soon.
const (
	testHeartbeat = 50 * time.Millisecond
	testRescue    = 100 * time.Millisecond
)

func testConfig(stale time.Duration) *crmioriver.Config {
	return &crmioriver.Config{
		StaleAfter: stale, RescueInterval: testRescue,
		Tune: func(c *rq.Config) { c.FetchPollInterval, c.FetchCooldown = 50*time.Millisecond, 10*time.Millisecond },
	}
}

// sqliteOpts are the options of the tests' SQLite stores, which several
// processes write: a worker's batch holds the one writer lock for its
// transaction (seconds under the race detector), so the others wait
// longer than the default 5s.
var sqliteOpts = &sqlite.Options{BusyTimeout: 30 * time.Second}

// openDB opens the store a worker child names.
func openDB(ctx context.Context, db string) (storage.Store, error) {
	kind, where, _ := strings.Cut(db, ":")
	if kind == "sqlite" {
		return sqlite.Open(ctx, where, sqliteOpts)
	}
	return postgres.Open(ctx, os.Getenv("CRMIO_POSTGRES_DSN"), &postgres.Options{Schema: where})
}

// runWorkerChild runs workers over db until SIGTERM, printing each event
// as a line "event {json}" and logging JSON lines to stdout.
func runWorkerChild(db string) int {
	ctx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stopSignals()
	store, err := openDB(context.Background(), db)
	if err != nil {
		fmt.Println("error:", err)
		return 3
	}
	stale, _ := time.ParseDuration(os.Getenv(childStaleEnv))
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	print := func(line string) {
		mu.Lock()
		out.WriteString(line + "\n")
		out.Flush()
		mu.Unlock()
	}
	cfg := testConfig(stale)
	cfg.Logger = slog.New(slog.NewJSONHandler(lineWriter(print), nil))
	cfg.Events = func(e crmioriver.Event) {
		b, _ := json.Marshal(e)
		print("event " + string(b))
	}
	runner, err := crmioriver.New(context.Background(), store, cfg)
	if err != nil {
		print("error: " + err.Error())
		return 3
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Heartbeat: testHeartbeat, StaleAfter: stale, Worker: "worker " + strconv.Itoa(os.Getpid())})
	if err != nil {
		print("error: " + err.Error())
		return 3
	}
	if err := runner.Start(context.Background(), im); err != nil {
		print("error: " + err.Error())
		return 3
	}
	print("started")
	<-ctx.Done()
	if err := runner.Stop(context.Background()); err != nil {
		print("error: " + err.Error())
		return 3
	}
	print("stopped")
	return 0
}

// lineWriter turns a handler's writes into printed lines.
type lineWriter func(string)

func (w lineWriter) Write(p []byte) (int, error) {
	w(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// worker is a worker child process and what it printed.
type worker struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	cond *sync.Cond
	out  []string
	done bool
	err  error // of Wait
}

// startWorker starts a worker child over db and waits until it works.
func startWorker(t *testing.T, db string, stale time.Duration) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDBEnv+"="+db, childStaleEnv+"="+stale.String())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &worker{t: t, cmd: cmd}
	w.cond = sync.NewCond(&w.mu)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			w.mu.Lock()
			w.out = append(w.out, sc.Text())
			w.cond.Broadcast()
			w.mu.Unlock()
		}
		err := cmd.Wait()
		w.mu.Lock()
		w.done, w.err = true, err
		w.cond.Broadcast()
		w.mu.Unlock()
	}()
	t.Cleanup(func() {
		w.mu.Lock()
		done := w.done
		w.mu.Unlock()
		if !done {
			cmd.Process.Kill()
			w.wait()
		}
	})
	if w.waitFor(func(l string) bool { return l == "started" }) == "" {
		t.Fatalf("the worker did not start:\n%s", w.output())
	}
	return w
}

// waitFor waits until the worker prints a line ok accepts, and returns
// it; "" when the worker ended first, or the test's deadline nears.
func (w *worker) waitFor(ok func(string) bool) string {
	deadline := testDeadline(w.t)
	stop := time.AfterFunc(time.Until(deadline), func() { w.mu.Lock(); w.cond.Broadcast(); w.mu.Unlock() })
	defer stop.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for seen := 0; ; {
		for ; seen < len(w.out); seen++ {
			if ok(w.out[seen]) {
				return w.out[seen]
			}
		}
		if w.done || time.Now().After(deadline) {
			return ""
		}
		w.cond.Wait()
	}
}

// wait waits for the process to end and returns Wait's error.
func (w *worker) wait() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for !w.done {
		w.cond.Wait()
	}
	return w.err
}

func (w *worker) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.out, "\n")
}

// events returns the events the worker printed.
func (w *worker) events() []crmioriver.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []crmioriver.Event
	for _, l := range w.out {
		if rest, ok := strings.CutPrefix(l, "event "); ok {
			var e crmioriver.Event
			if json.Unmarshal([]byte(rest), &e) == nil {
				out = append(out, e)
			}
		}
	}
	return out
}

// logged reports whether the worker logged msg.
func (w *worker) logged(msg string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.out {
		if strings.Contains(l, `"msg":"`+msg) {
			return true
		}
	}
	return false
}

// batchEvent accepts an event line of a committed batch with at least
// min rows read.
func batchEvent(min int) func(string) bool {
	return func(l string) bool {
		rest, ok := strings.CutPrefix(l, "event ")
		if !ok {
			return false
		}
		var e crmioriver.Event
		return json.Unmarshal([]byte(rest), &e) == nil && e.Kind == crmioriver.EventBatch && e.Counts.Read >= min
	}
}

// terminate sends SIGTERM and waits for the worker to exit well.
func (w *worker) terminate() {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		w.t.Fatal(err)
	}
	if err := w.wait(); err != nil {
		w.t.Errorf("worker %d exited with %v after SIGTERM:\n%s", w.cmd.Process.Pid, err, tail(w.output(), 20))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func testDeadline(t *testing.T) time.Time {
	if d, ok := t.Deadline(); ok {
		return d.Add(-10 * time.Second)
	}
	return time.Now().Add(5 * time.Minute)
}

// waitCtx is a context that ends shortly before the test's deadline.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), testDeadline(t))
	t.Cleanup(cancel)
	return ctx
}

var (
	filesOnce sync.Once
	filesDir  string
	files     []string
	filesErr  error
)

// bigRows is the rows of each of testFiles (a tenth under the race
// detector).
var bigRows = map[bool]int{false: 150_000, true: 15_000}[raceEnabled]

// testFiles returns the paths of three generated contact exports of
// 150,000 rows each (bigRows), their emails apart (file n's are at fN.example.com),
// so that the imports' results do not depend on their order.
// (Every domain is the file's own: work emails match too.)
func testFiles(t *testing.T) []string {
	t.Helper()
	filesOnce.Do(func() {
		if filesDir, filesErr = os.MkdirTemp("", "crmio-river-"); filesErr != nil {
			return
		}
		for n := range 3 {
			var b bytes.Buffer
			if filesErr = contactgen.Write(&b, bigRows, &contactgen.Options{Seed: uint64(n + 1)}); filesErr != nil {
				return
			}
			data := bytes.ReplaceAll(b.Bytes(), []byte("example.com"), fmt.Appendf(nil, "f%d.example.com", n))
			data = bytes.ReplaceAll(data, []byte("Example.com"), fmt.Appendf(nil, "F%d.Example.com", n))
			path := filepath.Join(filesDir, fmt.Sprintf("contacts-%d.csv", n))
			if filesErr = os.WriteFile(path, data, 0o600); filesErr != nil {
				return
			}
			files = append(files, path)
		}
	})
	if filesErr != nil {
		t.Fatal(filesErr)
	}
	return files
}

var (
	refMu  sync.Mutex
	refFor = map[string][]string{}
)

// reference returns the content the store holds after uninterrupted runs
// of testPlan over paths, one after the other, into an empty store (each
// record as its values' JSON, sorted).
func reference(t *testing.T, paths ...string) []string {
	t.Helper()
	refMu.Lock()
	defer refMu.Unlock()
	key := strings.Join(paths, "\x00")
	if got, ok := refFor[key]; ok {
		return got
	}
	store := memory.New()
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if _, err := im.Run(t.Context(), importer.Source{Path: p}, testPlan(), nil); err != nil {
			t.Fatal(err)
		}
	}
	refFor[key] = content(t, store)
	return refFor[key]
}

// content returns the people of store, each as its values' JSON, sorted:
// what two stores must agree on (ids are each store's own).
func content(t *testing.T, store storage.Store) []string {
	t.Helper()
	var out []string
	for rec, err := range store.Scan(t.Context(), "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(rec.Values)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

// sameContent fails t unless got and want hold the same records as many
// times each.
func sameContent(t *testing.T, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("the store holds %d people, an uninterrupted run %d", len(got), len(want))
	for i := 0; i < min(len(got), len(want)); i++ {
		if got[i] != want[i] {
			t.Errorf("first difference, in sorted order:\n got  %s\n want %s", got[i], want[i])
			return
		}
	}
}

// checkHistory checks that every job completed, read its whole file once,
// and that the history's counts are the store's (people records:
// how many the store holds).
func checkHistory(t *testing.T, im *importer.Importer, ids []string, rows, people int) {
	t.Helper()
	created := 0
	for _, id := range ids {
		job, err := im.Status(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		c := job.Counts
		if job.Status != storage.JobCompleted || c.Read != rows || c.Created+c.Updated+c.Skipped+c.Failed != c.Read {
			t.Errorf("job %s: %s (%s) with counts %+v; want completed, %d rows read, each counted once", id, job.Status, job.Error, c, rows)
		}
		created += c.Created
	}
	if people != created {
		t.Errorf("the history counts %d people created, the store holds %d", created, people)
	}
}

// pgSchema returns a fresh PostgreSQL schema, dropped at the end of the
// test, or skips the test without CRMIO_POSTGRES_DSN.
func pgSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("CRMIO_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CRMIO_POSTGRES_DSN is not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "crmio_river_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// submitter returns an importer whose Background imports the Runner over
// store queues (this process runs no worker).
func submitter(t *testing.T, store storage.Store) (*importer.Importer, *crmioriver.Runner) {
	t.Helper()
	runner, err := crmioriver.New(t.Context(), store, &crmioriver.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Runner: runner, StaleAfter: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return im, runner
}

// submit starts a background import of each path and returns the jobs.
func submit(t *testing.T, im *importer.Importer, paths ...string) []string {
	t.Helper()
	return submitPlan(t, im, testPlan(), paths...)
}

// submitPlan is submit with a plan of its own.
func submitPlan(t *testing.T, im *importer.Importer, plan importer.Plan, paths ...string) []string {
	t.Helper()
	var ids []string
	for _, p := range paths {
		h, err := im.Start(t.Context(), importer.Source{Path: p}, plan, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.JobID)
	}
	return ids
}

// waitAll waits until every job has ended for good: completed, failed or
// cancelled (an interrupted job is done for the importer, but workers
// resume it).
func waitAll(t *testing.T, im *importer.Importer, ids []string) {
	t.Helper()
	ctx := waitCtx(t)
	for _, id := range ids {
		for {
			job, err := im.Status(ctx, id)
			if err != nil {
				t.Fatalf("waiting for job %s: %v", id, err)
			}
			if job.Status.Done() && job.Status != storage.JobInterrupted {
				break
			}
			select {
			case <-ctx.Done():
				t.Fatalf("job %s is still %s", id, job.Status)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func envDSN() string { return os.Getenv("CRMIO_POSTGRES_DSN") }

var (
	extraMu sync.Mutex
	extra   = map[string]string{}
)

// testFile returns a generated contact export of rows rows (a tenth
// under the race detector; seed picks
// the data; its domains are gN.example.com), made once per test binary.
func testFile(t *testing.T, rows int, seed uint64) string {
	t.Helper()
	testFiles(t) // makes filesDir
	extraMu.Lock()
	defer extraMu.Unlock()
	if raceEnabled {
		rows /= 10
	}
	key := fmt.Sprint(rows, "/", seed)
	if p, ok := extra[key]; ok {
		return p
	}
	var b bytes.Buffer
	if err := contactgen.Write(&b, rows, &contactgen.Options{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	data := bytes.ReplaceAll(b.Bytes(), []byte("example.com"), fmt.Appendf(nil, "g%d.example.com", seed))
	data = bytes.ReplaceAll(data, []byte("Example.com"), fmt.Appendf(nil, "G%d.Example.com", seed))
	p := filepath.Join(filesDir, fmt.Sprintf("extra-%d-%d.csv", rows, seed))
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	extra[key] = p
	return p
}

// jobEvents returns the events of kind about job, from every worker.
func jobEvents(kind crmioriver.EventKind, job string, ws ...*worker) []crmioriver.Event {
	var out []crmioriver.Event
	for _, w := range ws {
		for _, e := range w.events() {
			if e.Kind == kind && e.JobID == job {
				out = append(out, e)
			}
		}
	}
	return out
}

// eventOf accepts an event line of kind about job.
func eventOf(kind crmioriver.EventKind, job string) func(string) bool {
	return func(l string) bool {
		rest, ok := strings.CutPrefix(l, "event ")
		if !ok {
			return false
		}
		var e crmioriver.Event
		return json.Unmarshal([]byte(rest), &e) == nil && e.Kind == kind && e.JobID == job
	}
}

// scaled is n, or a tenth of it under the race detector (see testFile).
func scaled(n int) int {
	if raceEnabled {
		return n / 10
	}
	return n
}

// pgStore returns a store in a fresh PostgreSQL schema and the --db of
// worker children over it, or skips the test without CRMIO_POSTGRES_DSN.
func pgStore(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	schema := pgSchema(t)
	store, err := postgres.Open(t.Context(), envDSN(), &postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, "postgres:" + schema
}
