package dedupe

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/memory"
)

const (
	benchStored = 100_000
	benchBatch  = 1_000
)

// benchPerson is record n of the benchmarks' people: a unique email and
// mobile phone, one of 1,000 last names and one of 2,000 companies.
func benchPerson(n int) crmio.Record {
	return rec(
		"first_name", crmio.TextValue(fmt.Sprintf("First%d", n%5_000)),
		"last_name", crmio.TextValue(fmt.Sprintf("Last%d", n%1_000)),
		"company", crmio.TextValue(fmt.Sprintf("Company %d", n%2_000)),
		"email", emails("Work", fmt.Sprintf("person%d@example.com", n)),
		"phone", phones("Mobile", fmt.Sprintf("+1415%07d", n)),
	)
}

// benchStore returns a memory store of benchStored people whose indexes of
// fields are built, and a batch of benchBatch incoming people: half of them
// stored already (their email in upper case, their phone in national
// format), half new.
func benchStore(b *testing.B, fields ...string) (*memory.Store, []crmio.Record) {
	b.Helper()
	ctx := context.Background()
	store := memory.New()
	stored := make([]crmio.Record, 0, benchStored)
	for n := range benchStored {
		stored = append(stored, benchPerson(n))
	}
	if _, err := store.Insert(ctx, "people", stored); err != nil {
		b.Fatal(err)
	}
	for _, f := range fields {
		if _, err := store.Lookup(ctx, "people", f, []string{"warm-up"}); err != nil {
			b.Fatal(err)
		}
	}
	batch := make([]crmio.Record, 0, benchBatch)
	for i := range benchBatch {
		n := i * (benchStored / benchBatch)
		if i%2 == 1 {
			n += benchStored // new
		}
		r := benchPerson(n)
		r.Set("email", crmio.EmailValue(fmt.Sprintf("Person%d@EXAMPLE.com", n)))
		r.Set("phone", crmio.PhoneValue(fmt.Sprintf("(415) %03d-%04d", n/10_000%1_000, n%10_000)))
		batch = append(batch, r)
	}
	return store, batch
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFieldMatcher matches a batch of 1,000 records against a memory
// store of 100,000.
func BenchmarkFieldMatcher(b *testing.B) {
	store, batch := benchStore(b, "email", "phone")
	for _, m := range []struct {
		name string
		FieldMatcher
	}{
		{"email", FieldMatcher{Fields: []string{"email"}}},
		{"any-email-phone", FieldMatcher{Fields: []string{"email", "phone"}}},
		{"all-email-phone", FieldMatcher{Fields: []string{"email", "phone"}, All: true}},
	} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := m.Match(context.Background(), store, "people", batch)
				if err != nil {
					b.Fatal(err)
				}
				if len(got[0].Existing) != 1 || len(got[1].Existing) != 0 {
					b.Fatalf("unexpected matches %+v", got[:2])
				}
			}
			reportRows(b, len(batch))
		})
	}
}

// BenchmarkFuzzyMatcher matches a batch of 1,000 people against a memory
// store of 100,000, where each last name is shared by 100 people.
func BenchmarkFuzzyMatcher(b *testing.B) {
	store, batch := benchStore(b, "last_name", "company", "phone")
	b.ReportAllocs()
	for b.Loop() {
		got, err := FuzzyMatcher{}.Match(context.Background(), store, "people", batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(got[0].Existing) == 0 {
			b.Fatalf("unexpected matches %+v", got[0])
		}
	}
	reportRows(b, len(batch))
}

// BenchmarkMerge merges records of 15 fields, 10 of them in both.
func BenchmarkMerge(b *testing.B) {
	date := crmio.DateValue(crmio.Date{Year: 2024, Month: time.March, Day: 14})
	existing := crmio.Record{ID: "1", Module: "people", Values: vals(
		"first_name", crmio.TextValue("Ada"),
		"last_name", crmio.TextValue("Lovelace"),
		"title", crmio.TextValue("Analyst"),
		"email", emails("Work", "ada@example.com", "Home", "ada@home.org"),
		"phone", phones("Mobile", "(415) 555-0102", "Work", "+12125550100"),
		"company", crmio.RefValue("acc-1", "Analytical Engines"),
		"address", crmio.AddressValue(crmio.Address{Street: "12 St James's Sq", City: "London", Country: "GB"}),
		"website", crmio.URLValue("https://ada.example.com"),
		"score", crmio.IntValue(87),
		"birthday", date,
		"newsletter", crmio.BoolValue(true),
		"notes", crmio.TextValue(""),
	)}
	incoming := crmio.Record{Module: "people", Values: vals(
		"first_name", crmio.TextValue("Ada"),
		"last_name", crmio.TextValue("Lovelace"),
		"title", crmio.TextValue("Countess"),
		"email", emails("Work", "ADA@example.com", "Other", "countess@example.org"),
		"phone", phones("Mobile", "+14155550102", "Home", "+442079460000"),
		"company", crmio.RefValue("acc-1", "Analytical Engines"),
		"address", crmio.AddressValue(crmio.Address{Street: "12 St James's Square", City: "London", Country: "GB"}),
		"website", crmio.URLValue("ada.example.com"),
		"score", crmio.IntValue(91),
		"birthday", date,
		"newsletter", crmio.BoolValue(false),
		"notes", crmio.TextValue("met at the RS"),
		"source", crmio.TextValue("conference"),
		"linkedin", crmio.URLValue("https://linkedin.com/in/ada"),
		"language", crmio.TextValue("en"),
	)}
	mapped := make([]string, 0, len(incoming.Values))
	for f := range incoming.Values {
		mapped = append(mapped, f)
	}
	for _, mode := range []MergeMode{FillEmpty, Overwrite, PreferImport} {
		b.Run(mode.String(), func(b *testing.B) {
			m := NewMerger(mode)
			b.ReportAllocs()
			for b.Loop() {
				if _, changed := m.Merge(existing, incoming, mapped); !changed {
					b.Fatal("no change")
				}
			}
		})
	}
}
