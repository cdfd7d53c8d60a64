package sqlstore

import (
	"encoding/json"
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
	if _, err := LoadMigrations(fstest.MapFS{"migrations/0001_init.sql": file("A"), "migrations/0003_x.sql": file("C")}); err == nil || !strings.Contains(err.Error(), "migration 2 is missing") {
		t.Errorf("a gap: %v", err)
	}
	if _, err := LoadMigrations(fstest.MapFS{"migrations/init.sql": file("A")}); err == nil || !strings.Contains(err.Error(), "NNNN_name.sql") {
		t.Errorf("a misnamed file: %v", err)
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
