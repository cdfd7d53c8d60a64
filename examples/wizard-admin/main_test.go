package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

type crm struct {
	t     *testing.T
	url   string
	store *memory.Store
}

func newCRM(t *testing.T) *crm {
	store := memory.New()
	app, wiz := newApp(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(app)
	t.Cleanup(func() { srv.Close(); wiz.Shutdown(t.Context()) })
	return &crm{t: t, url: srv.URL, store: store}
}

// do makes a request as user (password right unless bad), and returns
// the status and body.
func (c *crm) do(user, method, path string, body io.Reader, header ...string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, body)
	if user != "" {
		req.SetBasicAuth(user, user)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// importAs uploads and imports a people file as user, and returns the job id.
func (c *crm) importAs(user, file string) string {
	c.t.Helper()
	j, err := (&client{base: c.url, user: user}).importFile("people.csv", file)
	if err != nil {
		c.t.Fatal(err)
	}
	return j.ID
}

func TestDemonstration(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out, "", false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"completed, 1 created, 1 failed", "bob asking for alice's job job-000000000001: 404 Not Found",
		"alice's export of people has 1 records", "bob's export of people has 1 records", "admin's export of people has 2 records"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demonstration lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWizardBehindTheCRMsSignIn(t *testing.T) {
	c := newCRM(t)
	// The CRM's own sign-in comes first, for the UI and the API alike.
	for _, path := range []string{"/admin/import/", "/admin/import/api/v1/session", "/admin/import/assets/app.js"} {
		if code, _ := c.do("", "GET", path, nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s signed out: %d", path, code)
		}
	}
	req, _ := http.NewRequest("GET", c.url+"/admin/import/", nil)
	req.SetBasicAuth("alice", "wrong")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong password: %v %v", res.StatusCode, err)
	}
	code, page := c.do("alice", "GET", "/admin/import/", nil)
	if code != 200 || !strings.Contains(string(page), `src="assets/app.js`) || !strings.Contains(string(page), "--wz-accent: #0b7a75") {
		t.Errorf("the wizard's page under /admin/import/: %d", code)
	}
	if code, _ := c.do("alice", "GET", "/admin/import/assets/app.css", nil); code != 200 {
		t.Errorf("its stylesheet: %d", code)
	}

	// alice and bob each import; each record takes its importer's owner.
	aliceJob := c.importAs("alice", "First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n")
	c.importAs("bob", "First Name,Last Name,Email\nGrace,Hopper,grace@example.com\n")
	owners := map[string]int{}
	for rec, err := range c.store.Scan(t.Context(), "people", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		owners[rec.Values["owner"].String()]++
	}
	if owners["alice"] != 2 || owners["bob"] != 1 {
		t.Errorf("owners = %v", owners)
	}
	// bob cannot see alice's job, nor export her records.
	if code, _ := c.do("bob", "GET", "/admin/import/api/v1/imports/"+aliceJob, nil); code != http.StatusNotFound {
		t.Errorf("bob reading alice's job: %d", code)
	}
	if code, _ := c.do("bob", "GET", "/admin/import/api/v1/imports/"+aliceJob+"/summary", nil); code != http.StatusNotFound {
		t.Errorf("bob reading alice's summary: %d", code)
	}
	_, export := c.do("bob", "GET", "/admin/import/api/v1/exports/people", nil)
	if strings.Contains(string(export), "Lovelace") || !strings.Contains(string(export), "Hopper") {
		t.Errorf("bob's export:\n%s", export)
	}
	// The administrator sees everyone's records.
	_, export = c.do("admin", "GET", "/admin/import/api/v1/exports/people", nil)
	if !strings.Contains(string(export), "Lovelace") || !strings.Contains(string(export), "Hopper") {
		t.Errorf("admin's export:\n%s", export)
	}
	if code, b := c.do("alice", "GET", "/", nil); code != 200 || !strings.Contains(string(b), `href="admin/import/"`) {
		t.Errorf("the CRM's page: %d %s", code, b)
	}
}
