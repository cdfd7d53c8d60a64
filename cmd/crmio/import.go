package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
)

var importFlags struct {
	module         string
	mappingFile    string
	set            listFlag
	scope          listFlag
	duplicates     string
	merge          string
	match          string
	matchAll       bool
	autoCreateRefs bool
	dryRun         bool
	mode           string
	output         runOutput
	maxErrors      int
	batchSize      int
	noMemory       bool
	background     bool
	source         sourceFlags
}

// runOutput are the flags of what an import, or a resume, reports.
type runOutput struct {
	errorsFile string
	json       bool
	quiet      bool
}

func (o *runOutput) declare(fs *flag.FlagSet) {
	fs.StringVar(&o.errorsFile, "errors", "", "write the failed rows to `OUT.csv`, with an Error column")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
}

var importCmd = &command{
	name:    "import",
	args:    "FILE --module M [--mapping FILE.json] [--set field=value]... [--scope 'field op value']... [--duplicates skip|update|create] [--merge fill-empty|overwrite|prefer-import] [--match field,...] [--auto-create-refs] [--sheet S] [--dry-run] [--errors OUT.csv] [--background] [--json] [--no-memory]",
	summary: "import a CSV, XLSX or XLS file into a module",
	help: `Import reads FILE ("-" is the standard input) and puts its rows into module M.
Columns are mapped automatically (the suggestions of at least medium
confidence, as 'crmio preview' shows them) unless --mapping gives a mapping
file ('crmio preview --save-mapping' writes one to edit).

The store remembers the mapping of an import with --mapping for the
file's header: the next file with the same header, previewed or imported
without --mapping, is mapped the same way (at high confidence, the job
named). --no-memory neither uses nor updates what it remembers.

A row that duplicates a record (same email, else same key; --match chooses
the fields) is skipped, or merged into it with --duplicates update, or
created anyway with --duplicates create. References to other modules (an
account's name, a contact's "first last") are resolved by the target's key;
--auto-create-refs creates the records they name when missing.

--scope limits the import to the records a role may see, exactly ('owner =
alice' does not see Alice's records): duplicates and references are found
only among them, nothing outside is changed, and the records created take
the scope's = values.

Rows that fail are reported on stderr with their row and column, grouped
by column and reason; --errors writes them to a CSV file with an Error
column, to fix and import again. Each import is a job in the store's
history: see 'crmio history', undo it with 'crmio rollback JOB', and finish
one that was interrupted (a crash, a kill, Ctrl-C) with 'crmio resume JOB'.
A progress bar shows on a terminal.

--background queues the import instead of running it: the file is kept in
the store (sqlite: or postgres:), the job is recorded queued, and the
command prints it (--json: {"job": {...}}) and exits at once; 'crmio worker'
processes on the same --db run it. Follow it with 'crmio status JOB --watch'.

Exit status: 0 when no row failed, 1 when some rows failed, 2 for a usage
error, a failure (the file cannot be read, the store fails) or an import
that was cancelled (SIGINT, SIGTERM) before its end.

--json prints {"job", "mode", "status", "read", "created", "updated",
"skipped", "failed", "references_created", "problems": [{"severity",
"column", "field", "reason", "count", "rows", "example"}], "errors":
[{"row", "column", "field", "value", "message"}], "warnings": [same]}.`,
	positional: 1,
	flags: func(fs *flag.FlagSet) {
		f := &importFlags
		fs.StringVar(&f.module, "module", "", "the `MODULE` to import into (required)")
		fs.StringVar(&f.mappingFile, "mapping", "", "a mapping `FILE` (JSON) instead of the automatic mapping")
		fs.Var(&f.set, "set", "set `field=value` on every row that leaves the field empty (repeatable)")
		scopeFlag(fs, &f.scope)
		fs.StringVar(&f.duplicates, "duplicates", "skip", "the `STRATEGY` for a row that duplicates a record: skip, update or create")
		fs.StringVar(&f.merge, "merge", "fill-empty", "how --duplicates update merges a row into its record (`MODE`): fill-empty, overwrite or prefer-import")
		fs.StringVar(&f.match, "match", "", "the `fields` duplicates are matched on, comma-separated (default: the email field, else the key)")
		fs.BoolVar(&f.matchAll, "match-all", false, "a duplicate must match on all --match fields, not any")
		fs.BoolVar(&f.autoCreateRefs, "auto-create-refs", false, "create the records references name when they are missing")
		fs.BoolVar(&f.dryRun, "dry-run", false, "run everything and write nothing: say what would happen")
		fs.StringVar(&f.mode, "mode", "", "force the `MODE`: instant (all or nothing), streaming or background (default: by the file's size)")
		fs.IntVar(&f.maxErrors, "max-errors", 0, "stop after `N` failed rows (default: no limit)")
		fs.IntVar(&f.batchSize, "batch-size", 0, "write `N` rows per batch: one store round trip each (default 1000)")
		fs.BoolVar(&f.background, "background", false, "keep the file in the store and queue the import for 'crmio worker'; print the job and exit")
		f.output.declare(fs)
		fs.BoolVar(&f.noMemory, "no-memory", false, "neither use nor update the mappings the store remembers")
		f.source.declare(fs)
	},
	run: runImport,
}

// importJSON is the --json form of an import's summary.
type importJSON struct {
	Job               string             `json:"job"`
	Mode              string             `json:"mode"`
	Status            string             `json:"status"`
	Read              int                `json:"read"`
	Created           int                `json:"created"`
	Updated           int                `json:"updated"`
	Skipped           int                `json:"skipped"`
	Failed            int                `json:"failed"`
	ReferencesCreated int                `json:"references_created"`
	Resumed           int                `json:"resumed,omitempty"`
	Problems          []importer.Problem `json:"problems"`
	Errors            []problemJSON      `json:"errors"`
	Warnings          []problemJSON      `json:"warnings"`
}

// problemJSON is a row error or a warning.
type problemJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// maxListed is how many row errors, and warnings, the text output lists.
const maxListed = 20

func runImport(ctx context.Context, e *env, args []string) error {
	f := &importFlags
	if len(args) == 0 {
		return usagef("which file? crmio import FILE --module M")
	}
	file := args[0]
	m, err := e.module(f.module)
	if err != nil {
		return err
	}
	plan := importer.Plan{
		Module:               m.Name,
		MatchAll:             f.matchAll,
		AutoCreateReferences: f.autoCreateRefs,
		DryRun:               f.dryRun,
		MaxErrors:            f.maxErrors,
		BatchSize:            f.batchSize,
		StartedBy:            startedBy(),
	}
	if f.batchSize < 0 || f.maxErrors < 0 {
		return usagef("--batch-size and --max-errors must be 0 or more")
	}
	if plan.Duplicates, err = dedupe.ParseStrategy(f.duplicates); err != nil {
		return usagef("--duplicates %q: want skip, update or create", f.duplicates)
	}
	if plan.Merge, err = dedupe.ParseMergeMode(f.merge); err != nil {
		return usagef("--merge %q: want fill-empty, overwrite or prefer-import", f.merge)
	}
	if f.mode != "" {
		if err := plan.Mode.UnmarshalText([]byte(f.mode)); err != nil || plan.Mode == importer.Auto {
			return usagef("--mode %q: want instant, streaming or background", f.mode)
		}
	}
	plan.MatchFields = splitList(f.match)
	if err := checkFields(m, plan.MatchFields, "--match"); err != nil {
		return err
	}
	if plan.Static, err = parseSets(m, f.set); err != nil {
		return err
	}
	if f.mappingFile != "" {
		mp, err := readMapping(f.mappingFile)
		if err != nil {
			return err
		}
		plan.Mapping = mp
	}
	src, err := f.source.source(file)
	if err != nil {
		return err
	}
	if plan.Scope, err = parseScope(ctx, e, m, f.scope); err != nil {
		return err
	}
	if f.output.errorsFile != "" && sameFile(f.output.errorsFile, file) {
		return usagef("--errors %s would overwrite the file being imported", f.output.errorsFile)
	}
	if f.background {
		switch {
		case f.dryRun:
			return usagef("--dry-run does not go with --background: a dry run reports at once")
		case f.output.errorsFile != "":
			return usagef("--errors does not go with --background: a worker keeps the failed rows in the store")
		case plan.Mode != importer.Auto && plan.Mode != importer.Background:
			return usagef("--mode %s does not go with --background", f.mode)
		}
		return queueImport(ctx, e, src, plan, f.output.json)
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	opts := &importer.Options{}
	if !f.noMemory {
		opts.Suggester = importer.MemorySuggester(store, nil)
	}
	im, err := importer.New(store, e.schema, opts)
	if err != nil {
		return err
	}
	return runAndReport(e, &f.output, src.Name, func(hooks *importer.Hooks) (*importer.Summary, error) {
		sum, err := im.Run(ctx, src, plan, hooks)
		if err == nil && f.mappingFile != "" && !f.noMemory {
			// The user's mapping serves the next file with this header.
			if err := importer.RememberMapping(ctx, store, sum); err != nil && !errors.Is(err, crmio.ErrNotSupported) {
				fmt.Fprintf(e.stderr, "crmio: remembering the mapping: %v\n", err)
			}
		}
		return sum, err
	})
}

// runAndReport runs an import (or a resume) with the hooks the output
// flags ask for, and reports its summary: on stderr the problems, on
// stdout the counts (or JSON), and the exit status.
func runAndReport(e *env, out *runOutput, name string, run func(*importer.Hooks) (*importer.Summary, error)) error {
	hooks := &importer.Hooks{}
	var failedOut *lazyFile
	if out.errorsFile != "" {
		failedOut = &lazyFile{path: out.errorsFile}
		defer failedOut.Close()
		hooks.FailedRows = failedOut
	}
	var bar *progressBar
	if e.errTTY && !out.json && !out.quiet {
		bar = newProgressBar(e.stderr, name)
		hooks.Progress = bar.update
		hooks.ProgressInterval = 100 * time.Millisecond
	}
	sum, runErr := run(hooks)
	if bar != nil {
		bar.clear()
	}
	if sum == nil {
		return runErr
	}
	if failedOut != nil {
		var err error
		if sum.Failed == 0 {
			// The header alone: the file says there is nothing to fix.
			err = sum.WriteFailedRows(failedOut)
		}
		if ferr := failedOut.Close(); err == nil {
			err = ferr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", out.errorsFile, err)
		}
	}
	if out.json {
		if err := writeImportJSON(e.stdout, sum); err != nil {
			return err
		}
	} else {
		writeProblems(e.stderr, name, sum)
		writeImportSummary(e.stdout, name, sum, out.errorsFile, e.inMemory())
	}
	switch {
	case errors.Is(runErr, importer.ErrCancelled) && sum.JobID != "" && !e.inMemory():
		return fmt.Errorf("the import was cancelled after %d rows; the batches written stay: finish it with 'crmio resume %s', or undo it with 'crmio rollback %s'", sum.Read, sum.JobID, sum.JobID)
	case errors.Is(runErr, importer.ErrCancelled):
		return fmt.Errorf("the import was cancelled after %d rows", sum.Read)
	case runErr != nil:
		return runErr
	case sum.Failed > 0:
		return exitStatus(exitRowsFailed)
	}
	return nil
}

// lazyFile is a file created on its first write, so that an import that
// cannot start leaves no file behind.
type lazyFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	err  error
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if l.f == nil && l.err == nil {
		l.f, l.err = os.Create(l.path)
		if l.err == nil {
			l.w = bufio.NewWriter(l.f)
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.w.Write(p)
}

// Close flushes and closes the file, if it was created; twice is safe.
func (l *lazyFile) Close() error {
	if l.f == nil {
		return l.err
	}
	err := l.w.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if l.err == nil {
		l.err = err
	}
	return err
}

// sameFile reports whether the paths name one existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// startedBy names the user for the job history.
func startedBy() string {
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := os.Getenv(v); u != "" {
			return u
		}
	}
	return "crmio"
}

// parseSets parses the --set flags: field=value, the field one of m's.
func parseSets(m *crmio.Module, sets []string) (map[string]string, error) {
	if len(sets) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, s := range sets {
		field, value, ok := strings.Cut(s, "=")
		field = strings.TrimSpace(field)
		if !ok || field == "" {
			return nil, usagef("--set %q: want field=value", s)
		}
		f := m.Field(field)
		if f == nil {
			return nil, usagef("--set %q: module %s has no field %q (its fields: %s)", s, m.Name, field, fieldNames(m))
		}
		if _, dup := out[field]; dup {
			return nil, usagef("--set: field %q is set twice", field)
		}
		if _, err := mapping.Coerce(f, value, nil); err != nil {
			return nil, usagef("--set %q: %v", s, err)
		}
		out[field] = value
	}
	return out, nil
}

// readMapping reads a mapping file, refusing keys it does not know (a
// misspelt "feild" would otherwise be dropped without a word).
func readMapping(path string) (*mapping.Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var mp mapping.Mapping
	if err := dec.Decode(&mp); err != nil {
		return nil, fmt.Errorf("the mapping %s is not a valid mapping file: %v", path, jsonProblem(data, err))
	}
	return &mp, nil
}

// jsonProblem describes a JSON decoding error with its line.
func jsonProblem(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if offset >= 0 && offset <= int64(len(data)) {
		line := 1 + bytes.Count(data[:offset], []byte("\n"))
		return fmt.Sprintf("line %d: %s", line, msg)
	}
	return msg
}

func writeImportJSON(w io.Writer, sum *importer.Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(toImportJSON(sum))
}

func toImportJSON(sum *importer.Summary) importJSON {
	out := importJSON{
		Job:               sum.JobID,
		Mode:              sum.Mode.String(),
		Status:            string(sum.Status),
		Read:              sum.Read,
		Resumed:           sum.Resumed,
		Problems:          sum.Problems,
		Created:           sum.Created,
		Updated:           sum.Updated,
		Skipped:           sum.Skipped,
		Failed:            sum.Failed,
		ReferencesCreated: sum.ReferencesCreated,
		Errors:            make([]problemJSON, 0, len(sum.Errors)),
		Warnings:          make([]problemJSON, 0, len(sum.Warnings)),
	}
	for _, e := range sum.Errors {
		out.Errors = append(out.Errors, problemJSON{Row: e.Row, Column: e.Column, Field: e.Field, Value: e.Value, Message: e.Reason})
	}
	for _, w := range sum.Warnings {
		out.Warnings = append(out.Warnings, problemJSON{Row: w.Row, Column: w.Column, Field: w.Field, Value: w.Value, Message: w.Reason})
	}
	if out.Problems == nil {
		out.Problems = []importer.Problem{}
	}
	return out
}

// writeProblems reports the row errors and warnings, each naming the file:
// one line per row when there are few, else one line per column and
// reason, with a count and the first rows (a file of a million rows with
// a bad value in every row reads as one line, not a million).
func writeProblems(w io.Writer, name string, sum *importer.Summary) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	total := 0
	for _, p := range sum.Problems {
		total += p.Count
	}
	if total <= maxListed && total == len(sum.Errors)+len(sum.Warnings) {
		for _, e := range sum.Errors {
			fmt.Fprintf(bw, "%s: %s\n", name, e.Error())
		}
		for _, wn := range sum.Warnings {
			fmt.Fprintf(bw, "%s: warning: %s\n", name, wn)
		}
		return
	}
	for i, p := range sum.Problems {
		if i == maxListed {
			fmt.Fprintf(bw, "%s: … and %d more kinds of problem (--json lists them all)\n", name, len(sum.Problems)-maxListed)
			break
		}
		kind := "error"
		if p.Severity == "warning" {
			kind = "warning"
		}
		fmt.Fprintf(bw, "%s: %s: %s\n", name, kind, p)
	}
}

func writeImportSummary(w io.Writer, name string, sum *importer.Summary, errorsFile string, inMemory bool) {
	verb := "Imported"
	if sum.DryRun {
		verb = "Dry run, nothing written: would import"
	}
	fmt.Fprintf(w, "%s %s into %s: %d rows in %s (%s mode", verb, name, sum.Module, sum.Read, roundDuration(sum.Duration), sum.Mode)
	if sum.JobID != "" {
		fmt.Fprintf(w, ", job %s", sum.JobID)
	}
	fmt.Fprintln(w, ")")
	if sum.Resumed > 0 {
		fmt.Fprintf(w, "  resumed after       %d rows (the counts are the whole job's)\n", sum.Resumed)
	}
	fmt.Fprintf(w, "  created             %d\n", sum.Created)
	fmt.Fprintf(w, "  updated             %d\n", sum.Updated)
	fmt.Fprintf(w, "  skipped             %d\n", sum.Skipped)
	fmt.Fprintf(w, "  failed              %d\n", sum.Failed)
	fmt.Fprintf(w, "  references created  %d\n", sum.ReferencesCreated)
	warnings := 0
	for _, p := range sum.Problems {
		if p.Severity == "warning" {
			warnings += p.Count
		}
	}
	if warnings > 0 {
		fmt.Fprintf(w, "  warnings            %d\n", warnings)
	}
	if sum.Error != "" {
		fmt.Fprintf(w, "The import stopped early: the job is %s.\n", sum.Status)
	}
	if errorsFile != "" && sum.Failed > 0 {
		fmt.Fprintf(w, "The failed rows are in %s, with an Error column: fix them and import that file.\n", errorsFile)
	}
	if sum.JobID != "" && !inMemory && (sum.Created > 0 || sum.Updated > 0 || sum.ReferencesCreated > 0) {
		fmt.Fprintf(w, "Undo it with 'crmio rollback %s' (on the same --db).\n", sum.JobID)
	}
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d > time.Minute:
		return d.Round(time.Second)
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
