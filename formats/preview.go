package formats

import (
	"errors"
	"io"
	"slices"
)

// Preview reads up to n data rows from r for a person to look at before
// importing, typically with the header to map columns. It returns copies,
// which stay valid after r reads on; r continues after the rows returned.
// The header is the one after the rows were read, with the columns that
// rows longer than the header added.
//
// Fewer than n rows and a nil error mean the input ended. An error (a
// *ParseError for a malformed row) is returned with the rows read before it.
//
// The rows share their text with the reader's: a preview of a file with a
// 50 MB field holds that field once.
func Preview(r Reader, n int) (header []string, rows []Row, err error) {
	for len(rows) < n {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return slices.Clone(r.Header()), rows, err
		}
		rows = append(rows, Row{Number: row.Number, Fields: slices.Clone(row.Fields)})
	}
	return slices.Clone(r.Header()), rows, nil
}
