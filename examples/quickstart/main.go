// Quickstart imports a realistic contacts export (in-file duplicates, an
// account column, several phones, messy dates, a few bad rows) into the
// default CRM schema with automatic mapping, prints what happened, exports
// the result, and rolls the import back.
//
//	go run ./examples/quickstart                       # the in-memory store
//	go run ./examples/quickstart -db sqlite:crm.db -keep   # keep the import...
//	go run ./examples/quickstart -db sqlite:crm.db         # ...and roll it back the next run
package main

import (
	"bytes"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crmio/crmio/dedupe"
	_ "github.com/crmio/crmio/formats/all" // the file formats imports read
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
	"github.com/crmio/crmio/storage/sqlite"
)

//go:embed contacts.csv
var contacts []byte

func main() {
	db := flag.String("db", envOr("CRMIO_DB", "memory:"), "the store: memory: or sqlite:PATH")
	keep := flag.Bool("keep", false, "keep the import instead of rolling it back (a later run rolls it back)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *db, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, out io.Writer, db string, keep bool) error {
	store, closeStore, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer closeStore()
	im, err := importer.New(store, schemas.Default(), nil)
	if err != nil {
		return err
	}

	// A store with history remembers earlier runs: roll back what they kept.
	if err := rollBackEarlierRuns(ctx, out, im); err != nil {
		return err
	}

	src := func() importer.Source {
		return importer.Source{Reader: bytes.NewReader(contacts), Name: "contacts.csv"}
	}
	preview, err := im.Preview(ctx, src(), "people", 3)
	if err != nil {
		return err
	}
	info := preview.Info
	fmt.Fprintf(out, "contacts.csv: %s, %s, delimiter %q, header on row %d\n\n", info.Format, info.Encoding, info.Delimiter, info.HeaderRow)
	fmt.Fprintln(out, "Suggested mapping:")
	for _, s := range preview.Suggestions {
		target := "(skipped)"
		if !s.Target.IsZero() {
			target = s.Target.String()
		}
		fmt.Fprintf(out, "  %-16s → %-22s %-6s %s\n", s.Header, target, s.Confidence, s.Reason)
	}

	sum, err := im.Run(ctx, src(), importer.Plan{
		Module:               "people",
		Mapping:              &preview.Mapping,
		Static:               map[string]string{"status": "new"},
		Duplicates:           dedupe.Update,
		Merge:                dedupe.FillEmpty,
		AutoCreateReferences: true,
		StartedBy:            "quickstart",
	}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nImported %d rows in %s mode: %d created, %d updated, %d skipped, %d failed; %d accounts created.\n",
		sum.Read, sum.Mode, sum.Created, sum.Updated, sum.Skipped, sum.Failed, sum.ReferencesCreated)
	if len(sum.Errors) > 0 {
		fmt.Fprintln(out, "Errors:")
		for _, e := range sum.Errors {
			fmt.Fprintf(out, "  %s\n", e.Error())
		}
	}
	if len(sum.Warnings) > 0 {
		fmt.Fprintln(out, "Warnings:")
		for _, w := range sum.Warnings {
			fmt.Fprintf(out, "  %s\n", w)
		}
	}
	var failed bytes.Buffer
	if err := sum.WriteFailedRows(&failed); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe failed rows, to fix and import again:\n%s", indent(failed.String()))

	if keep || sum.JobID == "" {
		if sum.JobID != "" {
			fmt.Fprintf(out, "\nKept job %s: run again to roll it back.\n", sum.JobID)
		}
		return nil
	}
	res, err := im.Rollback(ctx, sum.JobID, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nRolled back job %s: %d records deleted, %d restored.\n", sum.JobID, res.Deleted, res.Restored)
	return nil
}

func rollBackEarlierRuns(ctx context.Context, out io.Writer, im *importer.Importer) error {
	jobs, err := im.History(ctx, 0)
	if err != nil {
		return nil // a store without history
	}
	for _, j := range jobs {
		if j.StartedBy != "quickstart" || (j.Status != storage.JobCompleted && j.Status != storage.JobFailed && j.Status != storage.JobCancelled && j.Status != storage.JobInterrupted) {
			continue
		}
		res, err := im.Rollback(ctx, j.ID, nil)
		if err != nil {
			return fmt.Errorf("rolling back job %s of an earlier run: %w", j.ID, err)
		}
		fmt.Fprintf(out, "Rolled back job %s of an earlier run (%s, %s): %d records deleted, %d restored.\n\n",
			j.ID, j.File, j.Created.Format("2006-01-02 15:04:05"), res.Deleted, res.Restored)
	}
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ") + "\n"
}

// openStore opens the store named by db.
func openStore(ctx context.Context, db string) (storage.Store, func(), error) {
	switch {
	case db == "memory:" || db == "memory":
		return memory.New(), func() {}, nil
	case strings.HasPrefix(db, "sqlite:"):
		s, err := sqlite.Open(ctx, strings.TrimPrefix(db, "sqlite:"), nil)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("unknown store %q (want memory: or sqlite:PATH)", db)
}
