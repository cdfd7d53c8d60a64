package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

var previewFlags struct {
	module      string
	rows        int
	json        bool
	saveMapping string
	scope       listFlag
	noMemory    bool
	source      sourceFlags
}

var previewCmd = &command{
	name:    "preview",
	args:    "FILE [--module M] [--sheet S] [--rows N] [--json] [--save-mapping OUT.json] [--no-memory]",
	summary: "show what a file holds and how its columns would be imported",
	help: `Preview reads the start of FILE (CSV, XLSX or XLS; "-" is the standard input)
and shows the detected format, encoding, delimiter and header row, each
column with the field it would be imported into, the confidence of that
suggestion and its reason, and the first rows. Nothing is written.

Without --module, the module whose fields the columns fit best is chosen.
--save-mapping writes the suggested mapping as JSON, to edit and give to
'crmio import --mapping'. Columns are numbered from 1 in the text output and
from 0 in JSON (as in mapping files).

With --scope (as for 'crmio import'), the preview also says what importing
the rows shown would do among the records the scope sees in --db: a dry
run, which writes nothing.
A file whose header an earlier 'crmio import --mapping' imported into the
module is mapped as that import was, at high confidence, with the job
named in the reason: the store of --db remembers it (an SQLite file that
does not exist yet remembers nothing, and is not created). --no-memory
ignores what it remembers.

--json prints {"format", "encoding", "delimiter", "header_row", "columns":
[{"index", "name", "field", "label", "part", "confidence", "reason"}],
"rows": [[...]]}.`,
	positional: 1,
	flags: func(fs *flag.FlagSet) {
		f := &previewFlags
		fs.StringVar(&f.module, "module", "", "the `MODULE` to map the columns to (default: the best fit)")
		fs.IntVar(&f.rows, "rows", 5, "the number of `N` rows to show")
		fs.BoolVar(&f.json, "json", false, "print JSON")
		fs.StringVar(&f.saveMapping, "save-mapping", "", "write the suggested mapping to `FILE` (JSON)")
		scopeFlag(fs, &f.scope)
		fs.BoolVar(&f.noMemory, "no-memory", false, "ignore the mappings the store remembers from earlier imports")
		f.source.declare(fs)
	},
	run: runPreview,
}

// previewJSON is the --json form of a preview.
type previewJSON struct {
	Format    string          `json:"format"`
	Encoding  string          `json:"encoding"`
	Delimiter string          `json:"delimiter"`
	HeaderRow int             `json:"header_row"`
	Columns   []previewColumn `json:"columns"`
	Rows      [][]string      `json:"rows"`
	// Would is what importing the rows shown would do, with --scope.
	Would *importJSON `json:"would,omitempty"`
}

type previewColumn struct {
	Index      int    `json:"index"` // 0-based, as in a mapping file
	Name       string `json:"name"`
	Field      string `json:"field"`
	Label      string `json:"label"`
	Part       string `json:"part"`
	Confidence string `json:"confidence"`
	Reason     string `json:"reason"`
}

func runPreview(ctx context.Context, e *env, args []string) error {
	f := &previewFlags
	if len(args) == 0 {
		return usagef("which file? crmio preview FILE")
	}
	if f.rows < 0 {
		return usagef("--rows must be 0 or more")
	}
	file := args[0]
	schema, err := e.loadSchema()
	if err != nil {
		return err
	}
	src, err := f.source.source(file)
	if err != nil {
		return err
	}
	if file == "-" {
		// The standard input is read once: keep it to read it again.
		data, err := readAllLimited(os.Stdin, src.Format.Limit())
		if err != nil {
			return err
		}
		src.Reader, src.Path = strings.NewReader(data), ""
	}
	module := f.module
	guessed := false
	if module == "" {
		if module, err = bestModule(schema, src); err != nil {
			return err
		}
		guessed = true
		if rs, ok := src.Reader.(*strings.Reader); ok {
			rs.Seek(0, 0)
		}
	} else if _, err := e.module(module); err != nil {
		return err
	}
	// A preview writes nothing: an empty memory store stands in for --db,
	// which is only read for the mappings it remembers.
	var opts importer.Options
	if !f.noMemory {
		if store, err := e.existingStore(ctx); err != nil {
			return err
		} else if store != nil {
			opts.Suggester = importer.MemorySuggester(store, nil)
		}
	}
	im, err := importer.New(memory.New(), schema, &opts)
	if err != nil {
		return err
	}
	p, err := im.Preview(ctx, src, module, max(f.rows, 1))
	if err != nil {
		return err
	}
	rows := p.Rows
	if len(rows) > f.rows {
		rows = rows[:f.rows]
	}
	if f.saveMapping != "" {
		data, err := json.MarshalIndent(p.Mapping, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.saveMapping, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	var would *importer.Summary
	if len(f.scope) > 0 {
		if would, err = previewUnderScope(ctx, e, src, module, p, len(rows)); err != nil {
			return err
		}
	}
	if f.json {
		return writePreviewJSON(e, p, rows, would)
	}
	writePreviewText(e, src.Name, module, guessed, p, rows)
	if would != nil {
		fmt.Fprintf(e.stdout, "\nUnder the scope, importing these %d rows would create %d, update %d, skip %d; %d would fail.\n",
			would.Read, would.Created, would.Updated, would.Skipped, would.Failed)
		writeProblems(e.stdout, src.Name, would)
	}
	if f.saveMapping != "" {
		fmt.Fprintf(e.stdout, "\nSaved the suggested mapping to %s: edit it and import with --mapping %s\n", f.saveMapping, f.saveMapping)
	}
	return nil
}

// existingStore opens the store of --db for its mapping memory, unless
// opening it would create it (an SQLite file not there yet) or it forgets
// everything at exit (memory:): then it returns nil.
func (e *env) existingStore(ctx context.Context) (storage.Store, error) {
	if e.inMemory() {
		return nil, nil
	}
	if path, ok := strings.CutPrefix(e.db, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return nil, nil
		}
	}
	return e.openStore(ctx)
}

// bestModule returns the module of the schema whose fields the file's
// columns fit best: the most columns suggested with the most confidence.
func bestModule(schema *crmio.Schema, src importer.Source) (string, error) {
	var r formats.Reader
	var err error
	if src.Path != "" {
		r, err = formats.Open(src.Path, src.Format)
	} else {
		r, err = formats.NewReader(src.Reader, src.Name, src.Format)
	}
	if err != nil {
		return "", err
	}
	defer r.Close()
	header, sample, err := formats.Preview(r, 50)
	if err != nil {
		return "", err
	}
	rows := make([][]string, len(sample))
	for i, row := range sample {
		rows[i] = row.Fields
	}
	best, bestScore := "", -1
	for i := range schema.Modules {
		m := &schema.Modules[i]
		score := 0
		for _, s := range mapping.Suggest(header, rows, m) {
			if !s.Target.IsZero() {
				score += int(s.Confidence)
			}
		}
		if score > bestScore {
			best, bestScore = m.Name, score
		}
	}
	return best, nil
}

// previewUnderScope dry-runs the previewed rows with the suggested
// mapping, against --db, under the --scope flags.
func previewUnderScope(ctx context.Context, e *env, src importer.Source, module string, p *importer.Preview, rows int) (*importer.Summary, error) {
	m, err := e.module(module)
	if err != nil {
		return nil, err
	}
	scope, err := parseScope(ctx, e, m, previewFlags.scope)
	if err != nil {
		return nil, err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	im, err := importer.New(store, e.schema, nil)
	if err != nil {
		return nil, err
	}
	if rs, ok := src.Reader.(*strings.Reader); ok {
		rs.Seek(0, 0)
	}
	mp := p.Mapping
	return im.Run(ctx, src, importer.Plan{Module: module, Mapping: &mp, Scope: scope, DryRun: true, Limit: max(rows, 1)}, nil)
}

func writePreviewJSON(e *env, p *importer.Preview, rows []formats.Row, would *importer.Summary) error {
	out := previewJSON{
		Format:    p.Info.Format,
		Encoding:  p.Info.Encoding,
		HeaderRow: p.Info.HeaderRow,
		Columns:   []previewColumn{},
		Rows:      [][]string{},
	}
	if p.Info.Delimiter != 0 {
		out.Delimiter = string(p.Info.Delimiter)
	}
	for _, s := range p.Suggestions {
		out.Columns = append(out.Columns, previewColumn{
			Index:      s.Column,
			Name:       s.Header,
			Field:      s.Target.Field,
			Label:      strings.ToLower(s.Target.Label),
			Part:       strings.ToLower(string(s.Target.Part)),
			Confidence: s.Confidence.String(),
			Reason:     s.Reason,
		})
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, r.Fields)
	}
	if would != nil {
		j := toImportJSON(would)
		out.Would = &j
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writePreviewText(e *env, name, module string, guessed bool, p *importer.Preview, rows []formats.Row) {
	w := e.stdout
	info := p.Info
	fmt.Fprintf(w, "%s: %s", name, strings.ToUpper(info.Format))
	if info.Encoding != "" {
		fmt.Fprintf(w, ", %s", info.Encoding)
	}
	if info.Delimiter != 0 {
		fmt.Fprintf(w, ", delimiter %s", describeDelimiter(info.Delimiter))
	}
	if info.Headerless {
		fmt.Fprintf(w, ", no header row")
	} else {
		fmt.Fprintf(w, ", header on row %d", info.HeaderRow)
	}
	if info.EstimatedRows > 0 {
		fmt.Fprintf(w, ", about %d rows", info.EstimatedRows)
	}
	fmt.Fprintln(w)
	if len(info.Sheets) > 0 {
		fmt.Fprintf(w, "Sheets: %s (reading %q; choose another with --sheet)\n", strings.Join(info.Sheets, ", "), info.Sheet)
	}
	if guessed {
		fmt.Fprintf(w, "Module: %s (the best fit; choose another with --module)\n", module)
	} else {
		fmt.Fprintf(w, "Module: %s\n", module)
	}
	for _, n := range info.Notices {
		fmt.Fprintf(w, "Note: %s\n", n)
	}

	fmt.Fprintln(w, "\nColumns:")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tcolumn\tfield\tconfidence\treason")
	for _, s := range p.Suggestions {
		target := "-"
		if !s.Target.IsZero() {
			target = s.Target.String()
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", s.Column+1, clip(s.Header, 30), target, s.Confidence, s.Reason)
	}
	tw.Flush()
	fmt.Fprintf(w, "Columns of at least medium confidence are imported (%d of %d).\n", len(p.Mapping.Columns), len(p.Suggestions))

	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nFirst %d rows:\n", len(rows))
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "  row")
	for _, h := range p.Header {
		fmt.Fprintf(tw, "\t%s", clip(h, 20))
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %d", r.Number)
		for i := range p.Header {
			cell := ""
			if i < len(r.Fields) {
				cell = r.Fields[i]
			}
			fmt.Fprintf(tw, "\t%s", clip(cell, 20))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func describeDelimiter(d rune) string {
	switch d {
	case '\t':
		return "tab"
	case ' ':
		return "space"
	}
	return fmt.Sprintf("%q", d)
}

// clip shortens s to n runes for a table cell, on one line.
func clip(s string, n int) string {
	// Cut first, at a bound on bytes a cell of n runes cannot exceed
	// once its white space is collapsed: a 50 MB value must not be
	// copied whole to show 30 characters of it.
	cut := false
	if limit := 8 * (n + 1); len(s) > limit {
		s, cut = s[:limit], true
	}
	s = strings.Join(strings.Fields(s), " ")
	if !cut && utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n-1 {
		return string(r) + "…"
	}
	return string(r[:n-1]) + "…"
}
