package xls

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkParse reads a 65,535-row BIFF8 sheet of eight columns (shared
// strings, RK numbers in MULRK records, dates, booleans) from memory: the
// most rows an XLS sheet holds.
func BenchmarkParse(b *testing.B) {
	const rows = 65535
	var strs []string
	for i := range 5000 {
		strs = append(strs, fmt.Sprintf("Person %d", i))
	}
	var cells [][]byte
	for c := range 8 {
		cells = append(cells, label(0, c, 0, fmt.Sprintf("Column %d", c+1)))
	}
	for r := 1; r < rows; r++ {
		cells = append(cells,
			labelSST(r, 0, 0, r%len(strs)), labelSST(r, 1, 0, (r*7)%len(strs)),
			mulRK(r, 2, 0, rkInt(r), rkCents(r*3), rkInt(-r), rkInt(r%100)),
			number(r, 6, 1, 40000+float64(r%5000)),
			boolErr(r, 7, 0, byte(r%2), false))
	}
	data := bookSpec{xfs: []int{0, 14}, sst: sstRec(strs, []int{8000, 16000, 24000}, false),
		sheets: []sheetSpec{{name: "S", cells: cells}}}.xlsFile()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Parse(data, nil)
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
		if n != rows-1 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64((rows-1)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
