package xlsx

import (
	"io"
	"os"
	"testing"
)

func TestProfScratch(t *testing.T) {
	p := os.Getenv("XP")
	if p == "" {
		t.Skip()
	}
	r, err := Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		n++
	}
	t.Log(n)
}
