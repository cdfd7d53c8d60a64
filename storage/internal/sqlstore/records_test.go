package sqlstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/internal/valuecodec"
)

// fakeRows yields (id, vals) pairs, then err.
type fakeRows struct {
	ids  []int64
	vals []string
	i    int
	err  error
}

func (r *fakeRows) Next() bool { r.i++; return r.i <= len(r.ids) }
func (r *fakeRows) Err() error { return r.err }
func (r *fakeRows) Scan(dest ...any) error {
	*dest[0].(*int64) = r.ids[r.i-1]
	*dest[1].(*[]byte) = []byte(r.vals[r.i-1])
	return nil
}

func TestReadRecords(t *testing.T) {
	a, _ := valuecodec.AppendValues(nil, map[string]crmio.Value{"name": crmio.TextValue("Ada")}, nil)
	b, _ := valuecodec.AppendValues(nil, map[string]crmio.Value{"name": crmio.TextValue("Bob")}, nil)
	rows := func() *fakeRows { return &fakeRows{ids: []int64{7, 9}, vals: []string{string(a), string(b)}} }

	var got []crmio.Record
	if err := ReadRecords(rows(), "people", valuecodec.DecodeValues, func(r crmio.Record) bool { got = append(got, r); return true }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "7" || got[1].Module != "people" || got[1].Get("name").Str() != "Bob" {
		t.Errorf("read %+v", got)
	}

	n := 0
	if err := ReadRecords(rows(), "people", valuecodec.DecodeValues, func(crmio.Record) bool { n++; return false }); err != nil || n != 1 {
		t.Errorf("stopping after the first record: %d read, %v", n, err)
	}

	bad := rows()
	bad.vals[1] = "not json"
	if err := ReadRecords(bad, "people", valuecodec.DecodeValues, func(crmio.Record) bool { return true }); err == nil || !strings.Contains(err.Error(), "record 9") {
		t.Errorf("undecodable values: error %v, want one naming record 9", err)
	}

	failing := rows()
	failing.err = errors.New("connection lost")
	if err := ReadRecords(failing, "people", valuecodec.DecodeValues, func(crmio.Record) bool { return true }); err != failing.err {
		t.Errorf("the rows' error: got %v", err)
	}
}
