// Package fpdfbaseline writes the baseline crmio's PDF benchmarks measure
// themselves against: a table of the same cells in the plainest
// codeberg.org/go-pdf/fpdf, the library formats/pdf replaced. Only
// benchmarks import it.
package fpdfbaseline

import (
	"io"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Table writes rows as a bare fpdf table: landscape A4, the Go font at 8
// points, the header in bold, one CellFormat per cell in columns of equal
// width, fpdf's own page breaks; no measuring, no wrapping.
func Table(out io.Writer, header []string, rows [][]string) error {
	doc := fpdf.New("L", "mm", "A4", "")
	doc.AddUTF8FontFromBytes("go", "", goregular.TTF)
	doc.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	doc.SetAutoPageBreak(true, 15)
	doc.AddPage()
	w := 273.0 / float64(max(len(header), 1))
	doc.SetFont("go", "B", 8)
	for _, h := range header {
		doc.CellFormat(w, 5, h, "1", 0, "L", false, 0, "")
	}
	doc.Ln(-1)
	doc.SetFont("go", "", 8)
	for _, row := range rows {
		for _, c := range row {
			doc.CellFormat(w, 5, c, "1", 0, "L", false, 0, "")
		}
		doc.Ln(-1)
	}
	return doc.Output(out)
}
