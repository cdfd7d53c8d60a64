package xlsx

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 200_000

// writeBenchWorkbook writes a contacts sheet of n rows with excelize's
// StreamWriter: shared strings, numbers, dates and booleans.
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
	header := []any{"ID", "First name", "Last name", "Email", "Phone", "Company", "City", "Created", "Active", "Revenue"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	cities := []string{"Paris", "Berlin", "Lisbon", "Oslo", "Madrid", "Rome"}
	row := make([]any, len(header))
	for i := 1; i <= n; i++ {
		row[0] = i
		row[1] = fmt.Sprintf("First%d", i%5000)
		row[2] = fmt.Sprintf("Last%d", i%7000)
		row[3] = fmt.Sprintf("person%d@example.com", i)
		row[4] = fmt.Sprintf("+33 1 %08d", i)
		row[5] = fmt.Sprintf("Company %d", i%997)
		row[6] = cities[i%len(cities)]
		row[7] = excelize.Cell{StyleID: date, Value: 40000 + i%5000}
		row[8] = i%3 == 0
		row[9] = float64(i) * 1.25
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

// BenchmarkRead reads a 200,000-row workbook through this package and
// through bare excelize (Rows and Columns with raw values, the fastest
// excelize offers), to show what the typed cells and the formats.Reader
// cost on top.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	writeBenchWorkbook(b, path, benchRows)

	b.Run("xlsx.Open", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
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
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})

	b.Run("excelize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
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
		b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
