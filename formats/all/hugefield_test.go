//go:build linux

package all_test

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/crmio/crmio/formats"
)

// hugeField is the size of the one large field of the test file: a note
// that a CRM export can carry (a pasted e-mail thread, an embedded image).
const hugeField = 50 << 20

// memoryBound is the most a process may hold at its peak to preview or
// read a file with one hugeField field: a small multiple of the field.
const memoryBound = 250 << 20

// writeHugeField writes a contacts CSV whose second row holds one 50 MiB
// quoted field, with line breaks and delimiters in it.
func writeHugeField(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huge.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("First Name,Last Name,Email,Notes\nAda,Lovelace,ada@example.com,\"")
	line := "lorem ipsum, dolor sit amet; consectetur adipiscing elit\r\n"
	for n := 0; n < hugeField; n += len(line) {
		w.WriteString(line)
	}
	w.WriteString("\"\nGrace,Hopper,grace@example.com,short\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHugeFieldMemory reads a CSV file with a 50 MiB field in a child
// process, once to preview it (formats.Preview) and once to read every row
// keeping copies of their fields as an importer's sample does, and checks
// the child's peak resident memory: bounded by a small multiple of the
// field, not the four to sixteen copies it took before.
func TestHugeFieldMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector multiplies memory")
	}
	path := writeHugeField(t)
	for _, mode := range []string{"preview", "read"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHugeFieldChild$", "-test.v")
		cmd.Env = append(os.Environ(), "CRMIO_HUGE_FIELD="+path, "CRMIO_HUGE_FIELD_MODE="+mode)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "read the huge field") {
			t.Fatalf("%s: %v\n%s", mode, err, out)
		}
		peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
		t.Logf("%s: peak RSS %d MiB for a %d MiB field", mode, peak>>20, hugeField>>20)
		if peak > memoryBound {
			t.Errorf("%s: peak RSS %d MiB, want at most %d MiB", mode, peak>>20, memoryBound>>20)
		}
	}
}

// TestHugeFieldChild is the child of TestHugeFieldMemory.
func TestHugeFieldChild(t *testing.T) {
	path := os.Getenv("CRMIO_HUGE_FIELD")
	if path == "" {
		t.Skip("run by TestHugeFieldMemory")
	}
	r, err := formats.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows []formats.Row
	switch os.Getenv("CRMIO_HUGE_FIELD_MODE") {
	case "preview":
		_, rows, err = formats.Preview(r, 50)
		if err != nil {
			t.Fatal(err)
		}
	default:
		for {
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, formats.Row{Number: row.Number, Fields: slices.Clone(row.Fields)})
		}
	}
	if len(rows) != 2 || len(rows[0].Fields[3]) < hugeField || !strings.HasSuffix(rows[0].Fields[3], "elit\r\n") || rows[1].Number != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	t.Log("read the huge field")
}
