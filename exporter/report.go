package exporter

import (
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// Report is a saved export: a name, a module, the fields it shows, and
// the filters, order and limit that select its records. It is plain data
// with a JSON form that round-trips, so that a CRM can keep its users'
// reports and run them again with ExportReport.
//
// A Report carries no visibility of its own that could widen a user's:
// whoever runs it passes their own Options.Scope, which always applies.
type Report struct {
	Name   string `json:"name"`
	Module string `json:"module"`
	// Fields are the fields shown, in column order, as Options.Fields
	// takes them ("email/work" for one label); nil means all of them (a
	// PDF report: the module's list fields first).
	Fields []string         `json:"fields,omitempty"`
	Where  []storage.Filter `json:"where,omitempty"`
	Order  []storage.Order  `json:"order,omitempty"`
	Limit  int              `json:"limit,omitempty"`
}

// Validate checks that r can run against module m: the module matches,
// and every field r filters, orders or shows exists.
func (r *Report) Validate(m *crmio.Module) error {
	if r.Module != m.Name {
		return fmt.Errorf("exporter: report %q is of module %q, not %q", r.Name, r.Module, m.Name)
	}
	cols, err := Columns(m, r.Fields)
	if err != nil {
		return fmt.Errorf("exporter: report %q: %w", r.Name, err)
	}
	if _, err := buildQuery(m, &Options{Where: r.Where, Order: r.Order, Limit: r.Limit}, cols); err != nil {
		return fmt.Errorf("exporter: report %q: %w", r.Name, err)
	}
	return nil
}
