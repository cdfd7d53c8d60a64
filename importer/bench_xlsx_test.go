package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/internal/contactgen"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage/memory"
)

// BenchmarkImportXLSXSideBySide imports a 200,000 × 15 contacts workbook
// into the memory store (the plan of BenchmarkImport: 5% duplicates
// merged, accounts created) and, in the same run, reads the same workbook
// with excelize's raw Rows iteration, which does nothing with the cells:
// the whole import against the bare read of the library crmio would
// otherwise read workbooks with. It reports both, and the ratio.
func BenchmarkImportXLSXSideBySide(b *testing.B) {
	const rows = 200_000
	dir := b.TempDir()
	path := filepath.Join(dir, "contacts.xlsx")
	if err := contactgen.WriteXLSXFile(path, rows, nil); err != nil {
		b.Fatal(err)
	}
	var oursWall, theirsWall, oursCPU, theirsCPU time.Duration
	measure := func(run func(), wall, cpu *time.Duration) {
		runtime.GC()
		c, t := cpuTime(), time.Now()
		run()
		*wall += time.Since(t)
		*cpu += cpuTime() - c
	}
	ours := func() {
		im, err := importer.New(memory.New(), schemas.Default(), nil)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := im.Run(context.Background(), importer.Source{Path: path, Format: &formats.Options{MaxSize: -1}}, benchPlan(), nil)
		if err != nil || sum.Read != rows {
			b.Fatalf("import: %d of %d rows, %v", sum.Read, rows, err)
		}
	}
	theirs := func() {
		f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		rs, err := f.Rows(f.GetSheetList()[0])
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rs.Next() {
			if _, err := rs.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rs.Close()
		if n != rows+1 {
			b.Fatalf("excelize read %d rows", n)
		}
	}
	for b.Loop() {
		measure(ours, &oursWall, &oursCPU)
		measure(theirs, &theirsWall, &theirsCPU)
	}
	n := float64(b.N)
	b.ReportMetric(oursWall.Seconds()/n, "import-s")
	b.ReportMetric(theirsWall.Seconds()/n, "excelize-rows-s")
	b.ReportMetric(oursCPU.Seconds()/n, "import-cpu-s")
	b.ReportMetric(theirsCPU.Seconds()/n, "excelize-cpu-s")
	b.ReportMetric(theirsWall.Seconds()/oursWall.Seconds(), "x-faster-wall")
	b.ReportMetric(theirsCPU.Seconds()/oursCPU.Seconds(), "x-faster-cpu")
	b.Logf("import %.2fs (cpu %.2fs) against excelize's raw Rows %.2fs (cpu %.2fs): %.1fx (cpu %.1fx)",
		oursWall.Seconds()/n, oursCPU.Seconds()/n, theirsWall.Seconds()/n, theirsCPU.Seconds()/n,
		theirsWall.Seconds()/oursWall.Seconds(), theirsCPU.Seconds()/oursCPU.Seconds())
	_ = os.Remove(path)
}
