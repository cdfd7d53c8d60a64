package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to write and read at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve runs 'crmio serve' on a free port and returns its URL and a stop
// func that ends it and returns its exit status and output.
func startServe(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errs lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--user", "tester"}, args...), &out, &errs)
	}()
	at := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	deadline := time.Now().Add(20 * time.Second)
	for !at.MatchString(out.String()) {
		select {
		case c := <-code:
			t.Fatalf("serve ended with %d: %s%s", c, out.String(), errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address: %s%s", out.String(), errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return at.FindString(out.String()), func() (int, string) {
		cancel()
		return <-code, out.String()
	}
}

func TestServe(t *testing.T) {
	for _, db := range []string{"memory:", "sqlite:" + t.TempDir() + "/crm.db"} {
		url, stop := startServe(t, "--db", db)
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: the page: %d %s", db, res.StatusCode, res.Header.Get("Content-Type"))
		}
		// An upload round trip: the uploads are kept somewhere even when
		// the store keeps none.
		res, err = http.Get(url + "api/v1/session")
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Caller    struct{ ID string }
			CSRFToken string `json:"csrf_token"`
		}
		json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if s.Caller.ID != "tester" {
			t.Errorf("%s: the caller is %q, want --user's", db, s.Caller.ID)
		}
		req, _ := http.NewRequest("POST", url+"api/v1/uploads?name=c.csv", strings.NewReader("First Name,Last Name\nAda,Lovelace\n"))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("X-CSRF-Token", s.CSRFToken)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Errorf("%s: upload: %d", db, res.StatusCode)
		}
		if code, out := stop(); code != 0 || !strings.Contains(out, "crmio: stopped") {
			t.Errorf("%s: serve ended %d: %s", db, code, out)
		}
	}
}

func TestServeBadAddress(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(t.Context(), []string{"serve", "--db", "memory:", "--addr", "nonsense"}, &out, &errs); code != exitError || !strings.Contains(errs.String(), "--addr nonsense") {
		t.Errorf("serve --addr nonsense: %d %s", code, errs.String())
	}
}
