package mapping_test

import (
	"fmt"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/mapping"
)

// Coerce reads values as people write them: dates in free English forms
// and seven languages, numbers in any grouping CLDR knows, emails and web
// addresses to their standards.
func ExampleCoerce_values() {
	date := &crmio.Field{Name: "on", Type: crmio.TypeDate}
	number := &crmio.Field{Name: "amount", Type: crmio.TypeNumber}
	email := &crmio.Field{Name: "email", Type: crmio.TypeEmail}
	website := &crmio.Field{Name: "website", Type: crmio.TypeURL}
	for _, c := range []struct {
		f    *crmio.Field
		text string
	}{
		{date, "the 2nd of June 2019"},
		{date, "Sat, June 1, '19"},
		{date, "22 janvier 2015 à 14h40"},
		{date, "martes 21 de octubre de 2014"},
		{number, "12,34,567.89"},
		{number, "1e400"},
		{email, `"john doe"@example.com`},
		{email, "ada@example.com."},
		{website, "https://user:pw@[2001:db8::1]:8443/<script>"},
		{website, "http://192.168.1.256/"},
	} {
		v, err := mapping.Coerce(c.f, c.text, nil)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(v)
	}
	// Output:
	// 2019-06-02
	// 2019-06-01
	// 2015-01-22
	// 2014-10-21
	// 1234567.89
	// error: "1e400" is not a number: it is beyond the range of numbers a spreadsheet or database can hold (about ±1.8e308)
	// "john doe"@example.com
	// error: "ada@example.com." is not an email address: its domain ends with a dot
	// https://user:pw@[2001:db8::1]:8443/%3Cscript%3E
	// error: "http://192.168.1.256/" is not a web address: 256 is out of range in the IPv4 address 192.168.1.256 (each part is 0 to 255)
}
