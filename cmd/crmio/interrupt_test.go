//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/storage"
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
