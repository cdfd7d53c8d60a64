package sqlstore

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/crmio/crmio"
)

// fakeRows are n rows (i, "v<i>"), reusing one buffer for vals as a driver
// may, failing with err after them.
type fakeRows struct {
	n, i int
	buf  []byte
	err  error
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= r.n }
func (r *fakeRows) Err() error { return r.err }
func (r *fakeRows) Scan(dest ...any) error {
	*dest[0].(*int64) = int64(r.i)
	r.buf = append(r.buf[:0], "v"+strconv.Itoa(r.i)...)
	*dest[1].(*[]byte) = r.buf
	return nil
}

var errBadValue = errors.New("bad value")

// decodeText decodes "v<i>" into {"n": i}, and fails on row bad.
func decodeText(bad int) func(*crmio.Arena, []byte) (map[string]crmio.Value, error) {
	return func(_ *crmio.Arena, b []byte) (map[string]crmio.Value, error) {
		if string(b) == "v"+strconv.Itoa(bad) {
			return nil, errBadValue
		}
		return map[string]crmio.Value{"n": crmio.TextValue(string(b))}, nil
	}
}

// ReadRecords decodes on several goroutines past its first rows: the
// records still come whole and in order, a stop or a bad record ends the
// scan where a serial one ends, and no goroutine is left behind.
func TestReadRecords(t *testing.T) {
	base := runtime.NumGoroutine()
	for _, n := range []int{0, 1, decodeChunk - 1, decodeChunk, decodeChunk + 1, 10 * decodeChunk, 10*decodeChunk + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var got []crmio.Record
			err := ReadRecords[[]byte](&fakeRows{n: n}, "people", decodeText(-1), func(r crmio.Record) bool {
				got = append(got, r)
				return true
			})
			if err != nil || len(got) != n {
				t.Fatalf("%d records, %v; want %d", len(got), err, n)
			}
			for i, r := range got {
				if r.ID != FormatID(int64(i+1)) || r.Module != "people" || r.Values["n"].Str() != "v"+strconv.Itoa(i+1) {
					t.Fatalf("record %d: %+v", i, r)
				}
			}
		})
	}
	t.Run("stop", func(t *testing.T) {
		seen := 0
		err := ReadRecords[[]byte](&fakeRows{n: 5_000}, "people", decodeText(-1), func(crmio.Record) bool {
			seen++
			return seen < 1_000
		})
		if err != nil || seen != 1_000 {
			t.Errorf("stopped after %d records, %v; want 1000", seen, err)
		}
	})
	t.Run("bad record", func(t *testing.T) {
		seen := 0
		err := ReadRecords[[]byte](&fakeRows{n: 5_000}, "people", decodeText(2_000), func(crmio.Record) bool {
			seen++
			return true
		})
		if !errors.Is(err, errBadValue) || seen != 1_999 {
			t.Errorf("%d records, then %v; want 1999, then record 2000's error", seen, err)
		}
	})
	t.Run("rows error", func(t *testing.T) {
		errGone := errors.New("connection gone")
		seen := 0
		err := ReadRecords[[]byte](&fakeRows{n: 3_000, err: errGone}, "people", decodeText(-1), func(crmio.Record) bool {
			seen++
			return true
		})
		if !errors.Is(err, errGone) || seen != 3_000 {
			t.Errorf("%d records, then %v", seen, err)
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
