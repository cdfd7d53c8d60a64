package exporter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/formats/pdf"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

var updateGolden = flag.Bool("update", false, "rewrite the testdata/*.golden files")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func export(t *testing.T, store storage.Store, opts *exporter.Options) ([]byte, exporter.Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := exporter.Export(context.Background(), store, peopleModule(), &buf, opts)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}

func TestExportCSVGolden(t *testing.T) {
	store := newStore(t, samplePeople())
	for _, c := range []struct {
		golden string
		opts   *exporter.Options
	}{
		{"people.golden", nil},
		{"people_bom.golden", &exporter.Options{CSV: &csv.WriterOptions{BOM: true}}},
		{"people_paris_semicolon.golden", &exporter.Options{Location: mustLocation(t, "Europe/Paris"), CSV: &csv.WriterOptions{Delimiter: ';', LF: true}}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			got, res := export(t, store, c.opts)
			checkGolden(t, c.golden, got)
			if res.Rows != 3 || len(res.Columns) != 22 {
				t.Errorf("result %d rows, %d columns %q", res.Rows, len(res.Columns), res.Columns)
			}
			if hasBOM := bytes.HasPrefix(got, []byte("\uFEFF")); hasBOM != (c.opts != nil && c.opts.CSV != nil && c.opts.CSV.BOM) {
				t.Errorf("BOM present: %v", hasBOM)
			}
		})
	}
}

func mustLocation(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// readCSV reads an exported CSV file back with crmio's reader into maps of
// column → text.
func readCSV(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	r, err := csv.NewReader(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []map[string]string
	for {
		row, err := r.Read()
		if err != nil {
			break
		}
		m := map[string]string{}
		for i, h := range r.Header() {
			if i < len(row.Fields) {
				m[h] = row.Fields[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// TestExportValuesReparse checks that each value's text parses back to
// the value it came from: exact digits, ISO dates, RFC 3339 instants.
func TestExportValuesReparse(t *testing.T) {
	data, _ := export(t, newStore(t, samplePeople()), &exporter.Options{DisableInjectionGuard: true})
	rows := readCSV(t, data)
	recs := samplePeople()
	zoe := rows[0]
	if d, err := crmio.ParseDecimal(zoe["Score"]); err != nil || d != crmio.MustDecimal("1234.50") {
		t.Errorf("Score %q → %v, %v", zoe["Score"], d, err)
	}
	if d, err := crmio.ParseDate(zoe["Birthday"]); err != nil || !crmio.DateValue(d).Equal(recs[0].Values["birthday"]) {
		t.Errorf("Birthday %q", zoe["Birthday"])
	}
	if ts, err := time.Parse(time.RFC3339, zoe["Last contact"]); err != nil || !crmio.DateTimeValue(ts).Equal(recs[0].Values["last_contact"]) {
		t.Errorf("Last contact %q", zoe["Last contact"])
	}
	for col, want := range map[string]string{
		"VIP": "true", "Status": "qualified", "Account": "Acme Inc.", "Email (Work)": "zoe@work.example",
		"Email (Home)": "zoe@home.example", "Email": "", "Phone (Mobile)": "+14155550102", "Phone": "+442079460958",
		"Address - City": "Paris", "Address - Street": "1 Rue de Rivoli", "Address - State": "", "Tags": "vip ::: press",
	} {
		if zoe[col] != want {
			t.Errorf("%s = %q, want %q", col, zoe[col], want)
		}
	}
	if rows[1]["First name"] != `=HYPERLINK("http://evil.example","x")` || rows[1]["Score"] != "-0.1" || rows[1]["VIP"] != "false" {
		t.Errorf("row 2 without the guard: %q", rows[1])
	}
}

func TestExportXLSXTyped(t *testing.T) {
	data, res := export(t, newStore(t, samplePeople()), &exporter.Options{Format: exporter.XLSX})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "People" {
		t.Errorf("sheet %q, want the module's label", sheet)
	}
	col := map[string]string{}
	for i, name := range res.Columns {
		c, _ := excelize.ColumnNumberToName(i + 1)
		col[name] = c
	}
	cell := func(name string, row int) (excelize.CellType, string, string) {
		ref := col[name] + string(rune('0'+row))
		typ, _ := f.GetCellType(sheet, ref)
		raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		id, _ := f.GetCellStyle(sheet, ref)
		st, _ := f.GetStyle(id)
		format := ""
		if st.CustomNumFmt != nil {
			format = *st.CustomNumFmt
		}
		return typ, raw, format
	}
	if typ, raw, format := cell("Score", 2); (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || raw != "1234.5" || format != "0.00" {
		t.Errorf("Score: %v %q %q, want a number shown with 2 decimals", typ, raw, format)
	}
	if typ, raw, format := cell("Birthday", 2); (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || raw != "32939" || format != "yyyy-mm-dd" {
		t.Errorf("Birthday: %v %q %q, want a date serial in yyyy-mm-dd", typ, raw, format)
	}
	if typ, _, format := cell("Last contact", 2); typ == excelize.CellTypeInlineString || format != "yyyy-mm-dd hh:mm:ss" {
		t.Errorf("Last contact: %v %q", typ, format)
	}
	if v, _ := f.GetCellValue(sheet, col["Last contact"]+"2"); v != "2024-03-15 09:30:00" {
		t.Errorf("Last contact shows %q, want the UTC wall clock", v)
	}
	if typ, raw, _ := cell("VIP", 2); typ != excelize.CellTypeBool || raw != "1" {
		t.Errorf("VIP: %v %q, want a boolean", typ, raw)
	}
	// A text cell of a workbook is never a formula: no guard, no quote.
	if typ, raw, _ := cell("First name", 3); raw != `=HYPERLINK("http://evil.example","x")` || typ == excelize.CellTypeFormula {
		t.Errorf("formula text in XLSX: %v %q, want the text as it is", typ, raw)
	}
}

// TestScopedExport: the scope goes into the store's query, and no record
// outside it reaches the file, also when a saved report carries a scope
// of its own.
func TestScopedExport(t *testing.T) {
	spy := &spyStore{Store: newStore(t, samplePeople())}
	alice := &storage.Scope{Name: "alice", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("alice")}}}
	for _, format := range []exporter.Format{exporter.CSV, exporter.XLSX, exporter.PDF} {
		var buf bytes.Buffer
		res, err := exporter.Export(context.Background(), spy, peopleModule(), &buf, &exporter.Options{Format: format, Scope: alice})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 2 {
			t.Errorf("%s: %d rows, want alice's 2", format, res.Rows)
		}
		if format == exporter.CSV {
			rows := readCSV(t, buf.Bytes())
			for _, r := range rows {
				if r["Owner"] != "alice" {
					t.Errorf("out-of-scope record exported: %v", r)
				}
			}
			if bytes.Contains(buf.Bytes(), []byte("bob@example.com")) {
				t.Error("bob's email is in alice's export")
			}
		}
	}
	for _, q := range spy.queries {
		if q.Scope == nil || len(q.Scope.Where) != 1 || q.Scope.Where[0].Field != "owner" {
			t.Errorf("the store ran %+v without the scope", q)
		}
	}

	// A report cannot widen the caller's scope: it has none of its own,
	// and its filters only narrow.
	report := exporter.Report{Name: "All", Module: "people", Where: []storage.Filter{{Field: "status", Op: storage.Ne, Value: crmio.TextValue("none")}}}
	var buf bytes.Buffer
	res, err := exporter.ExportReport(context.Background(), spy, peopleModule(), report, &buf, &exporter.Options{Scope: alice})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2 || bytes.Contains(buf.Bytes(), []byte("bob")) {
		t.Errorf("report with its own scope exported %d rows:\n%s", res.Rows, buf.Bytes())
	}
}

// TestInjectionGuard exports a text field holding each dangerous prefix:
// a CSV file quotes them, an XLSX workbook (whose text cells are never
// formulas) does not, and the CSV file imports back (formats.NewReader
// strips the guard) as exactly the values exported.
func TestInjectionGuard(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+1+1", "'+1+1"},
		{"-1+1", "'-1+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"-12.5", "-12.5"},                     // a negative number stays usable
		{"+3", "+3"},                           // so does a signed one
		{"+1 415 555 0102", "+1 415 555 0102"}, // and a phone number
		{"+44 (20) 7946-0958", "+44 (20) 7946-0958"},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{"＝1+1", "'＝1+1"},   // full-width
		{"﹫x", "'﹫x"},       // small commercial at
		{"'=1+1", "''=1+1"}, // already quoted: one more, so that it imports back as it was
		{"'quoted'", "'quoted'"},
	}
	var recs []crmio.Record
	for _, c := range cases {
		recs = append(recs, crmio.Record{Values: map[string]crmio.Value{
			"last_name": crmio.TextValue(c.in),
			"score":     crmio.NumberValue(crmio.MustDecimal("-5")),
		}})
	}
	store := newStore(t, recs)
	fields := []string{"last_name", "score"}
	for _, format := range []exporter.Format{exporter.CSV, exporter.XLSX} {
		for _, disabled := range []bool{false, true} {
			var buf bytes.Buffer
			_, err := exporter.Export(context.Background(), store, peopleModule(), &buf,
				&exporter.Options{Format: format, Fields: fields, DisableInjectionGuard: disabled})
			if err != nil {
				t.Fatal(err)
			}
			got := readCells(t, format, buf.Bytes())
			for i, c := range cases {
				want := c.want
				if disabled || format == exporter.XLSX {
					want = c.in
				}
				if got[i][0] != want {
					t.Errorf("%s, guard disabled %v: %q exported as %q, want %q", format, disabled, c.in, got[i][0], want)
				}
				if got[i][1] != "-5" {
					t.Errorf("%s: the number -5 exported as %q", format, got[i][1])
				}
			}
			if format != exporter.CSV || disabled {
				continue
			}
			r, err := formats.NewReader(bytes.NewReader(buf.Bytes()), "people.csv", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, rows, err := formats.Preview(r, len(cases))
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				if rows[i].Fields[0] != c.in {
					t.Errorf("%q exported and read back as %q", c.in, rows[i].Fields[0])
				}
			}
		}
	}
}

// readCells returns the data rows of an exported CSV or XLSX file, raw.
func readCells(t *testing.T, format exporter.Format, data []byte) [][]string {
	t.Helper()
	if format == exporter.CSV {
		r, err := csv.NewReader(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for {
			row, err := r.Read()
			if err != nil {
				return out
			}
			out = append(out, append([]string(nil), row.Fields...))
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestExportQueryFieldsAndOrder(t *testing.T) {
	store := newStore(t, samplePeople())
	data, res := export(t, store, &exporter.Options{
		Where:  []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("new")}},
		Order:  []storage.Order{{Field: "first_name", Desc: true}},
		Fields: []string{"first_name", "phone"},
	})
	// The phone columns no record fills are left out.
	want := "First name,Phone (Work)\r\nΩμέγα,+1 415 555 0102\r\n" +
		`"'=HYPERLINK(""http://evil.example"",""x"")",` + "\r\n"
	if string(data) != want || res.Rows != 2 {
		t.Errorf("got %d rows:\n%q\nwant:\n%q", res.Rows, data, want)
	}

	for _, bad := range []*exporter.Options{
		{Fields: []string{"nope"}},
		{Where: []storage.Filter{{Field: "nope", Op: storage.Eq, Value: crmio.TextValue("x")}}},
		{Order: []storage.Order{{Field: "nope"}}},
	} {
		_, err := exporter.Export(context.Background(), store, peopleModule(), &bytes.Buffer{}, bad)
		if !errors.Is(err, crmio.ErrUnknownField) {
			t.Errorf("%+v: %v, want ErrUnknownField", bad, err)
		}
	}
	_, err := exporter.Export(context.Background(), store, peopleModule(), &bytes.Buffer{}, &exporter.Options{Format: "ods"})
	if !errors.Is(err, exporter.ErrUnknownFormat) {
		t.Errorf("format ods: %v", err)
	}
}

func TestExportCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := exporter.Export(ctx, newStore(t, samplePeople()), peopleModule(), &bytes.Buffer{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
}

func TestExportPDFRowCap(t *testing.T) {
	store := newStore(t, samplePeople())
	var buf bytes.Buffer
	res, err := exporter.Export(context.Background(), store, peopleModule(), &buf,
		&exporter.Options{Format: exporter.PDF, PDF: &pdf.Options{MaxRows: 2}})
	if !errors.Is(err, formats.ErrTooManyRows) || !strings.Contains(err.Error(), "CSV") {
		t.Fatalf("err = %v, want ErrTooManyRows suggesting CSV", err)
	}
	if buf.Len() != 0 || res.Rows != 2 {
		t.Errorf("a capped PDF export wrote %d bytes after %d rows", buf.Len(), res.Rows)
	}
}

func TestReportJSON(t *testing.T) {
	r := exporter.Report{
		Name: "Qualified in Paris", Module: "people",
		Where: []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("qualified")},
			{Field: "score", Op: storage.Ge, Value: crmio.NumberValue(crmio.MustDecimal("100.50"))},
			{Field: "birthday", Op: storage.Lt, Value: crmio.DateValue(crmio.NewDate(2000, 1, 1))}},
		Order:  []storage.Order{{Field: "last_name"}},
		Limit:  50,
		Fields: []string{"first_name", "last_name", "email"},
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back exporter.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if !bytes.Equal(data, again) || !back.Where[1].Value.Equal(r.Where[1].Value) || !back.Where[2].Value.Equal(r.Where[2].Value) {
		t.Errorf("report did not round-trip:\n%s\n%s", data, again)
	}
	if err := back.Validate(peopleModule()); err != nil {
		t.Error(err)
	}
	back.Fields = append(back.Fields, "gone")
	if err := back.Validate(peopleModule()); !errors.Is(err, crmio.ErrUnknownField) {
		t.Errorf("Validate with a removed field: %v", err)
	}
	want := `Status = "qualified"; Score ≥ "100.50"; Birthday < "2000-01-01"; sorted by Last name; first 50 records`
	if got := exporter.DescribeQuery(peopleModule(), storage.Query{Where: r.Where, Order: r.Order, Limit: r.Limit}); got != want {
		t.Errorf("DescribeQuery = %q, want %q", got, want)
	}

	// Running it exports its fields, in its order.
	store := newStore(t, samplePeople())
	var buf bytes.Buffer
	res, err := exporter.ExportReport(context.Background(), store, peopleModule(), back, &buf, nil)
	if err == nil || res.Rows != 0 {
		t.Errorf("a report with an unknown field ran: %v", err)
	}
	r.Where = r.Where[:1]
	if _, err := exporter.ExportReport(context.Background(), store, peopleModule(), r, &buf, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "First name,Last name,Email (Work),Email (Home)\r\nZoë,Łukasiewicz,zoe@work.example,zoe@home.example\r\n") {
		t.Errorf("report export:\n%s", buf.String())
	}
	if _, err := exporter.ExportReport(context.Background(), store, &crmio.Module{Name: "accounts"}, r, &buf, nil); err == nil {
		t.Error("a report of people ran against accounts")
	}
}

func TestColumns(t *testing.T) {
	cols, err := exporter.Columns(peopleModule(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "First name|Last name|Email|Email (Work)|Email (Home)|Phone|Phone (Mobile)|Phone (Work)|Website|Score|VIP|Birthday|Last contact|Status|Account|" +
		"Address - Street|Address - City|Address - State|Address - Zip|Address - Country|Tags|Owner"
	if got := strings.Join(exporter.Names(cols), "|"); got != want {
		t.Errorf("columns:\n%s\nwant:\n%s", got, want)
	}
	multi := &crmio.Module{Name: "accounts", Fields: []crmio.Field{{Name: "address", Type: crmio.TypeAddress, Multi: true, Labels: []string{"billing"}}}}
	cols, _ = exporter.Columns(multi, nil)
	if got := strings.Join(exporter.Names(cols), "|"); got != "Address - Street|Address - City|Address - State|Address - Zip|Address - Country|"+
		"Address (Billing) - Street|Address (Billing) - City|Address (Billing) - State|Address (Billing) - Zip|Address (Billing) - Country" {
		t.Errorf("multi-value address columns: %s", got)
	}
	for _, c := range cols {
		if c.Name != crmio.ColumnName(c.Field, c.Label, c.Part) {
			t.Errorf("column %q is not crmio.ColumnName", c.Name)
		}
	}
}

// measuringWriter records what an export gives it.
type measuringWriter struct {
	header            []string
	measured, written []string
	closed            bool
}

func (w *measuringWriter) WriteHeader(names []string) error { w.header = names; return nil }
func (w *measuringWriter) Measure(cells []formats.Cell) error {
	if len(w.written) > 0 {
		return errors.New("measured after a row was written")
	}
	w.measured = append(w.measured, cells[0].String())
	return nil
}
func (w *measuringWriter) WriteRow(cells []formats.Cell) error {
	w.written = append(w.written, cells[0].String())
	return nil
}
func (w *measuringWriter) Close() error { w.closed = true; return nil }

// TestExportTo writes into a writer the caller made: it is measured with
// every row first (a formats.Measurer), guarded (the exporter cannot know
// what reads it) unless told not to, and closed.
func TestExportTo(t *testing.T) {
	store := newStore(t, samplePeople())
	for _, disabled := range []bool{false, true} {
		w := &measuringWriter{}
		res, err := exporter.ExportTo(context.Background(), store, peopleModule(), w,
			&exporter.Options{Fields: []string{"first_name"}, Order: []storage.Order{{Field: "first_name"}}, DisableInjectionGuard: disabled})
		if err != nil {
			t.Fatal(err)
		}
		formula := `'=HYPERLINK("http://evil.example","x")`
		if disabled {
			formula = formula[1:]
		}
		want := []string{formula, "Zoë", "Ωμέγα"}
		if !slices.Equal(w.written, want) || !slices.Equal(w.measured, want) || !w.closed || res.Rows != 3 || !slices.Equal(w.header, []string{"First name"}) {
			t.Errorf("guard disabled %v: header %q, measured %q, written %q, closed %v", disabled, w.header, w.measured, w.written, w.closed)
		}
	}
	if _, err := exporter.ExportTo(context.Background(), store, peopleModule(), nil, nil); err == nil {
		t.Error("ExportTo without a writer")
	}
}

// TestFieldSelection: a field and one of its labels selects that label's
// columns; an address keeps its label's parts together, and leaves out
// the labels no record fills.
func TestFieldSelection(t *testing.T) {
	m := &crmio.Module{Name: "people", Fields: []crmio.Field{
		{Name: "name", Type: crmio.TypeText},
		{Name: "email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home"}},
		{Name: "address", Type: crmio.TypeAddress, Multi: true, Labels: []string{"work", "home"}},
		{Name: "tags", Type: crmio.TypeText, Multi: true},
	}}
	cols, err := exporter.Columns(m, []string{"email/HOME", "name"})
	if err != nil || strings.Join(exporter.Names(cols), "|") != "Email (Home)|Name" {
		t.Errorf("Columns = %q, %v", exporter.Names(cols), err)
	}
	for sel, msg := range map[string]string{
		"email/pager": `field "email" has no label "pager" (its labels: work, home)`,
		"name/work":   `field "name" has no labelled columns`,
		"tags/x":      `field "tags" has no labelled columns`,
		"nope/work":   `module "people" has no field "nope"`,
	} {
		if _, err := exporter.Columns(m, []string{sel}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", sel, err, msg)
		}
	}
	if _, err := exporter.Columns(m, []string{"email/work", "email"}); err == nil {
		t.Error("email/work and email both selected")
	}

	s := memory.New()
	s.Insert(context.Background(), "people", []crmio.Record{
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Ada"), "address": crmio.ListValue(
			crmio.Item{Label: "home", Value: crmio.AddressValue(crmio.Address{City: "London"})})}},
		{Values: map[string]crmio.Value{"name": crmio.TextValue("Grace")}},
	})
	var buf bytes.Buffer
	if _, err := exporter.Export(context.Background(), s, m, &buf, &exporter.Options{Fields: []string{"name", "address", "email"}, CSV: &csv.WriterOptions{LF: true}}); err != nil {
		t.Fatal(err)
	}
	want := "Name,Address (Home) - Street,Address (Home) - City,Address (Home) - State,Address (Home) - Zip,Address (Home) - Country,Email\n" +
		"Ada,,London,,,,\nGrace,,,,,,\n"
	if buf.String() != want {
		t.Errorf("export:\n%s\nwant:\n%s", buf.String(), want)
	}
}
