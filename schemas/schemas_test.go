package schemas

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestBuiltinSchemasAreValid(t *testing.T) {
	for name, s := range map[string]func() any{"default": func() any { return Default() }, "pivor": func() any { return Pivor() }} {
		if s() == nil {
			t.Errorf("%s schema is nil", name)
		}
	}
	d := Default()
	if d.Module("people").Field("account").Ref != "accounts" || d.Module("accounts").Key != "name" {
		t.Errorf("default schema: people.account → %q, accounts key %q", d.Module("people").Field("account").Ref, d.Module("accounts").Key)
	}
	if k := Pivor().Module("contacts").KeyFields(); len(k) != 2 || k[1] != "last_name" {
		t.Errorf("pivor contacts key = %v", k)
	}
	d.Modules = nil
	if len(Default().Modules) != 4 {
		t.Error("Default must return a fresh copy")
	}
}

// The examples ship the same JSON files, for people who read them there.
func TestExamplesShipTheSameSchemas(t *testing.T) {
	for _, name := range []string{"default.json", "pivor.json"} {
		shipped, err := os.ReadFile(filepath.Join("..", "examples", "schemas", name))
		if err != nil {
			t.Fatal(err)
		}
		mine, _ := os.ReadFile(name)
		if !bytes.Equal(shipped, mine) {
			t.Errorf("examples/schemas/%s differs from schemas/%s: copy it over", name, name)
		}
	}
}

func TestParseRejectsInvalid(t *testing.T) {
	if _, err := Parse([]byte(`{"modules":[{"name":"x","fields":[{"name":"a","type":"colour"}]}]}`)); err == nil {
		t.Error("want an error for an unknown type")
	}
	if _, err := Parse([]byte(`{`)); err == nil {
		t.Error("want an error for bad JSON")
	}
}
