// Wizard-admin mounts crmio's import wizard in a CRM's admin area, under
// /admin/import/, behind the CRM's own sign-in (HTTP basic auth here, for
// brevity). Each user imports and exports only their own records: the
// wizard's Authorize hands it the signed-in user and their scope (owner =
// user); an administrator sees everything.
//
//	go run ./examples/wizard-admin            # a demonstration through the wizard's API
//	go run ./examples/wizard-admin -serve     # then open http://127.0.0.1:8090/admin/import/
//	                                          # as alice/alice, bob/bob or admin/admin
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/crmio/crmio"
	_ "github.com/crmio/crmio/formats/all" // the formats the wizard reads: CSV, XLSX, XLS
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/wizard"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "with -serve, listen on `HOST:PORT`")
	serve := flag.Bool("serve", false, "serve the CRM for a browser until Ctrl-C (without it: a demonstration through the API, then exit)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *addr, *serve); err != nil {
		fmt.Fprintln(os.Stderr, "wizard-admin:", err)
		os.Exit(1)
	}
}

// run serves the CRM on addr until ctx ends (serve), or serves it on a
// free port, imports a file as alice and as bob through the wizard's API
// as a browser would, and shows what each may see.
func run(ctx context.Context, out io.Writer, addr string, serve bool) error {
	store := memory.New()
	app, wiz := newApp(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !serve {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		wiz.Shutdown(context.Background())
		srv.Shutdown(context.Background())
	}()
	base := "http://" + ln.Addr().String()
	if serve {
		fmt.Fprintf(out, "the CRM is at %s/ and its import wizard at %s/admin/import/ (alice/alice, bob/bob, admin/admin); Ctrl-C stops it\n", base, base)
		<-ctx.Done()
		return nil
	}
	alice, bob := &client{base: base, user: "alice"}, &client{base: base, user: "bob"}
	job, err := alice.importFile("people.csv", "First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@\n")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "alice imported people.csv through %s/admin/import/: job %s %s, %d created, %d failed\n", base, job.ID, job.Status, job.Counts.Created, job.Counts.Failed)
	if _, err := bob.importFile("mine.csv", "First Name,Last Name,Email\nGrace,Hopper,grace@example.com\n"); err != nil {
		return err
	}
	code, _, err := bob.get("/admin/import/api/v1/imports/" + job.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bob asking for alice's job %s: %d %s\n", job.ID, code, http.StatusText(code))
	for _, c := range []*client{alice, bob, {base: base, user: "admin"}} {
		_, csv, err := c.get("/admin/import/api/v1/exports/people")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s's export of people has %d records\n", c.user, strings.Count(strings.TrimSpace(string(csv)), "\n"))
	}
	fmt.Fprintln(out, "run with -serve and open the wizard in a browser to go through it by hand")
	return nil
}

// user is one of the CRM's users.
type user struct {
	name, password string
	admin          bool // sees every record
}

var users = map[string]user{
	"alice": {name: "alice", password: "alice"},
	"bob":   {name: "bob", password: "bob"},
	"admin": {name: "admin", password: "admin", admin: true},
}

type userKey struct{}

// signedIn is the CRM's own authentication: here HTTP basic auth; in a
// real CRM its session cookie. It puts the user in the request's context.
func signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, pw, ok := r.BasicAuth()
		u, known := users[name]
		if !ok || !known || subtle.ConstantTimeCompare([]byte(pw), []byte(u.password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="crm"`)
			http.Error(w, "sign in to the CRM", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// authorize tells the wizard who the signed-in user is and what they see.
func authorize(r *http.Request) (wizard.Caller, error) {
	u, ok := r.Context().Value(userKey{}).(user)
	if !ok {
		return wizard.Caller{}, errors.New("not signed in")
	}
	c := wizard.Caller{ID: u.name, Name: u.name}
	if !u.admin {
		c.Scope = &storage.Scope{Name: "owner " + u.name,
			Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue(u.name)}}}
	}
	return c, nil
}

// schema is the default CRM schema with an owner on people and accounts,
// the field the users' scopes filter on.
func schema() *crmio.Schema {
	s := schemas.Default()
	for i := range s.Modules {
		if m := &s.Modules[i]; m.Name == "people" || m.Name == "accounts" {
			m.Fields = append(m.Fields, crmio.Field{Name: "owner", Label: "Owner", Type: crmio.TypeText})
		}
	}
	return s
}

// newApp is the CRM: its own pages, and the wizard under /admin/import/.
func newApp(store *memory.Store, logger *slog.Logger) (http.Handler, *wizard.Server) {
	wiz, err := wizard.New(store, schema(), &wizard.Options{
		Authorize: authorize,
		Logger:    logger,
		Title:     "Import into the CRM",
		CSS:       ":root { --wz-accent: #0b7a75; }", // the CRM's colour
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/import/", signedIn(wiz))
	mux.Handle("/{$}", signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := r.Context().Value(userKey{}).(user)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>CRM</title><h1>CRM</h1><p>Signed in as `+u.name+
			`. <a href="admin/import/">Import and export records</a></p>`)
	})))
	return mux, wiz
}

// client is what a browser does with the wizard's API, as one user.
type client struct {
	base, user string
	token      string
}

// job is the part of a job the demonstration reads.
type job struct {
	ID     string
	Status string
	Done   bool
	Counts struct{ Created, Failed int }
}

func (c *client) request(method, path string, body io.Reader, header ...string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(c.user, c.user)
	if c.token != "" {
		req.Header.Set("X-CSRF-Token", c.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (c *client) get(path string) (int, []byte, error) { return c.request("GET", path, nil) }

// importFile uploads a people file, imports it, and waits for its end.
func (c *client) importFile(name, content string) (job, error) {
	if c.token == "" {
		_, b, err := c.get("/admin/import/api/v1/session")
		if err != nil {
			return job{}, err
		}
		var s struct {
			Token string `json:"csrf_token"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return job{}, fmt.Errorf("session: %w: %s", err, b)
		}
		c.token = s.Token
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, content)
	mw.Close()
	code, b, err := c.request("POST", "/admin/import/api/v1/uploads", &buf, "Content-Type", mw.FormDataContentType())
	if err != nil || code != http.StatusCreated {
		return job{}, fmt.Errorf("upload as %s: %d %s %v", c.user, code, b, err)
	}
	var u struct{ ID string }
	json.Unmarshal(b, &u)
	plan, _ := json.Marshal(map[string]any{"upload": u.ID, "module": "people"})
	code, b, err = c.request("POST", "/admin/import/api/v1/imports", bytes.NewReader(plan), "Content-Type", "application/json")
	if err != nil || code != http.StatusAccepted {
		return job{}, fmt.Errorf("import as %s: %d %s %v", c.user, code, b, err)
	}
	var started struct{ Job job }
	json.Unmarshal(b, &started)
	for range 500 {
		_, b, err := c.get("/admin/import/api/v1/imports/" + started.Job.ID)
		if err != nil {
			return job{}, err
		}
		var now struct{ Job job }
		json.Unmarshal(b, &now)
		if now.Job.Done {
			return now.Job, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return job{}, fmt.Errorf("job %s did not end", started.Job.ID)
}
