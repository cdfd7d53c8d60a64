package exporter_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
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

// chunkStore is a memory store that reads in chunks (storage.ChunksOf of
// its Scan), so that an export takes the path a SQL store's takes.
type chunkStore struct{ *memory.Store }

func (s chunkStore) ScanChunks(ctx context.Context, module string, q storage.Query) iter.Seq2[*storage.Chunk, error] {
	if err := storage.ChunkQueryError(q); err != nil {
		return func(yield func(*storage.Chunk, error) bool) { yield(nil, err) }
	}
	return storage.ChunksOf(s.Scan(ctx, module, q), q.Fields)
}

// TestExportFromChunks checks that an export from a storage.ChunkScanner
// writes the very bytes of one from Scan: every column, a selection that
// shows a field in two places, a scope, a limit, the injection guard, a
// saved report's columns; in CSV (whose rows are encoded on the workers)
// and in a PDF report (measured, then written, row by row).
func TestExportFromChunks(t *testing.T) {
	ctx := context.Background()
	var recs []crmio.Record
	for i := range 700 { // several chunks
		r := samplePeople()[i%3]
		r.Values = maps.Clone(r.Values)
		r.Values["last_name"] = crmio.TextValue(fmt.Sprintf("=Person %d", i)) // guarded
		recs = append(recs, r)
	}
	mem := memory.New()
	if _, err := mem.Insert(ctx, "people", recs); err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	alice := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("alice")}}}
	for _, tc := range []struct {
		name string
		opts exporter.Options
	}{
		{"every column", exporter.Options{}},
		{"a field in two places", exporter.Options{Fields: []string{"email/work", "last_name", "email/home", "phone"}}},
		{"scope and limit", exporter.Options{Scope: alice, Limit: 300}},
		{"pdf", exporter.Options{Format: exporter.PDF, GeneratedAt: fixed, PDF: &pdf.Options{Created: fixed}}},
		{"pdf report of some fields", exporter.Options{Format: exporter.PDF, Fields: []string{"last_name", "email", "address"}, GeneratedAt: fixed, PDF: &pdf.Options{Created: fixed}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fromScan, fromChunks bytes.Buffer
			a, errA := exporter.Export(ctx, mem, peopleModule(), &fromScan, &tc.opts)
			b, errB := exporter.Export(ctx, chunkStore{mem}, peopleModule(), &fromChunks, &tc.opts)
			if errA != nil || errB != nil {
				t.Fatalf("Export: %v; from chunks: %v", errA, errB)
			}
			if a.Rows != b.Rows || a.Rows == 0 {
				t.Errorf("rows: %d from Scan, %d from chunks", a.Rows, b.Rows)
			}
			if !bytes.Equal(fromScan.Bytes(), fromChunks.Bytes()) {
				t.Errorf("the export from chunks differs from the export from Scan (%d and %d bytes)", fromChunks.Len(), fromScan.Len())
			}
		})
	}
}
