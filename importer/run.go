package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// run is one import, or one resume of a job, from plan to summary.
type run struct {
	im     *Importer
	plan   Plan // with its defaults, and the mapping it runs with
	hooks  Hooks
	module *crmio.Module
	file   *sourceFile
	format *formats.Options
	reader formats.Reader
	header []string
	// ahead are the rows read before the first batch (to settle the
	// mapping and the mode), replayed first, a row the reader could not
	// parse with its error; aheadEnd says whether they reached the end of
	// the file, and aheadErr is the read error that ended them early,
	// delivered after them.
	ahead    []aheadRow
	aheadEnd bool
	aheadErr error
	sampled  int // how many of ahead settled the mapping (Options.SampleRows)

	mapping mapping.Mapping
	mapper  *mapping.Mapper
	mapped  []string // fields the mapping sets, for Overwrite
	refs    refs
	matcher dedupe.Matcher
	// keyed is the matcher when the mapping workers compute its keys
	// ahead: it implements dedupe.KeyedMatcher and matches on no
	// reference field (whose keys change once the writer resolves it).
	keyed    dedupe.KeyedMatcher
	merger   dedupe.Merger
	resolver ReferenceResolver
	// scopes gives the scope of each module the import touches (nil: no
	// scope); defaults are the scope's = values for records it creates.
	scopes   storage.ScopeFunc
	defaults map[string]crmio.Value
	store    storage.Store // the real store, or the dry-run overlay
	history  storage.History
	mode     Mode
	estimate int

	// resume is the job this run resumes, nil for a new one; skip the
	// rows its checkpoint says are done.
	resume *storage.Job
	skip   int

	begun  bool
	jobID  string
	runner *storage.Runner
	// job is the job as this run last committed it.
	job    storage.Job
	handle *Handle // of Start; nil for Run and Resume

	started time.Time
	// spare holds the Values maps of batches already written, for the
	// mapping workers to map new rows into: a record's map is most of what
	// a row allocates, and a store copies what it keeps.
	spare chan []map[string]crmio.Value

	sum          *Summary
	lastRow      int // the source row number of the last row committed
	batches      int // the batches committed by this run
	lastProgress time.Time
	// wrote is when this run last wrote its job: the keeper writes a
	// heartbeat only when batches have not for a while.
	wroteMu sync.Mutex
	wrote   time.Time
}

// aheadRow is a row read ahead: the row, or the *formats.ParseError of
// one the reader could not parse.
type aheadRow struct {
	row formats.Row
	err error
}

// aheadFields returns the fields of the rows read ahead (up to n), for the
// suggester and the mapping's sample, leaving out those that failed.
func aheadFields(ahead []aheadRow, n int) [][]string {
	var out [][]string
	for _, a := range ahead[:min(n, len(ahead))] {
		if a.err == nil {
			out = append(out, a.row.Fields)
		}
	}
	return out
}

// jobPlan is what a job keeps of its plan, as JSON in storage.Job.Plan:
// everything a resume, or a worker of another process, needs to run it
// exactly as it began.
type jobPlan struct {
	Plan   Plan             `json:"plan"`
	Format *formats.Options `json:"format,omitempty"`
	// SampleRows is the number of rows that settled the mapping (the date
	// order of each column): a resume settles it from as many.
	SampleRows int `json:"sample_rows"`
}

func decodeJobPlan(b json.RawMessage) (jobPlan, error) {
	var p jobPlan
	if len(b) == 0 {
		return p, errors.New("the history keeps no plan for it (a job of an older crmio)")
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("its plan cannot be read: %w", err)
	}
	return p, nil
}

// prepare opens the file, reads ahead, settles the mapping and the mode:
// everything that can fail before an import writes anything. resume is
// the job to resume, whose file the source must be.
func (im *Importer) prepare(ctx context.Context, src Source, plan Plan, hooks *Hooks, resume *storage.Job) (r *run, err error) {
	m, err := im.module(plan.Module)
	if err != nil {
		return nil, err
	}
	r = &run{im: im, plan: plan, module: m, store: im.store, resume: resume, format: src.Format}
	if hooks != nil {
		r.hooks = *hooks
	}
	if r.plan.BatchSize <= 0 {
		r.plan.BatchSize = 1000
	}
	switch {
	case plan.Limit < 0:
		return nil, fmt.Errorf("importer: negative Limit %d", plan.Limit)
	case plan.Limit > 0 && !plan.DryRun:
		return nil, errors.New("importer: Limit needs DryRun: an import that stops before the end of its file is not complete")
	case plan.MaxErrors < 0:
		return nil, fmt.Errorf("importer: negative MaxErrors %d", plan.MaxErrors)
	}
	if err := plan.Scope.Check(m); err != nil {
		return nil, err
	}
	if h, ok := im.store.(storage.History); ok && !plan.DryRun {
		r.history = h
	}
	if r.file, err = openSource(src, r.history != nil); err != nil {
		return nil, err
	}
	opened := r
	defer func() {
		if err != nil {
			opened.close()
		}
	}()
	if resume != nil {
		if err := r.file.check(resume.Source); err != nil {
			return nil, err
		}
	}
	if r.reader, err = r.file.open(src.Format); err != nil {
		return nil, err
	}
	r.sampled = im.opts.SampleRows
	if resume != nil {
		var stored jobPlan
		if stored, err = decodeJobPlan(resume.Plan); err != nil {
			return nil, err
		}
		r.sampled = stored.SampleRows
		r.skip = resume.Checkpoint.Rows
	}
	if err := r.readAhead(); err != nil {
		return nil, namedErr(r.file.name, err)
	}
	r.header = r.reader.Header()
	sample := aheadFields(r.ahead, r.sampled)

	if plan.Mapping != nil {
		r.mapping = *plan.Mapping
	} else {
		sugg, err := im.opts.Suggester.Suggest(ctx, mapping.Input{Header: r.header, Rows: sample, Module: m})
		if err != nil {
			return nil, fmt.Errorf("importer: suggesting a mapping: %w", err)
		}
		minConf := plan.MinConfidence
		if minConf == 0 {
			minConf = mapping.Medium
		}
		r.mapping = mapping.FromSuggestions(sugg, minConf)
	}
	r.mapping.Static = slices.Clone(r.mapping.Static)
	for _, field := range sortedKeys(plan.Static) {
		r.mapping.Static = append(r.mapping.Static, mapping.StaticValue{Field: field, Value: plan.Static[field]})
	}
	if len(r.mapping.Columns) == 0 && len(r.mapping.Static) == 0 {
		return nil, ErrNoMapping
	}
	if r.mapper, err = mapping.Compile(m, r.mapping, r.header, sample, plan.MappingOptions); err != nil {
		return nil, err
	}
	// The job keeps the mapping the import runs with, static values
	// included: a resume must not suggest again.
	kept := r.mapping
	r.plan.Mapping, r.plan.Static = &kept, nil

	seen := map[string]bool{}
	for _, c := range r.mapping.Columns {
		if c.Target.Field != "" && !seen[c.Target.Field] {
			seen[c.Target.Field] = true
			r.mapped = append(r.mapped, c.Target.Field)
		}
	}
	for _, s := range r.mapping.Static {
		if !seen[s.Field] {
			seen[s.Field] = true
			r.mapped = append(r.mapped, s.Field)
		}
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		if f.Type == crmio.TypeReference && seen[f.Name] {
			if im.schema.Module(f.Ref) == nil {
				return nil, fmt.Errorf("%w: %q (target of %s.%s)", crmio.ErrUnknownModule, f.Ref, m.Name, f.Name)
			}
			r.refs.add(f)
		}
	}
	r.setUpScope()
	if err := r.setUpMatching(seen); err != nil {
		return nil, err
	}
	if k, ok := r.matcher.(dedupe.KeyedMatcher); ok && r.plan.Duplicates != dedupe.Create {
		fm, isField := k.(dedupe.FieldMatcher)
		if len(r.refs.fields) == 0 || isField && !slices.ContainsFunc(fm.Fields, r.refs.isRef) {
			r.keyed = k
		}
	}
	r.resolver = r.hooks.Resolver
	if r.resolver == nil {
		r.resolver = KeyResolver{}
	}
	if plan.DryRun {
		r.store = newOverlay(im.store)
	}

	r.estimate = r.estimateRows()
	r.mode = plan.Mode
	if resume != nil && resume.Mode != "" {
		_ = r.mode.UnmarshalText([]byte(resume.Mode))
	}
	if r.mode == Auto {
		switch {
		case r.estimate <= im.opts.InstantMax:
			r.mode = Instant
		case r.estimate <= im.opts.StreamingMax:
			r.mode = Streaming
		default:
			r.mode = Background
		}
	}
	return r, nil
}

// readAhead reads the rows the mapping is settled from, and, when the mode
// is to be picked, on until it is known whether the file holds more rows
// than Instant takes: a workbook's declared dimension is often missing or
// wrong, and reading ahead a few thousand rows is cheap. A row the reader
// cannot parse is kept with its error; another read error among the
// sample stops the import before it begins, one beyond it is delivered at
// its row.
func (r *run) readAhead() error {
	limit := r.sampled
	if r.plan.Mode == Auto && r.resume == nil {
		if est := r.reader.Info().EstimatedRows; est == 0 || est <= r.im.opts.InstantMax {
			limit = max(limit, r.im.opts.InstantMax+1)
		}
	}
	if r.plan.Limit > 0 {
		limit = min(limit, max(r.plan.Limit, r.sampled))
	}
	for len(r.ahead) < limit {
		row, err := r.reader.Read()
		if err == io.EOF {
			r.aheadEnd = true
			return nil
		}
		var pe *formats.ParseError
		if errors.As(err, &pe) && pe.Row > 0 {
			r.ahead = append(r.ahead, aheadRow{row: formats.Row{Number: pe.Row}, err: err})
			continue
		}
		if err != nil {
			if len(r.ahead) < r.sampled {
				return err
			}
			r.aheadErr = err
			return nil
		}
		row.Fields = slices.Clone(row.Fields)
		r.ahead = append(r.ahead, aheadRow{row: row})
	}
	return nil
}

// estimateRows returns the expected number of data rows: exact when the
// read-ahead reached the end, else the reader's own estimate (a
// workbook's dimension, bytes extrapolated for CSV), and never fewer than
// the rows read ahead.
func (r *run) estimateRows() int {
	if r.aheadEnd {
		return len(r.ahead)
	}
	return max(r.reader.Info().EstimatedRows, len(r.ahead))
}

// setUpScope settles which modules the plan's scope applies to: the
// imported one, and each reference target that has every field it names.
func (r *run) setUpScope() {
	sc := r.plan.Scope
	if sc == nil || len(sc.Where) == 0 {
		return
	}
	applies := map[string]bool{r.module.Name: true}
	for _, f := range r.refs.fields {
		if t := r.im.schema.Module(f.Ref); t != nil && sc.Check(t) == nil {
			applies[t.Name] = true
		}
	}
	r.scopes = func(module string) *storage.Scope {
		if applies[module] {
			return sc
		}
		return nil
	}
	r.defaults = sc.Defaults()
}

// setUpMatching builds the matcher and merger from the plan and hooks.
func (r *run) setUpMatching(mapped map[string]bool) error {
	r.merger = r.hooks.Merger
	if r.merger == nil {
		r.merger = dedupe.FieldMerger{Mode: r.plan.Merge}
	}
	r.matcher = r.hooks.Matcher
	if r.matcher != nil || r.plan.Duplicates == dedupe.Create {
		return nil
	}
	fields := r.plan.MatchFields
	for _, f := range fields {
		if r.module.Field(f) == nil {
			return fmt.Errorf("%w: match field %q of module %q", crmio.ErrUnknownField, f, r.module.Name)
		}
	}
	if len(fields) == 0 {
		for _, f := range r.module.Fields {
			if f.Type == crmio.TypeEmail && mapped[f.Name] {
				fields = []string{f.Name}
				break
			}
		}
		if len(fields) == 0 && r.module.Key != "" && mapped[r.module.Key] {
			fields = []string{r.module.Key}
		}
	}
	if len(fields) > 0 {
		r.matcher = dedupe.FieldMatcher{Fields: fields, All: r.plan.MatchAll}
	}
	return nil
}

// close releases the file (and its temporary copy).
func (r *run) close() {
	if r.reader != nil {
		r.reader.Close()
		r.reader = nil
	}
	if r.file != nil {
		r.file.close()
	}
}

// newJob is the history's record of the run, as it begins.
func (r *run) newJob(status storage.JobStatus, now time.Time) (storage.Job, error) {
	plan, err := json.Marshal(jobPlan{Plan: r.plan, Format: r.format, SampleRows: r.sampled})
	if err != nil {
		return storage.Job{}, fmt.Errorf("importer: recording the plan: %w", err)
	}
	return storage.Job{
		Module: r.module.Name, File: r.file.name, Status: status, Mode: r.mode.String(),
		StartedBy: r.plan.StartedBy, Created: now, Counts: storage.Counts{Estimated: r.estimate},
		Source: r.file.id, Plan: plan,
	}, nil
}

// begin records the job in the history (or, resuming, takes it over), and
// sets up the summary.
func (r *run) begin(ctx context.Context) error {
	if r.begun {
		return nil
	}
	r.begun = true
	now := r.im.opts.Now()
	r.started = now
	r.sum = &Summary{
		Module: r.module.Name, File: r.file.name, Mode: r.mode, DryRun: r.plan.DryRun,
		Header: slices.Clone(r.header), Mapping: r.mapping, maxKept: r.im.opts.MaxKeptRows,
		failedOut: r.hooks.FailedRows,
	}
	r.sum.Estimated = r.estimate
	if r.history == nil {
		for _, w := range r.mapper.Warnings() {
			r.sum.warn(w)
		}
		return nil
	}
	r.runner = newRunner(r.im.opts.Worker)
	if r.resume != nil {
		job, err := storage.UpdateJobFunc(ctx, r.history, r.resume.ID, func(j *storage.Job) error {
			switch {
			case j.Status == storage.JobRunning && !r.im.gone(*j):
				return fmt.Errorf("%w: job %s (%s)", ErrJobRunning, j.ID, runnerLabel(j.Runner))
			case j.Status != storage.JobRunning && !j.Status.Resumable():
				return fmt.Errorf("%w: job %s is %s", ErrNotResumable, j.ID, j.Status)
			case j.Checkpoint != r.resume.Checkpoint:
				return fmt.Errorf("%w: job %s went on meanwhile", ErrJobRunning, j.ID)
			}
			j.Status, j.Runner, j.CancelRequested, j.Error = storage.JobRunning, r.runner, false, ""
			j.Heartbeat, j.Finished = now, time.Time{}
			if j.Started.IsZero() {
				j.Started = now
			}
			return nil
		})
		if err != nil {
			return err
		}
		r.job, r.jobID, r.sum.JobID = job, job.ID, job.ID
		r.sum.Counts = job.Counts
		r.sum.Estimated = max(job.Counts.Estimated, r.estimate)
		r.sum.Resumed = job.Checkpoint.Rows
		r.sum.restore(job.Detail)
		r.noteWrite()
		if job.Checkpoint.Rows == 0 {
			for _, w := range r.mapper.Warnings() {
				r.sum.warn(w)
			}
		}
		return nil
	}
	for _, w := range r.mapper.Warnings() {
		r.sum.warn(w)
	}
	job, err := r.newJob(storage.JobRunning, now)
	if err != nil {
		return err
	}
	job.Started, job.Heartbeat, job.Runner = now, now, r.runner
	id, err := r.history.CreateJob(ctx, job)
	if err != nil {
		return fmt.Errorf("importer: recording the job: %w", err)
	}
	job.ID, job.Version = id, 1
	r.job, r.jobID, r.sum.JobID = job, id, id
	r.noteWrite()
	return nil
}

// submit hands the job to a Runner, queued.
func (r *run) submit(ctx context.Context, runner Runner) (*Handle, error) {
	defer r.close()
	r.reader.Close() // the runner's worker reads the file again
	r.reader = nil
	job, err := r.newJob(storage.JobQueued, r.im.opts.Now())
	if err != nil {
		return nil, err
	}
	id, err := runner.Submit(ctx, job, Source{Path: r.file.path, Name: r.file.name, Format: r.format})
	if err != nil {
		return nil, fmt.Errorf("importer: queueing the job: %w", err)
	}
	return &Handle{JobID: id, Mode: Background, im: r.im, done: make(chan struct{})}, nil
}

// pending is one mapped row on its way to the store.
type pending struct {
	row    int
	fields []string // the row as read, for the failed-rows CSV
	rec    crmio.Record
	errs   []crmio.RowError
	warns  []crmio.Warning
	// openRefs are the references the mapping worker could not set from
	// the cache: the writer resolves them (bit k for refs.fields[k]).
	openRefs uint64
	// fp is the fingerprint of rec's fields but the open references, which
	// the writer adds once it has resolved them: hashing the rest in the
	// mapping workers keeps it off the serial write stage. Set only when
	// the run keeps a journal.
	fp crmio.FingerprintSum
	// keys are the row's match keys, computed by the mapping workers when
	// the run's matcher can take them ahead (keyed).
	keys dedupe.Keys
}

// rehash computes again what the mapping worker computed of the record,
// after a hook changed it.
func (p *pending) rehash(r *run) {
	if r.keyed != nil {
		p.keys = r.keyed.Keys(p.rec)
	}
	if r.jobID != "" {
		p.fp = crmio.FingerprintSum{}
		for name, v := range p.rec.Values {
			if k := r.refs.index(name); k < 0 || !isOpen(p.openRefs, k) {
				p.fp.Add(name, v)
			}
		}
	}
}

type batch struct {
	rows []pending
	err  error // a read error that ends the import after this batch
	// fatal is a failure met while mapping (a hook's error): the import
	// stops before writing the batch.
	fatal error
	// end says the file ends after this batch.
	end bool
}

// errCancelRequested ends a run whose job another process asked to stop.
var errCancelRequested = fmt.Errorf("%w on request: %w", ErrCancelled, context.Canceled)

// execute runs the import: the pipeline, then the job's end. It takes the
// job first if begin has not.
func (r *run) execute(ctx context.Context) (*Summary, error) {
	defer r.close()
	if err := r.begin(ctx); err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var kept sync.WaitGroup
	if r.history != nil {
		kept.Add(1)
		go func() {
			defer kept.Done()
			r.keep(ctx, stop)
		}()
	}
	err := r.pipeline(ctx)
	stop(nil)
	kept.Wait()
	return r.finish(ctx, err)
}

// keep refreshes the job's heartbeat while no batch does, and notices a
// cancel request or a takeover that comes meanwhile: the run then stops
// after the batch in hand.
func (r *run) keep(ctx context.Context, stop context.CancelCauseFunc) {
	every := r.im.opts.Heartbeat
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(r.lastWrite()) < every {
			continue
		}
		now := r.im.opts.Now()
		_, err := storage.UpdateJobFunc(ctx, r.history, r.jobID, func(j *storage.Job) error {
			if err := r.owns(*j); err != nil {
				return err
			}
			if j.CancelRequested {
				return errCancelRequested
			}
			j.Heartbeat = now
			return nil
		})
		switch {
		case err == nil:
			r.noteWrite()
		case errors.Is(err, ErrTakenOver), errors.Is(err, errCancelRequested):
			stop(err)
			return
		}
	}
}

func (r *run) noteWrite() {
	r.wroteMu.Lock()
	r.wrote = time.Now()
	r.wroteMu.Unlock()
}

func (r *run) lastWrite() time.Time {
	r.wroteMu.Lock()
	defer r.wroteMu.Unlock()
	return r.wrote
}

// owns reports whether job is still this run's: an error wrapping
// ErrTakenOver when another runner took it, or a reader ended it. (An
// Instant job this run completed in its transaction is still its own, to
// finish.)
func (r *run) owns(job storage.Job) error {
	ours := job.Runner != nil && job.Runner.ID == r.runner.ID
	if !ours || job.Status != storage.JobRunning && (job.Status != storage.JobCompleted || r.mode != Instant) {
		return fmt.Errorf("%w: job %s is %s (%s)", ErrTakenOver, job.ID, job.Status, runnerLabel(job.Runner))
	}
	return nil
}

// pipeline is the import's work: one goroutine reads rows into batches, a
// pool of workers maps them (mapping is the heaviest stage, and each row
// maps on its own), and this goroutine resolves, matches and writes the
// batches in file order, so that the stages overlap on every core. At most
// two batches per worker are in flight: memory is bounded by the batch
// size, not by the file.
func (r *run) pipeline(ctx context.Context) error {
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	workers := max(1, runtime.GOMAXPROCS(0))
	r.spare = make(chan []map[string]crmio.Value, 2*workers+2)
	jobs := make(chan mapJob, workers)
	futures := make(chan chan batch, workers)
	go r.read(readCtx, jobs, futures)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := r.newWorker()
			for j := range jobs {
				j.out <- w.mapRows(ctx, j)
			}
		}()
	}
	var err error
	tx, atomic := r.store.(storage.Transactor)
	if r.mode == Instant && atomic {
		// All or nothing: the whole file in one transaction, the job's
		// end with it.
		mark := r.sum.mark()
		r.sum.holdFailed = true // until the transaction commits
		err = tx.Atomic(ctx, func(tx storage.Store) error {
			if err := r.checkTx(tx); err != nil {
				return err
			}
			return r.writeAll(ctx, futures, tx)
		})
		if err != nil {
			r.sum.reset(mark)
		} else {
			r.sum.releaseFailed()
		}
	} else {
		err = r.writeAll(ctx, futures, nil)
	}
	if err != nil {
		stopReading()
	}
	for f := range futures {
		<-f // drain, so that the reader and workers end
	}
	wg.Wait()
	if err != nil && ctx.Err() != nil {
		return cancelled(ctx)
	}
	return err
}

// cancelled is the error of a run whose ctx ended.
func cancelled(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrCancelled) || errors.Is(cause, ErrTakenOver) || errors.Is(cause, ErrRequeued) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrCancelled, cause)
}

// checkTx refuses a transaction that cannot keep the journal in it.
func (r *run) checkTx(tx storage.Store) error {
	if _, ok := tx.(storage.History); !ok && r.history != nil {
		// Writing the journal outside the transaction would break
		// atomicity (and can deadlock a store that locks for it).
		return fmt.Errorf("%w: the store's transaction does not implement storage.History (see storage.Transactor)", crmio.ErrNotSupported)
	}
	return nil
}

// writeAll writes the batches in file order, each in a transaction of its
// own, or all in outer (Instant). Only a batch marked as the end of the
// file ends it well: a reader that stopped for any other reason (its
// context ended) never makes the import complete.
func (r *run) writeAll(ctx context.Context, futures <-chan chan batch, outer storage.Store) error {
	end := false
	for f := range futures {
		b := <-f
		if ctx.Err() != nil {
			return cancelled(ctx)
		}
		if b.fatal != nil {
			return b.fatal
		}
		if len(b.rows) > 0 {
			if err := r.process(ctx, b.rows, outer); err != nil {
				return err
			}
			r.lastRow, r.batches = b.rows[len(b.rows)-1].row, r.batches+1
			r.recycle(b.rows)
		}
		if b.err != nil {
			return b.err
		}
		if r.plan.MaxErrors > 0 && r.sum.Failed > r.plan.MaxErrors {
			return fmt.Errorf("%w: %d rows failed (the limit is %d)", ErrTooManyErrors, r.sum.Failed, r.plan.MaxErrors)
		}
		r.tick(false)
		end = end || b.end
	}
	if !end {
		if ctx.Err() != nil {
			return cancelled(ctx)
		}
		return errors.New("importer: the file's reading stopped before its end")
	}
	if outer != nil && r.history != nil {
		// The Instant job's end commits with its rows.
		job, err := r.saveJob(ctx, outer.(storage.History), func(j *storage.Job) {
			j.Status, j.Finished = storage.JobCompleted, r.im.opts.Now()
			j.Checkpoint = storage.Checkpoint{Rows: r.sum.Read, Row: r.lastRow, Batches: r.batches}
		})
		if err != nil {
			return err
		}
		r.job = job
	}
	return nil
}

// process runs one batch through resolve, match, merge and write, and
// commits it with the job's counts and checkpoint: in a transaction of its
// own, where the store has them, or in outer.
func (r *run) process(ctx context.Context, rows []pending, outer storage.Store) error {
	var res *batchResult
	var job storage.Job
	var mark summaryMark
	staged := false
	work := func(store storage.Store) error {
		var err error
		if res, err = r.writeBatch(ctx, store, rows); err != nil {
			return err
		}
		mark, staged = r.sum.mark(), true
		r.sum.stage(rows, res)
		if r.history == nil || outer != nil {
			return nil
		}
		h, _ := store.(storage.History)
		if h == nil {
			h = r.history
		}
		last := rows[len(rows)-1].row
		job, err = r.saveJob(ctx, h, func(j *storage.Job) {
			j.Checkpoint = storage.Checkpoint{Rows: r.sum.Read, Row: last, Batches: j.Checkpoint.Batches + 1}
		})
		return err
	}
	var err error
	switch tx, ok := r.store.(storage.Transactor); {
	case outer != nil:
		err = work(outer)
	case ok:
		err = tx.Atomic(ctx, func(tx storage.Store) error {
			if err := r.checkTx(tx); err != nil {
				return err
			}
			return work(tx)
		})
	default:
		err = work(r.store)
	}
	if err != nil {
		if staged {
			r.sum.reset(mark)
		}
		if ctx.Err() != nil {
			return cancelled(ctx)
		}
		if errors.Is(err, errCancelRequested) || errors.Is(err, ErrTakenOver) {
			return err
		}
		return fmt.Errorf("importer: writing rows %d to %d: %w", rows[0].row, rows[len(rows)-1].row, err)
	}
	r.refs.cache(res.resolved)
	r.sum.commit(rows, res)
	if r.history != nil && outer == nil {
		r.job = job
		r.noteWrite()
	}
	return nil
}

// saveJob writes the job with the summary's counts and problems, and what
// change sets, through h (the batch's transaction): the version check
// makes it fail when another process ended or took over the job
// meanwhile, and notices a cancel request.
func (r *run) saveJob(ctx context.Context, h storage.History, change func(*storage.Job)) (storage.Job, error) {
	job := r.job
	for {
		job.Counts = r.sum.Counts
		job.Heartbeat = r.im.opts.Now()
		job.Detail = r.sum.detail()
		change(&job)
		err := h.UpdateJob(ctx, job)
		if err == nil {
			job.Version++
			return job, nil
		}
		if !errors.Is(err, storage.ErrJobChanged) {
			return job, fmt.Errorf("recording the job's progress: %w", err)
		}
		// Written meanwhile: by our own heartbeat, or by another process.
		cur, err := h.Job(ctx, r.jobID)
		if err != nil {
			return job, err
		}
		if err := r.owns(cur); err != nil {
			return job, err
		}
		if cur.CancelRequested {
			return job, errCancelRequested
		}
		job.Version, job.Checkpoint = cur.Version, cur.Checkpoint
	}
}

// mapJob is a batch of rows as read, and where its mapped batch goes.
type mapJob struct {
	rows []formats.Row
	// bad holds, for a row the reader could not parse, its error (nil
	// for every other row; nil when no row of the batch is bad).
	bad []*formats.ParseError
	err error // a read error that ends the import after this batch
	end bool  // the file ends after this batch
	out chan batch
}

// maxBadInARow is how many rows in a row the reader may fail to parse
// before the import takes the file for unreadable and stops.
const maxBadInARow = 1000

// read reads rows into batches until the file ends, an error occurs or ctx
// is done. Each batch goes to a mapping worker (jobs) and its result slot,
// in file order, to the writer (futures). A resume first skips the rows
// its checkpoint says are done. Only the batch after which the file ends
// (even an empty one) is marked end.
func (r *run) read(ctx context.Context, jobs chan<- mapJob, futures chan<- chan batch) {
	defer close(futures)
	defer close(jobs)
	size := r.plan.BatchSize
	var bad []*formats.ParseError
	send := func(rows []formats.Row, err error, end bool) bool {
		out := make(chan batch, 1)
		job := mapJob{rows: rows, bad: bad, err: err, end: end, out: out}
		bad = nil
		select {
		case jobs <- job:
		case <-ctx.Done():
			return false
		}
		select {
		case futures <- out:
			return true
		case <-ctx.Done():
			return false
		}
	}
	ahead, aheadErr := r.ahead, r.aheadErr
	var slab []string
	next := func() (formats.Row, error) {
		if len(ahead) > 0 {
			a := ahead[0]
			ahead = ahead[1:]
			return a.row, a.err
		}
		if aheadErr != nil {
			err := aheadErr
			aheadErr = nil
			return formats.Row{}, err
		}
		if r.aheadEnd {
			return formats.Row{}, io.EOF
		}
		row, err := r.reader.Read()
		if err == nil {
			// The reader reuses its cells: a copy, cut from a slab of a
			// batch's worth (one allocation per batch, not per row).
			n := len(row.Fields)
			if cap(slab)-len(slab) < n {
				slab = make([]string, 0, max(n*size, n))
			}
			start := len(slab)
			slab = append(slab, row.Fields...)
			row.Fields = slab[start:len(slab):len(slab)]
		}
		return row, err
	}
	// A row the reader cannot parse is a failed row, and reading goes on
	// after it: the row counts as read, as every other.
	badInARow := 0
	parseErr := func(err error) *formats.ParseError {
		if err == nil || err == io.EOF {
			return nil // before errors.As, whose target escapes: an allocation a row
		}
		var pe *formats.ParseError
		if errors.As(err, &pe) && pe.Row > 0 && badInARow < maxBadInARow {
			badInARow++
			return pe
		}
		return nil
	}
	for skipped := 0; skipped < r.skip; skipped++ {
		if ctx.Err() != nil {
			return
		}
		_, err := next()
		if parseErr(err) != nil {
			continue
		}
		badInARow = 0
		if err == io.EOF {
			send(nil, fmt.Errorf("importer: %s ends after %d rows, before the job's checkpoint (%d rows)", r.file.name, skipped, r.skip), false)
			return
		}
		if err != nil {
			send(nil, fmt.Errorf("importer: reading %s: %w", r.file.name, err), false)
			return
		}
	}
	cur := make([]formats.Row, 0, size)
	read := 0
	for {
		if r.plan.Limit > 0 && read == r.plan.Limit {
			send(cur, nil, true)
			return
		}
		row, err := next()
		if pe := parseErr(err); pe != nil {
			if bad == nil {
				bad = make([]*formats.ParseError, len(cur), size)
			}
			row, err = formats.Row{Number: pe.Row}, nil
			bad = append(bad, pe)
		} else if err == nil {
			badInARow = 0
			if bad != nil {
				bad = append(bad, nil)
			}
		}
		if err == io.EOF {
			send(cur, nil, true)
			return
		}
		if err != nil {
			send(cur, fmt.Errorf("importer: reading %s: %w", r.file.name, err), false)
			return
		}
		read++
		cur = append(cur, row)
		if len(cur) == size {
			if !send(cur, nil, false) {
				return
			}
			cur = make([]formats.Row, 0, size)
		}
	}
}

// worker is one mapping worker's state.
type worker struct {
	r     *run
	arena crmio.Arena // the lists and addresses of the records it maps
	local localRefs
	cells []string // scratch for the column hook
}

func (r *run) newWorker() *worker { return &worker{r: r, local: r.refs.local()} }

// mapRows maps a batch of rows to records, into the maps of a batch
// already written where there is one, and runs the column and row hooks.
// A row the reader could not parse fails with the reader's reason.
func (w *worker) mapRows(ctx context.Context, j mapJob) batch {
	r, rows := w.r, j.rows
	var maps []map[string]crmio.Value
	select {
	case maps = <-r.spare:
	default:
	}
	out := make([]pending, len(rows))
	for i, row := range rows {
		if j.bad != nil && j.bad[i] != nil {
			pe := j.bad[i]
			e := crmio.RowError{Row: row.Number, Reason: "the row cannot be read: " + pe.Err.Error(), Err: formats.ErrCorrupt}
			if pe.Column > 0 && pe.Column <= len(r.header) {
				e.Column = r.header[pe.Column-1]
			}
			out[i] = pending{row: row.Number, errs: []crmio.RowError{e}}
			continue
		}
		var values map[string]crmio.Value
		if i < len(maps) {
			values = maps[i]
		}
		fields := row.Fields
		var cellErrs []crmio.RowError
		if r.hooks.Column != nil {
			fields, cellErrs = w.columnHook(row)
		}
		rec, errs, warns := r.mapper.ApplyIn(&w.arena, values, row.Number, fields)
		rec.Module = r.module.Name
		errs = append(cellErrs, errs...)
		out[i] = pending{row: row.Number, fields: row.Fields, rec: rec, errs: errs, warns: warns}
		if len(errs) > 0 {
			continue
		}
		p := &out[i]
		if r.hooks.Row != nil {
			hr := &Row{Number: row.Number, Fields: row.Fields, Header: r.header, Record: &p.rec}
			if err := r.hooks.Row(ctx, hr); err != nil {
				return batch{fatal: fmt.Errorf("importer: the row hook, at row %d: %w", row.Number, err)}
			}
			for _, e := range hr.errs {
				e.Column = r.columnOf(e.Field)
				p.errs = append(p.errs, e)
			}
			for _, wn := range hr.warns {
				wn.Column = r.columnOf(wn.Field)
				p.warns = append(p.warns, wn)
			}
			if len(p.errs) > 0 {
				continue
			}
		}
		p.openRefs = r.refs.setKnown(p.rec.Values, w.local)
		if r.keyed != nil {
			p.keys = r.keyed.Keys(p.rec)
		}
		if r.jobID != "" {
			// Everything but the references the writer is yet to resolve.
			for name, v := range p.rec.Values {
				if k := r.refs.index(name); k < 0 || !isOpen(p.openRefs, k) {
					p.fp.Add(name, v)
				}
			}
		}
	}
	return batch{rows: out, err: j.err, end: j.end}
}

// columnHook returns the row's cells after the column hook, and the
// errors it made. The row as read stays as it was (the failed-rows file
// shows it).
func (w *worker) columnHook(row formats.Row) ([]string, []crmio.RowError) {
	r := w.r
	w.cells = append(w.cells[:0], row.Fields...)
	var errs []crmio.RowError
	for _, c := range r.mapping.Columns {
		if c.Target.Field == "" || c.Column < 0 || c.Column >= len(w.cells) {
			continue
		}
		cell := &Cell{Row: row.Number, Index: c.Column, Field: c.Target.Field, Value: w.cells[c.Column]}
		if c.Column < len(r.header) {
			cell.Column = r.header[c.Column]
		}
		v, err := r.hooks.Column(cell)
		if err != nil {
			errs = append(errs, crmio.RowError{Row: row.Number, Column: cell.Column, Field: cell.Field, Value: cell.Value,
				Reason: err.Error(), Err: crmio.ErrRejected})
			continue
		}
		w.cells[c.Column] = v
	}
	return w.cells, errs
}

// fingerprint returns the fingerprint of p's record as the writer stores
// it: what the worker hashed, and the references resolved since.
func (r *run) fingerprint(p *pending, buf *fingerprints) string {
	fp := p.fp
	for k, f := range r.refs.fields {
		if !isOpen(p.openRefs, k) {
			continue // resolved, and hashed, by the worker
		}
		if v, ok := p.rec.Values[f.Name]; ok {
			fp.Add(f.Name, v)
		}
	}
	return buf.add(fp)
}

// fingerprints makes the fingerprint strings of a batch's journal in
// one block of bytes, rather than one allocation each. A block is never
// written again once its strings are made.
type fingerprints struct{ block []byte }

func (f *fingerprints) add(fp crmio.FingerprintSum) string {
	// Room for a fingerprint of a record of up to 10^10 fields; a longer
	// one would only make append move on to a new block, leaving the old
	// one, and the strings in it, untouched.
	const room = 24
	if cap(f.block)-len(f.block) < room {
		f.block = make([]byte, 0, 256*room)
	}
	start := len(f.block)
	f.block = fp.AppendTo(f.block)
	return unsafe.String(&f.block[start], len(f.block)-start)
}

// recycle offers the maps of a written batch to the mapping workers. The
// batch is done with: the store copied what it keeps (storetest checks
// that it does), and matchers and mergers keep no record.
func (r *run) recycle(rows []pending) {
	maps := make([]map[string]crmio.Value, 0, len(rows))
	for i := range rows {
		if m := rows[i].rec.Values; m != nil {
			maps = append(maps, m)
			rows[i].rec.Values = nil
		}
	}
	select {
	case r.spare <- maps:
	default:
	}
}

// tick reports progress when due (Streaming and Background), or at the end.
func (r *run) tick(final bool) {
	now := r.im.opts.Now()
	p := r.progress(now)
	if r.handle != nil {
		r.handle.progress.Store(&p)
	}
	if r.hooks.Progress == nil || !final && r.mode == Instant {
		return
	}
	every := r.hooks.ProgressInterval
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	if final || now.Sub(r.lastProgress) >= every {
		r.lastProgress = now
		r.hooks.Progress(p)
	}
}

func (r *run) progress(now time.Time) Progress {
	c := r.sum.Counts
	c.Estimated = max(c.Estimated, c.Read)
	return Progress{Counts: c, Mode: r.mode, Elapsed: now.Sub(r.started)}
}

// finish settles the job's status and the summary.
func (r *run) finish(ctx context.Context, err error) (*Summary, error) {
	now := r.im.opts.Now()
	r.sum.Duration = now.Sub(r.started)
	status := storage.JobCompleted
	switch {
	case err == nil:
	case errors.Is(err, ErrTakenOver):
		// Not ours to end: the runner that took it over will.
		r.sum.Status, r.sum.Error = storage.JobInterrupted, err.Error()
		r.sum.sortProblems()
		return r.sum, err
	case errors.Is(err, ErrRequeued) && r.history != nil && r.mode != Instant:
		// Back to the queue: no end, no error; a worker resumes it.
		status = storage.JobQueued
	case errors.Is(err, ErrCancelled), errors.Is(err, ErrRequeued), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status = storage.JobCancelled
		if !errors.Is(err, ErrCancelled) {
			err = fmt.Errorf("%w: %w", ErrCancelled, err)
		}
	default:
		status = storage.JobFailed
	}
	r.sum.Status = status
	if err != nil && status != storage.JobQueued {
		r.sum.Error = err.Error()
	}
	r.sum.sortProblems()
	r.tick(true)
	if r.history != nil {
		// The job's end must be written even when ctx was cancelled.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, jerr := storage.UpdateJobFunc(hctx, r.history, r.jobID, func(j *storage.Job) error {
			if err := r.owns(*j); err != nil {
				return err
			}
			if status == storage.JobQueued && j.CancelRequested {
				// Asked to stop while it went back to the queue: the
				// request wins, or it would be lost.
				status, err = storage.JobCancelled, errCancelRequested
				r.sum.Status, r.sum.Error = status, err.Error()
			}
			j.Status, j.Counts, j.Finished, j.Heartbeat = status, r.sum.Counts, now, now
			if status == storage.JobQueued {
				j.Finished = time.Time{}
			}
			j.Checkpoint = r.job.Checkpoint
			j.Error, j.Runner, j.CancelRequested = r.sum.Error, nil, false
			j.Detail = r.sum.detail()
			return nil
		})
		switch {
		case errors.Is(jerr, ErrTakenOver) && !errors.Is(err, errCancelRequested):
			// Stopped (a cancel of this attempt, a deadline) after
			// another runner took the job over: the job is not ours to
			// end, nor cancelled; say so, not why this attempt stopped.
			r.sum.Status, r.sum.Error = storage.JobInterrupted, jerr.Error()
			return r.sum, jerr
		case jerr != nil && err == nil:
			err = fmt.Errorf("importer: recording the job's end: %w", jerr)
		}
	}
	return r.sum, err
}
