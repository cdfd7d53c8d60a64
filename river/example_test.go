package river_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage/sqlite"
)

// A CRM hands its background imports to River: Start returns as soon as
// the job is queued, and a worker (here in the same process; usually
// 'crmio worker' or the CRM's own worker processes) runs it.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "crmio-example-")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "crm.db"), nil) // or postgres.Open
	if err != nil {
		panic(err)
	}
	defer store.Close()
	runner, err := crmioriver.New(ctx, store, &crmioriver.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Runner: runner})
	if err != nil {
		panic(err)
	}

	file := filepath.Join(dir, "people.csv")
	os.WriteFile(file, []byte("First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n"), 0o600)
	h, err := im.Start(ctx, importer.Source{Path: file}, importer.Plan{Module: "people", Mode: importer.Background}, nil)
	if err != nil {
		panic(err)
	}
	queued, _ := im.Status(ctx, h.JobID)
	fmt.Println("submitted:", queued.Status)

	// A worker.
	if err := runner.Start(ctx, im); err != nil {
		panic(err)
	}
	defer runner.Stop(ctx)
	job, err := im.WaitJob(ctx, h.JobID, 20*time.Millisecond)
	if err != nil {
		panic(err)
	}
	fmt.Println("then:", job.Status, job.Counts.Created, "created")
	// Output:
	// submitted: queued
	// then: completed 2 created
}
