package river

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
	rq "github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Config configures a Runner. A nil *Config means the defaults.
type Config struct {
	// Queue is the River queue the jobs go to and the workers take them
	// from (default "crmio_import"): separate queues keep, say, each
	// tenant's imports to workers of its own.
	Queue string
	// Concurrency is how many imports a worker process runs at once
	// (default 1: one import already keeps every core busy).
	Concurrency int
	// Hooks gives the hooks a worker runs a job with: the CRM's own
	// matcher, rules and observers (importer.Hooks), which a job cannot
	// keep. Nil means none. The worker adds its own Progress and
	// FailedRows observers beside those it returns.
	Hooks func(job storage.Job) *importer.Hooks
	// Events, when set, is told of each job's lifecycle (see Event): the
	// place to send webhooks or count metrics. It is called from the
	// workers' goroutines, and the submitting one's: keep it quick.
	Events func(Event)
	// Logger receives the workers' logs (and River's own, from Warn); nil
	// means slog.Default().
	Logger *slog.Logger
	// Uploads keeps the jobs' files, and the failed rows workers write;
	// nil means the store's own (storage.Uploads, in the database). A CRM
	// with an object store passes its own implementation.
	Uploads storage.Uploads
	// Retention is how long a job's file and failed-rows file are kept
	// once the job has ended (completed, cancelled, failed for good):
	// time to resume it, or to download its failed rows. Default 7 days;
	// negative keeps them forever.
	Retention time.Duration
	// StaleAfter is how long a running job may go without a heartbeat
	// before its worker is taken for dead: use the workers' importer
	// Options.StaleAfter (default 30s, the importer's default). A worker
	// on the same machine as the dead one knows at once.
	StaleAfter time.Duration
	// RescueInterval is how often each worker looks for jobs whose worker
	// died and queues them again (default 5s). A job whose worker died
	// is taken up by another within StaleAfter + RescueInterval + River's
	// fetch (about 36s by default).
	RescueInterval time.Duration
	// MaxAttempts is how many times River tries a job that fails with an
	// error that may pass (the store was down) before the job is left
	// failed (default 10). Rescues and hand-backs do not count.
	MaxAttempts int
	// Schema is the PostgreSQL schema of River's tables; empty means the
	// store's (postgres.Options.Schema). A CRM that runs River for jobs of
	// its own gives crmio a schema apart: River clients of one schema
	// share their maintenance (their leader rescues, and discards, jobs
	// of kinds it does not know), so crmio's and the CRM's must not.
	// Ignored on SQLite.
	Schema string
	// Tune, when set, adjusts the River client's configuration before each
	// client is made (fetch intervals, River's own rescuer and cleaners):
	// for a CRM that knows River; crmio sets Queues, Workers, JobTimeout
	// (none: an import runs as long as its file takes), Logger and Schema.
	Tune func(*rq.Config)
}

func (c *Config) withDefaults() Config {
	var v Config
	if c != nil {
		v = *c
	}
	if v.Queue == "" {
		v.Queue = DefaultQueue
	}
	if v.Concurrency <= 0 {
		v.Concurrency = 1
	}
	if v.Logger == nil {
		v.Logger = slog.Default()
	}
	if v.Retention == 0 {
		v.Retention = 7 * 24 * time.Hour
	}
	if v.StaleAfter <= 0 {
		v.StaleAfter = 30 * time.Second
	}
	if v.RescueInterval <= 0 {
		v.RescueInterval = 5 * time.Second
	}
	if v.MaxAttempts <= 0 {
		v.MaxAttempts = 10
	}
	return v
}

// DefaultQueue is the River queue of a Config that names none.
const DefaultQueue = "crmio_import"

// Runner runs crmio imports as River jobs. It implements importer.Runner:
// set it as importer.Options.Runner and Background imports are durable
// jobs, which workers, in this process (Start) or any other over the same
// database, run. It is safe for concurrent use.
type Runner struct {
	store   storage.Store
	history storage.History
	atomic  storage.Transactor
	uploads storage.Uploads
	drv     driver
	cfg     Config
	log     *slog.Logger
	inserts queue // the insert-only client Submit and Enqueue use

	mu      sync.Mutex
	work    queue // the working client, between Start and Stop
	im      *importer.Importer
	drain   chan struct{} // closed by Stop: running imports hand their jobs back
	stopped chan struct{} // closed when the rescuer has stopped
	cancel  context.CancelFunc
}

var _ importer.Runner = (*Runner)(nil)

// New returns a Runner whose queue is kept in store's database: store is
// a *postgres.Store (River on its pgx pool, its tables in the store's
// schema) or a *sqlite.Store (River's SQLite driver on the store's
// writer). New runs River's migrations, in one transaction that
// processes starting at once take turns at; they are idempotent and
// versioned (rivermigrate), as crmio's own.
func New(ctx context.Context, store storage.Store, cfg *Config) (*Runner, error) {
	c := cfg.withDefaults()
	drv, err := driverFor(store, c.Schema)
	if err != nil {
		return nil, err
	}
	r := &Runner{store: store, drv: drv, cfg: c, log: c.Logger}
	var ok bool
	if r.history, ok = store.(storage.History); !ok {
		return nil, fmt.Errorf("%w: the store keeps no import history", crmio.ErrNotSupported)
	}
	r.atomic, _ = store.(storage.Transactor)
	r.uploads = c.Uploads
	if r.uploads == nil {
		if r.uploads, ok = store.(storage.Uploads); !ok {
			return nil, fmt.Errorf("%w: the store keeps no uploads; set Config.Uploads", crmio.ErrNotSupported)
		}
	}
	if err := drv.migrate(ctx, r.log); err != nil {
		return nil, fmt.Errorf("river: migrating River's tables: %w", err)
	}
	if r.inserts, err = drv.newQueue(r.riverConfig(nil, false)); err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	return r, nil
}

// Migrate runs River's migrations in store's database (in cfg.Schema), as
// New does: for a deploy step that prepares the database before any
// process starts.
func Migrate(ctx context.Context, store storage.Store, cfg *Config) error {
	c := cfg.withDefaults()
	drv, err := driverFor(store, c.Schema)
	if err != nil {
		return err
	}
	return drv.migrate(ctx, c.Logger)
}

// riverConfig is the River client's configuration: with the queue and its
// workers when the client works.
func (r *Runner) riverConfig(im *importer.Importer, working bool) *rq.Config {
	workers := rq.NewWorkers()
	rq.AddWorker(workers, &importWorker{r: r})
	rq.AddWorker(workers, &cleanupWorker{r: r})
	cfg := &rq.Config{
		Workers:     workers,
		Logger:      riverLogger(r.log),
		MaxAttempts: r.cfg.MaxAttempts,
		// An import runs as long as its file takes: no timeout. River's
		// rescuer then leaves running imports alone (it rescues only jobs
		// past their timeout); crmio's heartbeat tells a dead worker, and
		// the Runner's rescuer queues its job again.
		JobTimeout: -1,
	}
	if working {
		cfg.Queues = map[string]rq.QueueConfig{r.cfg.Queue: {MaxWorkers: r.cfg.Concurrency}}
	}
	if r.cfg.Tune != nil {
		r.cfg.Tune(cfg)
	}
	return cfg
}

// ImportArgs are the River job's arguments: the crmio job's id. The plan,
// the file and the progress are in crmio's history.
type ImportArgs struct {
	JobID string `json:"job_id" river:"unique"`
	// Rescues is the id of the River job whose worker died running this
	// crmio job (0 for the first): the rescuing job replaces it.
	Rescues int64 `json:"rescues,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (ImportArgs) Kind() string { return "crmio_import" }

// CleanupArgs are the arguments of the River job that removes an ended
// job's file and failed rows once the retention has passed.
type CleanupArgs struct {
	JobID string `json:"job_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (CleanupArgs) Kind() string { return "crmio_import_cleanup" }

// uniqueWhileActive keeps one River job per crmio job while it is queued
// or running, and allows another once it has ended (Enqueue).
var uniqueWhileActive = rq.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}}

// The priorities of River jobs (1 runs first): a rescued job, which had
// begun, goes on before new ones.
const (
	priorityRescue = 1
	priorityImport = 2
)

func (r *Runner) importOpts() *rq.InsertOpts {
	return &rq.InsertOpts{Queue: r.cfg.Queue, Priority: priorityImport, UniqueOpts: uniqueWhileActive}
}

// Submit implements importer.Runner: it keeps the file in the uploads
// store, then records the job (queued, naming the upload) and enqueues its
// River job in one transaction: either the job is recorded and queued, or
// neither. The upload is removed when the transaction fails.
func (r *Runner) Submit(ctx context.Context, job storage.Job, src importer.Source) (string, error) {
	if src.Path == "" {
		return "", errors.New("river: Submit needs the file on disk (importer.Source.Path)")
	}
	f, err := os.Open(src.Path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	name := src.Name
	if name == "" {
		name = job.File
	}
	up, err := r.uploads.PutUpload(ctx, storage.Upload{Name: name, Owner: job.StartedBy}, f)
	if err != nil {
		return "", fmt.Errorf("river: keeping the file: %w", err)
	}
	if job.Source.SHA256 != "" && up.SHA256 != job.Source.SHA256 {
		_ = r.uploads.DeleteUpload(context.WithoutCancel(ctx), up.ID)
		return "", fmt.Errorf("%w: %s changed while it was being queued", importer.ErrSourceChanged, name)
	}
	job.Source.Upload = up.ID
	var id string
	record := func(store storage.Store, enqueue func(args rq.JobArgs) error) error {
		var err error
		if id, err = store.(storage.History).CreateJob(ctx, job); err != nil {
			return err
		}
		return enqueue(ImportArgs{JobID: id})
	}
	if r.atomic != nil {
		err = r.atomic.Atomic(ctx, func(tx storage.Store) error {
			return record(tx, func(args rq.JobArgs) error {
				_, err := r.inserts.insertTx(ctx, tx, args, r.importOpts())
				return err
			})
		})
	} else {
		err = record(r.store, func(args rq.JobArgs) error {
			_, err := r.inserts.insert(ctx, args, r.importOpts())
			return err
		})
	}
	if err != nil {
		_ = r.uploads.DeleteUpload(context.WithoutCancel(ctx), up.ID)
		return "", fmt.Errorf("river: queueing the job: %w", err)
	}
	job.ID, job.Version = id, 1
	r.log.InfoContext(ctx, "crmio import queued", "job", id, "module", job.Module, "file", job.File, "queue", r.cfg.Queue)
	r.emit(Event{Kind: EventQueued, JobID: id, Status: storage.JobQueued, Counts: job.Counts})
	return id, nil
}

// Enqueue queues an existing job again, for a worker to resume it from
// its checkpoint: one that failed, was cancelled or was interrupted, and
// whose file is in the uploads store (a job Submit queued, within its
// retention). It is a no-op for a job that is already queued with River.
func (r *Runner) Enqueue(ctx context.Context, jobID string) error {
	job, err := r.history.Job(ctx, jobID)
	if err != nil {
		return err
	}
	switch {
	case job.Source.Upload == "":
		return fmt.Errorf("river: job %s read a file that no uploads store keeps (%s): resume it where the file is", jobID, job.File)
	case !job.Status.Resumable() && job.Status != storage.JobRunning:
		return fmt.Errorf("%w: job %s is %s", importer.ErrNotResumable, jobID, job.Status)
	}
	if _, err := r.uploads.Upload(ctx, job.Source.Upload); err != nil {
		return fmt.Errorf("river: job %s: its file: %w", jobID, err)
	}
	_, err = r.inserts.insert(ctx, ImportArgs{JobID: jobID}, r.importOpts())
	return err
}

// Start starts this process's workers: they take jobs from the queue and
// run them with im (an Importer over the same store, whose Options name
// this worker and set its heartbeat), and look for jobs whose worker died.
// It returns at once; Stop stops them.
func (r *Runner) Start(ctx context.Context, im *importer.Importer) error {
	if im == nil {
		return errors.New("river: Start needs the importer its workers run jobs with")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.work != nil {
		return errors.New("river: the workers are started already")
	}
	work, err := r.drv.newQueue(r.riverConfig(im, true))
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	r.im, r.drain, r.stopped = im, make(chan struct{}), make(chan struct{})
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := work.start(runCtx); err != nil {
		cancel()
		return fmt.Errorf("river: starting the workers: %w", err)
	}
	r.work, r.cancel = work, cancel
	go func() {
		defer close(r.stopped)
		r.rescue(runCtx, work)
	}()
	r.log.InfoContext(ctx, "crmio workers started", "queue", r.cfg.Queue, "concurrency", r.cfg.Concurrency, "database", r.drv.name())
	return nil
}

// Stop stops the workers gracefully: each running import stops after the
// batch in hand and hands its job back to the queue (queued, from its
// checkpoint: another worker, or this one restarted, resumes it), and
// Stop returns once they have. When ctx ends first, Stop returns its
// error; the imports still stop after their batch.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	work, drain, cancel, stopped := r.work, r.drain, r.cancel, r.stopped
	r.work = nil
	r.mu.Unlock()
	if work == nil {
		return nil
	}
	close(drain)
	err := work.stop(ctx)
	cancel()
	<-stopped
	r.log.Info("crmio workers stopped", "queue", r.cfg.Queue)
	return err
}

// draining returns the channel Stop closes, nil when not started.
func (r *Runner) draining() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.drain
}

func (r *Runner) importer() *importer.Importer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.im
}

// emit tells Config.Events of an event.
func (r *Runner) emit(e Event) {
	if r.cfg.Events == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	r.cfg.Events(e)
}

// openFile returns the job's file: the upload it names, else the path it
// recorded (a file every worker sees, on a shared disk).
func (r *Runner) openFile(ctx context.Context, job storage.Job) (importer.Source, io.Closer, error) {
	if job.Source.Upload != "" {
		_, rc, err := r.uploads.OpenUpload(ctx, job.Source.Upload)
		if err != nil {
			return importer.Source{}, nil, fmt.Errorf("the job's file (upload %s): %w", job.Source.Upload, err)
		}
		return importer.Source{Reader: rc, Name: job.File}, rc, nil
	}
	if job.Source.Path == "" {
		return importer.Source{}, nil, fmt.Errorf("%w: the job names no file", crmio.ErrNotFound)
	}
	return importer.Source{Path: job.Source.Path, Name: job.File}, io.NopCloser(nil), nil
}

// riverLogger is the logger River's own client logs to: log, from Warn,
// so that River's periodic Info lines (its producer's counts) stay out of
// the workers' logs.
func riverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(minLevel{log.Handler(), slog.LevelWarn})
}

type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
