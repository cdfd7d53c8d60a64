package formats_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/csv"
)

func TestOpenCSV(t *testing.T) {
	r, err := formats.Open("testdata/contacts.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if h := r.Header(); !slices.Equal(h, []string{"First Name", "Last Name", "Email", "Phone"}) {
		t.Errorf("header %q", h)
	}
	var numbers []int
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, row.Number)
	}
	if !slices.Equal(numbers, []int{2, 4, 5}) {
		t.Errorf("rows %v, want 2, 4, 5", numbers)
	}
	fi, _ := os.Stat("testdata/contacts.csv")
	if info := r.Info(); info.Format != "csv" || info.Size != fi.Size() || info.EstimatedRows != 3 {
		t.Errorf("info %+v", info)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("missing", func(t *testing.T) {
		if _, err := formats.Open(filepath.Join(dir, "missing.csv"), nil); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := formats.Open(dir, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unsupported, named with the file", func(t *testing.T) {
		_, err := formats.Open(write("report.xlsx", []byte("%PDF-1.4\n")), nil)
		if !errors.Is(err, formats.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "report.xlsx") || !strings.Contains(err.Error(), "PDF document") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("too large, before reading", func(t *testing.T) {
		// A sparse file: 200 MiB of size and no data, over the default
		// 100 MiB limit, refused from its size alone.
		path := filepath.Join(dir, "huge.csv")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(200 << 20); err != nil {
			t.Fatal(err)
		}
		f.Close()
		_, err = formats.Open(path, nil)
		if !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "200 MiB, over the 100 MiB limit") {
			t.Errorf("err = %v", err)
		}
		if _, err := formats.Open(write("small.csv", []byte("a,b\n1,2\n")), &formats.Options{MaxSize: 7}); !errors.Is(err, formats.ErrTooLarge) {
			t.Errorf("8 bytes with a 7-byte limit: %v", err)
		}
		if _, err := formats.Open(write("exact.csv", []byte("a,b\n1,2\n")), &formats.Options{MaxSize: 8}); err != nil {
			t.Errorf("8 bytes with an 8-byte limit: %v", err)
		}
	})
	t.Run("recognised but not registered", func(t *testing.T) {
		defer formats.SwapOpener("xls", nil)()
		ole2 := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)
		_, err := formats.Open(write("old.xls", ole2), nil)
		if err == nil || !strings.Contains(err.Error(), `import _ "github.com/crmio/crmio/formats/xls"`) {
			t.Errorf("err = %v", err)
		}
	})
}

// countingReader counts the bytes read from it; with an endless source it
// yields line after line for ever.
type countingReader struct {
	src  io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.src.Read(p)
	c.read += int64(n)
	return n, err
}

// endless repeats its text for ever.
type endless struct {
	text string
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.text[e.off%len(e.text)]
		e.off++
	}
	return len(p), nil
}

func TestNewReaderLimit(t *testing.T) {
	const limit = 200 << 10
	t.Run("csv stream", func(t *testing.T) {
		src := &countingReader{src: &endless{text: "Name,Email\nAnn,ann@example.com\n"}}
		r, err := formats.NewReader(src, "stream.csv", &formats.Options{MaxSize: limit})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for err == nil {
			_, err = r.Read()
		}
		if !errors.Is(err, formats.ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
		if src.read > limit+1 {
			t.Errorf("read %d bytes with a limit of %d", src.read, limit)
		}
	})
	t.Run("workbook stream", func(t *testing.T) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		src := &countingReader{src: &endless{text: "PK\x03\x04 and on and on"}}
		_, err := formats.NewReader(src, "big.xlsx", &formats.Options{MaxSize: limit})
		if !errors.Is(err, formats.ErrTooLarge) || !strings.Contains(err.Error(), "big.xlsx") {
			t.Errorf("err = %v, want ErrTooLarge naming big.xlsx", err)
		}
		if src.read > limit+1 {
			t.Errorf("read %d bytes with a limit of %d", src.read, limit)
		}
		assertEmpty(t, tmp)
	})
	t.Run("length known up front", func(t *testing.T) {
		data := strings.NewReader("a,b\n" + strings.Repeat("1,2\n", 100))
		_, err := formats.NewReader(data, "", &formats.Options{MaxSize: 100})
		if !errors.Is(err, formats.ErrTooLarge) || data.Len() != 404 {
			t.Errorf("err = %v, %d bytes left unread; want ErrTooLarge before reading", err, data.Len())
		}
	})
	t.Run("exactly the limit", func(t *testing.T) {
		data := "a,b\n" + strings.Repeat("1,2\n", 100)
		r, err := formats.NewReader(io.MultiReader(strings.NewReader(data)), "", &formats.Options{MaxSize: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for ; err == nil; n++ {
			_, err = r.Read()
		}
		if err != io.EOF || n != 101 {
			t.Errorf("err = %v after %d reads", err, n)
		}
	})
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// stubReader is what the test opener returns: an empty table.
type stubReader struct{ closed *bool }

func (stubReader) Header() []string           { return []string{"a"} }
func (stubReader) Read() (formats.Row, error) { return formats.Row{}, io.EOF }
func (stubReader) Info() formats.Info         { return formats.Info{Format: "xlsx"} }
func (s stubReader) Close() error             { *s.closed = true; return nil }

func TestNewReaderSpoolsWorkbooks(t *testing.T) {
	workbook := zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>")
	books := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var got *formats.Input
	var content []byte
	closed := false
	failWith := error(nil)
	defer formats.SwapOpener("xlsx", func(in *formats.Input, opts *formats.Options) (formats.Reader, error) {
		got = in
		var err error
		if content, err = os.ReadFile(in.Path); err != nil {
			return nil, err
		}
		if failWith != nil {
			return nil, failWith
		}
		return stubReader{&closed}, nil
	})()

	t.Run("opened from a temporary file, removed on Close", func(t *testing.T) {
		r, err := formats.NewReader(io.MultiReader(bytes.NewReader(workbook)), "book.xlsx", nil)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(got.Path) != tmp || got.Name != "book.xlsx" || got.Size != int64(len(workbook)) || !bytes.Equal(content, workbook) {
			t.Errorf("input %+v", got)
		}
		fromR, err := io.ReadAll(got.R)
		if err != nil || !bytes.Equal(fromR, workbook) {
			t.Errorf("Input.R yields %d bytes, %v", len(fromR), err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if !closed {
			t.Error("the format's reader was not closed")
		}
		assertEmpty(t, tmp)
	})
	t.Run("removed when the opener fails", func(t *testing.T) {
		failWith = fmt.Errorf("%w: test", formats.ErrCorrupt)
		defer func() { failWith = nil }()
		_, err := formats.NewReader(bytes.NewReader(workbook), "book.xlsx", nil)
		if !errors.Is(err, formats.ErrCorrupt) {
			t.Errorf("err = %v", err)
		}
		assertEmpty(t, tmp)
	})
	t.Run("removed when the zip is no workbook", func(t *testing.T) {
		docx := zipOf(t, "word/document.xml", "<w/>")
		_, err := formats.NewReader(bytes.NewReader(docx), "letter.xlsx", nil)
		if !errors.Is(err, formats.ErrUnsupportedFormat) || !strings.Contains(err.Error(), "Word document") {
			t.Errorf("err = %v", err)
		}
		assertEmpty(t, tmp)
	})
	t.Run("Open passes the file itself", func(t *testing.T) {
		path := filepath.Join(books, "book.xlsx")
		if err := os.WriteFile(path, workbook, 0o600); err != nil {
			t.Fatal(err)
		}
		closed = false
		r, err := formats.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != path || got.Size != int64(len(workbook)) {
			t.Errorf("input %+v", got)
		}
		r.Close()
		if !closed {
			t.Error("not closed")
		}
		assertEmpty(t, tmp)
	})
}

func TestPreview(t *testing.T) {
	r, err := formats.Open("testdata/contacts.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header, rows, err := formats.Preview(r, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(header) != 4 || len(rows) != 2 || rows[0].Number != 2 || rows[1].Number != 4 {
		t.Fatalf("header %q rows %v", header, rows)
	}
	// Copies: reading on does not change them.
	next, err := r.Read()
	if err != nil || next.Number != 5 {
		t.Fatalf("next row %v, %v", next, err)
	}
	if rows[0].Fields[0] != "Ada" || rows[1].Fields[0] != "Grace" {
		t.Errorf("rows changed by a later Read: %v", rows)
	}

	_, rows, err = formats.Preview(r, 10)
	if err != nil || len(rows) != 0 {
		t.Errorf("at the end: %v, %v", rows, err)
	}

	bad, err := formats.NewReader(strings.NewReader("a,b\n1,2\n3,x\"y\n5,6\n"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, err = formats.Preview(bad, 10)
	var pe *formats.ParseError
	if !errors.As(err, &pe) || pe.Row != 3 || pe.Column != 2 || len(rows) != 1 {
		t.Errorf("rows %v, err %v; want row 2 and a parse error at row 3, column 2", rows, err)
	}
}

func TestLimitReader(t *testing.T) {
	for _, c := range []struct {
		size, limit int64
		tooLarge    bool
	}{
		{0, 0, false}, {1, 0, true}, {10, 10, false}, {11, 10, true}, {100000, 10, true}, {5, -1, false},
	} {
		src := &countingReader{src: strings.NewReader(strings.Repeat("x", int(c.size)))}
		got, err := io.ReadAll(formats.LimitReader(src, c.limit))
		if c.tooLarge != errors.Is(err, formats.ErrTooLarge) || (!c.tooLarge && err != nil) {
			t.Errorf("size %d, limit %d: err = %v", c.size, c.limit, err)
		}
		wantLen := c.size
		if c.tooLarge {
			wantLen = c.limit
		}
		if int64(len(got)) != wantLen {
			t.Errorf("size %d, limit %d: %d bytes delivered, want %d", c.size, c.limit, len(got), wantLen)
		}
		if c.limit >= 0 && src.read > c.limit+1 {
			t.Errorf("size %d, limit %d: %d bytes read", c.size, c.limit, src.read)
		}
	}
}
