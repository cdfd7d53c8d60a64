package importer

import (
	"encoding/csv"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// Summary is what an import did. Every row read is counted once: created,
// updated, skipped or failed. Errors, Warnings and FailedRows keep at most
// Options.MaxKeptRows entries each; the counts are always exact.
type Summary struct {
	JobID  string            `json:"job,omitempty"`
	Module string            `json:"module"`
	File   string            `json:"file"`
	Mode   Mode              `json:"mode"`
	DryRun bool              `json:"dry_run,omitempty"`
	Status storage.JobStatus `json:"status"`
	Error  string            `json:"error,omitempty"` // why the import stopped early

	Read              int `json:"read"`
	Created           int `json:"created"`
	Updated           int `json:"updated"`
	Skipped           int `json:"skipped"`
	Failed            int `json:"failed"`
	ReferencesCreated int `json:"references_created"`
	Estimated         int `json:"estimated,omitempty"`

	// Errors are the row errors of the failed rows, in row order.
	Errors []crmio.RowError `json:"errors"`
	// Warnings did not keep a row out: unresolved references, invalid
	// phone numbers, a date order guessed for an ambiguous column.
	Warnings []crmio.Warning `json:"warnings"`
	// Dropped counts errors and warnings beyond what is kept.
	Dropped int `json:"dropped,omitempty"`

	Duration time.Duration   `json:"duration"`
	Header   []string        `json:"header"`
	Mapping  mapping.Mapping `json:"mapping"`
	// FailedRows are the failed rows as read, to fix and import again (see
	// WriteFailedRows).
	FailedRows []FailedRow `json:"-"`

	maxKept   int
	failedOut io.Writer
	failedCSV *csv.Writer
}

// FailedRow is a row that failed, as it was read, with why.
type FailedRow struct {
	Row    int
	Fields []string
	Errors []crmio.RowError
}

// fail counts a failed row and keeps it (within bounds).
func (s *Summary) fail(p pending, errs []crmio.RowError) {
	s.Failed++
	for _, e := range errs {
		if len(s.Errors) < s.maxKept {
			s.Errors = append(s.Errors, e)
		} else {
			s.Dropped++
		}
	}
	fr := FailedRow{Row: p.row, Fields: p.fields, Errors: errs}
	if len(s.FailedRows) < s.maxKept {
		s.FailedRows = append(s.FailedRows, fr)
	}
	if s.failedOut != nil {
		if s.failedCSV == nil {
			s.failedCSV = csv.NewWriter(s.failedOut)
			_ = s.failedCSV.Write(failedHeader(s.Header))
		}
		_ = s.failedCSV.Write(failedRecord(s.Header, fr))
		s.failedCSV.Flush()
	}
}

func (s *Summary) warn(ws ...crmio.Warning) {
	for _, w := range ws {
		if len(s.Warnings) < s.maxKept {
			s.Warnings = append(s.Warnings, w)
		} else {
			s.Dropped++
		}
	}
}

// WriteFailedRows writes the failed rows the summary kept as CSV: the file's
// own columns plus an Error column saying what to fix, ready to be corrected
// and imported again. (Plan.FailedRows receives every failed row, beyond
// what a summary keeps.)
func (s *Summary) WriteFailedRows(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(failedHeader(s.Header)); err != nil {
		return err
	}
	for _, fr := range s.FailedRows {
		if err := cw.Write(failedRecord(s.Header, fr)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func failedHeader(header []string) []string {
	return append(append([]string(nil), header...), "Error")
}

func failedRecord(header []string, fr FailedRow) []string {
	rec := make([]string, len(header)+1)
	copy(rec, fr.Fields)
	msgs := make([]string, len(fr.Errors))
	for i, e := range fr.Errors {
		e.Row = 0 // the row is the line itself
		msgs[i] = e.Error()
	}
	rec[len(header)] = strings.Join(msgs, "; ")
	return rec
}

// detail is what the history keeps of a job beyond its counts.
func (s *Summary) detail() map[string]any {
	const keep = 100
	return map[string]any{
		"mapping":  s.Mapping,
		"errors":   s.Errors[:min(keep, len(s.Errors))],
		"warnings": s.Warnings[:min(keep, len(s.Warnings))],
		"duration": s.Duration.String(),
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
