package importer

import (
	"context"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// A ColumnHook transforms one cell before it is coerced to its field's
// type: a CRM's own clean-up of a column ("SF-00042" → "42" for a customer
// number, a legacy code → a choice). It is called for every mapped cell of
// every row, by the mapping workers, concurrently: it must be safe for
// concurrent use, and quick. It returns the text to coerce; an error makes
// the row fail, with the error's message as the reason and the cell's row
// and column.
type ColumnHook func(c *Cell) (string, error)

// Cell is one cell a ColumnHook sees.
type Cell struct {
	Row    int    // the row number as the user's spreadsheet shows it
	Column string // the file's column name
	Index  int    // the column's index in the file's header (0-based)
	Field  string // the module's field it maps to
	Value  string // the text as read
}

// A RowHook sees each row once it is mapped to a record (and its mapping
// found no error): it may change the record's values, and fail the row or
// warn about it, with the CRM's own rules ("a lead from the US needs a
// state"). It runs in the mapping workers, concurrently: it must be safe
// for concurrent use. An error it returns is a failure of the system, and
// stops the import (use Row.Fail for a problem of the row).
type RowHook func(ctx context.Context, row *Row) error

// A BatchHook sees each batch once, in the writer, inside the batch's
// transaction, before duplicates are matched: the place for checks against
// the CRM's own data in one query per batch ("is this customer number
// taken?"). Batch.Store is the transaction, limited to the import's scope.
// It may fail rows (Row.Fail) or change their records; an error it returns
// is a failure of the system, and stops the import with the batch
// uncommitted.
type BatchHook func(ctx context.Context, b *Batch) error

// Batch is one batch of rows a BatchHook sees.
type Batch struct {
	Module *crmio.Module
	// Store is the batch's store: its transaction where the store has
	// them, seeing only the import's scope.
	Store storage.Store
	// Rows are the rows of the batch that have not failed, in file order.
	Rows []*Row
}

// Row is one row of the file, mapped to a record, as the Row and Batch
// hooks see it.
type Row struct {
	// Number is the row number as the user's spreadsheet shows it.
	Number int
	// Fields are the row's cells as read, in the file's column order;
	// Header names them. Do not change them.
	Fields []string
	Header []string
	// Record is the mapped record. Its Values may be changed; references
	// are resolved later (a BatchHook sees them resolved).
	Record *crmio.Record

	errs  []crmio.RowError
	warns []crmio.Warning
}

// Fail makes the row fail: it is not written, and the summary lists it
// with reason, naming field (optional) and the file's column mapped to it.
func (r *Row) Fail(field, reason string) {
	r.errs = append(r.errs, crmio.RowError{Row: r.Number, Field: field, Reason: reason, Err: crmio.ErrRejected})
}

// Warn adds a warning about the row, which is written all the same.
func (r *Row) Warn(field, reason string) {
	r.warns = append(r.warns, crmio.Warning{Row: r.Number, Field: field, Reason: reason})
}

// Failed reports whether the row has failed (by Fail or before).
func (r *Row) Failed() bool { return len(r.errs) > 0 }
