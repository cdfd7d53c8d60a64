package importer

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// Mode is how an import runs, chosen from the estimated row count unless a
// Plan forces one.
type Mode int

// The modes.
const (
	// Auto picks Instant, Streaming or Background from the row estimate.
	Auto Mode = iota
	// Instant imports the whole file in one transaction where the store is
	// a storage.Transactor: all of it, or nothing. For small files (up to
	// Options.InstantMax rows, 5,000 by default), which the importer reads
	// ahead whole to be sure. Progress is reported once, at the end.
	Instant
	// Streaming commits batch by batch, each with the job's counts and
	// checkpoint, and reports progress at a steady rate (Hooks.Progress,
	// every ProgressInterval). Up to Options.StreamingMax rows (50,000).
	Streaming
	// Background runs as Streaming does, under a job runner: Start hands
	// it to Options.Runner when one is set (a durable queue; another
	// process may run it), else runs it in a goroutine of this process.
	// Its status, progress and cancellation go through the history.
	Background
)

var modeNames = []string{"auto", "instant", "streaming", "background"}

func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Mode) UnmarshalText(b []byte) error {
	for i, n := range modeNames {
		if n == string(b) {
			*m = Mode(i)
			return nil
		}
	}
	return fmt.Errorf("importer: unknown mode %q", b)
}

// Source is the file to import: a path on disk or a stream (an upload).
type Source struct {
	// Path is a file on disk. Either Path or Reader is set.
	Path string
	// Reader is the file's content when it is not on disk. An import
	// copies it to a temporary file as it reads it first, so that the job
	// knows the file's size and content hash before its first batch (a
	// resume checks them).
	Reader io.Reader
	// Name is the file's name for history and messages; defaults to the
	// base name of Path.
	Name string
	// Format overrides what the reader detects (sheet, header row,
	// encoding, delimiter) and sets the size limit. Nil: detect, 100 MB.
	Format *formats.Options
}

// Plan is the policy of an import: everything about how to import a file
// that can be written down. A job keeps its Plan in the history, so that
// Resume, or a worker in another process, runs it exactly as it began; the
// code side (strategies, the CRM's rules, observers) is in Hooks, which
// each run is given afresh.
//
// The zero Plan of a module imports with the suggested mapping, skips
// duplicates on the module's email or key field, and picks the mode from
// the file's size.
type Plan struct {
	// Module is the name of the module to import into (required).
	Module string `json:"module"`
	// Mapping is the column → field mapping. Nil: the suggester's, keeping
	// suggestions of at least MinConfidence. The job keeps the mapping the
	// import ran with.
	Mapping *mapping.Mapping `json:"mapping,omitempty"`
	// MinConfidence is the lowest confidence an automatic mapping accepts;
	// zero means Medium.
	MinConfidence mapping.Confidence `json:"min_confidence,omitempty"`
	// MappingOptions set coercion: date order, decimal comma, phone region.
	MappingOptions *mapping.Options `json:"mapping_options,omitempty"`
	// Static sets fields the file lacks, for every row: {"status": "New"}.
	// The text is coerced like a cell. It adds to Mapping's static values.
	Static map[string]string `json:"static,omitempty"`

	// Duplicates is what to do with a row that duplicates a record.
	Duplicates dedupe.Strategy `json:"duplicates"`
	// Merge is how Update combines the row with the record.
	Merge dedupe.MergeMode `json:"merge"`
	// MatchFields are the fields duplicates are matched on; MatchAll
	// requires all of them to match instead of any. Empty: the module's
	// email field if mapped, else its key field if mapped.
	MatchFields []string `json:"match_fields,omitempty"`
	MatchAll    bool     `json:"match_all,omitempty"`
	// Ambiguous is what happens when a row matches several records.
	Ambiguous dedupe.Ambiguity `json:"ambiguous"`

	// AutoCreateReferences creates the missing target of a reference (an
	// account named in a people import) once per distinct value. Rollback
	// deletes what it created.
	AutoCreateReferences bool `json:"auto_create_references,omitempty"`

	// Scope is the visibility rule of whoever imports (storage.Scope): the
	// import matches, merges into, updates and resolves references to
	// records inside it only. A row whose duplicate lies outside is
	// treated as matching nothing, and never reveals or touches that
	// record. A record the import creates takes the scope's = values for
	// the fields it leaves empty, so that it stays visible; a row that
	// would create or leave a record outside fails (crmio.ErrOutOfScope).
	// The scope applies to the target module of a reference field too when
	// that module has every field the scope names. A scope naming a field
	// the module lacks is an error of the plan.
	Scope *storage.Scope `json:"scope,omitempty"`

	// DryRun runs the whole pipeline and writes nothing: the summary says
	// what would happen. Limit, with it, reads only the file's first Limit
	// rows: a preview of what the import would do.
	DryRun bool `json:"dry_run,omitempty"`
	Limit  int  `json:"limit,omitempty"`
	// BatchSize is the number of rows per batch (default 1,000): one store
	// call per operation per batch, each batch atomic where the store has
	// transactions.
	BatchSize int `json:"batch_size,omitempty"`
	// MaxErrors stops the import once more rows than this have failed;
	// zero means no threshold.
	MaxErrors int `json:"max_errors,omitempty"`

	// Mode forces a mode; Auto picks one from the estimate.
	Mode Mode `json:"mode"`
	// StartedBy names who started the import, for the history.
	StartedBy string `json:"started_by,omitempty"`
}

// Hooks are the code side of an import: strategies that replace the
// built-in ones, the CRM's own rules, and observers. Unlike the Plan, they
// are not kept with the job: Resume, or a worker of another process, is
// given its own. A nil *Hooks means none.
type Hooks struct {
	// Matcher and Merger replace the field matcher and merger the plan
	// describes.
	Matcher dedupe.Matcher
	Merger  dedupe.Merger
	// Resolver replaces the default reference resolver.
	Resolver ReferenceResolver

	// Column, Row and Batch are the CRM's own rules; see their types.
	Column ColumnHook
	Row    RowHook
	Batch  BatchHook

	// Progress, when set, is called while the import runs (Streaming and
	// Background: at most once per ProgressInterval, default 250ms; every
	// mode: once at the end), from the importer's goroutine: keep it quick.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// FailedRows, when set, receives every failed row as CSV (the original
	// columns plus an Error column) as the import runs. The Summary keeps
	// only the first Options.MaxKeptRows of them.
	FailedRows io.Writer
}

// Progress is a running import's count.
type Progress struct {
	storage.Counts
	Mode    Mode          `json:"mode"`
	Elapsed time.Duration `json:"elapsed"`
}

// Errors of the importer. Test them with errors.Is.
var (
	// ErrTooManyErrors: the import stopped at Plan.MaxErrors failed rows.
	ErrTooManyErrors = errors.New("importer: too many failed rows")
	// ErrCancelled: the import was cancelled; it wraps context.Canceled or
	// context.DeadlineExceeded too when a context ended it.
	ErrCancelled = errors.New("importer: import cancelled")
	// ErrJobRunning: the job is still running (rollback and resume refuse).
	ErrJobRunning = errors.New("importer: job is still running")
	// ErrNotResumable: the job ended in a state Resume cannot continue
	// (completed, rolled back) or was a dry run.
	ErrNotResumable = errors.New("importer: job cannot be resumed")
	// ErrSourceChanged: the file given to Resume is not the one the job
	// read (its size or content hash differs).
	ErrSourceChanged = errors.New("importer: not the file the job read")
	// ErrTakenOver: another runner took the job over (it was seen as
	// interrupted, and resumed elsewhere): this run stopped without
	// writing anything more.
	ErrTakenOver = errors.New("importer: the job was taken over by another runner")
	// ErrRequeued is the cause a durable Runner's worker cancels a run's
	// context with (context.WithCancelCause) to hand its job back to the
	// queue: the run stops after the batch in hand, as when cancelled, and
	// leaves the job queued, its checkpoint kept, for a worker to resume
	// (a worker that shuts down, a deploy), rather than cancelled. The
	// run's error wraps it.
	ErrRequeued = errors.New("importer: the job was handed back to its queue")
	// ErrNoMapping: no column is mapped to any field.
	ErrNoMapping = errors.New("importer: no column is mapped to a field")
)
