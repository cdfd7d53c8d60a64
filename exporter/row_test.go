package exporter

import (
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/schemas"
)

// TestRowMatchesCell checks that render.row, which looks a field up once
// and sends each item of a list to its columns, renders every column as
// render.cell does one column at a time: labels in any case, unknown and
// empty labels, several items of one label (joined), zero items, a single
// value in a multi-value field, address parts; for the columns of a table
// and of a report.
func TestRowMatchesCell(t *testing.T) {
	m := schemas.Default().Module("people")
	addr := func(city string) crmio.Value {
		return crmio.AddressValue(crmio.Address{Street: "1 Main St", City: city, Country: "US"})
	}
	records := []map[string]crmio.Value{
		{},
		{"last_name": crmio.TextValue("Lovelace"), "email": crmio.EmailValue("ada@example.com")},
		{"email": crmio.ListValue(
			crmio.Item{Label: "work", Value: crmio.EmailValue("a@work.example")},
			crmio.Item{Label: "WORK", Value: crmio.EmailValue("b@work.example")},
			crmio.Item{Label: "Home", Value: crmio.EmailValue("c@home.example")},
			crmio.Item{Label: "elsewhere", Value: crmio.EmailValue("d@x.example")},
			crmio.Item{Value: crmio.EmailValue("e@x.example")},
			crmio.Item{Label: "other", Value: crmio.Value{}},
		)},
		{"phone": crmio.ListValue(
			crmio.Item{Label: "mobile", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Label: "work", Value: crmio.PhoneValue("+14155550103")},
		), "address": crmio.ListValue(
			crmio.Item{Label: "work", Value: addr("Springfield")},
			crmio.Item{Label: "home", Value: addr("Shelbyville")},
			crmio.Item{Label: "home", Value: addr("Capital City")},
			crmio.Item{Label: "work", Value: crmio.TextValue("not an address")},
		)},
		{"address": addr("Ogdenville"), "phone": crmio.ListValue()},
	}
	table, err := Columns(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := parseSelection(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, layout := range []struct {
		name   string
		cols   []Column
		report bool
	}{{"table", table, false}, {"report", reportColumns(sel), true}} {
		spans, fields := fieldSpans(layout.cols)
		r := render{loc: time.UTC, report: layout.report}
		for i, values := range records {
			rec := crmio.Record{Values: values}
			row := make([]formats.Cell, len(layout.cols))
			for k := range row {
				row[k] = formats.TextCell("stale") // a reused slab
			}
			values := make([]crmio.Value, len(fields))
			for j, f := range fields {
				values[j] = rec.Values[f]
			}
			r.row(layout.cols, spans, values, row)
			for k := range layout.cols {
				if want := r.cell(&layout.cols[k], &rec); row[k] != want {
					t.Errorf("%s, record %d, column %q: row gives %q, cell %q", layout.name, i, layout.cols[k].Name, row[k].String(), want.String())
				}
			}
		}
	}
}
