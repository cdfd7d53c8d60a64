package importer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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
	// SampleRows is how many rows are read ahead to suggest a mapping, settle
	// each date column's order and estimate the row count (default 200).
	SampleRows int
	// MaxKeptRows bounds the row errors, warnings and failed rows a Summary
	// keeps (default 10,000); the counts stay exact.
	MaxKeptRows int
	// Heartbeat is how often a running job writes its counts to the history
	// (default 1s). A running job whose heartbeat is older than StaleAfter
	// (default 30s) is reported as interrupted: its process died.
	Heartbeat, StaleAfter time.Duration
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
		v.MaxKeptRows = 10000
	}
	if v.Heartbeat <= 0 {
		v.Heartbeat = time.Second
	}
	if v.StaleAfter <= 0 {
		v.StaleAfter = 30 * time.Second
	}
	if v.Now == nil {
		v.Now = time.Now
	}
	return v
}

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
// will happen and let them accept, change or clear each suggestion.
func (im *Importer) Preview(ctx context.Context, src Source, module string, rows int) (*Preview, error) {
	m, err := im.module(module)
	if err != nil {
		return nil, err
	}
	if rows <= 0 {
		rows = 20
	}
	r, err := open(src)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	header, sample, err := formats.Preview(r, max(rows, im.opts.SampleRows))
	if err != nil {
		return nil, err
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

func open(src Source) (formats.Reader, error) {
	switch {
	case src.Path != "":
		return formats.Open(src.Path, src.Format)
	case src.Reader != nil:
		return formats.NewReader(src.Reader, src.Name, src.Format)
	}
	return nil, errors.New("importer: the source has neither a path nor a reader")
}

func (src Source) name() string {
	if src.Name != "" {
		return src.Name
	}
	if src.Path != "" {
		return filepath.Base(src.Path)
	}
	return "upload"
}

// Job is a running or finished import.
type Job struct {
	// ID is the job's id in the store's history; empty for a dry run or a
	// store without history.
	ID string
	// Mode is the mode the import runs in.
	Mode Mode

	cancel   context.CancelFunc
	done     chan struct{}
	summary  *Summary
	err      error
	progress atomic.Pointer[Progress]
}

// Wait blocks until the import ends and returns its summary. The summary is
// returned with the error too when the import stopped early (cancelled,
// failed, too many errors): it says what was done before.
func (j *Job) Wait() (*Summary, error) {
	<-j.done
	return j.summary, j.err
}

// Done is closed when the import ends.
func (j *Job) Done() <-chan struct{} { return j.done }

// Cancel stops the import between batches. What was written stays, as
// whole batches; the job's status becomes cancelled.
func (j *Job) Cancel() { j.cancel() }

// Progress returns the latest counts.
func (j *Job) Progress() Progress {
	if p := j.progress.Load(); p != nil {
		return *p
	}
	return Progress{}
}

// Run imports src by plan and returns when it is done, whatever the mode.
func (im *Importer) Run(ctx context.Context, src Source, plan Plan) (*Summary, error) {
	job, err := im.Start(ctx, src, plan)
	if err != nil {
		return nil, err
	}
	return job.Wait()
}

// Start begins an import. Instant and Streaming imports run before Start
// returns (the Job is done); a Background import returns at once and runs
// on, detached from ctx's cancellation (use Job.Cancel, or Cancel from
// another process), its status kept in the store's history.
//
// Errors of the plan (an unknown module or field, a file that cannot be
// read, a mapping that maps nothing) are returned by Start; problems of
// rows are in the summary.
func (im *Importer) Start(ctx context.Context, src Source, plan Plan) (*Job, error) {
	r, err := im.prepare(ctx, src, plan)
	if err != nil {
		return nil, err
	}
	job := &Job{Mode: r.mode, done: make(chan struct{})}
	runCtx := ctx
	if r.mode == Background {
		runCtx = context.WithoutCancel(ctx)
	}
	runCtx, job.cancel = context.WithCancel(runCtx)
	r.job = job
	if err := r.begin(runCtx); err != nil {
		job.cancel()
		r.reader.Close()
		return nil, err
	}
	job.ID = r.jobID
	if r.mode == Background {
		go r.run(runCtx)
	} else {
		r.run(runCtx)
	}
	return job, nil
}
