package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio/storage"
)

// Run checks that the stores newStore returns implement the storage
// contract. It runs one subtest per area of the contract, each on a fresh
// store from newStore, and reports every failure it finds with t.Errorf.
// The areas of an optional capability the store lacks are skipped.
//
// newStore should register the store's cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			s := newStore(t)
			if s == nil {
				t.Fatal("newStore returned a nil Store")
			}
			if a.needs != nil {
				if missing := a.needs(s); missing != "" {
					t.Skipf("the store does not implement %s", missing)
				}
			}
			c := &checker{
				ctx:    t.Context(),
				report: func(msg string) { t.Error(msg) },
			}
			c.run(a.fn, s)
		})
	}
}

// TestStore checks the contract as Run does, outside a test, and returns
// every failure joined into one error (nil when the store conforms). Each
// failure names its area and check: "Lookup: after update: …". newStore is
// called once per area; a store that implements io.Closer is closed after
// its area.
//
// Adapter authors call Run; TestStore is for tools, and for testing
// storetest itself.
func TestStore(newStore func() (storage.Store, error)) error {
	var errs []error
	for _, a := range areas {
		s, err := newStore()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: new store: %v", a.name, err))
			continue
		}
		if a.needs == nil || a.needs(s) == "" {
			c := &checker{
				ctx:    context.Background(),
				report: func(msg string) { errs = append(errs, errors.New(a.name+": "+msg)) },
			}
			c.run(a.fn, s)
		}
		if closer, ok := s.(io.Closer); ok {
			if err := closer.Close(); err != nil {
				errs = append(errs, fmt.Errorf("%s: close: %v", a.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// An area is one part of the contract, checked on a fresh store.
type area struct {
	name string
	// needs, when set, names the capability the area needs and the store
	// lacks, or returns "" when the store has it.
	needs func(storage.Store) string
	fn    func(c *checker, s storage.Store)
}

// areas lists every area, in the order they run.
var areas = []area{
	{name: "Insert", fn: checkInsert},
	{name: "Get", fn: checkGet},
	{name: "Update", fn: checkUpdate},
	{name: "Delete", fn: checkDelete},
	{name: "Values", fn: checkValues},
	{name: "Modules", fn: checkModules},
	{name: "Lookup", fn: checkLookup},
	{name: "Filters", fn: checkFilters},
	{name: "Order", fn: checkOrder},
	{name: "Fields", fn: checkFields},
	{name: "Scope", fn: checkScope},
	{name: "InvalidQuery", fn: checkInvalidQuery},
	{name: "Iteration", fn: checkIteration},
	{name: "Cancellation", fn: checkCancellation},
	{name: "Concurrency", fn: checkConcurrency},
	{name: "ChunkScanner", needs: needsChunkScanner, fn: checkChunkScanner},
	{name: "Transactor", needs: needsTransactor, fn: checkTransactor},
	{name: "History", needs: needsHistory, fn: checkHistory},
	{name: "MappingMemory", needs: needsMappingMemory, fn: checkMappingMemory},
	{name: "Uploads", needs: needsUploads, fn: checkUploads},
}

func needsUploads(s storage.Store) string {
	if _, ok := s.(storage.Uploads); ok {
		return ""
	}
	return "storage.Uploads"
}

func needsTransactor(s storage.Store) string {
	if _, ok := s.(storage.Transactor); ok {
		return ""
	}
	return "storage.Transactor"
}

func needsHistory(s storage.Store) string {
	if _, ok := s.(storage.History); ok {
		return ""
	}
	return "storage.History"
}

// checker collects the failures of one area. Its methods may be called
// from several goroutines, except fatalf, which only the area's own
// goroutine may call.
type checker struct {
	ctx    context.Context
	mu     sync.Mutex
	report func(msg string)
	counts map[string]int // failures reported per check
}

// maxPerCheck is how many failures of one check are reported: enough to
// see the pattern, not a thousand lines for a thousand records.
const maxPerCheck = 10

// abortArea is the panic fatalf uses to end an area early.
type abortArea struct{}

// run runs fn, turning a panic of the store into a failure.
func (c *checker) run(fn func(*checker, storage.Store), s storage.Store) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(abortArea); !ok {
				c.errorf("panic", "%v\n%s", p, debug.Stack())
			}
		}
	}()
	fn(c, s)
}

// errorf reports a failure of check and goes on.
func (c *checker) errorf(check, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = make(map[string]int)
	}
	c.counts[check]++
	switch n := c.counts[check]; {
	case n <= maxPerCheck:
		c.report(check + ": " + fmt.Sprintf(format, args...))
	case n == maxPerCheck+1:
		c.report(check + ": further failures of this check not shown")
	}
}

// fatalf reports a failure of check that the rest of the area depends on,
// and ends the area.
func (c *checker) fatalf(check, format string, args ...any) {
	c.errorf(check, format, args...)
	panic(abortArea{})
}

// blockTimeout is how long a call may block before the kit calls it a
// deadlock. It detects a store that never returns, not a slow one.
const blockTimeout = 30 * time.Second

// within runs f and fails check, ending the area, when f does not return
// within blockTimeout: the store is deadlocked. f keeps running.
func (c *checker) within(check string, f func()) {
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case p := <-done:
		if p != nil {
			panic(p)
		}
	case <-time.After(blockTimeout):
		c.fatalf(check, "blocked for %v: the store is deadlocked", blockTimeout)
	}
}

// describe shortens a list of keys or ids for a message.
func describe(list []string) string {
	if len(list) > 12 {
		return "[" + strings.Join(list[:12], " ") + fmt.Sprintf(" … (%d in all)]", len(list))
	}
	return "[" + strings.Join(list, " ") + "]"
}
