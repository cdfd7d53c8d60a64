package importer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// Options configure an Importer. A nil *Options means defaults.
type Options struct {
	// Suggester suggests mappings; nil: the built-in heuristic suggester.
	Suggester mapping.Suggester
	// InstantMax and StreamingMax are the row counts up to which Auto picks
	// Instant (default 5,000) and Streaming (default 50,000); beyond,
	// Background.
	InstantMax, StreamingMax int
	// SampleRows is how many rows are read ahead to suggest a mapping and
	// settle each date column's order (default 200).
	SampleRows int
	// MaxKeptRows bounds the row errors, warnings and failed rows a Summary
	// keeps (default 10,000); the counts stay exact.
	MaxKeptRows int
	// Runner runs the jobs Start begins in Background mode: a durable
	// queue whose workers may run in other processes. Nil: Start runs them
	// in a goroutine of this process.
	Runner Runner
	// Worker names this process in the jobs it runs (Runner.Worker), for
	// people reading the history: a pod, a host, "worker-3".
	Worker string
	// Heartbeat is how often a running job that has no batch to commit
	// refreshes its heartbeat and looks for a cancel request from another
	// process (default 1s); each committed batch does both anyway. A
	// running job whose heartbeat is older than StaleAfter (default 30s)
	// is taken as interrupted: the lease a process on another machine
	// holds. On the same machine, a job whose process is gone is
	// interrupted at once.
	Heartbeat, StaleAfter time.Duration
	// PollInterval is how often a Handle of a job running elsewhere reads
	// its progress from the history (default 500ms).
	PollInterval time.Duration
	// Now returns the time; nil means time.Now. Tests set it.
	Now func() time.Time
}

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.Suggester == nil {
		v.Suggester = builtinSuggester{}
	}
	if v.InstantMax <= 0 {
		v.InstantMax = 5000
	}
	if v.StreamingMax <= 0 {
		v.StreamingMax = 50000
	}
	if v.SampleRows <= 0 {
		v.SampleRows = 200
	}
	if v.MaxKeptRows <= 0 {
		v.MaxKeptRows = DefaultMaxKeptRows
	}
	if v.Heartbeat <= 0 {
		v.Heartbeat = time.Second
	}
	if v.StaleAfter <= 0 {
		v.StaleAfter = 30 * time.Second
	}
	if v.PollInterval <= 0 {
		v.PollInterval = 500 * time.Millisecond
	}
	if v.Now == nil {
		v.Now = time.Now
	}
	return v
}

// DefaultMaxKeptRows is the Options.MaxKeptRows of a nil Options.
const DefaultMaxKeptRows = 10000

// builtinSuggester adapts mapping.Suggest to the Suggester interface.
type builtinSuggester struct{}

func (builtinSuggester) Suggest(_ context.Context, in mapping.Input) ([]mapping.Suggestion, error) {
	return mapping.Suggest(in.Header, in.Rows, in.Module), nil
}

// Importer imports files into the modules of a schema, keeping them in a
// Store. It is safe for concurrent use: several imports may run at once.
type Importer struct {
	store  storage.Store
	schema *crmio.Schema
	opts   Options
}

// New returns an Importer over store for the modules of schema, which it
// validates.
func New(store storage.Store, schema *crmio.Schema, opts *Options) (*Importer, error) {
	if store == nil {
		return nil, errors.New("importer: nil store")
	}
	if schema == nil {
		return nil, errors.New("importer: nil schema")
	}
	if err := schema.Validate(); err != nil {
		return nil, err
	}
	return &Importer{store: store, schema: schema, opts: opts.withDefaults()}, nil
}

// Store returns the importer's store.
func (im *Importer) Store() storage.Store { return im.store }

// Schema returns the importer's schema.
func (im *Importer) Schema() *crmio.Schema { return im.schema }

func (im *Importer) module(name string) (*crmio.Module, error) {
	if m := im.schema.Module(name); m != nil {
		return m, nil
	}
	return nil, fmt.Errorf("%w: %q", crmio.ErrUnknownModule, name)
}

// Preview is what a user sees before importing: what was detected, the
// columns with their suggested fields, and the first rows.
type Preview struct {
	Info        formats.Info
	Header      []string
	Rows        []formats.Row
	Suggestions []mapping.Suggestion
	// Mapping is the mapping an import would use by default: the
	// suggestions of at least Medium confidence.
	Mapping mapping.Mapping
}

// Preview opens src, reads its header and first rows (at most rows; zero
// means 20) and suggests a mapping onto module. Use it to show the user what
// will happen and let them accept, change or clear each suggestion. (A dry
// run with Plan.Limit then shows what importing those rows would do.)
func (im *Importer) Preview(ctx context.Context, src Source, module string, rows int) (*Preview, error) {
	m, err := im.module(module)
	if err != nil {
		return nil, err
	}
	if rows <= 0 {
		rows = 20
	}
	r, err := openPreview(src)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	header, sample, err := formats.Preview(r, max(rows, im.opts.SampleRows))
	if err != nil {
		return nil, namedErr(src.name(), err)
	}
	sugg, err := im.opts.Suggester.Suggest(ctx, mapping.Input{Header: header, Rows: fieldsOf(sample), Module: m})
	if err != nil {
		return nil, fmt.Errorf("importer: suggesting a mapping: %w", err)
	}
	p := &Preview{Info: r.Info(), Header: header, Rows: sample[:min(rows, len(sample))], Suggestions: sugg,
		Mapping: mapping.FromSuggestions(sugg, mapping.Medium)}
	return p, nil
}

func fieldsOf(rows []formats.Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.Fields
	}
	return out
}

// Run imports src by plan in the caller's goroutine, whatever the mode,
// and returns its summary. It honours ctx: cancelled, or past its
// deadline, the import stops after the batch in hand (an Instant import
// keeps nothing), the job ends cancelled, and the error wraps ErrCancelled
// and ctx's error. The summary comes with the error too when the import
// stopped early: it says what was done before.
//
// Errors of the plan (an unknown module or field, a file that cannot be
// read, a mapping that maps nothing) are returned before anything is
// written; problems of rows are in the summary.
func (im *Importer) Run(ctx context.Context, src Source, plan Plan, hooks *Hooks) (*Summary, error) {
	r, err := im.prepare(ctx, src, plan, hooks, nil)
	if err != nil {
		return nil, err
	}
	return r.execute(ctx)
}

// Resume continues a job that stopped before the end of its file
// (interrupted, cancelled or failed), or runs a queued one, from its last
// committed batch, with the plan the job keeps, to exactly where a run
// without the interruption would have ended: the same records, the same
// counts, no row twice. src is the file; a zero Source reads it from the
// path the job recorded. Resume refuses, before writing anything, a file
// whose size or content hash is not the job's (ErrSourceChanged), a job
// that ended (ErrNotResumable) and one still running in a live process
// (ErrJobRunning). hooks are this run's: the job keeps none.
//
// It runs in the caller's goroutine and honours ctx as Run does; a durable
// Runner's workers call it to run the jobs they take.
func (im *Importer) Resume(ctx context.Context, jobID string, src Source, hooks *Hooks) (*Summary, error) {
	if _, err := im.history(); err != nil {
		return nil, err
	}
	job, err := im.Status(ctx, jobID)
	if err != nil {
		return nil, err
	}
	switch {
	case job.Status == storage.JobRunning:
		return nil, fmt.Errorf("%w: job %s (%s)", ErrJobRunning, jobID, runnerLabel(job.Runner))
	case !job.Status.Resumable():
		return nil, fmt.Errorf("%w: job %s is %s", ErrNotResumable, jobID, job.Status)
	}
	stored, err := decodeJobPlan(job.Plan)
	if err != nil {
		return nil, fmt.Errorf("importer: job %s: %w", jobID, err)
	}
	if src.Path == "" && src.Reader == nil {
		if job.Source.Path == "" {
			return nil, fmt.Errorf("importer: job %s read an upload (%s): give Resume its file", jobID, job.Source.Name)
		}
		src.Path = job.Source.Path
	}
	if src.Name == "" {
		src.Name = job.Source.Name
	}
	src.Format = stored.Format
	r, err := im.prepare(ctx, src, stored.Plan, hooks, &job)
	if err != nil {
		return nil, err
	}
	return r.execute(ctx)
}

// Start is the asynchronous form of Run: it prepares the import (errors of
// the plan are returned as Run returns them), and returns a Handle once
// the import is under way. In Background mode with Options.Runner set, the
// job is handed to the runner (recorded as queued; it may run in another
// process, with the hooks its worker is configured with); otherwise the
// import runs in a goroutine of this process, with hooks. The import
// honours ctx as Run does: to let it outlive a request, pass
// context.WithoutCancel(ctx) and stop it with Handle.Cancel.
func (im *Importer) Start(ctx context.Context, src Source, plan Plan, hooks *Hooks) (*Handle, error) {
	r, err := im.prepare(ctx, src, plan, hooks, nil)
	if err != nil {
		return nil, err
	}
	if r.mode == Background && im.opts.Runner != nil && r.history != nil {
		return r.submit(ctx, im.opts.Runner)
	}
	h := &Handle{im: im, Mode: r.mode, done: make(chan struct{})}
	runCtx, cancel := context.WithCancelCause(ctx)
	h.cancel = cancel
	r.handle = h
	if err := r.begin(runCtx); err != nil {
		cancel(nil)
		r.close()
		return nil, err
	}
	h.JobID = r.jobID
	go func() {
		defer cancel(nil)
		h.sum, h.err = r.execute(runCtx)
		close(h.done)
	}()
	return h, nil
}

// A Runner runs the jobs Start begins in Background mode, when
// Options.Runner is set: a durable queue (a River package builds one) whose
// workers, in this process or others, run each job by calling
// Importer.Resume with its id and hooks of their own configuration.
type Runner interface {
	// Submit records job in the store's history (History.CreateJob), with
	// the status queued, and arranges for it to run; it returns its id.
	// job holds the plan and identifies the file; src is the file (on
	// disk, valid until Submit returns): a runner whose workers run
	// elsewhere keeps a copy they can reach and records where in
	// job.Source.Upload before recording the job (in one transaction with
	// the enqueue, where it can).
	Submit(ctx context.Context, job storage.Job, src Source) (id string, err error)
}

// Handle is an import Start began: running in this process, or handed to
// a Runner.
type Handle struct {
	// JobID is the job's id in the history; empty for a dry run or a
	// store without history.
	JobID string
	// Mode is the mode the import runs in.
	Mode Mode

	im       *Importer
	cancel   context.CancelCauseFunc // nil when the job runs elsewhere
	done     chan struct{}
	sum      *Summary
	err      error
	progress atomic.Pointer[Progress]
	pollOnce sync.Once
}

// Wait blocks until the import ends, or ctx is done, and returns its
// summary. The summary comes with the error too when the import stopped
// early (cancelled, failed, too many errors): it says what was done
// before. For a job run by a Runner, the summary is the history's (see
// SummaryOf).
func (h *Handle) Wait(ctx context.Context) (*Summary, error) {
	select {
	case <-h.Done():
		return h.sum, h.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Done is closed when the import ends.
func (h *Handle) Done() <-chan struct{} {
	if h.cancel == nil {
		h.pollOnce.Do(func() { go h.poll() })
	}
	return h.done
}

// poll follows a job run elsewhere through the history until it ends.
func (h *Handle) poll() {
	defer close(h.done)
	ctx := context.Background()
	for {
		job, err := h.im.Status(ctx, h.JobID)
		if err != nil {
			h.err = err
			return
		}
		p := Progress{Counts: job.Counts, Mode: h.Mode}
		if !job.Started.IsZero() {
			p.Elapsed = h.im.opts.Now().Sub(job.Started)
		}
		h.progress.Store(&p)
		if job.Status.Done() {
			h.sum = SummaryOf(job)
			h.err = jobErr(job)
			return
		}
		time.Sleep(h.im.opts.PollInterval)
	}
}

// jobErr is the error a job that ended elsewhere ended with.
func jobErr(job storage.Job) error {
	switch job.Status {
	case storage.JobCancelled:
		return fmt.Errorf("%w: %s", ErrCancelled, job.Error)
	case storage.JobFailed, storage.JobInterrupted:
		return fmt.Errorf("importer: job %s %s: %s", job.ID, job.Status, job.Error)
	}
	return nil
}

// Cancel stops the import after the batch in hand. What was committed
// stays, as whole batches (an Instant import keeps nothing); the job's
// status becomes cancelled. A job run elsewhere is asked to stop through
// the history (Importer.Cancel).
func (h *Handle) Cancel() {
	if h.cancel != nil {
		h.cancel(fmt.Errorf("%w by its handle: %w", ErrCancelled, context.Canceled))
		return
	}
	if h.JobID != "" {
		_ = h.im.Cancel(context.Background(), h.JobID)
	}
}

// Progress returns the latest counts.
func (h *Handle) Progress() Progress {
	if h.cancel == nil {
		h.Done() // starts following the job
	}
	if p := h.progress.Load(); p != nil {
		return *p
	}
	return Progress{Mode: h.Mode}
}
