package exporter

import (
	"strconv"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// DescribeQuery says in words which records q selects, with m's field
// labels: `Status = "open"; City contains "Kra"; sorted by Last name
// (descending); first 100 records`. A query without filters, order or
// limit is "all records". A PDF report prints it as its filter; a CRM can
// show it beside a saved Report. The scope is not described: see
// Options.Scope.
func DescribeQuery(m *crmio.Module, q storage.Query) string {
	label := func(name string) string {
		if f := m.Field(name); f != nil {
			return f.DisplayLabel()
		}
		return name
	}
	var parts []string
	for _, f := range q.Where {
		op := string(f.Op)
		switch f.Op {
		case storage.Ne:
			op = "≠"
		case storage.Le:
			op = "≤"
		case storage.Ge:
			op = "≥"
		}
		parts = append(parts, label(f.Field)+" "+op+" "+strconv.Quote(f.Value.String()))
	}
	if len(q.Order) > 0 {
		keys := make([]string, len(q.Order))
		for i, o := range q.Order {
			keys[i] = label(o.Field)
			if o.Desc {
				keys[i] += " (descending)"
			}
		}
		parts = append(parts, "sorted by "+strings.Join(keys, ", "))
	}
	if q.Limit > 0 {
		parts = append(parts, "first "+strconv.Itoa(q.Limit)+" records")
	}
	if len(parts) == 0 {
		return "all records"
	}
	return strings.Join(parts, "; ")
}
