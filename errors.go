package crmio

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors shared by every layer. Layers wrap them, so test with
// errors.Is.
var (
	// ErrNotFound: a record, job or module that does not exist.
	ErrNotFound = errors.New("crmio: not found")
	// ErrInvalidDefinition: a module or schema definition is wrong (see
	// DefinitionError).
	ErrInvalidDefinition = errors.New("crmio: invalid definition")
	// ErrUnknownModule: a module name the schema does not define.
	ErrUnknownModule = errors.New("crmio: unknown module")
	// ErrUnknownField: a field name the module does not define.
	ErrUnknownField = errors.New("crmio: unknown field")
	// ErrConflict: a record changed since it was read (rollback refuses to
	// undo an import over later changes unless forced).
	ErrConflict = errors.New("crmio: record changed since")
	// ErrNotSupported: the Store lacks an optional capability the call needs.
	ErrNotSupported = errors.New("crmio: not supported by this store")

	// Row-level causes, carried by RowError.Err.

	// ErrRequired: a required field has no value.
	ErrRequired = errors.New("required field is empty")
	// ErrInvalidValue: a value cannot be coerced to its field's type.
	ErrInvalidValue = errors.New("invalid value")
	// ErrUnresolvedReference: a reference names no record of its target module.
	ErrUnresolvedReference = errors.New("unresolved reference")
	// ErrDuplicate: a row duplicates an existing record or an earlier row.
	ErrDuplicate = errors.New("duplicate")
	// ErrRejected: a rule of the CRM (an import hook) turned the row away.
	ErrRejected = errors.New("rejected")
	// ErrOutOfScope: the row would create or change a record outside the
	// scope the import runs under.
	ErrOutOfScope = errors.New("outside the scope")
)

// RowError is a problem that keeps one row of an import out of the store.
// Row is the row number the user sees in their spreadsheet (the header is
// row 1). It is data for the summary, not a failure of the import.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"` // the file's column name
	Field  string `json:"field,omitempty"`  // the module's field name
	Value  string `json:"value,omitempty"`  // the offending text, as read
	Reason string `json:"message"`          // for a person: "“bob@” is not an email address"
	Err    error  `json:"-"`                // the cause: ErrRequired, ErrInvalidValue, ...
}

func (e *RowError) Error() string { return describe(e.Row, e.Column, e.Field, e.Reason) }

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// Warning is a problem worth telling that does not keep the row out: an
// unresolved optional reference, a phone number that is not valid, a date
// order guessed for an ambiguous column. Row 0 means the whole file.
type Warning struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"message"`
}

func (w Warning) String() string { return describe(w.Row, w.Column, w.Field, w.Reason) }

func describe(row int, column, field, reason string) string {
	s := ""
	if row > 0 {
		s = "row " + strconv.Itoa(row)
	}
	where := ""
	switch {
	case column != "":
		where = fmt.Sprintf("column %q", column)
	case field != "":
		where = fmt.Sprintf("field %q", field)
	}
	if s != "" && where != "" {
		s += ", " + where
	} else {
		s += where
	}
	if s == "" {
		return reason
	}
	return s + ": " + reason
}
