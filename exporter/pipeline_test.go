package exporter_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/storage"
)

// manyPeople returns n records numbered in their last names.
func manyPeople(n int) []crmio.Record {
	recs := make([]crmio.Record, n)
	for i := range recs {
		recs[i] = crmio.Record{Values: map[string]crmio.Value{
			"last_name": crmio.TextValue(fmt.Sprintf("P%05d", i)),
			"status":    crmio.TextValue("new"),
		}}
	}
	return recs
}

// failingStore yields its store's records, then fails after the first
// failAfter of them (if failAfter >= 0).
type failingStore struct {
	storage.Store
	failAfter int
}

var errDiskGone = errors.New("disk gone")

func (s *failingStore) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	return func(yield func(crmio.Record, error) bool) {
		n := 0
		for rec, err := range s.Store.Scan(ctx, module, q) {
			if n == s.failAfter {
				yield(crmio.Record{}, errDiskGone)
				return
			}
			n++
			if !yield(rec, err) {
				return
			}
		}
	}
}

// failingWriter fails once it has taken limit bytes.
type failingWriter struct{ n, limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errors.New("no space left")
	}
	w.n += len(p)
	return len(p), nil
}

// The export reads, renders and writes in pieces on several goroutines:
// the records come out whole and in the store's order past many pieces,
// an error of the store or of the file, or a cancel, ends it with that
// error, and no goroutine is left behind.
func TestExportPipeline(t *testing.T) {
	const n = 2_500 // about ten pieces
	store := newStore(t, manyPeople(n))
	base := runtime.NumGoroutine()

	var buf bytes.Buffer
	res, err := exporter.Export(context.Background(), store, peopleModule(), &buf, &exporter.Options{Fields: []string{"last_name"}})
	if err != nil || res.Rows != n {
		t.Fatalf("export: %d rows, %v", res.Rows, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != n+1 {
		t.Fatalf("%d lines, want %d", len(lines), n+1)
	}
	for i, l := range lines[1:] {
		if want := fmt.Sprintf("P%05d", i); strings.TrimSpace(l) != want {
			t.Fatalf("line %d is %q, want %q: the order of the store is lost", i+2, l, want)
		}
	}

	_, err = exporter.Export(context.Background(), &failingStore{Store: store, failAfter: 1_000}, peopleModule(), &bytes.Buffer{}, nil)
	if !errors.Is(err, errDiskGone) || !strings.Contains(err.Error(), "reading people") {
		t.Errorf("a store failing mid-export: %v", err)
	}
	_, err = exporter.Export(context.Background(), store, peopleModule(), &failingWriter{limit: 20_000}, nil)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("a file failing mid-export: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{limit: 20_000, cancel: cancel}
	_, err = exporter.Export(ctx, store, peopleModule(), w, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("an export cancelled midway: %v", err)
	}
	// The goroutines of the pieces end with the export.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > base {
		t.Errorf("%d goroutines after the exports, %d before", g, base)
	}
}

// cancelAfter cancels its context once it has taken limit bytes.
type cancelAfter struct {
	n, limit int
	cancel   func()
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.limit {
		w.cancel()
	}
	return len(p), nil
}
