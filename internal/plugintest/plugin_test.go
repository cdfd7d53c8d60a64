package plugintest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// "dsv" is a toy format a program might bring: a "%DSV" first line, then
// a header and rows of fields separated by "|".
func init() {
	formats.Register(formats.Format{
		Name: "dsv", Extensions: []string{".dsv"}, Magic: []string{"%DSV\n"},
		Open:      openDSV,
		NewWriter: formats.Writes(newDSVWriter),
	})
}

type dsvReader struct {
	header []string
	lines  *bufio.Scanner
	row    int
}

func openDSV(in *formats.Input, _ *formats.Options) (formats.Reader, error) {
	s := bufio.NewScanner(in.R)
	s.Scan() // %DSV
	if !s.Scan() {
		return nil, formats.ErrNoHeader
	}
	return &dsvReader{header: strings.Split(s.Text(), "|"), lines: s, row: 2}, nil
}

func (r *dsvReader) Header() []string { return r.header }
func (r *dsvReader) Read() (formats.Row, error) {
	if !r.lines.Scan() {
		return formats.Row{}, io.EOF
	}
	r.row++
	return formats.Row{Number: r.row, Fields: strings.Split(r.lines.Text(), "|")}, nil
}
func (r *dsvReader) Info() formats.Info { return formats.Info{Format: "dsv", Size: -1} }
func (r *dsvReader) Close() error       { return nil }

// DSVOptions are the toy writer's options, to check they reach it.
type DSVOptions struct{ Comment string }

type dsvWriter struct {
	w    io.Writer
	opts DSVOptions
}

func newDSVWriter(w io.Writer, opts *DSVOptions) (*dsvWriter, error) {
	dw := &dsvWriter{w: w}
	if opts != nil {
		dw.opts = *opts
	}
	_, err := fmt.Fprintf(w, "%%DSV\n")
	return dw, err
}

func (w *dsvWriter) WriteHeader(names []string) error {
	_, err := fmt.Fprintln(w.w, strings.Join(names, "|"))
	return err
}
func (w *dsvWriter) WriteRow(cells []formats.Cell) error {
	texts := make([]string, len(cells))
	for i, c := range cells {
		texts[i] = c.String()
	}
	_, err := fmt.Fprintln(w.w, strings.Join(texts, "|"))
	return err
}
func (w *dsvWriter) Close() error {
	if w.opts.Comment != "" {
		_, err := fmt.Fprintln(w.w, "#"+w.opts.Comment)
		return err
	}
	return nil
}

// TestRegisteredFormat: a file in the program's format is detected,
// imported into the people module, and exported back in that format.
func TestRegisteredFormat(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "people.dat") // the name plays no part in detection
	const file = "%DSV\nFirst Name|Last Name|Work Email|Mobile Phone\n" +
		"Ada|Lovelace|ada@example.com|+14155550102\n" +
		"Grace|Hopper|grace@example.com|+12125550134\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	format, err := formats.Detect(f, int64(len(file)))
	f.Close()
	if format != "dsv" || err != nil {
		t.Fatalf("Detect = %q, %v", format, err)
	}

	store := memory.New()
	schema := schemas.Default()
	im, err := importer.New(store, schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := im.Run(ctx, importer.Source{Path: path}, importer.Plan{Module: "people"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 2 {
		t.Fatalf("created %d records, want 2: %+v", sum.Created, sum.Errors)
	}
	var recs []crmio.Record
	for rec, err := range store.Scan(ctx, "people", storage.Query{Order: []storage.Order{{Field: "last_name"}}}) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) != 2 || recs[0].Values["last_name"].Str() != "Hopper" {
		t.Fatalf("stored %v", recs)
	}
	if emails := recs[1].Values["email"].List(); len(emails) != 1 || emails[0].Label != "work" || emails[0].Value.String() != "ada@example.com" {
		t.Errorf("Ada's email: %v", emails)
	}

	var out bytes.Buffer
	res, err := exporter.Export(ctx, store, schema.Module("people"), &out, &exporter.Options{
		Format:        "dsv",
		Fields:        []string{"first_name", "last_name", "email", "phone"},
		Order:         []storage.Order{{Field: "first_name"}},
		FormatOptions: &DSVOptions{Comment: "end"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "%DSV\nFirst name|Last name|Email (Work)|Phone (Mobile)\n" +
		"Ada|Lovelace|ada@example.com|+14155550102\nGrace|Hopper|grace@example.com|+12125550134\n#end\n"
	if out.String() != want || res.Rows != 2 {
		t.Errorf("export:\n%s\nwant:\n%s", out.String(), want)
	}
	if got, ok := formats.ForExtension(".dsv"); !ok || got.Name != "dsv" || !slices.Contains(formats.Registered(), "dsv") {
		t.Error("the format is not listed")
	}
}
