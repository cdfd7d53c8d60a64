package wizard_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	_ "github.com/crmio/crmio/formats/all"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/wizard"
)

// The test callers: the X-Test-User header names the caller; "mallory"
// is refused (403), no header is unknown (401). "scoped" sees the people
// whose title is "Mathematician".
func testAuthorize(r *http.Request) (wizard.Caller, error) {
	switch u := r.Header.Get("X-Test-User"); u {
	case "":
		return wizard.Caller{}, errors.New("sign in first")
	case "mallory":
		return wizard.Caller{}, fmt.Errorf("%w: mallory may not import", wizard.ErrForbidden)
	case "scoped":
		return wizard.Caller{ID: u, Scope: &storage.Scope{Name: "mathematicians",
			Where: []storage.Filter{{Field: "title", Op: storage.Eq, Value: crmio.TextValue("Mathematician")}}}}, nil
	case "people-only":
		return wizard.Caller{ID: u, Modules: []string{"people"}}, nil
	default:
		return wizard.Caller{ID: u}, nil
	}
}

// env is a wizard over a memory store, served by httptest.
type env struct {
	t     *testing.T
	store *memory.Store
	wiz   *wizard.Server
	srv   *httptest.Server
	base  string // the wizard's URL, ending in /
}

func newEnv(t *testing.T, opts *wizard.Options) *env {
	t.Helper()
	if opts == nil {
		opts = &wizard.Options{}
	}
	if opts.Authorize == nil {
		opts.Authorize = testAuthorize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	store := memory.New()
	wiz, err := wizard.New(store, schemas.Default(), opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/crm/import/", wiz)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		_ = wiz.Shutdown(t.Context())
	})
	return &env{t: t, store: store, wiz: wiz, srv: srv, base: srv.URL + "/crm/import/"}
}

// client makes requests as one caller.
type client struct {
	e     *env
	user  string
	token string
}

func (e *env) as(user string) *client {
	c := &client{e: e, user: user}
	if user != "" && user != "mallory" {
		var s struct {
			CSRFToken string `json:"csrf_token"`
		}
		c.getJSON("api/v1/session", http.StatusOK, &s)
		c.token = s.CSRFToken
	}
	return c
}

// do sends a request; body is JSON unless it is a []byte or io.Reader
// (sent as is, with contentType).
func (c *client) do(method, path string, body any, contentType string, header ...string) (*http.Response, []byte) {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
		if contentType == "" {
			contentType = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(c.e.t.Context(), method, c.e.base+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.user != "" {
		req.Header.Set("X-Test-User", c.user)
	}
	if c.token != "" {
		req.Header.Set("X-CSRF-Token", c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return res, b
}

// json sends a JSON request, checks the status and decodes the answer.
func (c *client) json(method, path string, body any, want int, into any) {
	c.e.t.Helper()
	res, b := c.do(method, path, body, "")
	c.check(res, b, want, into)
}

func (c *client) getJSON(path string, want int, into any) {
	c.e.t.Helper()
	c.json("GET", path, nil, want, into)
}

func (c *client) check(res *http.Response, b []byte, want int, into any) {
	c.e.t.Helper()
	if res.StatusCode != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, b)
	}
	if into != nil {
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			c.e.t.Fatalf("%s %s: Content-Type %q, want JSON", res.Request.Method, res.Request.URL.Path, ct)
		}
		if err := json.Unmarshal(b, into); err != nil {
			c.e.t.Fatalf("%s %s: %v: %s", res.Request.Method, res.Request.URL.Path, err, b)
		}
	}
}

// apiErr is an error answer.
type apiErr struct {
	Code  string `json:"code"`
	Error string `json:"error"`
	Job   string `json:"job"`
}

// wantError checks an error answer's status and code.
func (c *client) wantError(res *http.Response, b []byte, status int, code string) apiErr {
	c.e.t.Helper()
	var e apiErr
	c.check(res, b, status, &e)
	if e.Code != code || e.Error == "" {
		c.e.t.Fatalf("%s %s: error %+v, want code %q with a message", res.Request.Method, res.Request.URL.Path, e, code)
	}
	return e
}

// upload sends a file as multipart/form-data and returns its id.
func (c *client) upload(name string, content []byte) string {
	c.e.t.Helper()
	res, b := c.uploadRaw(name, content)
	var u struct{ ID string }
	c.check(res, b, http.StatusCreated, &u)
	return u.ID
}

func (c *client) uploadRaw(name string, content []byte) (*http.Response, []byte) {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.e.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return c.do("POST", "api/v1/uploads", buf.Bytes(), mw.FormDataContentType())
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// job is the part of a job answer the tests read.
type job struct {
	ID          string         `json:"id"`
	Status      string         `json:"status"`
	Mode        string         `json:"mode"`
	Module      string         `json:"module"`
	File        string         `json:"file"`
	Counts      storage.Counts `json:"counts"`
	Done        bool           `json:"done"`
	CanRollback bool           `json:"can_rollback"`
	CanCancel   bool           `json:"can_cancel"`
}

// start starts an import and returns its job.
func (c *client) start(body map[string]any, header ...string) job {
	c.e.t.Helper()
	res, b := c.do("POST", "api/v1/imports", body, "", header...)
	var out struct{ Job job }
	c.check(res, b, http.StatusAccepted, &out)
	return out.Job
}

// wait follows a job's event stream to its end and returns the events.
func (c *client) wait(id string) []event {
	c.e.t.Helper()
	res, b := c.do("GET", "api/v1/imports/"+id+"/events", nil, "")
	// A stream the test has just closed holds its place until the server
	// sees the connection gone, which takes a moment under load: as any
	// client would, try again after a 429, for a while.
	for deadline := time.Now().Add(5 * time.Second); res.StatusCode == http.StatusTooManyRequests && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		res, b = c.do("GET", "api/v1/imports/"+id+"/events", nil, "")
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		c.e.t.Fatalf("events: %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	events := parseEvents(string(b))
	if len(events) == 0 || events[len(events)-1].Name != "done" {
		c.e.t.Fatalf("events of job %s end without done: %s", id, b)
	}
	return events
}

type event struct {
	Name string
	Data map[string]any
}

func parseEvents(s string) []event {
	var out []event
	for _, block := range strings.Split(s, "\n\n") {
		var ev event
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			}
		}
		if ev.Name != "" {
			out = append(out, ev)
		}
	}
	return out
}

func httptestServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }
