package wizard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
)

// Caller is who makes a request, as the CRM's Authorize says.
type Caller struct {
	// ID names the caller (a user id). It must not be empty. The caller's
	// uploads carry it as their Owner and their import jobs as their
	// StartedBy: a caller sees and touches only those.
	ID string
	// Name is shown in the UI ("Alice Martin"); ID when empty.
	Name string
	// Scope is the caller's visibility rule: their imports match, update
	// and resolve references only among the records inside it (and the
	// records they create take its = values), and their exports read
	// only those. Nil sees every record.
	Scope *storage.Scope
	// Modules, when not nil, are the only modules the caller may import
	// into, export or fetch templates of.
	Modules []string
}

// mayUse reports whether the caller may work with module m.
func (c *Caller) mayUse(m string) bool { return c.Modules == nil || slices.Contains(c.Modules, m) }

// ErrForbidden is what an Authorize function wraps to refuse a caller it
// knows (403) rather than one it does not (any other error: 401).
var ErrForbidden = errors.New("wizard: forbidden")

// AuthorizeFunc decides who makes a request: a Caller, or an error that
// refuses it (401, or 403 when it wraps ErrForbidden; its message is shown
// to the caller). It is called on every request.
type AuthorizeFunc func(r *http.Request) (Caller, error)

// SingleCaller authorizes every request as one caller, with no scope: for
// a tool running on your own machine (crmio serve), never for a server
// others can reach.
func SingleCaller(id string) AuthorizeFunc {
	return func(*http.Request) (Caller, error) { return Caller{ID: id}, nil }
}

// Options configure the wizard. Authorize is required; every other field
// has a default.
type Options struct {
	// Authorize decides who makes each request (required).
	Authorize AuthorizeFunc
	// Importer are the importer's options: its Runner (a durable queue;
	// Background imports go through it when set), Suggester and limits.
	Importer *importer.Options
	// Hooks, when set, returns the hooks of an import a caller starts (the
	// CRM's own rules for module). It may return nil.
	Hooks func(c Caller, module string) *importer.Hooks
	// Uploads keeps the uploaded files; nil: the store's own, when it
	// implements storage.Uploads (New fails when neither is there; see
	// DirUploads).
	Uploads storage.Uploads
	// FailedRows returns the failed rows, as CSV with an Error column, of
	// a job that did not run in this process (a Runner's worker kept
	// them); an error wrapping crmio.ErrNotFound when none were kept. Nil:
	// only the failed rows of imports this process ran are served.
	FailedRows func(ctx context.Context, jobID string) (io.ReadCloser, error)

	// MaxUploadSize is the largest file accepted, in bytes (default
	// formats.DefaultMaxSize, 100 MiB).
	MaxUploadSize int64
	// MaxRequestSize is the largest JSON request body (default 1 MiB).
	MaxRequestSize int64
	// MaxRequests is how many requests of one caller are served at once
	// (default 8), MaxStreams how many progress streams one caller keeps
	// open (default 4), MaxImports how many imports one caller runs at
	// once in this process (default 2). Beyond: 429 Too Many Requests.
	MaxRequests, MaxStreams, MaxImports int
	// PreviewRows is how many rows the validation preview checks unless a
	// request asks for another number (default 20, at most 200).
	PreviewRows int
	// KeepSummaries is how many summaries of imports that ended in this
	// process are kept in memory, with their failed rows (default 64). An
	// older job's summary is the history's (without failed rows).
	KeepSummaries int
	// HistoryWindow is how many of the store's most recent jobs a history
	// request looks through for the caller's (default 2,000).
	HistoryWindow int

	// CSRFKey signs the CSRF tokens; nil: a random key per process. Give
	// several processes behind one address the same key.
	CSRFKey []byte
	// TrustedOrigins are other origins ("https://crm.example.com") whose
	// pages may send state-changing requests.
	TrustedOrigins []string

	// Logger receives a line per request and the imports' ends; nil:
	// slog.Default().
	Logger *slog.Logger
	// Title heads the UI (default "Import").
	Title string
	// CSS is added to the UI's stylesheet, after its own: set its CSS
	// variables there to fit the CRM's look (see the package doc).
	CSS string
}

// Server is the wizard: an http.Handler serving the JSON API, the progress
// streams and the web UI. Mount it under any path.
type Server struct {
	im      *importer.Importer
	store   storage.Store
	schema  *crmio.Schema
	uploads storage.Uploads
	opts    Options
	log     *slog.Logger
	csrfKey []byte
	origins *http.CrossOriginProtection
	api     *http.ServeMux

	mu       sync.Mutex
	jobs     map[string]*localJob // imports this process started
	ended    []string             // ids of ended local jobs, oldest first
	callers  map[string]*callerState
	closed   chan struct{}
	closeOne sync.Once
}

// localJob is an import started by this process.
type localJob struct {
	id     string
	caller string
	handle *importer.Handle
	module string
	file   string
	upload string // the upload's id
	sha    string // and its content's SHA-256
	// estimated is the job's row estimate as it began.
	estimated int
	// remote says a Runner runs it: its summary is the history's, its
	// failed rows Options.FailedRows's.
	remote bool
	// started and ended are when it began and ended here.
	started, ended time.Time
	// sum and err are set once the import has ended, before done closes.
	sum  *importer.Summary
	err  error
	done chan struct{}
}

// callerState is what the server counts of one caller.
type callerState struct {
	requests, streams, imports int
	// submits maps idempotency keys of import requests to their jobs.
	submits map[string]submitted
	// starting serializes a caller's import starts (double submits).
	starting sync.Mutex
}

type submitted struct {
	job string
	at  time.Time
}

// New returns the wizard over store for the modules of schema.
func New(store storage.Store, schema *crmio.Schema, opts *Options) (*Server, error) {
	if opts == nil || opts.Authorize == nil {
		return nil, errors.New("wizard: Options.Authorize is required (wizard.SingleCaller for a tool on your own machine)")
	}
	o := *opts
	im, err := importer.New(store, schema, o.Importer)
	if err != nil {
		return nil, fmt.Errorf("wizard: %w", err)
	}
	up := o.Uploads
	if up == nil {
		var ok bool
		if up, ok = store.(storage.Uploads); !ok {
			return nil, fmt.Errorf("wizard: the store (%T) keeps no uploads: set Options.Uploads (wizard.DirUploads keeps them in a directory)", store)
		}
	}
	if o.MaxUploadSize <= 0 {
		o.MaxUploadSize = formats.DefaultMaxSize
	}
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = 1 << 20
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 8
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 4
	}
	if o.MaxImports <= 0 {
		o.MaxImports = 2
	}
	if o.PreviewRows <= 0 {
		o.PreviewRows = 20
	}
	o.PreviewRows = min(o.PreviewRows, maxPreviewRows)
	if o.KeepSummaries <= 0 {
		o.KeepSummaries = 64
	}
	if o.HistoryWindow <= 0 {
		o.HistoryWindow = 2000
	}
	if o.Title == "" {
		o.Title = "Import"
	}
	s := &Server{im: im, store: store, schema: schema, uploads: up, opts: o, log: o.Logger,
		origins: http.NewCrossOriginProtection(), jobs: map[string]*localJob{},
		callers: map[string]*callerState{}, closed: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, origin := range o.TrustedOrigins {
		if err := s.origins.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("wizard: %w", err)
		}
	}
	s.csrfKey = o.CSRFKey
	if len(s.csrfKey) == 0 {
		s.csrfKey = make([]byte, 32)
		rand.Read(s.csrfKey)
	}
	s.api = s.routes()
	return s, nil
}

// Handler returns the wizard over store for schema, to mount in one line:
//
//	mux.Handle("/import/", wizard.Handler(store, schema, opts))
//
// It panics when New fails (no Authorize, an invalid schema, a store
// without uploads and no Options.Uploads): a mistake of the program, found
// when it starts. Use New to handle the error.
func Handler(store storage.Store, schema *crmio.Schema, opts *Options) http.Handler {
	s, err := New(store, schema, opts)
	if err != nil {
		panic(err)
	}
	return s
}

// Importer returns the importer the wizard runs imports with.
func (s *Server) Importer() *importer.Importer { return s.im }

// Shutdown ends the progress streams (so that an http.Server's Shutdown
// is not held by them), asks the imports running in this process to stop
// (each ends cancelled after the batch in hand, and can be resumed), and
// waits for them to end, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOne.Do(func() { close(s.closed) })
	s.mu.Lock()
	var running []*localJob
	for _, j := range s.jobs {
		if j.sum == nil && j.err == nil {
			running = append(running, j)
		}
	}
	s.mu.Unlock()
	for _, j := range running {
		j.handle.Cancel()
	}
	for _, j := range running {
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// The markers that find the wizard's own routes in a request's path,
// whatever the path it is mounted under (with or without
// http.StripPrefix): everything up to the last marker is the mount path.
const (
	apiMarker    = "/api/v1/"
	assetsMarker = "/assets/"
)

// ServeHTTP serves the API, the assets and the UI.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	caller := s.serve(rec, r)
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "wizard request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.String("caller", caller), slog.Int("status", rec.statusOr200()), slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", time.Since(start)))
}

// serve authorizes and routes a request, and returns the caller's id
// for the log.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) string {
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	c, err := s.Authorize(r)
	if err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, ErrForbidden) {
			status = http.StatusForbidden
		}
		writeError(w, &apiError{status: status, code: "unauthorized", msg: err.Error()})
		return ""
	}
	switch {
	case strings.Contains(path, apiMarker) || strings.HasSuffix(path, strings.TrimSuffix(apiMarker, "/")):
		tail := "/api/v1/"
		if i := strings.LastIndex(path, apiMarker); i >= 0 {
			tail = path[i:]
		}
		s.serveAPI(w, r, &c, tail)
	case strings.Contains(path, assetsMarker):
		s.serveAsset(w, r, path[strings.LastIndex(path, assetsMarker)+len(assetsMarker):])
	case strings.HasSuffix(path, "/"):
		s.serveIndex(w, r)
	default:
		writeError(w, errNotFound("no such page: the wizard is at a path ending in /"))
	}
	return c.ID
}

// Authorize runs the CRM's Authorize and checks what it returns.
func (s *Server) Authorize(r *http.Request) (Caller, error) {
	c, err := s.opts.Authorize(r)
	if err != nil {
		return Caller{}, err
	}
	if strings.TrimSpace(c.ID) == "" {
		return Caller{}, errors.New("wizard: Authorize returned a caller without an ID")
	}
	return c, nil
}

// statusRecorder remembers the status and size of a response for the log.
// It passes Flush and the rest through http.ResponseController (Unwrap).
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) statusOr200() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// callerState returns the counters of caller id, creating them.
func (s *Server) state(id string) *callerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.callers[id]
	if st == nil {
		st = &callerState{submits: map[string]submitted{}}
		s.callers[id] = st
	}
	return st
}

// acquire counts one more of what counter points at for caller id, unless
// limit are counted already; release undoes it.
func (s *Server) acquire(id string, counter func(*callerState) *int, limit int) (release func(), ok bool) {
	st := s.state(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := counter(st)
	if *n >= limit {
		return nil, false
	}
	*n++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			*n--
			s.mu.Unlock()
		})
	}, true
}

func requestsOf(st *callerState) *int { return &st.requests }
func streamsOf(st *callerState) *int  { return &st.streams }
func importsOf(st *callerState) *int  { return &st.imports }
