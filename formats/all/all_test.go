package all_test

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/all"
	"github.com/crmio/crmio/internal/testenv"
)

func TestRegistered(t *testing.T) {
	if got := formats.Registered(); !slices.Equal(got, []string{"csv", "pdf", "vcf", "xls", "xlsx"}) {
		t.Errorf("Registered() = %v", got)
	}
}

// TestWorkbookStreams reads real workbooks as streams, which NewReader
// spools to a temporary file, and checks the file is gone after Close.
func TestWorkbookStreams(t *testing.T) {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if parent := filepath.Dir(dir); parent != dir {
			dir = parent
			continue
		}
		t.Skip("go.mod not found")
	}
	examples := filepath.Join(dir, "..", "shared", "corpus", "csvkit-examples", "examples")
	if _, err := os.Stat(examples); err != nil {
		testenv.Skip(t, testenv.Corpus, "absent: "+err.Error())
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	for _, c := range []struct {
		file, format string
		row          []string
	}{
		{"dummy.xlsx", "xlsx", []string{"1", "2", "3"}},
		{"dummy.xls", "xls", []string{"1", "2", "3"}},
		{"dummy.csv", "csv", []string{"1", "2", "3"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(examples, c.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// io.MultiReader hides the file: a plain stream of unknown length.
			r, err := formats.NewReader(io.MultiReader(f), c.file, nil)
			if err != nil {
				t.Fatal(err)
			}
			header, rows, err := formats.Preview(r, 10)
			if err != nil {
				t.Fatal(err)
			}
			if r.Info().Format != c.format || !slices.Equal(header, []string{"a", "b", "c"}) || len(rows) != 1 || !slices.Equal(rows[0].Fields, c.row) || rows[0].Number != 2 {
				t.Errorf("%s: header %q rows %v", r.Info().Format, header, rows)
			}
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
				t.Errorf("left in the temporary folder: %v", entries)
			}
		})
	}
}
