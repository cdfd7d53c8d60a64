package river_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"

	_ "github.com/crmio/crmio/formats/all"
)

func rowsEnv(def int) int {
	if n, err := strconv.Atoi(os.Getenv("SMOKE_ROWS")); err == nil {
		return n
	}
	return def
}

func TestInProcessSQLite(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "crm.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	runner, err := crmioriver.New(ctx, store, &crmioriver.Config{RescueInterval: 100 * time.Millisecond, StaleAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	im, err := importer.New(store, schemas.Default(), &importer.Options{Runner: runner, Heartbeat: 50 * time.Millisecond, StaleAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "c.csv")
	if err := contactgen.WriteFile(file, rowsEnv(5000), nil); err != nil {
		t.Fatal(err)
	}
	h, err := im.Start(ctx, importer.Source{Path: file}, importer.Plan{Module: "people", Mode: importer.Background, BatchSize: 1000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := im.Status(ctx, h.JobID)
	t.Logf("submitted %s: %s", h.JobID, st.Status)
	if err := runner.Start(ctx, im); err != nil {
		t.Fatal(err)
	}
	job, err := im.WaitJob(ctx, h.JobID, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("job %s %+v", job.Status, job.Counts)
	if job.Status != storage.JobCompleted {
		t.Fatalf("%s %s", job.Status, job.Error)
	}
	if err := runner.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
