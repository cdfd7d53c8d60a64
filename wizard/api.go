package wizard

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/mapping"
)

// APIVersion is the version of the JSON API, the v1 of its paths.
const APIVersion = 1

// apiFunc serves one route of the API for caller c; an error it returns
// is the answer (see writeError).
type apiFunc func(w http.ResponseWriter, r *http.Request, c *Caller) error

// route is one path of the API and what each method does there.
type route struct {
	s       *Server
	methods map[string]apiFunc
	// stream marks a progress stream, counted against MaxStreams rather
	// than MaxRequests.
	stream bool
}

type callerKey struct{}

func (rt *route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fn := rt.methods[r.Method]
	if fn == nil && r.Method == http.MethodHead {
		fn = rt.methods[http.MethodGet]
	}
	if fn == nil {
		allow := make([]string, 0, len(rt.methods))
		for m := range rt.methods {
			allow = append(allow, m)
		}
		sort.Strings(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
			msg: r.Method + " is not allowed here; allowed: " + strings.Join(allow, ", ")})
		return
	}
	c := r.Context().Value(callerKey{}).(*Caller)
	counter, limit, what := requestsOf, rt.s.opts.MaxRequests, "requests"
	if rt.stream {
		counter, limit, what = streamsOf, rt.s.opts.MaxStreams, "progress streams"
	}
	release, ok := rt.s.acquire(c.ID, counter, limit)
	if !ok {
		writeError(w, errTooMany("too many "+what+" at once: wait for one to finish"))
		return
	}
	defer release()
	if err := fn(w, r, c); err != nil {
		writeError(w, err)
	}
}

// routes lays out the API (paths as they are after the mount path).
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(path string, methods map[string]apiFunc) {
		mux.Handle(path, &route{s: s, methods: methods})
	}
	handle("/api/v1/session", map[string]apiFunc{"GET": s.getSession})
	handle("/api/v1/modules", map[string]apiFunc{"GET": s.getModules})
	handle("/api/v1/uploads", map[string]apiFunc{"POST": s.postUpload})
	handle("/api/v1/uploads/{id}", map[string]apiFunc{"GET": s.getUpload, "DELETE": s.deleteUpload})
	handle("/api/v1/uploads/{id}/suggestions", map[string]apiFunc{"POST": s.postSuggestions})
	handle("/api/v1/uploads/{id}/validation", map[string]apiFunc{"POST": s.postValidation})
	handle("/api/v1/imports", map[string]apiFunc{"GET": s.listImports, "POST": s.postImport})
	handle("/api/v1/imports/{id}", map[string]apiFunc{"GET": s.getImport})
	mux.Handle("/api/v1/imports/{id}/events", &route{s: s, methods: map[string]apiFunc{"GET": s.getEvents}, stream: true})
	handle("/api/v1/imports/{id}/summary", map[string]apiFunc{"GET": s.getSummary})
	handle("/api/v1/imports/{id}/failed-rows", map[string]apiFunc{"GET": s.getFailedRows})
	handle("/api/v1/imports/{id}/cancel", map[string]apiFunc{"POST": s.postCancel})
	handle("/api/v1/imports/{id}/rollback", map[string]apiFunc{"POST": s.postRollback})
	handle("/api/v1/exports/{module}", map[string]apiFunc{"GET": s.getExport})
	handle("/api/v1/templates/{module}", map[string]apiFunc{"GET": s.getTemplate})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no such API path: "+r.URL.Path))
	})
	return mux
}

// serveAPI checks a state-changing request for forgery and routes it.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, c *Caller, tail string) {
	if !isSafe(r.Method) {
		if err := s.origins.Check(r); err != nil {
			writeError(w, &apiError{status: http.StatusForbidden, code: "csrf",
				msg: "refused a cross-origin request: " + err.Error()})
			return
		}
		got := r.Header.Get(csrfHeader)
		if got == "" || !hmac.Equal([]byte(got), []byte(s.csrfToken(c.ID))) {
			writeError(w, &apiError{status: http.StatusForbidden, code: "csrf",
				msg: "missing or wrong " + csrfHeader + " header: take the token from GET api/v1/session"})
			return
		}
	}
	r2 := r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
	u := *r.URL
	u.Path, u.RawPath = tail, ""
	r2.URL = &u
	s.api.ServeHTTP(w, r2)
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// csrfHeader carries the CSRF token on every state-changing request.
const csrfHeader = "X-CSRF-Token"

// csrfToken is caller id's token: an HMAC of the id, so that any process
// with the same key checks it without keeping sessions.
func (s *Server) csrfToken(id string) string {
	mac := hmac.New(sha256.New, s.csrfKey)
	mac.Write([]byte("crmio-wizard-csrf\x00" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// sessionJSON is GET api/v1/session.
type sessionJSON struct {
	APIVersion int        `json:"api_version"`
	Caller     callerJSON `json:"caller"`
	CSRFToken  string     `json:"csrf_token"`
	CSRFHeader string     `json:"csrf_header"`
	Limits     limitsJSON `json:"limits"`
	Formats    struct {
		Import   []string `json:"import"`
		Export   []string `json:"export"`
		Template []string `json:"template"`
	} `json:"formats"`
	Background bool   `json:"background_runner"` // Background imports go to a durable runner
	Title      string `json:"title"`
}

type callerJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Scope string `json:"scope,omitempty"` // the scope, in words
}

type limitsJSON struct {
	MaxUploadSize  int64 `json:"max_upload_size"`
	MaxRequestSize int64 `json:"max_request_size"`
	MaxImports     int   `json:"max_imports"`
	PreviewRows    int   `json:"preview_rows"`
	MaxPreviewRows int   `json:"max_preview_rows"`
}

// exportFormats and templateFormats are what the exporter writes.
var (
	exportFormats   = []exporter.Format{exporter.CSV, exporter.XLSX, exporter.PDF, exporter.VCard}
	templateFormats = []exporter.Format{exporter.CSV, exporter.XLSX}
)

func (s *Server) getSession(w http.ResponseWriter, r *http.Request, c *Caller) error {
	var out sessionJSON
	out.APIVersion = APIVersion
	out.Caller = callerJSON{ID: c.ID, Name: c.Name}
	if out.Caller.Name == "" {
		out.Caller.Name = c.ID
	}
	if c.Scope != nil {
		out.Caller.Scope = scopeText(c)
	}
	out.CSRFToken, out.CSRFHeader = s.csrfToken(c.ID), csrfHeader
	out.Limits = limitsJSON{MaxUploadSize: s.opts.MaxUploadSize, MaxRequestSize: s.opts.MaxRequestSize,
		MaxImports: s.opts.MaxImports, PreviewRows: s.opts.PreviewRows, MaxPreviewRows: maxPreviewRows}
	for _, name := range formats.Registered() {
		if f, ok := formats.Lookup(name); ok && f.Open != nil {
			out.Formats.Import = append(out.Formats.Import, name)
		}
	}
	for _, f := range exportFormats {
		out.Formats.Export = append(out.Formats.Export, string(f))
	}
	for _, f := range templateFormats {
		out.Formats.Template = append(out.Formats.Template, string(f))
	}
	out.Background = s.opts.Importer != nil && s.opts.Importer.Runner != nil
	out.Title = s.opts.Title
	writeJSON(w, http.StatusOK, out)
	return nil
}

func scopeText(c *Caller) string {
	if c.Scope == nil {
		return ""
	}
	if c.Scope.Name != "" {
		return c.Scope.Name
	}
	parts := make([]string, len(c.Scope.Where))
	for i, f := range c.Scope.Where {
		parts[i] = f.String()
	}
	return strings.Join(parts, " and ")
}

// moduleJSON describes a module for the UI: its fields, and every target
// a column can map to.
type moduleJSON struct {
	Name    string        `json:"name"`
	Label   string        `json:"label"`
	Key     string        `json:"key,omitempty"`
	Fields  []crmio.Field `json:"fields"`
	Targets []targetJSON  `json:"targets"`
}

// targetJSON is one place a column can go: a field, with the label of a
// multi-value field's item and the part of an address.
type targetJSON struct {
	mapping.Target
	// Title is the column title that maps there ("Phone (Mobile)").
	Title    string `json:"title"`
	Required bool   `json:"required,omitempty"`
}

func (s *Server) getModules(w http.ResponseWriter, r *http.Request, c *Caller) error {
	out := []moduleJSON{}
	for i := range s.schema.Modules {
		m := &s.schema.Modules[i]
		if !c.mayUse(m.Name) {
			continue
		}
		label := m.Label
		if label == "" {
			label = m.Name
		}
		out = append(out, moduleJSON{Name: m.Name, Label: label, Key: m.Key, Fields: m.Fields, Targets: targetsOf(m)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"modules": out})
	return nil
}

// targetsOf lists the targets of m's fields, in field order: a field, each
// of its labels, each part of an address.
func targetsOf(m *crmio.Module) []targetJSON {
	var out []targetJSON
	for i := range m.Fields {
		f := &m.Fields[i]
		labels := []string{""}
		if f.Multi {
			labels = append(labels, f.Labels...)
		}
		parts := []crmio.AddressPart{""}
		if f.Type == crmio.TypeAddress {
			parts = crmio.AddressParts
		}
		for _, l := range labels {
			for _, p := range parts {
				out = append(out, targetJSON{Target: mapping.Target{Field: f.Name, Label: l, Part: p},
					Title: crmio.ColumnName(f, l, p), Required: f.Required})
			}
		}
	}
	return out
}

// module returns the module name names, when the caller may use it.
func (s *Server) module(c *Caller, name string) (*crmio.Module, error) {
	if name == "" {
		return nil, errInvalid("which module? set \"module\"")
	}
	m := s.schema.Module(name)
	if m == nil || !c.mayUse(name) {
		return nil, errNotFound("no module " + quote(name))
	}
	if err := c.Scope.Check(m); err != nil {
		return nil, errForbidden("your scope cannot apply to module %s: %v", name, err)
	}
	return m, nil
}

func quote(s string) string { return "\u201c" + s + "\u201d" }
