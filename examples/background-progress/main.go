// Background-progress imports a large file in the background and follows
// it: a generated export of 60,000 contacts, more than the 50,000 rows up
// to which an import runs before Start returns, so Start returns at once
// with a Job. The program draws a live progress bar by polling the job's
// status in the store's history, as a web page polling its server would,
// or another process (crmio status JOB --watch does the same), then waits
// for the summary.
//
//	go run ./examples/background-progress            # 60,000 rows
//	go run ./examples/background-progress -rows 300000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/crmio/crmio/formats/all" // the file formats imports read
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

func main() {
	rows := flag.Int("rows", 60000, "the number of rows to generate")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "background-progress:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, rows int) error {
	dir, err := os.MkdirTemp("", "crmio-background-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "contacts.csv")
	if err := contactgen.WriteFile(file, rows, nil); err != nil {
		return err
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Generated %s: %d rows, %.1f MB.\n", filepath.Base(file), rows, float64(fi.Size())/1e6)

	// Every committed batch writes the job's counts to the history, where
	// any process can read them.
	im, err := importer.New(memory.New(), schemas.Default(), nil)
	if err != nil {
		return err
	}
	job, err := im.Start(ctx, importer.Source{Path: file}, importer.Plan{
		Module:               "people",
		AutoCreateReferences: true,
		StartedBy:            "background-progress",
	}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Start returned at once: job %s runs in %s mode.\n", job.JobID, job.Mode)

	// Poll the job's status as the history has it, until it is done.
	tty := isTerminal(out)
	lastLine := time.Time{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		status, err := im.Status(ctx, job.JobID)
		if err != nil {
			return err
		}
		done := status.Status.Done()
		switch {
		case tty:
			fmt.Fprintf(out, "\r%s\x1b[K", bar(status))
		case done || time.Since(lastLine) >= 500*time.Millisecond:
			// Not a terminal: a line now and then instead of a redrawn bar.
			fmt.Fprintln(out, bar(status))
			lastLine = time.Now()
		}
		if done {
			break
		}
		select {
		case <-job.Done(): // the last counts are in the history: one more poll
		case <-tick.C:
		}
	}
	if tty {
		fmt.Fprintln(out)
	}

	sum, err := job.Wait(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Done in %s: %d rows, %d created, %d skipped as duplicates, %d failed; %d accounts created (%.0f rows/s).\n",
		sum.Duration.Round(time.Millisecond), sum.Read, sum.Created, sum.Skipped, sum.Failed, sum.ReferencesCreated,
		float64(sum.Read)/sum.Duration.Seconds())
	return nil
}

// bar renders a job's progress: "[=========>          ]  45%  27,000 / 60,000 rows  running".
func bar(j storage.Job) string {
	const width = 30
	c := j.Counts
	frac := 0.0
	switch {
	case j.Status.Done():
		// The estimate was extrapolated from the bytes read: the end is the end.
		frac, c.Estimated = 1, c.Read
	case c.Estimated > 0:
		frac = min(float64(c.Read)/float64(c.Estimated), 0.99)
	}
	filled := int(frac * width)
	b := strings.Repeat("=", filled)
	if filled < width {
		b += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("[%s] %3.0f%%  %6d / %d rows  %s", b, frac*100, c.Read, c.Estimated, j.Status)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
