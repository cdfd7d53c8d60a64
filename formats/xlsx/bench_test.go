package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/internal/cputime"
	"github.com/crmio/crmio/internal/testenv"
)

const (
	benchRows    = 200_000
	benchColumns = 15
)

// writeBenchWorkbook writes a contacts sheet of n rows and 15 columns with
// excelize's StreamWriter: shared strings, numbers, dates and booleans.
func writeBenchWorkbook(b *testing.B, path string, n int) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		b.Fatal(err)
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	header := []any{"ID", "First name", "Last name", "Email", "Phone", "Company", "City", "Country",
		"Created", "Active", "Revenue", "Score", "Title", "Notes", "Zip"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	cities := []string{"Paris", "Berlin", "Lisbon", "Oslo", "Madrid", "Rome"}
	titles := []string{"CEO", "CTO", "Sales", "Buyer", "Engineer"}
	row := make([]any, len(header))
	for i := 1; i <= n; i++ {
		row[0] = i
		row[1] = fmt.Sprintf("First%d", i%5000)
		row[2] = fmt.Sprintf("Last%d", i%7000)
		row[3] = fmt.Sprintf("person%d@example.com", i)
		row[4] = fmt.Sprintf("+33 1 %08d", i)
		row[5] = fmt.Sprintf("Company %d", i%997)
		row[6] = cities[i%len(cities)]
		row[7] = "France"
		row[8] = excelize.Cell{StyleID: date, Value: 40000 + i%5000}
		row[9] = i%3 == 0
		row[10] = float64(i) * 1.25
		row[11] = i % 100
		row[12] = titles[i%len(titles)]
		row[13] = fmt.Sprintf("met at fair %d", i%300)
		row[14] = fmt.Sprintf("%05d", i%99999)
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

var (
	benchOnce sync.Once
	benchPath string
)

// benchWorkbook returns the path of the 200,000-row workbook, written once
// per test binary.
func benchWorkbook(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "crmio-xlsx-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchPath = filepath.Join(dir, "bench.xlsx")
		writeBenchWorkbook(b, benchPath, benchRows)
	})
	return benchPath
}

// readOurs imports the workbook through this package: every row of the
// sheet as a formats.Reader gives it, with typed cells.
func readOurs(b *testing.B, path string) {
	r, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	r.Close()
	if n != benchRows {
		b.Fatalf("%d rows", n)
	}
}

// readExcelize reads the workbook with bare excelize, Rows and Columns
// with raw values: the fastest excelize offers, and untyped (dates are
// serial numbers, booleans 1 and 0).
func readExcelize(b *testing.B, path string) {
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	rows, err := f.Rows("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	rows.Close()
	f.Close()
	if n != benchRows+1 {
		b.Fatalf("%d rows", n)
	}
}

// BenchmarkRead reads a 200,000 × 15 workbook through this package and
// through bare excelize, each on its own, for their allocations.
func BenchmarkRead(b *testing.B) {
	path := benchWorkbook(b)
	for _, bm := range []struct {
		name string
		read func(*testing.B, string)
	}{{"xlsx.Open", readOurs}, {"excelize", readExcelize}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				bm.read(b, path)
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(cputime.Process()-cpu)/float64(benchRows*b.N), "cpu-ns/row")
		})
	}
}

// BenchmarkReadSideBySide reads the 200,000 × 15 workbook through this
// package and through bare excelize in turn, in each iteration, and
// reports both wall and CPU times and how many times faster this package
// is: side by side, a shared machine's load weighs on both alike.
func BenchmarkReadSideBySide(b *testing.B) {
	path := benchWorkbook(b)
	var oursWall, theirsWall, oursCPU, theirsCPU time.Duration
	measure := func(read func(*testing.B, string), wall, cpu *time.Duration) {
		runtime.GC()
		c, t := cputime.Process(), time.Now()
		read(b, path)
		*wall += time.Since(t)
		*cpu += cputime.Process() - c
	}
	for b.Loop() {
		measure(readOurs, &oursWall, &oursCPU)
		measure(readExcelize, &theirsWall, &theirsCPU)
	}
	n := float64(b.N)
	b.ReportMetric(oursWall.Seconds()/n, "xlsx-s")
	b.ReportMetric(theirsWall.Seconds()/n, "excelize-s")
	b.ReportMetric(oursCPU.Seconds()/n, "xlsx-cpu-s")
	b.ReportMetric(theirsCPU.Seconds()/n, "excelize-cpu-s")
	b.ReportMetric(theirsWall.Seconds()/oursWall.Seconds(), "x-faster-wall")
	b.ReportMetric(theirsCPU.Seconds()/oursCPU.Seconds(), "x-faster-cpu")
	b.Logf("xlsx %.2fs (cpu %.2fs), excelize raw Rows %.2fs (cpu %.2fs): %.1fx faster (cpu %.1fx)",
		oursWall.Seconds()/n, oursCPU.Seconds()/n, theirsWall.Seconds()/n, theirsCPU.Seconds()/n,
		theirsWall.Seconds()/oursWall.Seconds(), theirsCPU.Seconds()/oursCPU.Seconds())
}

func TestMain(m *testing.M) {
	code := testenv.Main(m)
	if benchPath != "" {
		os.RemoveAll(filepath.Dir(benchPath))
	}
	os.Exit(code)
}

// BenchmarkZipBomb opens a workbook whose sheet really inflates to 1.5 GB
// from a few megabytes (rows of cells padded with runs of spaces, as the
// bombs made to exhaust spreadsheet readers are): the reader refuses it
// from the zip directory, without inflating it.
func BenchmarkZipBomb(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bomb.xlsx")
	data := bombPackage(b, func(w io.Writer) {
		io.WriteString(w, `<worksheet><sheetData>`)
		pad := bytes.Repeat([]byte(" "), 3000)
		written := 0
		for i := 1; written < 1500e6; i++ {
			n, _ := fmt.Fprintf(w, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, i, i, i)
			m, _ := w.Write(pad)
			written += n + m
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var err error
	for b.Loop() {
		_, err = Open(path, nil)
		if !errors.Is(err, formats.ErrTooLarge) {
			b.Fatalf("err = %v", err)
		}
	}
	b.ReportMetric(float64(len(data))/1e6, "file-MB")
	b.Logf("%.1f MB file: %v", float64(len(data))/1e6, err)
}
