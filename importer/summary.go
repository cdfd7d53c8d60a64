package importer

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// Summary is what an import did. Every row read is counted once: created,
// updated, skipped or failed. Errors, Warnings and FailedRows keep at most
// Options.MaxKeptRows entries each; Problems groups every one of them,
// kept or not, by column and reason; the counts are always exact.
type Summary struct {
	JobID  string            `json:"job,omitempty"`
	Module string            `json:"module"`
	File   string            `json:"file"`
	Mode   Mode              `json:"mode"`
	DryRun bool              `json:"dry_run,omitempty"`
	Status storage.JobStatus `json:"status"`
	Error  string            `json:"error,omitempty"` // why the import stopped early

	storage.Counts
	// Resumed is the number of rows a resume found already done, at the
	// checkpoint it went on from (zero for an import run in one go). The
	// counts include them; Errors, Warnings and FailedRows list only what
	// this run met, Problems what the whole job met.
	Resumed int `json:"resumed,omitempty"`

	// Problems are the row errors and warnings grouped by column and
	// reason, most frequent first: what a person reads of a large file
	// ("Mobile Phone: 100,000 rows: … is not a valid US number").
	Problems []Problem `json:"problems"`
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
	groups    map[problemKey]int // index into Problems
	failedOut io.Writer
	failedCSV *csv.Writer
	// holdFailed keeps failed rows from failedOut until releaseFailed:
	// an Instant import's transaction has not committed yet.
	holdFailed bool
}

// Problem is one kind of problem met on many rows: the row errors or
// warnings of one column (or field) with one reason.
type Problem struct {
	// Severity is "error" (the rows failed) or "warning".
	Severity string `json:"severity"`
	Column   string `json:"column,omitempty"`
	Field    string `json:"field,omitempty"`
	// Reason is the reason with the row's own value left out ("…").
	Reason string `json:"reason"`
	Count  int    `json:"count"`
	// Rows are the first row numbers it was met on (at most 10), in order.
	Rows []int `json:"rows"`
	// Example is the value of the first row it was met on.
	Example string `json:"example,omitempty"`
}

// maxProblemRows is how many row numbers a Problem lists; maxProblems how
// many distinct problems a summary groups (the rest go into one "other").
const (
	maxProblemRows = 10
	maxProblems    = 200
)

// String describes the problem on one line, for a person: `column "Mobile
// Phone": 100,000 rows: "…" is not a valid US number (rows 2, 3, 4, …)`,
// or, met once, `column "Email": row 4: "alan@" is not an email address`.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Column != "":
		fmt.Fprintf(&b, "column %q: ", p.Column)
	case p.Field != "":
		fmt.Fprintf(&b, "field %q: ", p.Field)
	}
	if p.Count == 1 && len(p.Rows) == 1 {
		reason := p.Reason
		if p.Example != "" {
			reason = strings.ReplaceAll(reason, "…", p.Example)
		}
		fmt.Fprintf(&b, "row %d: %s", p.Rows[0], reason)
		return b.String()
	}
	b.WriteString(groupDigits(p.Count) + " rows: ")
	b.WriteString(p.Reason)
	if len(p.Rows) > 0 {
		b.WriteString(" (")
		if len(p.Rows) == 1 {
			b.WriteString("row ")
		} else {
			b.WriteString("rows ")
		}
		for i, r := range p.Rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Itoa(r))
		}
		if p.Count > len(p.Rows) {
			b.WriteString(", …")
		}
		b.WriteString(")")
	}
	return b.String()
}

// groupDigits writes n with thousands separators: 100,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

type problemKey struct {
	severity, column, field, reason string
}

// genericReason returns reason with value, the row's own text, left out,
// so that one problem met on many rows reads as one.
func genericReason(reason, value string) string {
	if value == "" || !strings.Contains(reason, value) {
		return reason
	}
	return strings.ReplaceAll(reason, value, "…")
}

// count adds one occurrence of a problem to its group.
func (s *Summary) count(severity string, row int, column, field, reason, value string) {
	if s.groups == nil {
		s.groups = map[problemKey]int{}
	}
	k := problemKey{severity, column, field, reason}
	i, ok := s.groups[k]
	if !ok {
		if len(s.Problems) >= maxProblems {
			k = problemKey{severity: severity, reason: "other problems"}
			i, ok = s.groups[k]
		}
		if !ok {
			i = len(s.Problems)
			s.groups[k] = i
			s.Problems = append(s.Problems, Problem{Severity: severity, Column: k.column, Field: k.field, Reason: k.reason, Example: value})
		}
	}
	p := &s.Problems[i]
	p.Count++
	if len(p.Rows) < maxProblemRows && row > 0 && (len(p.Rows) == 0 || p.Rows[len(p.Rows)-1] != row) {
		p.Rows = append(p.Rows, row)
	}
}

// sortProblems orders Problems most frequent first (errors before
// warnings on a tie), and keeps the index in step.
func (s *Summary) sortProblems() {
	sort.SliceStable(s.Problems, func(i, j int) bool {
		a, b := s.Problems[i], s.Problems[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Severity == "error" && b.Severity != "error"
	})
	s.reindex()
}

// FailedRow is a row that failed, as it was read, with why.
type FailedRow struct {
	Row    int
	Fields []string
	Errors []crmio.RowError
}

// stage adds a batch's result to the summary, before the batch commits
// (the job's record of the batch, in its transaction, holds the counts and
// problems as they are after it); reset undoes it if it does not.
func (s *Summary) stage(rows []pending, res *batchResult) {
	s.ReferencesCreated += res.refsCreated
	for i := range rows {
		s.Read++
		switch res.outcomes[i] {
		case outCreated:
			s.Created++
		case outUpdated:
			s.Updated++
		case outSkipped:
			s.Skipped++
		case outFailed:
			s.fail(&rows[i], res.errs[i])
		}
	}
	for _, n := range res.notes {
		s.addNote(n)
	}
}

// commit completes a committed batch: its failed rows go out.
func (s *Summary) commit(rows []pending, res *batchResult) {
	if s.failedOut == nil || s.holdFailed {
		return
	}
	for i := range rows {
		if res.outcomes[i] == outFailed {
			s.writeFailed(FailedRow{Row: rows[i].row, Fields: rows[i].fields, Errors: res.errs[i]})
		}
	}
}

// releaseFailed sends out the failed rows held back (an Instant import
// that committed: it keeps every row's, being small).
func (s *Summary) releaseFailed() {
	s.holdFailed = false
	if s.failedOut == nil {
		return
	}
	for _, fr := range s.FailedRows {
		s.writeFailed(fr)
	}
}

func (s *Summary) writeFailed(fr FailedRow) {
	if s.failedCSV == nil {
		s.failedCSV = csv.NewWriter(s.failedOut)
		_ = s.failedCSV.Write(failedHeader(s.Header))
	}
	_ = s.failedCSV.Write(failedRecord(s.Header, fr))
	s.failedCSV.Flush()
}

// summaryMark is what reset needs to undo what stage added since mark.
type summaryMark struct {
	counts                   storage.Counts
	errors, warnings, failed int
	dropped                  int
	problems                 []Problem
}

func (s *Summary) mark() summaryMark {
	m := summaryMark{counts: s.Counts, errors: len(s.Errors), warnings: len(s.Warnings), failed: len(s.FailedRows),
		dropped: s.Dropped, problems: slices.Clone(s.Problems)}
	for i := range m.problems {
		m.problems[i].Rows = slices.Clone(m.problems[i].Rows)
	}
	return m
}

func (s *Summary) reset(m summaryMark) {
	s.Counts = m.counts
	s.Errors, s.Warnings, s.FailedRows = s.Errors[:m.errors], s.Warnings[:m.warnings], s.FailedRows[:m.failed]
	s.Dropped, s.Problems = m.dropped, m.problems
	s.reindex()
}

func (s *Summary) reindex() {
	s.groups = make(map[problemKey]int, len(s.Problems))
	for i, p := range s.Problems {
		s.groups[problemKey{p.Severity, p.Column, p.Field, p.Reason}] = i
	}
}

// restore takes up what the history kept of a job's summary, resuming it.
func (s *Summary) restore(detailJSON json.RawMessage) {
	if len(detailJSON) == 0 {
		return
	}
	var d detail
	if json.Unmarshal(detailJSON, &d) != nil {
		return
	}
	s.Problems, s.Errors, s.Warnings, s.Dropped = d.Problems, d.Errors, d.Warnings, d.Dropped
	s.reindex()
}

// fail counts a failed row and keeps it (within bounds).
func (s *Summary) fail(p *pending, errs []crmio.RowError) {
	s.Failed++
	for _, e := range errs {
		s.count("error", e.Row, e.Column, e.Field, genericReason(e.Reason, e.Value), e.Value)
		if len(s.Errors) < s.maxKept {
			s.Errors = append(s.Errors, e)
		} else {
			s.Dropped++
		}
	}
	if len(s.FailedRows) < s.maxKept {
		// A copy: the row's cells are cut from a slab of its whole batch,
		// which a kept row must not hold on to.
		s.FailedRows = append(s.FailedRows, FailedRow{Row: p.row, Fields: slices.Clone(p.fields), Errors: errs})
	}
}

// warn keeps a warning (within bounds) and counts it in its group.
func (s *Summary) warn(w crmio.Warning) {
	s.count("warning", w.Row, w.Column, w.Field, genericReason(w.Reason, w.Value), w.Value)
	if len(s.Warnings) < s.maxKept {
		s.Warnings = append(s.Warnings, w)
	} else {
		s.Dropped++
	}
}

// note is a warning the writer met on a row, kept as its parts: the
// message is built only when the summary keeps it, so that a problem on
// every row of a large file (a duplicate of an earlier row, in a file of
// duplicates) costs no formatted message per row.
type note struct {
	row           int
	column, field string
	value         string
	generic       string         // the reason without the row's own value, for grouping
	build         func() string  // the whole reason
	warning       *crmio.Warning // or the warning, built already
}

func (s *Summary) addNote(n note) {
	if n.warning != nil {
		s.warn(*n.warning)
		return
	}
	s.count("warning", n.row, n.column, n.field, n.generic, n.value)
	if len(s.Warnings) < s.maxKept {
		s.Warnings = append(s.Warnings, crmio.Warning{Row: n.row, Column: n.column, Field: n.field, Value: n.value, Reason: n.build()})
	} else {
		s.Dropped++
	}
}

// WriteFailedRows writes the failed rows the summary kept as CSV: the file's
// own columns plus an Error column saying what to fix, ready to be corrected
// and imported again. (Hooks.FailedRows receives every failed row, beyond
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
	rec := make([]string, max(len(header), len(fr.Fields))+1)
	copy(rec, fr.Fields)
	msgs := make([]string, len(fr.Errors))
	for i, e := range fr.Errors {
		e.Row = 0 // the row is the line itself
		msgs[i] = e.Error()
	}
	rec[len(rec)-1] = strings.Join(msgs, "; ")
	return rec
}

// detail is what the history keeps of a job beyond its counts: enough to
// show its summary from another process.
type detail struct {
	Header   []string         `json:"header,omitempty"`
	Mapping  *mapping.Mapping `json:"mapping,omitempty"`
	Problems []Problem        `json:"problems,omitempty"`
	Errors   []crmio.RowError `json:"errors,omitempty"`
	Warnings []crmio.Warning  `json:"warnings,omitempty"`
	Dropped  int              `json:"dropped,omitempty"`
	Duration string           `json:"duration,omitempty"`
}

// detailKept is how many errors and warnings the history keeps of a job.
const detailKept = 100

func (s *Summary) detail() json.RawMessage {
	d := detail{
		Header: s.Header, Mapping: &s.Mapping, Problems: s.Problems,
		Errors: s.Errors[:min(detailKept, len(s.Errors))], Warnings: s.Warnings[:min(detailKept, len(s.Warnings))],
		Dropped: s.Dropped, Duration: s.Duration.String(),
	}
	b, _ := json.Marshal(d)
	return b
}

// SummaryOf returns the summary of a job as the history keeps it, for a
// job that ran in another process (or has not ended: its counts so far).
// Its Errors and Warnings are the first ones only, and it keeps no failed
// rows.
func SummaryOf(job storage.Job) *Summary {
	s := &Summary{JobID: job.ID, Module: job.Module, File: job.File, Status: job.Status, Error: job.Error, Counts: job.Counts}
	if job.Mode != "" {
		_ = s.Mode.UnmarshalText([]byte(job.Mode))
	}
	if len(job.Detail) > 0 {
		var d detail
		if json.Unmarshal(job.Detail, &d) == nil {
			s.Header, s.Problems, s.Errors, s.Warnings, s.Dropped = d.Header, d.Problems, d.Errors, d.Warnings, d.Dropped
			if d.Mapping != nil {
				s.Mapping = *d.Mapping
			}
			s.Duration, _ = time.ParseDuration(d.Duration)
		}
	}
	if !job.Finished.IsZero() && s.Duration == 0 && !job.Started.IsZero() {
		s.Duration = job.Finished.Sub(job.Started)
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
