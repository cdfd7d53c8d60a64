package exporter

import (
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Report is a saved export: a name, a module, the query that selects its
// records and the fields it shows. It is plain data with a JSON form that
// round-trips, so that a CRM can keep its users' reports and run them
// again with ExportReport.
//
// A Report carries no visibility of its own that could widen a user's:
// whoever runs it passes their own Options.Scope, which always applies
// (a Scope saved in Query narrows the records further).
type Report struct {
	Name   string        `json:"name"`
	Module string        `json:"module"`
	Query  storage.Query `json:"query"`
	// Fields are the fields shown, in column order; nil means all fields
	// of the module (or Query.Fields, if set).
	Fields []string `json:"fields,omitempty"`
}

// Validate checks that r can run against module m: the module matches,
// and every field r filters, orders or shows exists.
func (r *Report) Validate(m *crmio.Module) error {
	if r.Module != m.Name {
		return fmt.Errorf("exporter: report %q is of module %q, not %q", r.Name, r.Module, m.Name)
	}
	fields := r.Fields
	if fields == nil {
		fields = r.Query.Fields
	}
	cols, err := Columns(m, fields)
	if err != nil {
		return fmt.Errorf("exporter: report %q: %w", r.Name, err)
	}
	if _, err := buildQuery(m, &Options{Query: r.Query}, cols); err != nil {
		return fmt.Errorf("exporter: report %q: %w", r.Name, err)
	}
	return nil
}
