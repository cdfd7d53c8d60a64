package crmio_test

import (
	"encoding/json"
	"fmt"

	"github.com/crmio/crmio"
)

// A module describes its fields; Validate says what is wrong with it.
func ExampleModule_Validate() {
	people := crmio.Module{
		Name: "people",
		Fields: []crmio.Field{
			{Name: "last_name", Type: crmio.TypeText, Required: true},
			{Name: "email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home"}},
			{Name: "status", Type: crmio.TypeChoice},
			{Name: "account", Type: crmio.TypeReference},
		},
	}
	fmt.Println(people.Validate())
	// Output:
	// module "people", field "status": a choice field needs choices
	// module "people", field "account": a reference field needs a target module (ref)
}

// Values are a tagged union; numbers keep the digits typed and add exactly.
func ExampleValue() {
	price := crmio.NumberValue(crmio.MustDecimal("1234.50"))
	d, _ := price.Number()
	fmt.Println(price.Kind(), price, d.Add(crmio.MustDecimal("0.25")))

	phones := crmio.ListValue(
		crmio.Item{Label: "mobile", Value: crmio.PhoneValue("+14155550102")},
		crmio.Item{Label: "work", Value: crmio.PhoneValue("+14155550199")},
	)
	fmt.Println(phones.Kind(), phones)
	fmt.Println(crmio.MustDecimal("0.1").Add(crmio.MustDecimal("0.2")))
	// Output:
	// number 1234.50 1234.75
	// list mobile: +14155550102; work: +14155550199
	// 0.3
}

// A Value's JSON form names its kind and round-trips exactly.
func ExampleValue_MarshalJSON() {
	rec := crmio.Record{Values: map[string]crmio.Value{
		"birthday": crmio.DateValue(crmio.NewDate(1815, 12, 10)),
		"revenue":  crmio.NumberValue(crmio.MustDecimal("1234.50")),
		"address":  crmio.AddressValue(crmio.Address{City: "London", Country: "GB"}),
	}}
	data, _ := json.Marshal(rec)
	fmt.Println(string(data))

	var back crmio.Record
	_ = json.Unmarshal(data, &back)
	fmt.Println(back.Equal(rec))
	// Output:
	// {"values":{"address":{"address":{"city":"London","country":"GB"}},"birthday":{"date":"1815-12-10"},"revenue":{"number":"1234.50"}}}
	// true
}

// Match keys decide whether two values are "the same" for duplicates,
// references and store lookups.
func ExampleMatchKey() {
	fmt.Println(crmio.MatchKey(crmio.EmailValue(" Bob@Example.COM")))
	fmt.Println(crmio.MatchKey(crmio.PhoneValue("(415) 555-0102")))
	fmt.Println(crmio.MatchKey(crmio.TextValue("ACME  Straße")))
	fmt.Println(crmio.MatchKey(crmio.URLValue("https://www.acme.com/")))
	// Output:
	// bob@example.com
	// +14155550102
	// acme strasse
	// acme.com
}

// A journal keeps a record's fingerprint, not a copy of it: later, the
// fingerprint tells whether the record changed since.
func ExampleRecord_HasFingerprint() {
	ada := crmio.Record{Values: map[string]crmio.Value{
		"first_name": crmio.TextValue("Ada"),
		"email":      crmio.EmailValue("ada@example.com"),
	}}
	kept := ada.Fingerprint()

	same := ada.Clone() // the same values, in another map
	edited := ada.Clone()
	edited.Set("email", crmio.EmailValue("ada@lovelace.example"))
	fmt.Println(same.HasFingerprint(kept), edited.HasFingerprint(kept))
	// Output: true false
}
