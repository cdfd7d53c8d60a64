package wizard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/storetest"
	"github.com/crmio/crmio/wizard"
)

// DirUploads passes the conformance kit's checks of storage.Uploads.
func TestDirUploadsConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		return struct {
			storage.Store
			storage.Uploads
		}{memory.New(), wizard.DirUploads(t.TempDir())}
	})
}

func TestDirUploadsRefusesOtherNames(t *testing.T) {
	up := wizard.DirUploads(t.TempDir())
	for _, id := range []string{"../etc/passwd", "", "x", strings.Repeat("g", 32)} {
		if _, err := up.Upload(t.Context(), id); !errors.Is(err, crmio.ErrNotFound) {
			t.Errorf("Upload(%q) = %v, want not found", id, err)
		}
	}
}

// A store without uploads needs Options.Uploads; one without history
// still imports (its jobs live in this process only) but cannot roll back.
func TestStoreWithoutHistory(t *testing.T) {
	mem := memory.New()
	plain := struct{ storage.Store }{mem}
	if _, err := wizard.New(plain, schemas.Default(), &wizard.Options{Authorize: testAuthorize}); err == nil || !strings.Contains(err.Error(), "keeps no uploads") {
		t.Fatalf("New over a store without uploads: %v", err)
	}
	wiz, err := wizard.New(plain, schemas.Default(), &wizard.Options{Authorize: testAuthorize, Uploads: wizard.DirUploads(t.TempDir()),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.StripPrefix("/x", wiz))
	defer srv.Close()
	e := &env{t: t, store: mem, wiz: wiz, srv: srv, base: srv.URL + "/x/"}
	ann := e.as("ann")
	j := importContacts(t, ann, nil)
	if !strings.HasPrefix(j.ID, "local-") || j.Status != "completed" || j.Counts.Created != 4 {
		t.Errorf("job = %+v", j)
	}
	var hist struct{ Jobs []job }
	ann.getJSON("api/v1/imports", http.StatusOK, &hist)
	if len(hist.Jobs) != 1 || hist.Jobs[0].ID != j.ID {
		t.Errorf("history = %+v", hist)
	}
	e.as("bob").getJSON("api/v1/imports", http.StatusOK, &hist)
	if len(hist.Jobs) != 0 {
		t.Errorf("bob's history = %+v", hist)
	}
	res, b := e.as("bob").do("GET", "api/v1/imports/"+j.ID+"/summary", nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
	ann.getJSON("api/v1/imports/"+j.ID+"/summary", http.StatusOK, nil)
	res, b = ann.do("POST", "api/v1/imports/"+j.ID+"/rollback", map[string]any{}, "")
	ann.wantError(res, b, http.StatusNotImplemented, "not_supported")
}

// queue is a Runner standing in for a durable queue: Submit records the
// job and a worker runs it with Resume, keeping its failed rows as a
// durable runner keeps them in the store.
type queue struct {
	im     func() *importer.Importer
	mu     sync.Mutex
	failed map[string][]byte
	wg     sync.WaitGroup
}

func (q *queue) Submit(ctx context.Context, job storage.Job, src importer.Source) (string, error) {
	data, err := os.ReadFile(src.Path)
	if err != nil {
		return "", err
	}
	id, err := q.im().Store().(storage.History).CreateJob(ctx, job)
	if err != nil {
		return "", err
	}
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		sum, _ := q.im().Resume(context.Background(), id, importer.Source{Reader: bytes.NewReader(data), Name: src.Name}, nil)
		var buf bytes.Buffer
		if sum != nil {
			sum.WriteFailedRows(&buf)
		}
		q.mu.Lock()
		q.failed[id] = buf.Bytes()
		q.mu.Unlock()
	}()
	return id, nil
}

func (q *queue) failedRows(ctx context.Context, id string) (io.ReadCloser, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	b, ok := q.failed[id]
	if !ok {
		return nil, fmt.Errorf("job %s: %w", id, crmio.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func TestBackgroundThroughTheRunner(t *testing.T) {
	q := &queue{failed: map[string][]byte{}}
	var wiz *wizard.Server
	q.im = func() *importer.Importer { return wiz.Importer() }
	e := newEnv(t, &wizard.Options{Importer: &importer.Options{Runner: q, PollInterval: 20e6}, FailedRows: q.failedRows})
	wiz = e.wiz
	defer q.wg.Wait()
	ann := e.as("ann")
	var s struct {
		Background bool `json:"background_runner"`
	}
	ann.getJSON("api/v1/session", http.StatusOK, &s)
	if !s.Background {
		t.Error("the session does not say Background imports go to a runner")
	}
	id := ann.upload("contacts.csv", readTestdata(t, "contacts.csv"))
	j := ann.start(map[string]any{"upload": id, "module": "people", "mode": "background", "auto_create_references": true})
	if j.Mode != "background" {
		t.Errorf("job = %+v", j)
	}
	events := ann.wait(j.ID)
	if end := events[len(events)-1].Data; end["status"] != "completed" {
		t.Errorf("the background job ended %v", end)
	}
	var sum struct {
		Created, Failed int
		FailedRowsKept  int `json:"failed_rows_kept"`
	}
	ann.getJSON("api/v1/imports/"+j.ID+"/summary", http.StatusOK, &sum)
	if sum.Created != 4 || sum.Failed != 2 {
		t.Errorf("summary = %+v", sum)
	}
	q.wg.Wait()
	res, b := ann.do("GET", "api/v1/imports/"+j.ID+"/failed-rows", nil, "")
	if res.StatusCode != 200 || !strings.Contains(string(b), "Alan") || !strings.Contains(string(b), "Error") {
		t.Errorf("failed rows of a runner's job: %d %s", res.StatusCode, b)
	}
	res, b = e.as("bob").do("GET", "api/v1/imports/"+j.ID+"/failed-rows", nil, "")
	ann.wantError(res, b, http.StatusNotFound, "not_found")
}
