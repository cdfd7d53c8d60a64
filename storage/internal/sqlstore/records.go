package sqlstore

import (
	"fmt"

	"github.com/crmio/crmio"
)

// Rows is what both stores' drivers return for a query (pgx.Rows and
// *sql.Rows): ReadRecords needs no more of them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadRecords reads (id, vals) rows into records of module until f returns
// false or the rows end; decode parses vals. The caller closes rows.
func ReadRecords(rows Rows, module string, decode func([]byte) (map[string]crmio.Value, error), f func(crmio.Record) bool) error {
	var id int64
	var vals []byte
	for rows.Next() {
		if err := rows.Scan(&id, &vals); err != nil {
			return err
		}
		values, err := decode(vals)
		if err != nil {
			return fmt.Errorf("record %d: %w", id, err)
		}
		if !f(crmio.Record{ID: FormatID(id), Module: module, Values: values}) {
			return nil
		}
	}
	return rows.Err()
}
