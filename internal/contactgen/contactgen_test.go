package contactgen

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, 2000, nil); err != nil {
		t.Fatal(err)
	}
	_ = Write(&b, 2000, nil)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("output is not deterministic")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2001 || len(recs[0]) != 15 {
		t.Fatalf("%d records of %d fields", len(recs), len(recs[0]))
	}
	seen := map[string]bool{}
	dups := 0
	for _, r := range recs[1:] {
		k := strings.ToLower(r[2])
		if seen[k] {
			dups++
		}
		seen[k] = true
	}
	if dups < 50 || dups > 150 {
		t.Errorf("%d duplicate emails in 2000 rows, want about 5%%", dups)
	}
}
