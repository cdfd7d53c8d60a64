package formats

import (
	"errors"
	"io"
	"slices"
)

// Preview reads up to n data rows from r for a person to look at before
// importing, typically with the header to map columns. It returns copies,
// which stay valid after r reads on; r continues after the rows returned.
//
// Fewer than n rows and a nil error mean the input ended. An error (a
// *ParseError for a malformed row) is returned with the rows read before it.
func Preview(r Reader, n int) (header []string, rows []Row, err error) {
	header = slices.Clone(r.Header())
	for len(rows) < n {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return header, rows, err
		}
		rows = append(rows, Row{Number: row.Number, Fields: slices.Clone(row.Fields)})
	}
	return header, rows, nil
}
