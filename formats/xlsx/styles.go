package xlsx

import (
	"fmt"
	"io"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

// readStyles reads the styles part for what the reader needs of it: the
// kind of number format (number, date, time, duration) of each cell
// format (<cellXfs><xf numFmtId="..."/>), which a cell's s attribute
// indexes. A format's code comes from <numFmts> when the workbook defines
// it, else it is one of Excel's built-in formats.
func readStyles(r io.Reader) ([]workbook.Kind, error) {
	sc := newScanner(r)
	codes := map[int]string{}
	var xfFormats []int
	inCellXfs := false
	for {
		t, ok := sc.next()
		if !ok {
			break
		}
		switch {
		case t.is("numFmt") && t.kind != endTag:
			var id int
			var code []byte
			var haveID bool
			eachAttr(t.attrs, func(name, v []byte) bool {
				switch string(name) {
				case "numFmtId":
					id, haveID = atoi(v)
				case "formatCode":
					code = v
				}
				return true
			})
			if haveID && len(codes) < 1<<16 {
				c, err := unescape(code)
				if err != nil {
					return nil, fmt.Errorf("the styles: number format %d: %w", id, err)
				}
				codes[id] = c
			}
		case t.is("cellXfs"):
			inCellXfs = t.kind == startTag
		case t.is("xf") && t.kind != endTag && inCellXfs:
			id, _ := atoi(attr(t.attrs, "numFmtId"))
			xfFormats = append(xfFormats, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: the styles: %v", formats.ErrCorrupt, err)
	}
	kinds := make([]workbook.Kind, len(xfFormats))
	for i, id := range xfFormats {
		if code, ok := codes[id]; ok {
			kinds[i] = workbook.FormatKind(code)
		} else {
			kinds[i] = workbook.BuiltinKind(id)
		}
	}
	return kinds, nil
}
