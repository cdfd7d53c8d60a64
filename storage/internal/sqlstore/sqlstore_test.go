package sqlstore

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/crmio/crmio/storage"
)

func TestParseID(t *testing.T) {
	for id, want := range map[string]int64{"1": 1, "42": 42} {
		if n, ok := ParseID(id); !ok || n != want {
			t.Errorf("ParseID(%q) = %d, %v", id, n, ok)
		}
	}
	for _, bad := range []string{"", "0", "-1", "007", "+3", "1e3", "x", "99999999999999999999"} {
		if n, ok := ParseID(bad); ok {
			t.Errorf("ParseID(%q) = %d, true; want false", bad, n)
		}
	}
	if got := ParseIDs([]string{"3", "x", "1", "3", "007"}); !slices.Equal(got, []int64{1, 3}) {
		t.Errorf("ParseIDs = %v", got)
	}
	if FormatID(17) != "17" {
		t.Error("FormatID")
	}
}

func TestEncodeJob(t *testing.T) {
	s, err := EncodeJob(storage.Job{ID: "9", Module: "people", Detail: json.RawMessage(`{"x":1}`)})
	if err != nil || strings.Contains(s, `"9"`) || strings.Contains(s, "detail") || !strings.Contains(s, `"people"`) {
		t.Errorf("EncodeJob = %s, %v: want neither id nor detail", s, err)
	}
	if DetailArg(nil) != nil || string(DetailArg(json.RawMessage("{}")).([]byte)) != "{}" {
		t.Error("DetailArg")
	}
}

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ms, err := LoadMigrations(fstest.MapFS{
		"migrations/0002_items.sql": file("B"),
		"migrations/0001_init.sql":  file("A"),
	})
	if err != nil || len(ms) != 2 || ms[0] != (Migration{1, "init", "A"}) || ms[1] != (Migration{2, "items", "B"}) {
		t.Fatalf("LoadMigrations = %+v, %v", ms, err)
	}
	gap, err := LoadMigrations(fstest.MapFS{"migrations/0001_init.sql": file("A"), "migrations/0003_x.sql": file("C")})
	if err != nil || len(gap) != 2 || Newest(gap) != 3 {
		t.Errorf("a gap: %+v, %v; want versions 1 and 3", gap, err)
	}
	if _, err := LoadMigrations(fstest.MapFS{"migrations/0001_init.sql": file("A"), "migrations/001_x.sql": file("C")}); err == nil || !strings.Contains(err.Error(), "one version") {
		t.Errorf("two files of one version: %v", err)
	}
	if _, err := LoadMigrations(fstest.MapFS{"migrations/init.sql": file("A")}); err == nil || !strings.Contains(err.Error(), "NNNN_name.sql") {
		t.Errorf("a misnamed file: %v", err)
	}
}

func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1, Name: "init"}, {Version: 2, Name: "keys"}, {Version: 4, Name: "uploads"}}
	tooNew := errors.New("too new")
	versions := func(ms []Migration) []int {
		var out []int
		for _, m := range ms {
			out = append(out, m.Version)
		}
		return out
	}
	for _, c := range []struct {
		applied, want []int
	}{
		{nil, []int{1, 2, 4}},
		{[]int{1, 2}, []int{4}},
		// 4 landed first; 3 was merged later and must still be applied.
		{[]int{1, 2, 4}, nil},
	} {
		got, err := Pending(ms, c.applied, tooNew)
		if err != nil || !slices.Equal(versions(got), c.want) {
			t.Errorf("Pending(applied %v) = %v, %v; want %v", c.applied, versions(got), err, c.want)
		}
	}
	with3 := append(slices.Clone(ms[:2]), Migration{Version: 3, Name: "memory"}, ms[2])
	if got, err := Pending(with3, []int{1, 2, 4}, tooNew); err != nil || !slices.Equal(versions(got), []int{3}) {
		t.Errorf("a migration merged below the newest applied: Pending = %v, %v; want [3]", versions(got), err)
	}
	if _, err := Pending(ms, []int{1, 2, 4, 5}, tooNew); !errors.Is(err, tooNew) {
		t.Errorf("a database of a newer crmio: %v, want %v", err, tooNew)
	}
	if got := versions(UpTo(ms, 2)); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("UpTo(2) = %v", got)
	}
	if got := versions(UpTo(ms, 0)); !slices.Equal(got, []int{1, 2, 4}) {
		t.Errorf("UpTo(0) = %v", got)
	}
}

func TestKnownFields(t *testing.T) {
	var k KnownFields
	if k.Has("people", "email", KeyField) {
		t.Error("the zero KnownFields knows a field")
	}
	k.Know("people", "email", KeyField)
	k.Know("people", "email", LookupField)
	if !k.Has("people", "email", KeyField|LookupField) {
		t.Error("uses known one after the other are not both known")
	}
	k.Know("people", "email", KeyField) // knowing less forgets nothing
	if !k.Has("people", "email", LookupField) {
		t.Error("knowing a lesser use forgot a greater one")
	}
	k.Know("a\x00b", "c", KeyField)
	if k.Has("a", "b\x00c", KeyField) || k.Has("peo", "pleemail", KeyField) || k.Has("people", "phone", KeyField) || k.Has("accounts", "email", KeyField) {
		t.Error("a use is known of another field or module")
	}
}
