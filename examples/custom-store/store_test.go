package main

import (
	"testing"

	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/storetest"
)

// TestConformance checks the adapter against the whole storage contract.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := NewStore(&Table{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// The example itself runs: it imports, reads the table back and exports.
func TestRun(t *testing.T) {
	if err := run(t.Context(), testWriter{t}); err != nil {
		t.Fatal(err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
