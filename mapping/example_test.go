package mapping_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping"
)

// people is a small module for the examples.
var people = &crmio.Module{Name: "people", Fields: []crmio.Field{
	{Name: "first_name", Label: "First name", Type: crmio.TypeText, Required: true},
	{Name: "last_name", Label: "Last name", Type: crmio.TypeText},
	{Name: "email", Label: "Email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home"}},
	{Name: "phone", Label: "Phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"mobile", "work"}},
	{Name: "company", Label: "Company", Type: crmio.TypeReference, Ref: "companies"},
	{Name: "address", Label: "Address", Type: crmio.TypeAddress, Multi: true, Labels: []string{"work", "home"}},
	{Name: "birthday", Label: "Birthday", Type: crmio.TypeDate},
}}

func ExampleSuggest() {
	header := []string{"Given Name", "Family Name", "E-mail Address", "Mobile Phone", "Organization",
		"Business City", "Col8", "Fax"}
	rows := [][]string{
		{"Ada", "Lovelace", "ada@example.com", "(415) 555-0102", "Analytical Engines", "London", "ada@home.example", "+1 415 555 0199"},
		{"Charles", "Babbage", "charles@example.com", "415-555-0103", "Analytical Engines", "London", "cb@home.example", ""},
	}
	for _, s := range mapping.Suggest(header, rows, people) {
		fmt.Printf("%-15s → %-22s %s\n", s.Header, s.Target, s.Confidence)
	}
	// Output:
	// Given Name      → first_name             high
	// Family Name     → last_name              high
	// E-mail Address  → email                  high
	// Mobile Phone    → phone (mobile)         high
	// Organization    → company                high
	// Business City   → address (work) city    high
	// Col8            → email                  medium
	// Fax             → phone #fax             high
}

func ExampleSuggest_reasons() {
	header := []string{"E-mail Address", "Col2", "Birthday"}
	rows := [][]string{{"ada@example.com", "ada@home.example", "soon"}, {"bob@example.com", "bob@home.example", "later"},
		{"cy@example.com", "cy@home.example", "never"}}
	for _, s := range mapping.Suggest(header, rows, people) {
		fmt.Printf("%s → %s, %s\n\t%s\n", s.Header, s.Target, s.Confidence, s.Reason)
	}
	// Output:
	// E-mail Address → email, high
	// 	'E-mail Address' is a known name for Email; 3 of 3 samples are email addresses
	// Col2 → email, medium
	// 	'Col2' is not a known name; 3 of 3 samples are email addresses
	// Birthday → (not imported), none
	// 	'Birthday' names Birthday, but only 0 of 3 samples are dates
}

func ExampleCompile() {
	header := []string{"First Name", "Last Name", "Email", "Mobile", "Company", "Born"}
	rows := [][]string{
		{"Ada", "Lovelace", "ada@example.com", "(415) 555-0102", "Analytical Engines", "10/12/1815"},
		{"Charles", "Babbage", "charles@", "415-555-0103", "", "26/12/1791"},
		{"", "Menabrea", "", "", "", ""},
	}
	mp := mapping.FromSuggestions(mapping.Suggest(header, rows, people), mapping.Medium)
	mapper, err := mapping.Compile(people, mp, header, rows, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, row := range rows {
		rec, errs, _ := mapper.Apply(i+2, row) // the header is row 1
		var values []string
		for _, f := range mapper.Fields() {
			if v, ok := rec.Values[f]; ok {
				values = append(values, fmt.Sprintf("%s=%v", f, v))
			}
		}
		fmt.Println(strings.Join(values, "  "))
		for _, e := range errs {
			fmt.Println("  ", e.Error())
		}
	}
	// Output:
	// first_name=Ada  last_name=Lovelace  email=ada@example.com  phone=mobile: +14155550102  company=Analytical Engines  birthday=1815-12-10
	// first_name=Charles  last_name=Babbage  phone=mobile: +14155550103  birthday=1791-12-26
	//    row 3, column "Email": "charles@" is not an email address
	// last_name=Menabrea
	//    row 4, column "First Name": First name is required but "First Name" is empty
}

// A language model (or the mappings a user saved) can suggest first; the
// built-in suggester fills the columns it leaves.
func ExampleChain() {
	llm := mapping.SuggesterFunc(func(ctx context.Context, in mapping.Input) ([]mapping.Suggestion, error) {
		// Ask the model here, with in.Header, a few in.Rows and the
		// module's fields; turn its answer into suggestions.
		return []mapping.Suggestion{{Column: 1, Target: mapping.Target{Field: "phone", Label: "mobile"},
			Confidence: mapping.Medium, Reason: "'Handynummer' is German for mobile number"}}, nil
	})
	header := []string{"Vorname", "Handynummer", "Firma"}
	got, err := mapping.Chain(llm, mapping.Default).Suggest(context.Background(), mapping.Input{Header: header, Module: people})
	if err != nil {
		fmt.Println(err)
	}
	for _, s := range got {
		fmt.Printf("%s → %s (%s)\n", s.Header, s.Target, s.Reason)
	}
	// Output:
	// Vorname → first_name ('Vorname' is a known name for First name)
	// Handynummer → phone (mobile) ('Handynummer' is German for mobile number)
	// Firma → company ('Firma' is a known name for Company)
}

func ExampleCoerce() {
	amount := &crmio.Field{Name: "amount", Type: crmio.TypeNumber}
	for _, s := range []string{"1.234,56 €", "12abc"} {
		v, err := mapping.Coerce(amount, s, &mapping.Options{DecimalComma: true})
		fmt.Println(v, err)
	}
	phone := &crmio.Field{Name: "phone", Type: crmio.TypePhone}
	v, _ := mapping.Coerce(phone, "030 1234567", &mapping.Options{DefaultRegion: "DE"})
	fmt.Println(v)
	// Output:
	// 1234.56 <nil>
	//  "12abc" is not a number (this column is read with a decimal comma, as in 1.234,56)
	// +49301234567
}

// Apply is safe for concurrent use: an importer maps rows from several
// goroutines with one Mapper.
func ExampleMapper_Apply() {
	header := []string{"Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value"}
	mp := mapping.FromSuggestions(mapping.Suggest(header, nil, people), mapping.High)
	mapper, err := mapping.Compile(people, mp, header, nil, &mapping.Options{})
	if err != nil {
		// people requires first_name, which this file lacks: give it a
		// static value.
		mp.SetStatic("first_name", "", "(unknown)")
		mapper, err = mapping.Compile(people, mp, header, nil, nil)
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _, warns := mapper.Apply(2, []string{"* Mobile", "+1 415 555 0102 ::: (415) 555-0102", "Work", "555-0199"})
	fmt.Println(rec.Get("phone"))
	fmt.Println(rec.Get("first_name"))
	for _, w := range warns {
		fmt.Println(w)
	}
	fmt.Println(slices.Contains(mapper.Fields(), "phone"))
	// Output:
	// mobile: +14155550102; work: 555-0199
	// (unknown)
	// row 2, column "Phone 2 - Value": "555-0199" is not a valid phone number for US; it was kept as typed
	// true
}
