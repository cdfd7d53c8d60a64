package sqlstore

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/internal/bincodec"
)

// encodedRows are n rows (i, the named encoding of {"n": "v<i>", "owner":
// ann for even i, bob for odd}), reusing one buffer as a driver may; row
// bad holds bytes that are no encoding. They fail with err after them.
type encodedRows struct {
	n, i, bad int
	err       error
	enc       bincodec.NamedEncoder
	buf       []byte
}

func (r *encodedRows) Next() bool { r.i++; return r.i <= r.n }
func (r *encodedRows) Err() error { return r.err }
func (r *encodedRows) Scan(dest ...any) error {
	*dest[0].(*int64) = int64(r.i)
	owner := "ann"
	if r.i%2 == 1 {
		owner = "bob"
	}
	values := map[string]crmio.Value{"n": crmio.TextValue("v" + strconv.Itoa(r.i)), "owner": crmio.TextValue(owner)}
	r.buf = r.enc.Append(r.buf[:0], values, []string{"n", "owner"})
	if r.i == r.bad {
		r.buf = append(r.buf[:0], 0, 9, 9)
	}
	*dest[1].(*[]byte) = r.buf
	return nil
}

// readAll reads rows in chunks of the fields of q (whose first is "n")
// until stop says so, and returns the rows' ids and their value of "n".
func readAll(t *testing.T, rows Rows, q storage.Query, stop func(seen int) bool) (ids []string, ns []string, err error) {
	t.Helper()
	width := len(q.Fields)
	err = ReadChunks[[]byte](rows, q.Pushdown(), width, func(c *storage.Chunk) bool {
		if c.Len() == 0 || c.Len() > decodeChunk || len(c.Fields) != width || len(c.Values) != c.Len()*width {
			t.Errorf("a chunk of %d records, %d fields and %d values", c.Len(), len(c.Fields), len(c.Values))
		}
		for i := range c.Len() {
			ids = append(ids, c.IDs[i])
			ns = append(ns, c.Row(i)[0].Str())
		}
		return stop == nil || !stop(len(ids))
	})
	return ids, ns, err
}

// ReadChunks, like ReadRecords, decodes on several goroutines and yields
// in the rows' order; a scope drops rows and a limit ends the read; a
// bad row ends it after the rows before it; the bytes a driver reuses do
// not show through; no goroutine is left behind.
func TestReadChunks(t *testing.T) {
	base := runtime.NumGoroutine()
	for _, n := range []int{0, 1, decodeChunk, decodeChunk + 1, 10*decodeChunk + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ids, ns, err := readAll(t, &encodedRows{n: n}, storage.Query{Fields: []string{"n", "owner"}}, nil)
			if err != nil || len(ids) != n {
				t.Fatalf("%d rows, %v; want %d", len(ids), err, n)
			}
			for i := range ids {
				if ids[i] != FormatID(int64(i+1)) || ns[i] != "v"+strconv.Itoa(i+1) {
					t.Fatalf("row %d: id %s, n %q", i, ids[i], ns[i])
				}
			}
		})
	}
	t.Run("keep", func(t *testing.T) {
		// The rows of ann, 700 of them: ReadChunks reads "owner" for the
		// scope alone, and hands on "n".
		ann := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("ann")}}}
		q := storage.Query{Fields: []string{"n"}, Scope: ann, Limit: 700}
		ids, ns, err := readAll(t, &encodedRows{n: 5_000}, q, nil)
		if err != nil || len(ids) != 700 {
			t.Fatalf("%d rows, %v; want 700", len(ids), err)
		}
		for i := range ids {
			if want := 2 * (i + 1); ids[i] != FormatID(int64(want)) || ns[i] != "v"+strconv.Itoa(want) {
				t.Fatalf("row %d: id %s, n %q; want row %d", i, ids[i], ns[i], want)
			}
		}
	})
	t.Run("stop", func(t *testing.T) {
		ids, _, err := readAll(t, &encodedRows{n: 5_000}, storage.Query{Fields: []string{"n"}}, func(seen int) bool { return seen >= 1_000 })
		if err != nil || len(ids) != 4*decodeChunk {
			t.Errorf("stopped after %d rows, %v; want the %d of the chunks up to the 1000th", len(ids), err, 4*decodeChunk)
		}
	})
	t.Run("bad row", func(t *testing.T) {
		ids, _, err := readAll(t, &encodedRows{n: 5_000, bad: 2_000}, storage.Query{Fields: []string{"n"}}, nil)
		if !errors.Is(err, bincodec.ErrCorrupt) || len(ids) != 1_999 {
			t.Errorf("%d rows, then %v; want 1999, then row 2000's error", len(ids), err)
		}
	})
	t.Run("rows error", func(t *testing.T) {
		errGone := errors.New("connection gone")
		ids, _, err := readAll(t, &encodedRows{n: 3_000, err: errGone}, storage.Query{Fields: []string{"n"}}, nil)
		if !errors.Is(err, errGone) || len(ids) != 3_000 {
			t.Errorf("%d rows, then %v", len(ids), err)
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > base {
		t.Errorf("%d goroutines after the scans, %d before", g, base)
	}
}
