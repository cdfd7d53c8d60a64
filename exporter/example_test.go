package exporter_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/exporter"
	"github.com/crmio/crmio/formats/csv"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

func ExampleExport() {
	ctx := context.Background()
	people := &crmio.Module{
		Name: "people",
		Fields: []crmio.Field{
			{Name: "name", Type: crmio.TypeText},
			{Name: "phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"mobile", "work"}},
			{Name: "balance", Type: crmio.TypeNumber},
			{Name: "since", Type: crmio.TypeDate},
			{Name: "owner", Type: crmio.TypeText},
		},
	}
	store := memory.New()
	store.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{
			"name":    crmio.TextValue("Ada Lovelace"),
			"phone":   crmio.ListValue(crmio.Item{Label: "mobile", Value: crmio.PhoneValue("+14155550102")}),
			"balance": crmio.NumberValue(crmio.MustDecimal("-1234.50")),
			"since":   crmio.DateValue(crmio.NewDate(2024, time.March, 15)),
			"owner":   crmio.TextValue("alice"),
		}},
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("=HYPERLINK(\"http://evil.example\")"),
			"owner": crmio.TextValue("alice"),
		}},
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("Not Alice's"),
			"owner": crmio.TextValue("bob"),
		}},
	})

	// Alice sees her own records only; the formula is neutralized; of the
	// phone's columns, only those that hold a number are written.
	res, err := exporter.Export(ctx, store, people, os.Stdout, &exporter.Options{
		Fields: []string{"name", "phone", "balance", "since"},
		CSV:    &csv.WriterOptions{LF: true}, // RFC 4180's CRLF is the default
		Scope:  &storage.Scope{Name: "alice", Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("alice")}}},
	})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(res.Rows, "records")
	// Output:
	// Name,Phone (Mobile),Balance,Since
	// Ada Lovelace,+14155550102,-1234.50,2024-03-15
	// "'=HYPERLINK(""http://evil.example"")",,,
	// 2 records
}

func ExampleTemplate() {
	leads := &crmio.Module{
		Name: "leads",
		Fields: []crmio.Field{
			{Name: "last_name", Label: "Last name", Type: crmio.TypeText, Required: true},
			{Name: "email", Type: crmio.TypeEmail},
			{Name: "phone", Type: crmio.TypePhone},
			{Name: "status", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "new"}, {Value: "won"}}},
			{Name: "next_call", Label: "Next call", Type: crmio.TypeDate},
		},
	}
	cols, err := exporter.Template(os.Stdout, leads, &exporter.TemplateOptions{CSV: &csv.WriterOptions{LF: true}})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println()
	for _, c := range cols {
		required := ""
		if c.Required {
			required = " (required)"
		}
		fmt.Printf("%s%s: %s\n", c.Name, required, c.Hint)
	}
	// Output:
	// Last name,Email,Phone,Status,Next call
	// Lovelace,ada@example.com,+14155550102,new,2024-03-15
	//
	// Last name (required): text
	// Email: an email address
	// Phone: a phone number, best in international form (+14155550102)
	// Status: one of: new, won
	// Next call: a date, YYYY-MM-DD
}

func ExampleNeutralize() {
	for _, s := range []string{"=1+1", "@SUM(A1:A9)", "-12.5", "+1 415 555 0102", "Ada"} {
		fmt.Printf("%q\n", exporter.Neutralize(s))
	}
	// Output:
	// "'=1+1"
	// "'@SUM(A1:A9)"
	// "-12.5"
	// "+1 415 555 0102"
	// "Ada"
}

func ExampleDescribeQuery() {
	people := &crmio.Module{Name: "people", Fields: []crmio.Field{
		{Name: "status", Type: crmio.TypeText}, {Name: "last_name", Label: "Last name", Type: crmio.TypeText},
	}}
	fmt.Println(exporter.DescribeQuery(people, storage.Query{
		Where: []storage.Filter{{Field: "status", Op: storage.Eq, Value: crmio.TextValue("qualified")}},
		Order: []storage.Order{{Field: "last_name"}},
	}))
	// Output:
	// Status = "qualified"; sorted by Last name
}
