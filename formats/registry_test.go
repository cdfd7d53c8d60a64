package formats_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// lines is a toy format, "LINES\n" then one field per line, for the
// registry's tests.
type linesReader struct {
	rows []string
	next int
}

func (r *linesReader) Header() []string { return []string{"line"} }
func (r *linesReader) Read() (formats.Row, error) {
	if r.next >= len(r.rows) {
		return formats.Row{}, io.EOF
	}
	r.next++
	return formats.Row{Number: r.next + 1, Fields: []string{r.rows[r.next-1]}}, nil
}
func (r *linesReader) Info() formats.Info { return formats.Info{Format: "lines"} }
func (r *linesReader) Close() error       { return nil }

func openLines(in *formats.Input, _ *formats.Options) (formats.Reader, error) {
	data, err := io.ReadAll(in.R)
	if err != nil {
		return nil, err
	}
	rows := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(data), "LINES\n")), "\n")
	return &linesReader{rows: rows}, nil
}

func TestRegisterDetectsAndOpens(t *testing.T) {
	formats.RegisterForTest(t, formats.Format{Name: "lines", Extensions: []string{".lines"}, Magic: []string{"LINES\n"}, Open: openLines})
	// A probe-only format, and one whose magic has a wildcard.
	formats.RegisterForTest(t, formats.Format{Name: "probed", Match: func(s *formats.Sample) bool { return bytes.HasPrefix(s.Head, []byte("#probed")) }, Open: openLines})
	formats.RegisterForTest(t, formats.Format{Name: "wild", Magic: []string{"W?LD"}, Open: openLines})

	for in, want := range map[string]string{
		"LINES\na\nb\n":      "lines",
		"#probed\nx\n":       "probed",
		"WILD":               "wild",
		"W*LD":               "wild",
		"Name,Email\nA,b\n":  "csv", // CSV is the fallback: asked after the others
		"LINES but no break": "csv",
	} {
		got, err := detect([]byte(in))
		if err != nil || got != want {
			t.Errorf("Detect(%q) = %q, %v; want %q", in, got, err, want)
		}
	}

	path := filepath.Join(t.TempDir(), "data.txt")
	os.WriteFile(path, []byte("LINES\nfirst\nsecond\n"), 0o600)
	for _, open := range []func() (formats.Reader, error){
		func() (formats.Reader, error) { return formats.Open(path, nil) },
		func() (formats.Reader, error) {
			return formats.NewReader(strings.NewReader("LINES\nfirst\nsecond\n"), "upload", nil)
		},
	} {
		r, err := open()
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := formats.Preview(r, 10)
		r.Close()
		if err != nil || len(rows) != 2 || rows[1].Fields[0] != "second" || r.Info().Format != "lines" {
			t.Errorf("read %v, %v", rows, err)
		}
	}

	if f, ok := formats.ForExtension("LINES"); !ok || f.Name != "lines" {
		t.Errorf("ForExtension(LINES) = %q, %v", f.Name, ok)
	}
	if f, ok := formats.ForExtension(".csv"); !ok || f.Name != "csv" || !f.Formulas {
		t.Errorf("ForExtension(.csv) = %+v, %v", f.Name, ok)
	}
	if !slices.Contains(formats.Registered(), "lines") {
		t.Errorf("Registered() = %v", formats.Registered())
	}
}

func TestRegisterRefusesBadFormats(t *testing.T) {
	for name, f := range map[string]formats.Format{
		"no name":            {Open: openLines, Magic: []string{"x"}},
		"nothing to do":      {Name: "idle"},
		"unrecognisable":     {Name: "blind", Open: openLines},
		"a name taken twice": {Name: "csv", Match: formats.LooksLikeText, Open: openLines},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			formats.RegisterForTest(t, f)
		}()
	}
}

// fakeWriter records the rows written to it.
type fakeWriter struct {
	out  io.Writer
	opts *fakeOptions
}

type fakeOptions struct{ Prefix string }

func (w *fakeWriter) WriteHeader(names []string) error {
	_, err := io.WriteString(w.out, w.opts.Prefix+strings.Join(names, "|")+"\n")
	return err
}
func (w *fakeWriter) WriteRow(cells []formats.Cell) error { return nil }
func (w *fakeWriter) Close() error                        { return nil }

func newFakeWriter(out io.Writer, opts *fakeOptions) (*fakeWriter, error) {
	if opts == nil {
		opts = &fakeOptions{Prefix: "default:"}
	}
	return &fakeWriter{out: out, opts: opts}, nil
}

func TestNewWriter(t *testing.T) {
	formats.RegisterForTest(t, formats.Format{Name: "fake", NewWriter: formats.Writes(newFakeWriter)})
	var buf bytes.Buffer
	for _, opts := range []any{nil, &fakeOptions{Prefix: "mine:"}} {
		w, err := formats.NewWriter("fake", &buf, opts)
		if err != nil {
			t.Fatal(err)
		}
		w.WriteHeader([]string{"a", "b"})
	}
	if buf.String() != "default:a|b\nmine:a|b\n" {
		t.Errorf("written %q", buf.String())
	}
	if _, err := formats.NewWriter("fake", &buf, &struct{}{}); err == nil || !strings.Contains(err.Error(), "*formats_test.fakeOptions") {
		t.Errorf("options of another type: %v", err)
	}
	if _, err := formats.NewWriter("nope", &buf, nil); !errors.Is(err, formats.ErrUnsupportedFormat) {
		t.Errorf("unknown format: %v", err)
	}
	formats.RegisterForTest(t, formats.Format{Name: "readonly", Magic: []string{"RO"}, Open: openLines})
	if _, err := formats.NewWriter("readonly", &buf, nil); !errors.Is(err, formats.ErrUnsupportedFormat) {
		t.Errorf("a read-only format: %v", err)
	}
	// A writer-only format is never detected.
	formats.RegisterForTest(t, formats.Format{Name: "pdfish", Magic: []string{"%PDF-"}, NewWriter: formats.Writes(newFakeWriter)})
	if _, err := detect([]byte("%PDF-1.7\n")); !errors.Is(err, formats.ErrUnsupportedFormat) {
		t.Errorf("Detect of a written-only format: %v", err)
	}
}

// TestFormulaGuardStripped: a CSV field guarded against formula injection
// reads without the guard's quote, unless KeepFormulaGuard is set.
func TestFormulaGuardStripped(t *testing.T) {
	const data = "Name,'=Formula\n'=1+1,'quoted'\n''@x,'-2+3\n"
	for keep, want := range map[bool][]string{
		false: {"Name", "=Formula", "=1+1", "'quoted'", "'@x", "-2+3"},
		true:  {"Name", "'=Formula", "'=1+1", "'quoted'", "''@x", "'-2+3"},
	} {
		r, err := formats.NewReader(strings.NewReader(data), "guarded.csv", &formats.Options{KeepFormulaGuard: keep})
		if err != nil {
			t.Fatal(err)
		}
		header, rows, err := formats.Preview(r, 10)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := append(header, append(rows[0].Fields, rows[1].Fields...)...)
		if !slices.Equal(got, want) {
			t.Errorf("KeepFormulaGuard %v: %q, want %q", keep, got, want)
		}
	}
}
