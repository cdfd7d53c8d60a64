package importer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// roundTripSchema is the default schema with a number, a bool and a
// datetime field added to people, so that every kind of value travels.
func roundTripSchema() *crmio.Schema {
	s := schemas.Default()
	people := s.Module("people")
	people.Fields = append(people.Fields,
		crmio.Field{Name: "score", Type: crmio.TypeNumber},
		crmio.Field{Name: "vip", Type: crmio.TypeBool},
		crmio.Field{Name: "last_contact", Type: crmio.TypeDateTime},
	)
	return s
}

func roundTripRecords() []crmio.Record {
	phone := func(label, s string) crmio.Item { return crmio.Item{Label: label, Value: crmio.PhoneValue(s)} }
	mail := func(label, s string) crmio.Item { return crmio.Item{Label: label, Value: crmio.EmailValue(s)} }
	return []crmio.Record{
		{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue("Zoë"),
			"last_name":  crmio.TextValue("Ørsted-Łukasiewicz"),
			"email":      crmio.ListValue(mail("work", "zoe@ünicode.example"), mail("home", "zoe.home@example.com")),
			"phone":      crmio.ListValue(phone("mobile", "+14155550102"), phone("mobile", "+14155550177"), phone("work", "+442079460000")),
			"title":      crmio.TextValue("Ingénieure en chef"),
			"account":    crmio.RefValue("", "Ünïcode GmbH"),
			"address": crmio.ListValue(
				crmio.Item{Label: "work", Value: crmio.AddressValue(crmio.Address{Street: "1 Rue de l'Église", City: "Paris", Zip: "75001", Country: "FR"})},
				crmio.Item{Label: "home", Value: crmio.AddressValue(crmio.Address{Street: "12 Kurfürstendamm", City: "Berlin", State: "BE", Zip: "10719", Country: "DE"})},
			),
			"status":       crmio.TextValue("qualified"),
			"birthday":     crmio.DateValue(crmio.NewDate(1990, time.February, 28)),
			"created_on":   crmio.DateValue(crmio.NewDate(2024, time.January, 5)),
			"website":      crmio.URLValue("https://zoë.example/about"),
			"notes":        crmio.TextValue("Два языка; \"quoted\", and a comma\nsecond line\r\nthird, from Windows"),
			"score":        crmio.NumberValue(crmio.MustDecimal("1234.5")),
			"vip":          crmio.BoolValue(true),
			"last_contact": crmio.DateTimeValue(time.Date(2024, 3, 1, 14, 30, 5, 0, time.UTC)),
		}},
		{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue("Kenji"),
			"last_name":  crmio.TextValue("山田"),
			"email":      crmio.ListValue(mail("work", "kenji@example.jp")),
			"phone":      crmio.ListValue(phone("home", "+81312345678")),
			"account":    crmio.RefValue("", "Acme"),
			"status":     crmio.TextValue("new"),
			"score":      crmio.NumberValue(crmio.MustDecimal("-0.25")),
			"vip":        crmio.BoolValue(false),
		}},
	}
}

// withRefKeys drops reference ids, which differ between stores by design.
func withRefKeys(rec crmio.Record) crmio.Record {
	out := crmio.Record{Values: map[string]crmio.Value{}}
	for k, v := range rec.Values {
		if r, ok := v.Ref(); ok {
			v = crmio.RefValue("", r.Key)
		}
		out.Values[k] = v
	}
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	schema := roundTripSchema()
	people := schema.Module("people")
	for _, format := range []exporter.Format{exporter.CSV, exporter.XLSX} {
		t.Run(string(format), func(t *testing.T) {
			src := memory.New()
			accountIDs := insert(t, src, "accounts",
				crmio.Record{Values: map[string]crmio.Value{"name": crmio.TextValue("Ünïcode GmbH")}},
				crmio.Record{Values: map[string]crmio.Value{"name": crmio.TextValue("Acme")}})
			want := roundTripRecords()
			for i := range want {
				ref, _ := want[i].Get("account").Ref()
				want[i].Set("account", crmio.RefValue(accountIDs[i], ref.Key))
			}
			insert(t, src, "people", want...)

			var file bytes.Buffer
			if _, err := exporter.Export(ctx, src, people, &file, &exporter.Options{Format: format}); err != nil {
				t.Fatal(err)
			}

			dst := memory.New()
			im, err := importer.New(dst, schema, nil)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := im.Run(ctx, importer.Source{Reader: bytes.NewReader(file.Bytes()), Name: "export." + string(format)},
				importer.Plan{Module: "people", AutoCreateReferences: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != len(want) || sum.Failed != 0 || len(sum.Warnings) != 0 {
				t.Fatalf("import of the export: %s, errors %v, warnings %v\nmapping %+v", counts(sum), sum.Errors, sum.Warnings, sum.Mapping.Columns)
			}
			got := all(t, dst, "people")
			for i := range want {
				w, g := withRefKeys(want[i]), withRefKeys(got[i])
				for field, wv := range w.Values {
					if gv, ok := g.Values[field]; !ok || !gv.Equal(wv) {
						t.Errorf("record %d, %s: got %v (%s), want %v (%s)", i, field, gv, gv.Kind(), wv, wv.Kind())
					}
				}
				for field, gv := range g.Values {
					if _, ok := w.Values[field]; !ok {
						t.Errorf("record %d: unexpected %s = %v", i, field, gv)
					}
				}
			}
			if n := len(all(t, dst, "accounts")); n != 2 {
				t.Errorf("%d accounts created, want 2", n)
			}
		})
	}
}

func TestTemplateImportsCleanly(t *testing.T) {
	ctx := context.Background()
	for _, schema := range []*crmio.Schema{schemas.Default(), schemas.Pivor(), roundTripSchema()} {
		for _, m := range schema.Modules {
			for _, format := range []exporter.Format{exporter.CSV, exporter.XLSX} {
				t.Run(m.Name+"/"+string(format), func(t *testing.T) {
					var file bytes.Buffer
					if _, err := exporter.Template(&file, &m, &exporter.TemplateOptions{Format: format, Schema: schema}); err != nil {
						t.Fatal(err)
					}
					var store storage.Store = memory.New()
					im, err := importer.New(store, schema, nil)
					if err != nil {
						t.Fatal(err)
					}
					sum, err := im.Run(ctx, importer.Source{Reader: bytes.NewReader(file.Bytes()), Name: "template"},
						importer.Plan{Module: m.Name, AutoCreateReferences: true}, nil)
					if err != nil {
						t.Fatal(err)
					}
					if sum.Created != 1 || sum.Failed != 0 || len(sum.Errors) != 0 || len(sum.Warnings) != 0 {
						t.Errorf("template of %s: %s, errors %v, warnings %v", m.Name, counts(sum), sum.Errors, sum.Warnings)
					}
				})
			}
		}
	}
}
