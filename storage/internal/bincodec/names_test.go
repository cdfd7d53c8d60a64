package bincodec

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/schemas"
)

// TestCommonNamesFrozen holds commonNames to the list stored records were
// written with: it may grow at the end, never change.
func TestCommonNamesFrozen(t *testing.T) {
	data, err := os.ReadFile("testdata/common-names.txt")
	if err != nil {
		t.Fatal(err)
	}
	frozen := strings.Fields(string(data))
	if len(commonNames) < len(frozen) {
		t.Fatalf("commonNames has %d names, testdata/common-names.txt %d: names were removed", len(commonNames), len(frozen))
	}
	for i, name := range frozen {
		if commonNames[i] != name {
			t.Errorf("commonNames[%d] = %q, stored records say %q: an entry is never changed or moved", i, commonNames[i], name)
		}
	}
	if len(commonNames) > len(frozen) {
		t.Errorf("commonNames has %d names, testdata/common-names.txt %d: add the new ones at its end", len(commonNames), len(frozen))
	}
	if len(commonIndex) != len(commonNames) {
		t.Errorf("commonNames holds a name twice")
	}
}

// TestSchemaNamesCommon checks that crmio's own schemas' field names are
// all common names, written as a number.
func TestSchemaNamesCommon(t *testing.T) {
	for s, schema := range map[string]*crmio.Schema{"default": schemas.Default(), "pivor": schemas.Pivor()} {
		for _, m := range schema.Modules {
			for _, f := range m.Fields {
				if _, ok := commonIndex[f.Name]; !ok {
					t.Errorf("%s: %s.%s is not in commonNames: add it at the end", s, m.Name, f.Name)
				}
			}
		}
	}
}

// TestNamedVersions checks the two versions of the names: version 1 (a
// record written before version 2, testdata/named-v1.golden) still reads,
// and version 2 writes common names as a number and others spelled out.
func TestNamedVersions(t *testing.T) {
	v1, err := os.ReadFile("testdata/named-v1.golden")
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeNamed(v1)
	if err != nil {
		t.Fatalf("decoding version 1: %v", err)
	}
	checkSame(t, got, sample())

	var enc NamedEncoder
	v2 := enc.Append(nil, sample(), sortedNames(sample()))
	if v2[1] != namedVersion {
		t.Fatalf("version %d written, want %d", v2[1], namedVersion)
	}
	if len(v2) >= len(v1) {
		t.Errorf("version 2 takes %d bytes, version 1 %d", len(v2), len(v1))
	}
	// "email" and "phone" are common, "tokyo" is not.
	if bytes.Contains(v2[:len(v2)/2], []byte("email")) || !bytes.Contains(v2, []byte("tokyo")) {
		t.Errorf("version 2 header %q: want email as a number, tokyo spelled out", v2)
	}
	got, err = DecodeNamed(v2)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, sample())
}
