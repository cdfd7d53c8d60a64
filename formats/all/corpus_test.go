package all_test

import (
	"errors"
	"fmt"
	"github.com/crmio/crmio/internal/corpus"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmio/crmio/formats"
	_ "github.com/crmio/crmio/formats/all"
)

// corpusDirs are the corpus folders of real files from real exporters,
// fuzzers and bug reports that every registered format must survive.
var corpusDirs = []string{
	"apache-poi", "excelize", "extrame-xls", "csvkit-examples",
	"salesforce-dataloader", "thunderbird-import", "roundcube-csv2vcard",
}

// Bounds for one file. They catch hangs and runaway allocation, not
// slowness: a healthy read of the largest file takes well under a second.
const (
	fileDeadline = 2 * time.Minute
	heapBound    = 512 << 20 // peak heap growth while reading one file
	// bigFile is the size from which -race and -short runs skip a file.
	bigFile = 1 << 20
)

// corpusRoot returns the shared corpus directory (../shared/corpus from the
// repository root), skipping the test when it is absent.
func corpusRoot(t *testing.T) string { t.Helper(); return corpus.Need(t, "") }

// outcome is what reading one file came to.
type outcome struct {
	format string
	header int
	rows   int
	err    error
	panic  any
	took   time.Duration
	peak   uint64 // heap growth at its highest, bytes
}

func (o outcome) String() string {
	switch {
	case o.panic != nil:
		return fmt.Sprintf("PANIC %v", o.panic)
	case o.err != nil:
		return fmt.Sprintf("%s: %s", errorClass(o.err), firstLine(o.err.Error()))
	}
	return fmt.Sprintf("%s: %d columns, %d rows", o.format, o.header, o.rows)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// errorClass names the sentinel an error wraps, "" when it wraps none.
func errorClass(err error) string {
	for _, s := range []struct {
		err  error
		name string
	}{
		{formats.ErrEncrypted, "encrypted"},
		{formats.ErrUnsupportedFormat, "unsupported"},
		{formats.ErrTooLarge, "too large"},
		{formats.ErrNoHeader, "no header"},
		{formats.ErrNoSheet, "no sheet"},
		{formats.ErrCorrupt, "corrupt"},
	} {
		if errors.Is(err, s.err) {
			return s.name
		}
	}
	var pe *formats.ParseError
	if errors.As(err, &pe) {
		return "parse error"
	}
	return ""
}

// heapBytes reads the bytes of heap objects, live or not yet collected.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// readAll opens a file with formats.Open and reads every row, in a
// goroutine, so that a hang is reported instead of stalling the test.
// A sampler records the highest heap growth meanwhile.
func readAll(path string) outcome {
	runtime.GC()
	base := heapBytes()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapBytes(); h > base && h-base > peak.Load() {
				peak.Store(h - base)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		var o outcome
		defer func() {
			if p := recover(); p != nil {
				o.panic = p
			}
			done <- o
		}()
		r, err := formats.Open(path, nil)
		if err != nil {
			o.err = err
			return
		}
		defer r.Close()
		o.format = r.Info().Format
		o.header = len(r.Header())
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *formats.ParseError
				if errors.As(err, &pe) {
					continue // a bad row; the reader goes on after it
				}
				o.err = err
				return
			}
			o.rows++
		}
		o.err = r.Close()
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(fileDeadline):
		o.err = fmt.Errorf("no result after %v", fileDeadline)
		o.panic = "hang"
	}
	close(stop)
	<-sampled
	o.took = time.Since(start)
	o.peak = peak.Load()
	return o
}

// expected pins the outcome of files whose right answer is known: the
// encrypted ones (from the corpus' SOURCE.md), the formats that are not
// spreadsheets we read, and the XLS/XLSX twins that must read.
var expected = map[string]string{
	"apache-poi/poifs/60320-protected.xlsx":                                                    "encrypted",
	"apache-poi/poifs/extenxls_pwd123.xlsx":                                                    "encrypted",
	"apache-poi/poifs/protect.xlsx":                                                            "encrypted",
	"apache-poi/poifs/protected_sha512.xlsx":                                                   "encrypted",
	"apache-poi/spreadsheet/35897-type4.xls":                                                   "encrypted",
	"apache-poi/spreadsheet/password.xls":                                                      "encrypted",
	"apache-poi/spreadsheet/xor-encryption-abc.xls":                                            "encrypted",
	"apache-poi/spreadsheet/protected_passtika.xlsx":                                           "encrypted",
	"apache-poi/spreadsheet/protected_passtika.xlsb":                                           "encrypted",
	"excelize/test/encryptSHA1.xlsx":                                                           "encrypted",
	"excelize/test/encryptAES.xlsx":                                                            "encrypted",
	"apache-poi/spreadsheet/SampleSS.ods":                                                      "unsupported",
	"apache-poi/spreadsheet/Simple.xlsb":                                                       "unsupported",
	"apache-poi/spreadsheet/SampleSS.xml":                                                      "unsupported",
	"apache-poi/spreadsheet/testEXCEL_3.xls":                                                   "unsupported",
	"apache-poi/spreadsheet/testEXCEL_4.xls":                                                   "unsupported",
	"apache-poi/spreadsheet/54764.xlsx":                                                        "corrupt", // XML entity expansion
	"apache-poi/spreadsheet/poc-xmlbomb.xlsx":                                                  "corrupt",
	"apache-poi/spreadsheet/clusterfuzz-testcase-minimized-POIHSSFFuzzer-5786329142919168.xls": "corrupt",
	"apache-poi/spreadsheet/testEXCEL_95.xls":                                                  "",
	"apache-poi/spreadsheet/testEXCEL_5.xls":                                                   "",
	"apache-poi/spreadsheet/ReadOnlyRecommended.xls":                                           "",
	"apache-poi/spreadsheet/sheetProtection_allLocked.xlsx":                                    "no header", // an empty sheet
	"apache-poi/spreadsheet/SampleSS.xls":                                                      "",
	"apache-poi/spreadsheet/SampleSS.xlsx":                                                     "",
	"apache-poi/spreadsheet/1904DateWindowing.xls":                                             "",
	"apache-poi/spreadsheet/StringContinueRecords.xls":                                         "",
	"apache-poi/hpsf/TestUnicode.xls":                                                          "",
	"excelize/test/Book1.xlsx":                                                                 "",
	"excelize/test/BadWorkbook.xlsx":                                                           "no sheet", // its <sheets> is empty
	"excelize/test/OverflowNumericCell.xlsx":                                                   "",
	"extrame-xls/Table.xls":                                                                    "",
	"extrame-xls/testdata/bigtable.xls":                                                        "",
	"extrame-xls/testdata/bigtable.xlsx":                                                       "",
	"extrame-xls/testdata/superstore.xls":                                                      "",
	"extrame-xls/testdata/superstore.xlsx":                                                     "",
}

// TestCorpus opens every file of the corpus through formats.Open and reads
// all its rows. Each must give rows or a typed error (a formats sentinel or
// a *formats.ParseError), never a panic, a hang or runaway memory, and
// leave no temporary file behind.
func TestCorpus(t *testing.T) {
	root := corpusRoot(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // excelize and the spooler put temporary files here

	var files, skipped []string
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.Size() > bigFile && (raceEnabled || testing.Short()) {
				skipped = append(skipped, filepath.Base(path))
				return nil
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Skip("corpus holds no files")
	}
	if len(skipped) > 0 {
		t.Logf("left to the ordinary run (over %d bytes): %s", bigFile, strings.Join(skipped, ", "))
	}

	var table strings.Builder
	counts := map[string]int{}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		o := readAll(path)
		class := "read"
		if o.err != nil {
			class = errorClass(o.err)
		}
		if o.panic != nil {
			class = "panic"
		}
		counts[class]++
		fmt.Fprintf(&table, "%-88s %6dms %6.1fMB  %s\n", rel, o.took.Milliseconds(), float64(o.peak)/(1<<20), o)

		switch {
		case o.panic != nil:
			t.Errorf("%s: %v", rel, o)
		case o.err != nil && errorClass(o.err) == "":
			t.Errorf("%s: untyped error: %v", rel, o.err)
		}
		if o.peak > heapBound {
			t.Errorf("%s: heap grew by %d MB while reading", rel, o.peak>>20)
		}
		if want, ok := expected[rel]; ok {
			got := ""
			if o.err != nil {
				got = errorClass(o.err)
			}
			if got != want {
				t.Errorf("%s: got %v, want %q", rel, o, want)
			}
		}
	}
	t.Logf("%d files: %v\n%s", len(files), counts, table.String())

	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("temporary file left behind: %s", e.Name())
	}
}
