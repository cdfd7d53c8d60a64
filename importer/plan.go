package importer

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
)

// Mode is how an import runs, chosen from the estimated row count unless a
// Plan forces one.
type Mode int

// The modes.
const (
	// Auto picks Instant, Streaming or Background from the row estimate.
	Auto Mode = iota
	// Instant runs and returns; for small files (up to 5,000 rows by default).
	Instant
	// Streaming runs and returns, reporting progress as it goes (up to
	// 50,000 rows by default).
	Streaming
	// Background returns a Job at once; its status can be polled, also by
	// another process through the store's history, and it can be cancelled.
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
	// Reader is the file's content when it is not on disk.
	Reader io.Reader
	// Name is the file's name for history and messages; defaults to the
	// base name of Path.
	Name string
	// Format overrides what the reader detects (sheet, header row,
	// encoding, delimiter) and sets the size limit. Nil: detect, 100 MB.
	Format *formats.Options
}

// Plan says how to import one file. The zero Plan of a module imports with
// the suggested mapping, skips duplicates on the module's email or key
// field, and picks the mode from the file's size.
type Plan struct {
	// Module is the name of the module to import into (required).
	Module string
	// Mapping is the column → field mapping. Nil: the suggester's, keeping
	// suggestions of at least MinConfidence.
	Mapping *mapping.Mapping
	// MinConfidence is the lowest confidence an automatic mapping accepts;
	// zero means Medium.
	MinConfidence mapping.Confidence
	// MappingOptions set coercion: date order, decimal comma, phone region.
	MappingOptions *mapping.Options
	// Static sets fields the file lacks, for every row: {"status": "New"}.
	// The text is coerced like a cell. It adds to Mapping's static values.
	Static map[string]string

	// Duplicates is what to do with a row that duplicates a record.
	Duplicates dedupe.Strategy
	// Merge is how Update combines the row with the record.
	Merge dedupe.MergeMode
	// MatchFields are the fields duplicates are matched on; MatchAll
	// requires all of them to match instead of any. Empty: the module's
	// email field if mapped, else its key field if mapped.
	MatchFields []string
	MatchAll    bool
	// Matcher and Merger replace the field matcher and merger built from
	// the fields above.
	Matcher dedupe.Matcher
	Merger  dedupe.Merger
	// Ambiguous is what happens when a row matches several records.
	Ambiguous dedupe.Ambiguity

	// AutoCreateReferences creates the missing target of a reference (an
	// account named in a people import) once per distinct value. Rollback
	// deletes what it created.
	AutoCreateReferences bool
	// Resolver replaces the default reference resolver.
	Resolver ReferenceResolver

	// DryRun runs the whole pipeline and writes nothing: the summary says
	// what would happen.
	DryRun bool
	// BatchSize is the number of rows per batch (default 1,000): one store
	// call per operation per batch, each batch atomic where the store has
	// transactions.
	BatchSize int
	// MaxErrors stops the import once more rows than this have failed;
	// zero means no threshold.
	MaxErrors int

	// Mode forces a mode; Auto picks one from the estimate.
	Mode Mode
	// StartedBy names who started the import, for the history.
	StartedBy string
	// Progress, when set, is called at a steady rate while the import runs
	// (at most once per ProgressInterval, and once at the end), from the
	// importer's goroutine: keep it quick.
	Progress         func(Progress)
	ProgressInterval time.Duration
	// FailedRows, when set, receives every failed row as CSV (the original
	// columns plus an Error column) as the import runs. The Summary keeps
	// only the first Options.MaxKeptRows of them.
	FailedRows io.Writer
}

// Progress is a running import's count.
type Progress struct {
	Read              int           `json:"read"`
	Created           int           `json:"created"`
	Updated           int           `json:"updated"`
	Skipped           int           `json:"skipped"`
	Failed            int           `json:"failed"`
	ReferencesCreated int           `json:"references_created"`
	Estimated         int           `json:"estimated"` // expected rows, 0 when unknown
	Elapsed           time.Duration `json:"elapsed"`
}

// Errors of the importer. Test them with errors.Is.
var (
	// ErrTooManyErrors: the import stopped at Plan.MaxErrors failed rows.
	ErrTooManyErrors = errors.New("importer: too many failed rows")
	// ErrCancelled: the import was cancelled; it wraps context.Canceled too.
	ErrCancelled = errors.New("importer: import cancelled")
	// ErrJobRunning: the job is still running (rollback refuses).
	ErrJobRunning = errors.New("importer: job is still running")
	// ErrNoMapping: no column maps to any field.
	ErrNoMapping = errors.New("importer: no column is mapped to a field")
)
