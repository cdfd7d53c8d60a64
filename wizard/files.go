package wizard

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// contentTypes are the media types of the files the wizard sends.
var contentTypes = map[exporter.Format]string{
	exporter.CSV:   "text/csv; charset=utf-8",
	exporter.XLSX:  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	exporter.PDF:   "application/pdf",
	exporter.VCard: "text/vcard; charset=utf-8",
}

// fileWriter sends a file: its headers go out with its first byte, so
// that an error before it can still be answered as JSON.
type fileWriter struct {
	w           http.ResponseWriter
	contentType string
	name        string
	started     bool
}

func (f *fileWriter) Write(p []byte) (int, error) {
	if !f.started {
		f.started = true
		h := f.w.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", f.name))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		f.w.WriteHeader(http.StatusOK)
	}
	return f.w.Write(p)
}

// fail answers err as JSON when nothing was sent yet; else it breaks the
// connection, so that the client sees a failed download rather than a
// file cut short.
func (f *fileWriter) fail(err error) error {
	if !f.started {
		return err
	}
	panic(http.ErrAbortHandler)
}

// fileFormat reads the ?format= of a download among allowed (the first
// is the default).
func fileFormat(r *http.Request, allowed ...exporter.Format) (exporter.Format, error) {
	v := r.URL.Query().Get("format")
	if v == "" {
		return allowed[0], nil
	}
	for _, f := range allowed {
		if string(f) == v {
			return f, nil
		}
	}
	return "", errInvalid("format %s: want one of %v", quote(v), allowed)
}

// getFailedRows sends the failed rows of the caller's job, as CSV or
// XLSX: the file's own columns plus an Error column, to fix and import
// again. Cells a spreadsheet would run as formulas are neutralized, as
// in exports.
func (s *Server) getFailedRows(w http.ResponseWriter, r *http.Request, c *Caller) error {
	format, err := fileFormat(r, exporter.CSV, exporter.XLSX)
	if err != nil {
		return err
	}
	lj, job, err := s.job(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	var src io.ReadCloser
	switch {
	case lj != nil && !lj.remote:
		select {
		case <-lj.done:
		default:
			return errConflict("running", "job "+lj.id+" is still running: its failed rows come when it ends", nil)
		}
		if lj.sum == nil {
			return errNotFound("job " + lj.id + " failed before reading its rows: " + errString(lj.err))
		}
		src = pipeFailedRows(lj.sum)
	case job.Status.Active():
		return errConflict("running", "job "+job.ID+" is still "+string(job.Status)+": its failed rows come when it ends", nil)
	case s.opts.FailedRows != nil:
		if src, err = s.opts.FailedRows(r.Context(), job.ID); errors.Is(err, crmio.ErrNotFound) {
			return errNotFound("the failed rows of job " + job.ID + " were not kept")
		} else if err != nil {
			return err
		}
	default:
		return errNotFound("the failed rows of job " + job.ID + " are not kept here: it ran in another process, or before this one started")
	}
	defer src.Close()
	fw := &fileWriter{w: w, contentType: contentTypes[format], name: fmt.Sprintf("failed-rows-%s.%s", job.ID, format)}
	if err := convertFailedRows(fw, src, format); err != nil {
		return fw.fail(err)
	}
	return nil
}

// pipeFailedRows streams a summary's failed rows as CSV.
func pipeFailedRows(sum *importer.Summary) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(sum.WriteFailedRows(pw)) }()
	return pr
}

// convertFailedRows copies a failed-rows CSV to w as format, neutralizing
// formula-like cells.
func convertFailedRows(w io.Writer, src io.Reader, format exporter.Format) error {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var fw formats.Writer
	if format == exporter.XLSX {
		xw, err := xlsx.NewWriter(w, &xlsx.WriterOptions{SheetName: "Failed rows"})
		if err != nil {
			return err
		}
		fw = xw
	}
	cw := csv.NewWriter(w)
	header := true
	var cells []formats.Cell
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if fw != nil {
				fw.Close()
			}
			return fmt.Errorf("wizard: reading the failed rows: %w", err)
		}
		for i, v := range rec {
			rec[i] = exporter.Neutralize(v)
		}
		switch {
		case fw == nil:
			err = cw.Write(rec)
		case header:
			err = fw.WriteHeader(rec)
		default:
			cells = cells[:0]
			for _, v := range rec {
				cells = append(cells, formats.TextCell(v))
			}
			err = fw.WriteRow(cells)
		}
		header = false
		if err != nil {
			if fw != nil {
				fw.Close()
			}
			return err
		}
	}
	if fw != nil {
		if header {
			_ = fw.WriteHeader([]string{"Error"})
		}
		return fw.Close()
	}
	cw.Flush()
	return cw.Error()
}

// queryJSON is the records an export selects: filters whose values are
// text, as a person types them (coerced to each field's type), an order,
// a limit and the fields to show.
type queryJSON struct {
	Where  []filterJSON    `json:"where,omitempty"`
	Order  []storage.Order `json:"order,omitempty"`
	Limit  int             `json:"limit,omitempty"`
	Fields []string        `json:"fields,omitempty"`
}

type filterJSON struct {
	Field string     `json:"field"`
	Op    storage.Op `json:"op"`
	Value string     `json:"value"`
}

// query turns q into a storage.Query over m, resolving references by
// their target's key among the records the caller may see.
func (s *Server) query(ctx context.Context, c *Caller, m *crmio.Module, q queryJSON) (storage.Query, error) {
	out := storage.Query{Order: q.Order, Limit: q.Limit, Fields: q.Fields}
	for _, f := range q.Where {
		field := m.Field(f.Field)
		if field == nil {
			return out, errInvalid("filter on %s: module %s has no such field", quote(f.Field), m.Name)
		}
		var v crmio.Value
		switch {
		case f.Op == storage.Contains:
			v = crmio.TextValue(f.Value)
		case field.Type == crmio.TypeReference:
			id, err := s.resolveKey(ctx, c, field, f.Value)
			if err != nil {
				return out, err
			}
			v = crmio.RefValue(id, f.Value)
		default:
			var err error
			if v, err = mapping.Coerce(field, f.Value, nil); err != nil {
				return out, errInvalid("filter on %s: %v", field.Name, err)
			}
		}
		out.Where = append(out.Where, storage.Filter{Field: field.Name, Op: f.Op, Value: v})
	}
	for _, o := range q.Order {
		if m.Field(o.Field) == nil {
			return out, errInvalid("order by %s: module %s has no such field", quote(o.Field), m.Name)
		}
	}
	if err := out.Validate(); err != nil {
		return out, errInvalid("%v", err)
	}
	return out, nil
}

// resolveKey returns the id of the record of field's target module whose
// key is key, among those the caller sees; an id no record has when none
// is, so that = matches nothing and != everything.
func (s *Server) resolveKey(ctx context.Context, c *Caller, field *crmio.Field, key string) (string, error) {
	target := s.schema.Module(field.Ref)
	if target == nil || target.Key == "" {
		return "", errInvalid("filter on %s: its records cannot be named by a key", field.Name)
	}
	found, err := importer.KeyResolver{}.Resolve(ctx, s.scopedStore(c), target, []string{key})
	if err != nil {
		return "", err
	}
	switch ids := found[key]; len(ids) {
	case 0:
		return "(no such record)", nil
	case 1:
		return ids[0], nil
	default:
		return "", errInvalid("filter on %s: %s names %d %s records; name one", field.Name, quote(key), len(ids), target.Name)
	}
}

// getExport sends the records of a module, or those a query selects, in
// any format the exporter writes, as the caller's scope lets them see.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request, c *Caller) error {
	m, err := s.module(c, r.PathValue("module"))
	if err != nil {
		return err
	}
	format, err := fileFormat(r, exportFormats...)
	if err != nil {
		return err
	}
	var q queryJSON
	if v := r.URL.Query().Get("q"); v != "" {
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return errBadRequest("q is not a query: %v", err)
		}
	}
	query, err := s.query(r.Context(), c, m, q)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("check") == "1" { // the UI asks before it downloads
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return nil
	}
	name := fmt.Sprintf("%s-%s.%s", m.Name, time.Now().UTC().Format("20060102-150405"), format)
	fw := &fileWriter{w: w, contentType: contentTypes[format], name: name}
	res, err := exporter.Export(r.Context(), s.store, m, fw, &exporter.Options{Format: format, Where: query.Where, Order: query.Order, Limit: query.Limit, Fields: q.Fields, Scope: c.Scope})
	if err != nil {
		return fw.fail(err)
	}
	if !fw.started { // nothing was written: an empty file is still a file
		fw.Write(nil)
	}
	s.log.Info("wizard export", "caller", c.ID, "module", m.Name, "format", format, "rows", res.Rows)
	return nil
}

// getTemplate sends an import template of a module (CSV or XLSX), or with
// format=json the description of its columns.
func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request, c *Caller) error {
	m, err := s.module(c, r.PathValue("module"))
	if err != nil {
		return err
	}
	format, err := fileFormat(r, exporter.CSV, exporter.XLSX, "json")
	if err != nil {
		return err
	}
	if format == "json" {
		cols, err := exporter.Template(io.Discard, m, &exporter.TemplateOptions{Schema: s.schema})
		if err != nil {
			return err
		}
		out := make([]templateColumnJSON, len(cols))
		for i, col := range cols {
			out[i] = templateColumnJSON{Name: col.Name, Field: col.Field.Name, Label: col.Label, Part: string(col.Part),
				Required: col.Required, Example: col.Example, Hint: col.Hint}
		}
		writeJSON(w, http.StatusOK, map[string]any{"columns": out})
		return nil
	}
	fw := &fileWriter{w: w, contentType: contentTypes[format], name: fmt.Sprintf("%s-template.%s", m.Name, format)}
	if _, err := exporter.Template(fw, m, &exporter.TemplateOptions{Format: format, Schema: s.schema}); err != nil {
		return fw.fail(err)
	}
	return nil
}

type templateColumnJSON struct {
	Name     string `json:"name"`
	Field    string `json:"field"`
	Label    string `json:"label,omitempty"`
	Part     string `json:"part,omitempty"`
	Required bool   `json:"required,omitempty"`
	Example  string `json:"example,omitempty"`
	Hint     string `json:"hint,omitempty"`
}
