package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/sqlite"
)

// The crash test runs this binary again as the importing child; these say
// what the child does.
const (
	crashChildEnv = "CRMIO_CRASH_CHILD_DB"
	crashFileEnv  = "CRMIO_CRASH_CHILD_FILE"
	crashBatch    = 250
)

// runCrashChild imports into the SQLite database named by the environment,
// printing a line after each committed batch, until it is killed.
func runCrashChild() {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, os.Getenv(crashChildEnv), nil)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	im, err := importer.New(store, testSchema(), &importer.Options{Heartbeat: 10 * time.Millisecond})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	_, err = im.Run(ctx, importer.Source{Path: os.Getenv(crashFileEnv)}, importer.Plan{
		Module: "people", Mapping: peopleMapping(), BatchSize: crashBatch, Mode: importer.Streaming,
	}, &importer.Hooks{Progress: func(p importer.Progress) {
		fmt.Fprintf(out, "read %d\n", p.Read)
		out.Flush()
	}})
	fmt.Fprintln(out, "finished:", err)
	out.Flush()
	os.Exit(0)
}

// TestCrashMidImport kills a child process with SIGKILL while it imports
// into SQLite: after reopening, only whole batches are there, the job is
// reported interrupted, and its rollback removes exactly what it created.
func TestCrashMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	csvPath := filepath.Join(dir, "people.csv")
	var b strings.Builder
	b.WriteString(peopleHeader + "\n")
	const rows = 200_000
	for i := range rows {
		fmt.Fprintf(&b, "First%d,Last%d,person%d@example.com,,,\n", i, i, i)
	}
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Records that were there before: they must survive everything.
	ctx := context.Background()
	store, err := sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	insert(t, store, "people",
		crmio.Record{Values: values("last_name", crmio.TextValue("Before"), "email", email("work", "before@example.com"))},
		crmio.Record{Values: values("last_name", crmio.TextValue("Earlier"))})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+db, crashFileEnv+"="+csvPath)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	batches := 0
	for batches < 5 && lines.Scan() {
		line := lines.Text()
		if strings.HasPrefix(line, "finished") || strings.HasPrefix(line, "error") {
			t.Fatalf("the child ended before it was killed: %s", line)
		}
		batches++
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	store, err = sqlite.Open(ctx, db, nil)
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	defer store.Close()
	people := all(t, store, "people")
	created := len(people) - 2
	if created <= 0 || created >= rows || created%crashBatch != 0 {
		t.Fatalf("%d records created before the kill: want whole batches of %d, some but not all", created, crashBatch)
	}
	t.Logf("killed after %d progress lines; %d records (%d batches) had committed", batches, created, created/crashBatch)

	im, err := importer.New(store, testSchema(), &importer.Options{StaleAfter: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := im.History(ctx, 0)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("history %v, %v", jobs, err)
	}
	job, err := im.Status(ctx, jobs[0].ID)
	if err != nil || job.Status != storage.JobInterrupted {
		t.Fatalf("status of the killed job = %q, %v; want interrupted", job.Status, err)
	}
	if job.Counts.Created > created {
		t.Errorf("the job's counts say %d created, the store holds %d", job.Counts.Created, created)
	}
	res, err := im.Rollback(ctx, job.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != created {
		t.Errorf("rollback deleted %d, want the %d the job created", res.Deleted, created)
	}
	left := all(t, store, "people")
	if len(left) != 2 || left[0].Get("last_name").Str() != "Before" || left[1].Get("last_name").Str() != "Earlier" {
		t.Errorf("after rollback: %v", left)
	}
}
