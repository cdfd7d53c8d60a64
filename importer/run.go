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

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// run is one import from plan to summary.
type run struct {
	im      *Importer
	plan    Plan
	module  *crmio.Module
	src     Source
	reader  formats.Reader
	sample  []formats.Row // rows read ahead, replayed first
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
	store    storage.Store // the real store, or the dry-run overlay
	history  storage.History
	mode     Mode
	job      *Job
	jobID    string
	started  time.Time

	// spare holds the Values maps of batches already written, for the
	// mapping workers to map new rows into: a record's map is most of what
	// a row allocates, and a store copies what it keeps.
	spare chan []map[string]crmio.Value

	sum          *Summary
	lastProgress time.Time
	lastBeat     time.Time
}

// prepare opens the file, reads the sample, settles the mapping and the
// mode: everything that can fail before an import begins.
func (im *Importer) prepare(ctx context.Context, src Source, plan Plan) (r *run, err error) {
	m, err := im.module(plan.Module)
	if err != nil {
		return nil, err
	}
	r = &run{im: im, plan: plan, module: m, src: src, store: im.store}
	if r.plan.BatchSize <= 0 {
		r.plan.BatchSize = 1000
	}
	reader, err := open(src)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			reader.Close()
		}
	}()
	r.reader = reader
	for len(r.sample) < im.opts.SampleRows {
		row, err := reader.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		row.Fields = slices.Clone(row.Fields)
		r.sample = append(r.sample, row)
	}
	header := reader.Header()
	sampleFields := fieldsOf(r.sample)

	if plan.Mapping != nil {
		r.mapping = *plan.Mapping
	} else {
		sugg, err := im.opts.Suggester.Suggest(ctx, mapping.Input{Header: header, Rows: sampleFields, Module: m})
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
	r.mapper, err = mapping.Compile(m, r.mapping, header, sampleFields, plan.MappingOptions)
	if err != nil {
		return nil, err
	}
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

	if err := r.setUpMatching(seen); err != nil {
		return nil, err
	}
	if k, ok := r.matcher.(dedupe.KeyedMatcher); ok && r.plan.Duplicates != dedupe.Create {
		fm, isField := k.(dedupe.FieldMatcher)
		if len(r.refs.fields) == 0 || isField && !slices.ContainsFunc(fm.Fields, r.refs.isRef) {
			r.keyed = k
		}
	}
	r.resolver = plan.Resolver
	if r.resolver == nil {
		r.resolver = KeyResolver{}
	}
	if h, ok := im.store.(storage.History); ok && !plan.DryRun {
		r.history = h
	}
	if plan.DryRun {
		r.store = newOverlay(im.store)
	}

	r.mode = plan.Mode
	if r.mode == Auto {
		est := r.estimate()
		switch {
		case est <= im.opts.InstantMax:
			r.mode = Instant
		case est <= im.opts.StreamingMax:
			r.mode = Streaming
		default:
			r.mode = Background
		}
	}
	return r, nil
}

// setUpMatching builds the matcher and merger from the plan.
func (r *run) setUpMatching(mapped map[string]bool) error {
	r.merger = r.plan.Merger
	if r.merger == nil {
		r.merger = dedupe.FieldMerger{Mode: r.plan.Merge}
	}
	r.matcher = r.plan.Matcher
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

// estimate returns the expected number of data rows without reading the
// file twice: exact when the sample reached the end, else the reader's own
// estimate (a workbook's dimension, or bytes extrapolated for CSV).
func (r *run) estimate() int {
	info := r.reader.Info()
	if len(r.sample) < r.im.opts.SampleRows {
		return len(r.sample)
	}
	return max(info.EstimatedRows, len(r.sample))
}

// begin records the job in the history.
func (r *run) begin(ctx context.Context) error {
	now := r.im.opts.Now()
	r.started = now
	r.sum = &Summary{
		Module: r.module.Name, File: r.src.name(), Mode: r.mode, DryRun: r.plan.DryRun,
		Header: slices.Clone(r.reader.Header()), Mapping: r.mapping, maxKept: r.im.opts.MaxKeptRows,
		Estimated: r.estimate(), failedOut: r.plan.FailedRows,
	}
	r.sum.Warnings = append(r.sum.Warnings, r.mapper.Warnings()...)
	if r.history == nil {
		return nil
	}
	id, err := r.history.CreateJob(ctx, storage.Job{
		Module: r.module.Name, File: r.sum.File, Status: storage.JobRunning, Mode: r.mode.String(),
		StartedBy: r.plan.StartedBy, Created: now, Started: now, Heartbeat: now,
		Counts: storage.Counts{Estimated: r.sum.Estimated},
	})
	if err != nil {
		return fmt.Errorf("importer: recording the job: %w", err)
	}
	r.jobID, r.sum.JobID = id, id
	return nil
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

type batch struct {
	rows []pending
	err  error // a read error that ends the import after this batch
}

// run is the pipeline: one goroutine reads rows into batches, a pool of
// workers maps them (mapping is the heaviest stage, and each row maps on
// its own), and this goroutine resolves, matches and writes the batches in
// file order, so that the stages overlap on every core. At most two batches
// per worker are in flight: memory is bounded by the batch size, not by the
// file.
func (r *run) run(ctx context.Context) {
	defer close(r.job.done)
	defer r.reader.Close()
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
			local := r.refs.local()
			for j := range jobs {
				j.out <- r.mapRows(j.rows, j.err, local)
			}
		}()
	}

	var err error
	for f := range futures {
		b := <-f
		if err != nil {
			continue // drain, so that the reader and workers end
		}
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		} else if len(b.rows) > 0 {
			err = r.process(ctx, b.rows)
			r.recycle(b.rows)
		}
		if err == nil && b.err != nil {
			err = b.err
		}
		if err == nil && r.plan.MaxErrors > 0 && r.sum.Failed > r.plan.MaxErrors {
			err = fmt.Errorf("%w: %d rows failed (the limit is %d)", ErrTooManyErrors, r.sum.Failed, r.plan.MaxErrors)
		}
		if err == nil {
			err = r.tick(ctx, false)
		}
		if err != nil {
			stopReading()
		}
	}
	wg.Wait()
	r.finish(ctx, err)
}

// mapJob is a batch of rows as read, and where its mapped batch goes.
type mapJob struct {
	rows []formats.Row
	err  error // a read error that ends the import after this batch
	out  chan batch
}

// read reads rows into batches until the file ends, an error occurs or ctx
// is done. Each batch goes to a mapping worker (jobs) and its result slot,
// in file order, to the writer (futures).
func (r *run) read(ctx context.Context, jobs chan<- mapJob, futures chan<- chan batch) {
	defer close(futures)
	defer close(jobs)
	size := r.plan.BatchSize
	send := func(rows []formats.Row, err error) bool {
		out := make(chan batch, 1)
		select {
		case jobs <- mapJob{rows: rows, err: err, out: out}:
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
	cur := make([]formats.Row, 0, size)
	sample := r.sample
	for {
		var row formats.Row
		var err error
		if len(sample) > 0 {
			row, sample = sample[0], sample[1:]
		} else {
			row, err = r.reader.Read()
			if err == nil {
				row.Fields = slices.Clone(row.Fields)
			}
		}
		if err != nil {
			if err == io.EOF {
				err = nil
			} else {
				err = fmt.Errorf("importer: reading %s: %w", r.src.name(), err)
			}
			send(cur, err)
			return
		}
		cur = append(cur, row)
		if len(cur) == size {
			if !send(cur, nil) {
				return
			}
			cur = make([]formats.Row, 0, size)
		}
	}
}

// mapRows maps a batch of rows to records, into the maps of a batch
// already written where there is one.
func (r *run) mapRows(rows []formats.Row, err error, local localRefs) batch {
	var maps []map[string]crmio.Value
	select {
	case maps = <-r.spare:
	default:
	}
	out := make([]pending, len(rows))
	for i, row := range rows {
		var values map[string]crmio.Value
		if i < len(maps) {
			values = maps[i]
		}
		rec, errs, warns := r.mapper.ApplyTo(values, row.Number, row.Fields)
		rec.Module = r.module.Name
		out[i] = pending{row: row.Number, fields: row.Fields, rec: rec, errs: errs, warns: warns}
		if len(errs) > 0 {
			continue
		}
		p := &out[i]
		p.openRefs = r.refs.setKnown(rec.Values, local)
		if r.keyed != nil {
			p.keys = r.keyed.Keys(rec)
		}
		if r.jobID != "" {
			// Everything but the references the writer is yet to resolve.
			for name, v := range rec.Values {
				if k := r.refs.index(name); k < 0 || !isOpen(p.openRefs, k) {
					p.fp.Add(name, v)
				}
			}
		}
	}
	return batch{rows: out, err: err}
}

// fingerprint returns the fingerprint of p's record as the writer stores
// it: what the worker hashed, and the references resolved since.
func (r *run) fingerprint(p *pending) string {
	fp := p.fp
	for k, f := range r.refs.fields {
		if !isOpen(p.openRefs, k) {
			continue // resolved, and hashed, by the worker
		}
		if v, ok := p.rec.Values[f.Name]; ok {
			fp.Add(f.Name, v)
		}
	}
	return fp.String()
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

// tick reports progress and refreshes the job's heartbeat when due. It
// also notices a cancellation requested from another process.
func (r *run) tick(ctx context.Context, final bool) error {
	now := r.im.opts.Now()
	p := r.progress(now)
	r.job.progress.Store(&p)
	if r.plan.Progress != nil && (final || now.Sub(r.lastProgress) >= r.plan.ProgressInterval) {
		r.lastProgress = now
		r.plan.Progress(p)
	}
	if r.history == nil || final || now.Sub(r.lastBeat) < r.im.opts.Heartbeat {
		return nil
	}
	r.lastBeat = now
	job, err := r.history.Job(ctx, r.jobID)
	if err != nil {
		return fmt.Errorf("importer: reading the job: %w", err)
	}
	if job.Status == JobCancelRequested {
		return fmt.Errorf("%w by request: %w", ErrCancelled, context.Canceled)
	}
	job.Counts, job.Heartbeat = r.counts(), now
	if err := r.history.UpdateJob(ctx, job); err != nil {
		return fmt.Errorf("importer: updating the job: %w", err)
	}
	return nil
}

func (r *run) progress(now time.Time) Progress {
	s := r.sum
	return Progress{Read: s.Read, Created: s.Created, Updated: s.Updated, Skipped: s.Skipped, Failed: s.Failed,
		ReferencesCreated: s.ReferencesCreated, Estimated: max(s.Estimated, s.Read), Elapsed: now.Sub(r.started)}
}

func (r *run) counts() storage.Counts {
	s := r.sum
	return storage.Counts{Read: s.Read, Created: s.Created, Updated: s.Updated, Skipped: s.Skipped, Failed: s.Failed,
		ReferencesCreated: s.ReferencesCreated, Estimated: max(s.Estimated, s.Read)}
}

// finish settles the job's status and the summary.
func (r *run) finish(ctx context.Context, err error) {
	now := r.im.opts.Now()
	r.sum.Duration = now.Sub(r.started)
	status := storage.JobCompleted
	switch {
	case err == nil:
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		status = storage.JobCancelled
		if !errors.Is(err, ErrCancelled) {
			err = fmt.Errorf("%w: %w", ErrCancelled, err)
		}
	default:
		status = storage.JobFailed
	}
	r.sum.Status = status
	if err != nil {
		r.sum.Error = err.Error()
	}
	_ = r.tick(ctx, true)
	if r.history != nil {
		// The job's record must be written even when ctx was cancelled.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		job, jerr := r.history.Job(hctx, r.jobID)
		if jerr == nil {
			job.Status, job.Counts, job.Finished, job.Heartbeat = status, r.counts(), now, now
			job.Error = r.sum.Error
			job.Detail, _ = json.Marshal(r.sum.detail())
			jerr = r.history.UpdateJob(hctx, job)
		}
		if jerr != nil && err == nil {
			err = fmt.Errorf("importer: recording the job's end: %w", jerr)
		}
	}
	r.job.summary, r.job.err = r.sum, err
}

// JobCancelRequested is the status Cancel writes to ask the process running
// a background job to stop; the job then ends as cancelled.
const JobCancelRequested storage.JobStatus = "cancel_requested"
