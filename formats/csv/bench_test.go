package csv_test

import (
	"bufio"
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/internal/cputime"
	"github.com/crmio/crmio/internal/testenv"
)

// benchRows is the size of the generated benchmark file.
const benchRows = 1_000_000

// contacts is the benchmark file, generated once per test binary into a
// temporary folder that TestMain removes.
var contacts struct {
	once sync.Once
	dir  string
	path string
	size int64
	err  error
}

func TestMain(m *testing.M) {
	code := testenv.Main(m)
	if contacts.dir != "" {
		os.RemoveAll(contacts.dir)
	}
	os.Exit(code)
}

// contactsFile returns the path of a CSV file of benchRows contacts in 15
// columns, as a CRM export looks: quoted fields with commas, empty cells,
// now and then a multi-line note.
func contactsFile(tb testing.TB) string {
	contacts.once.Do(func() {
		contacts.dir, contacts.err = os.MkdirTemp("", "crmio-csv-bench-*")
		if contacts.err != nil {
			return
		}
		contacts.path = filepath.Join(contacts.dir, "contacts.csv")
		contacts.size, contacts.err = writeContacts(contacts.path, benchRows)
	})
	if contacts.err != nil {
		tb.Fatal(contacts.err)
	}
	return contacts.path
}

func writeContacts(path string, rows int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	cw := stdcsv.NewWriter(w)
	rng := rand.New(rand.NewPCG(7, 11))
	first := []string{"Ada", "Grace", "Alan", "Zoë", "José", "Małgorzata", "Li", "Fatima", "Olu", "Søren"}
	last := []string{"Lovelace", "Hopper", "Turing", "Müller", "García", "Nowak", "Wang", "Haddad", "Adeyemi", "Kierkegaard"}
	companies := []string{"Acme, Inc.", "Globex", "Initech", "Umbrella Corp", "Stark Industries", "Wayne Enterprises", ""}
	cities := []string{"London", "Berlin", "New York", "São Paulo", "Lagos", "Warszawa", "Shanghai"}
	cw.Write([]string{"First Name", "Last Name", "Email", "Phone", "Mobile", "Company", "Title",
		"Street", "City", "State", "Zip", "Country", "Website", "Lead Source", "Notes"})
	for i := range rows {
		fn, ln := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		notes := ""
		switch rng.IntN(10) {
		case 0:
			notes = "Met at the fair; wants a demo.\nCall back in May."
		case 1, 2:
			notes = "Prefers email, not \"phone\""
		}
		mobile := ""
		if rng.IntN(2) == 0 {
			mobile = "+44 7700 " + strconv.Itoa(900000+rng.IntN(99999))
		}
		cw.Write([]string{fn, ln,
			fmt.Sprintf("%s.%s%d@example.com", fn, ln, i),
			"+1 555 " + strconv.Itoa(1000000+rng.IntN(8999999)), mobile,
			companies[rng.IntN(len(companies))], "Head of Sales",
			strconv.Itoa(1+rng.IntN(999)) + " Main Street", cities[rng.IntN(len(cities))], "",
			strconv.Itoa(10000 + rng.IntN(89999)), "GB", "https://example.com/" + strconv.Itoa(i),
			"Web", notes})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, err
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), f.Close()
}

// heapSampler records the peak of the heap in use, sampled as rows pass.
type heapSampler struct{ peak uint64 }

func (h *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapInuse)
}

// BenchmarkReadContacts reads the 1M-row contacts file with this package,
// through formats.Open, and with bare encoding/csv (ReuseRecord), the
// ceiling, reporting rows/s and the peak heap in use.
func BenchmarkReadContacts(b *testing.B) {
	path := contactsFile(b)
	noLimit := &formats.Options{MaxSize: -1}
	run := func(b *testing.B, read func(f *os.File, each func(n int)) int) {
		b.SetBytes(contacts.size)
		b.ReportAllocs()
		var heap heapSampler
		rows := 0
		cpu := cputime.Process()
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			rows += read(f, func(n int) {
				if n%(1<<16) == 0 {
					heap.sample()
				}
			})
			f.Close()
		}
		if rows != b.N*benchRows {
			b.Fatalf("%d rows over %d runs", rows, b.N)
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(heap.peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(cputime.Process()-cpu)/float64(rows), "cpu-ns/row")
	}
	readAll := func(r formats.Reader, each func(int)) int {
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				return n
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			each(n)
		}
	}

	b.Run("crmio-csv", func(b *testing.B) {
		run(b, func(f *os.File, each func(int)) int {
			r, err := csv.NewReader(f, noLimit)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			return readAll(r, each)
		})
	})
	b.Run("formats.NewReader", func(b *testing.B) {
		run(b, func(f *os.File, each func(int)) int {
			r, err := formats.NewReader(f, "contacts.csv", noLimit)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			return readAll(r, each)
		})
	})
	b.Run("encoding-csv", func(b *testing.B) {
		run(b, func(f *os.File, each func(int)) int {
			r := stdcsv.NewReader(f)
			r.ReuseRecord = true
			r.FieldsPerRecord = -1
			if _, err := r.Read(); err != nil { // the header
				b.Fatal(err)
			}
			n := 0
			for {
				_, err := r.Read()
				if err == io.EOF {
					return n
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
				each(n)
			}
		})
	})
}

// TestPeakMemory reads the 1M-row file and checks the heap stays small:
// memory is bounded by a row, not by the file. It takes a while, so it
// runs only with CRMIO_MEMTEST=1.
func TestPeakMemory(t *testing.T) {
	if os.Getenv("CRMIO_MEMTEST") == "" {
		t.Skip("set CRMIO_MEMTEST=1 to read a generated 1M-row file")
	}
	path := contactsFile(t)
	runtime.GC()
	var heap heapSampler
	r, err := formats.Open(path, &formats.Options{MaxSize: -1})
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
		if err != nil {
			t.Fatal(err)
		}
		if n++; n%(1<<14) == 0 {
			heap.sample()
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d rows of a %d MiB file: peak heap in use %.1f MiB, total allocated %.0f MiB, Sys %.1f MiB",
		n, contacts.size>>20, float64(heap.peak)/(1<<20), float64(ms.TotalAlloc)/(1<<20), float64(ms.Sys)/(1<<20))
	if n != benchRows {
		t.Errorf("%d rows, want %d", n, benchRows)
	}
	if heap.peak > 50<<20 {
		t.Errorf("peak heap in use %d MiB, want under 50", heap.peak>>20)
	}
}
