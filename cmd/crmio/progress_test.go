package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	b := newProgressBar(&out, "contacts.csv")
	tests := []struct {
		p    importer.Progress
		want string
	}{
		{importer.Progress{Counts: storage.Counts{Read: 0, Estimated: 50000}}, "contacts.csv [>                           ]   0%  0/50,000 rows"},
		{importer.Progress{Counts: storage.Counts{Read: 25000, Estimated: 50000, Failed: 3}, Elapsed: 2 * time.Second},
			"contacts.csv [==============>             ]  50%  25,000/50,000 rows  12,500 rows/s  ETA 2s  3 failed"},
		// An estimate that falls short never shows 100% before the end.
		{importer.Progress{Counts: storage.Counts{Read: 60000, Estimated: 60000}, Elapsed: time.Second},
			"contacts.csv [===========================>]  99%  60,000/60,000 rows  60,000 rows/s"},
		{importer.Progress{Counts: storage.Counts{Read: 1234567}, Elapsed: time.Second}, "contacts.csv 1,234,567 rows  1,234,567 rows/s"},
	}
	for _, tt := range tests {
		if got := b.line(tt.p); got != tt.want {
			t.Errorf("line(%+v) =\n%q\nwant\n%q", tt.p, got, tt.want)
		}
	}
	b.update(tests[1].p)
	b.clear()
	b.clear()
	if got := out.String(); got != "\r"+tests[1].want+"\x1b[K"+"\r\x1b[K" {
		t.Errorf("drawn %q", got)
	}
	if strings.Count(out.String(), "\r") != 2 {
		t.Error("clear twice must erase once")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
