//go:build unix

package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/storage"
	_ "modernc.org/sqlite" // to watch the database read-only
)

// An interrupt (Ctrl-C) stops an import between two batches: the job ends
// cancelled, the exit status is 2, and what was written can be rolled back.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "contacts.csv")
	if err := contactgen.WriteFile(file, 300000, nil); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(dir, "crm.db")
	cmd := exec.Command(binary, "--db", db, "import", file, "--module", "people", "--batch-size", "200")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the job to start.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var jobs []storage.Job
		r := cli(t, "--db", db, "history", "--json")
		if r.code == exitOK {
			decodeStrict(t, r.stdout, &jobs)
		}
		if len(jobs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the import did not start within a minute:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(runTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the interrupted import did not end within %v:\n%s", runTimeout, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != exitError || !strings.Contains(stderr.String(), "the import was cancelled after") ||
		!strings.Contains(stderr.String(), "crmio rollback 1") {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "The import stopped early: the job is cancelled.") {
		t.Errorf("the summary does not say the import stopped:\n%s", stdout.String())
	}
	cli(t, "--db", db, "status", "1").want(t, exitOK, []string{"Job 1: cancelled"}, nil)
	cli(t, "--db", db, "rollback", "1").want(t, exitOK, []string{"Rolled back job 1:"}, nil)
}

// TestSignalsEveryReader sends SIGTERM or SIGINT to imports of CSV, XLSX
// and XLS files with every duplicate strategy, once each job has begun:
// each ends cancelled with rows unread and exit status 2, never
// completed.
func TestSignalsEveryReader(t *testing.T) {
	if testing.Short() {
		t.Skip("runs nine imports in child processes")
	}
	dir := t.TempDir()
	files := map[string]string{
		"csv":  filepath.Join(dir, "contacts.csv"),
		"xlsx": filepath.Join(dir, "contacts.xlsx"),
		"xls":  filepath.Join("..", "..", "formats", "xls", "testdata", "contacts-2000.xls"),
	}
	total := map[string]int{"csv": 20000, "xlsx": 20000, "xls": 2000}
	if err := contactgen.WriteFile(files["csv"], total["csv"], nil); err != nil {
		t.Fatal(err)
	}
	if err := contactgen.WriteXLSXFile(files["xlsx"], total["xlsx"], nil); err != nil {
		t.Fatal(err)
	}
	signals := []os.Signal{syscall.SIGTERM, os.Interrupt}
	n := 0
	for _, format := range []string{"csv", "xlsx", "xls"} {
		for _, dup := range []string{"skip", "update", "create"} {
			sig := signals[n%len(signals)]
			n++
			t.Run(format+"/"+dup+"/"+sig.String(), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "crm.db")
				db := "sqlite:" + path
				file, err := filepath.Abs(files[format])
				if err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(binary, "--db", db, "import", file, "--module", "people", "--duplicates", dup, "--batch-size", "1", "--quiet")
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Signal as soon as the job has begun: watch the database
				// from here, which is quicker than a command.
				deadline := time.Now().Add(60 * time.Second)
				for {
					if begun(t, path) {
						break
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						cmd.Wait()
						t.Fatalf("the import did not begin within a minute:\n%s", stderr.String())
					}
					time.Sleep(2 * time.Millisecond)
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err = cmd.Wait()
				var jobs []storage.Job
				decodeStrict(t, cli(t, "--db", db, "history", "--json").stdout, &jobs)
				job := jobs[0]
				if job.Status == storage.JobCompleted && job.Counts.Read == total[format] {
					t.Fatalf("the import ended (completed, every row read) before the signal came: make the file longer")
				}
				if code := cmd.ProcessState.ExitCode(); code != exitError || job.Status != storage.JobCancelled || job.Counts.Read >= total[format] {
					t.Errorf("exit status %d (%v), job %s with %d of %d rows read; want 2, cancelled, rows unread\nstderr:\n%s",
						code, err, job.Status, job.Counts.Read, total[format], stderr.String())
				}
			})
		}
	}
}

// begun reports whether the SQLite database at path holds a job. It
// reads the file directly, read-only: opening the store would wait for
// the import's write transaction (an Instant import holds one to its end).
func begun(t *testing.T, path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return false
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(context.Background(), "SELECT count(*) FROM crmio_jobs").Scan(&n)
	return err == nil && n > 0
}
