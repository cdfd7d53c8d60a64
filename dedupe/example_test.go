package dedupe_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/storage/memory"
)

func ExampleFieldMatcher() {
	ctx := context.Background()
	store := memory.New()
	ids, err := store.Insert(ctx, "people", []crmio.Record{
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("Ada Lovelace"),
			"email": crmio.EmailValue("ada@example.com"),
		}},
		{Values: map[string]crmio.Value{
			"name":  crmio.TextValue("Grace Hopper"),
			"email": crmio.EmailValue("grace@navy.mil"),
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored:", ids)

	batch := []crmio.Record{
		{Values: map[string]crmio.Value{"email": crmio.EmailValue(" ADA@Example.com")}},
		{Values: map[string]crmio.Value{"email": crmio.EmailValue("alan@example.com")}},
		{Values: map[string]crmio.Value{"email": crmio.ListValue(
			crmio.Item{Label: "Home", Value: crmio.EmailValue("alan@home.org")},
			crmio.Item{Label: "Work", Value: crmio.EmailValue("Alan@Example.com")},
		)}},
	}
	matcher := dedupe.FieldMatcher{Fields: []string{"email"}}
	matches, err := matcher.Match(ctx, store, "people", batch)
	if err != nil {
		log.Fatal(err)
	}
	for i, m := range matches {
		fmt.Printf("record %d: existing %v, earlier %d\n", i, m.Existing, m.Earlier)
	}
	// Output:
	// stored: [000000000001 000000000002]
	// record 0: existing [{000000000001 1}], earlier -1
	// record 1: existing [], earlier -1
	// record 2: existing [], earlier 1
}

func ExampleFieldMerger() {
	existing := crmio.Record{ID: "42", Values: map[string]crmio.Value{
		"name":  crmio.TextValue("Ada Lovelace"),
		"title": crmio.TextValue("Analyst"),
		"phone": crmio.ListValue(crmio.Item{Label: "Mobile", Value: crmio.PhoneValue("(415) 555-0102")}),
	}}
	incoming := crmio.Record{Values: map[string]crmio.Value{
		"title": crmio.TextValue("Countess"),
		"city":  crmio.TextValue("London"),
		"phone": crmio.ListValue(
			crmio.Item{Label: "Work", Value: crmio.PhoneValue("+14155550102")},
			crmio.Item{Label: "Home", Value: crmio.PhoneValue("+442079460000")},
		),
	}}
	// The file mapped a column to "name" and left it blank for this row.
	mapped := []string{"name", "title", "city", "phone"}

	for _, merger := range []dedupe.FieldMerger{
		dedupe.NewMerger(dedupe.FillEmpty),
		dedupe.NewMerger(dedupe.PreferImport),
		dedupe.NewMerger(dedupe.Overwrite),
		{Mode: dedupe.FillEmpty, Fields: map[string]dedupe.MergeMode{"title": dedupe.Overwrite}},
	} {
		merged, changed := merger.Merge(existing, incoming, mapped)
		fmt.Printf("%v %v (changed %v)\n", merger.Mode, merger.Fields, changed)
		for _, field := range slices.Sorted(maps.Keys(merged.Values)) {
			fmt.Printf("  %s: %v\n", field, merged.Get(field))
		}
	}
	// Output:
	// fill-empty map[] (changed true)
	//   city: London
	//   name: Ada Lovelace
	//   phone: Mobile: (415) 555-0102; Home: +442079460000
	//   title: Analyst
	// prefer-import map[] (changed true)
	//   city: London
	//   name: Ada Lovelace
	//   phone: Work: +14155550102; Home: +442079460000
	//   title: Countess
	// overwrite map[] (changed true)
	//   city: London
	//   phone: Work: +14155550102; Home: +442079460000
	//   title: Countess
	// fill-empty map[title:overwrite] (changed true)
	//   city: London
	//   name: Ada Lovelace
	//   phone: Mobile: (415) 555-0102; Home: +442079460000
	//   title: Countess
}

func ExampleFuzzyMatcher() {
	ctx := context.Background()
	store := memory.New()
	person := func(first, last, company string) crmio.Record {
		return crmio.Record{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue(first),
			"last_name":  crmio.TextValue(last),
			"company":    crmio.TextValue(company),
		}}
	}
	if _, err := store.Insert(ctx, "people", []crmio.Record{
		person("John", "Smith", "Acme"),
		person("John", "Smith", "Globex"),
	}); err != nil {
		log.Fatal(err)
	}

	matches, err := dedupe.FuzzyMatcher{}.Match(ctx, store, "people", []crmio.Record{
		person("Jon", "Smith", "ACME"),   // the first John Smith, misspelled
		person("John", "Smith", "Hooli"), // the same name, nothing else in common
		person("Jane", "Smith", "Acme"),  // another person at Acme
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, m := range matches {
		for _, c := range m.Existing {
			fmt.Printf("record %d: %s (score %.2f)\n", i, c.ID, c.Score)
		}
		if len(m.Existing) == 0 {
			fmt.Printf("record %d: no match\n", i)
		}
	}
	// Output:
	// record 0: 000000000001 (score 0.97)
	// record 1: no match
	// record 2: no match
}

func ExampleJaroWinkler() {
	fmt.Printf("%.3f\n", dedupe.JaroWinkler("MARTHA", "MARHTA"))
	fmt.Printf("%.3f\n", dedupe.JaroWinkler("jon smith", "john smith"))
	fmt.Printf("%.3f\n", dedupe.JaroWinkler("jane smith", "john smith"))
	// Output:
	// 0.961
	// 0.973
	// 0.880
}
