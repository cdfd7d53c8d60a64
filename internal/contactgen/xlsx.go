package contactgen

import (
	"bytes"
	"encoding/csv"
	"os"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/xlsx"
)

// WriteXLSXFile writes the same rows Write does as a workbook of text
// cells at path.
func WriteXLSXFile(path string, rows int, opts *Options) error {
	var data bytes.Buffer
	if err := Write(&data, rows, opts); err != nil {
		return err
	}
	recs, err := csv.NewReader(&data).ReadAll()
	if err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := xlsx.NewWriter(out, nil)
	if err != nil {
		out.Close()
		return err
	}
	err = w.WriteHeader(recs[0])
	cells := make([]formats.Cell, len(recs[0]))
	for _, rec := range recs[1:] {
		if err != nil {
			break
		}
		for i, v := range rec {
			cells[i] = formats.TextCell(v)
		}
		err = w.WriteRow(cells)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
