package wizard

import (
	"net/http"

	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// maxPreviewRows bounds the rows a suggestion or validation request reads.
const maxPreviewRows = 200

// planJSON is an import as a request describes it: the upload, how to
// read it, where its columns go, and what to do with duplicates and
// references. The validation preview and the start of an import take it.
type planJSON struct {
	// Upload is the upload to import (the start of an import only; the
	// validation names it in its path).
	Upload string      `json:"upload,omitempty"`
	Module string      `json:"module"`
	Format *formatJSON `json:"format,omitempty"`
	// Mapping is where each column goes; nil: the suggestions of at least
	// medium confidence.
	Mapping        *mapping.Mapping  `json:"mapping,omitempty"`
	Static         map[string]string `json:"static,omitempty"`
	MappingOptions *mapping.Options  `json:"mapping_options,omitempty"`

	Duplicates           dedupe.Strategy  `json:"duplicates"`
	Merge                dedupe.MergeMode `json:"merge"`
	MatchFields          []string         `json:"match_fields,omitempty"`
	MatchAll             bool             `json:"match_all,omitempty"`
	Ambiguous            dedupe.Ambiguity `json:"ambiguous"`
	AutoCreateReferences bool             `json:"auto_create_references,omitempty"`
	MaxErrors            int              `json:"max_errors,omitempty"`
	// Mode is auto (the default), streaming or background; instant is
	// auto's choice for small files.
	Mode importer.Mode `json:"mode"`

	// Rows is how many rows a preview reads (default Options.PreviewRows).
	Rows int `json:"rows,omitempty"`
}

// plan returns the importer's Plan and the Source's format options for
// req, with the caller's scope and id.
func (s *Server) plan(c *Caller, req *planJSON) (importer.Plan, *formats.Options, error) {
	m, err := s.module(c, req.Module)
	if err != nil {
		return importer.Plan{}, nil, err
	}
	fo, err := s.formatOptions(req.Format)
	if err != nil {
		return importer.Plan{}, nil, err
	}
	if req.MaxErrors < 0 {
		return importer.Plan{}, nil, errInvalid("max_errors must be 0 (no limit) or more")
	}
	if req.Mode == importer.Instant {
		return importer.Plan{}, nil, errInvalid("mode instant is chosen for small files by auto; ask for auto, streaming or background")
	}
	for _, f := range req.MatchFields {
		if m.Field(f) == nil {
			return importer.Plan{}, nil, errInvalid("match field %s: module %s has no such field", quote(f), m.Name)
		}
	}
	for f := range req.Static {
		if m.Field(f) == nil {
			return importer.Plan{}, nil, errInvalid("static value of %s: module %s has no such field", quote(f), m.Name)
		}
	}
	return importer.Plan{
		Module: m.Name, Mapping: req.Mapping, Static: req.Static, MappingOptions: req.MappingOptions,
		Duplicates: req.Duplicates, Merge: req.Merge, MatchFields: req.MatchFields, MatchAll: req.MatchAll,
		Ambiguous: req.Ambiguous, AutoCreateReferences: req.AutoCreateReferences, MaxErrors: req.MaxErrors,
		Mode: req.Mode, Scope: c.Scope, StartedBy: c.ID,
	}, fo, nil
}

func (s *Server) previewRows(n int) (int, error) {
	switch {
	case n < 0 || n > maxPreviewRows:
		return 0, errInvalid("rows must be between 1 and %d", maxPreviewRows)
	case n == 0:
		return s.opts.PreviewRows, nil
	}
	return n, nil
}

// suggestionsRequest asks how a file reads and where its columns would go.
type suggestionsRequest struct {
	Module string      `json:"module"`
	Format *formatJSON `json:"format,omitempty"`
	Rows   int         `json:"rows,omitempty"`
}

// suggestionsJSON is the answer: what was found, the header, the first
// rows, a suggestion per column (with its confidence and reason) and the
// mapping an import uses unless told otherwise.
type suggestionsJSON struct {
	Upload      uploadJSON           `json:"upload"`
	Info        *infoJSON            `json:"info"`
	Header      []string             `json:"header"`
	Rows        []rowJSON            `json:"rows"`
	Suggestions []mapping.Suggestion `json:"suggestions"`
	Mapping     mapping.Mapping      `json:"mapping"`
}

type rowJSON struct {
	Row    int      `json:"row"` // as the spreadsheet numbers it (the header is row 1)
	Fields []string `json:"fields"`
}

func rowsOf(rows []formats.Row) []rowJSON {
	out := make([]rowJSON, len(rows))
	for i, r := range rows {
		out[i] = rowJSON{Row: r.Number, Fields: r.Fields}
	}
	return out
}

func (s *Server) postSuggestions(w http.ResponseWriter, r *http.Request, c *Caller) error {
	var req suggestionsRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.module(c, req.Module)
	if err != nil {
		return err
	}
	n, err := s.previewRows(req.Rows)
	if err != nil {
		return err
	}
	fo, err := s.formatOptions(req.Format)
	if err != nil {
		return err
	}
	u, rc, err := s.openUpload(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	p, err := s.im.Preview(r.Context(), importer.Source{Reader: rc, Name: u.Name, Format: fo}, m.Name, n)
	if err != nil {
		return err
	}
	if p.Mapping.Columns == nil {
		p.Mapping.Columns = []mapping.ColumnMapping{}
	}
	writeJSON(w, http.StatusOK, suggestionsJSON{Upload: uploadOf(u, nil), Info: infoOf(p.Info), Header: p.Header,
		Rows: rowsOf(p.Rows), Suggestions: p.Suggestions, Mapping: p.Mapping})
	return nil
}

// validationJSON is the validation preview: the first rows as the import
// would take them, each cell with its errors and warnings, and the counts
// an import of those rows would reach.
type validationJSON struct {
	Header []string     `json:"header"`
	Rows   []checkedRow `json:"rows"`
	// Counts are what importing the rows checked would do: created,
	// updated, skipped, failed.
	Counts   storage.Counts `json:"counts"`
	Problems []problemJSON  `json:"problems"`
	// Warnings are about the whole file (a date order guessed).
	Warnings []string `json:"warnings"`
	// Mapping is the mapping the preview ran with.
	Mapping mapping.Mapping `json:"mapping"`
}

// checkedRow is one row of the validation preview.
type checkedRow struct {
	Row int `json:"row"`
	// Status is "ok", "warning" (imported, with warnings) or "error" (the
	// row would fail).
	Status string     `json:"status"`
	Cells  []cellJSON `json:"cells"`
	// Errors and Warnings are the row's problems that concern no one
	// column (a required field no column fills).
	Errors   []string `json:"errors,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

type cellJSON struct {
	Value    string   `json:"value"`
	Errors   []string `json:"errors,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// problemJSON is an importer.Problem with its one-line description.
type problemJSON struct {
	importer.Problem
	Text string `json:"text"`
}

func problemsOf(ps []importer.Problem) []problemJSON {
	out := make([]problemJSON, len(ps))
	for i, p := range ps {
		out[i] = problemJSON{Problem: p, Text: p.String()}
	}
	return out
}

// postValidation runs the import of the first rows as a dry run (nothing
// is written) and lays its errors and warnings onto the cells they
// concern.
func (s *Server) postValidation(w http.ResponseWriter, r *http.Request, c *Caller) error {
	var req planJSON
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	plan, fo, err := s.plan(c, &req)
	if err != nil {
		return err
	}
	n, err := s.previewRows(req.Rows)
	if err != nil {
		return err
	}
	plan.DryRun, plan.Limit, plan.Mode = true, n, importer.Auto
	id := r.PathValue("id")
	u, rc, err := s.openUpload(r.Context(), c, id)
	if err != nil {
		return err
	}
	p, err := s.im.Preview(r.Context(), importer.Source{Reader: rc, Name: u.Name, Format: fo}, plan.Module, n)
	rc.Close()
	if err != nil {
		return err
	}
	_, rc, err = s.openUpload(r.Context(), c, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	sum, err := s.im.Run(r.Context(), importer.Source{Reader: rc, Name: u.Name, Format: fo}, plan, s.hooks(c, plan.Module))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, validationOf(p, sum))
	return nil
}

// validationOf lays the dry run's errors and warnings onto the rows read.
func validationOf(p *importer.Preview, sum *importer.Summary) validationJSON {
	out := validationJSON{Header: p.Header, Counts: sum.Counts, Problems: problemsOf(sum.Problems),
		Warnings: []string{}, Mapping: sum.Mapping, Rows: make([]checkedRow, len(p.Rows))}
	col := make(map[string]int, len(p.Header))
	for i, h := range p.Header {
		col[h] = i
	}
	byRow := map[int]*checkedRow{}
	for i, row := range p.Rows {
		cr := &out.Rows[i]
		cr.Row, cr.Status = row.Number, "ok"
		cr.Cells = make([]cellJSON, max(len(p.Header), len(row.Fields)))
		for j, v := range row.Fields {
			cr.Cells[j].Value = v
		}
		byRow[row.Number] = cr
	}
	place := func(row int, column, field, msg string, isError bool) {
		cr := byRow[row]
		if cr == nil {
			return
		}
		if isError {
			cr.Status = "error"
		} else if cr.Status == "ok" {
			cr.Status = "warning"
		}
		// In a cell the column says where; beside the row, the field does.
		j, ok := col[column]
		switch {
		case ok && column != "" && isError:
			cr.Cells[j].Errors = append(cr.Cells[j].Errors, msg)
		case ok && column != "":
			cr.Cells[j].Warnings = append(cr.Cells[j].Warnings, msg)
		case isError:
			cr.Errors = append(cr.Errors, cellMessage(field, msg))
		default:
			cr.Warnings = append(cr.Warnings, cellMessage(field, msg))
		}
	}
	for _, e := range sum.Errors {
		place(e.Row, e.Column, e.Field, e.Reason, true)
	}
	for _, wn := range sum.Warnings {
		if wn.Row == 0 {
			out.Warnings = append(out.Warnings, wn.String())
			continue
		}
		place(wn.Row, wn.Column, wn.Field, wn.Reason, false)
	}
	return out
}

// cellMessage is a problem's reason, naming its field when there is one.
func cellMessage(field, reason string) string {
	if field == "" {
		return reason
	}
	return field + ": " + reason
}

// hooks returns the CRM's hooks for an import of module by c; a dry run
// (the validation preview) gets them too, so that it shows what the CRM's
// rules would say.
func (s *Server) hooks(c *Caller, module string) *importer.Hooks {
	if s.opts.Hooks == nil {
		return nil
	}
	return s.opts.Hooks(*c, module)
}

// scopedStore is the store as caller c sees it.
func (s *Server) scopedStore(c *Caller) storage.Store {
	if c.Scope == nil {
		return s.store
	}
	return storage.Scoped(s.store, func(string) *storage.Scope { return c.Scope })
}
