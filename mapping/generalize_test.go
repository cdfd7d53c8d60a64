package mapping

import (
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/schemas"
)

// TestSuggestPatterns checks the patterns issue 15 lists, each on titles
// of its own (none of them is in a corpus file).
func TestSuggestPatterns(t *testing.T) {
	people := schemas.Default().Module("people")
	accounts := schemas.Default().Module("accounts")
	tests := []struct {
		m      *crmio.Module
		header string
		want   Target
		conf   Confidence // exactly
		reason string     // a part of the reason
	}{
		// Labels after the field, in parentheses, after de/do/van.
		{people, "Telefone (trabalho)", Target{Field: "phone", Label: "work"}, High, ""},
		{people, "Adresse (domicile)", Target{Field: "address", Label: "home", Part: crmio.PartStreet}, Medium, ""},
		{people, "Telefono ufficio", Target{Field: "phone", Label: "work"}, High, ""},
		{people, "Telefone do trabalho", Target{Field: "phone", Label: "work"}, High, ""},
		{people, "Numéro de téléphone", Target{Field: "phone"}, High, ""},
		{people, "Code postal (bureau)", Target{Field: "address", Label: "work", Part: crmio.PartZip}, High, ""},
		{people, "Straße geschäftlich", Target{Field: "address", Label: "work", Part: crmio.PartStreet}, High, ""},
		// The record's own type is no foreign word; a bank is.
		{people, "Adres van de klant", Target{Field: "address", Part: crmio.PartStreet}, Medium, ""},
		{people, "Adres van de bank", Target{Field: "address", Part: crmio.PartStreet}, Low, "but the title also says 'bank'"},
		// Another record's: not the module's.
		{accounts, "Contact Name", Target{}, None, ""},
		{accounts, "Nombre del contacto", Target{}, None, ""},
		{people, "Company Phone", Target{}, None, ""},
		{people, "Telefone do contato", Target{Field: "phone"}, High, ""},
		{people, "E-Mail-Adresse des Kontakts", Target{Field: "email"}, High, ""},
		{people, "Organization Title", Target{Field: "title"}, High, ""},
		// Qualifiers and second street lines.
		{people, "Notas privadas", Target{Field: "notes"}, Medium, "qualifier"},
		{accounts, "Apt/Suite", Target{Field: "address", Part: crmio.PartStreet}, High, ""},
		{accounts, "Complemento de envio", Target{Field: "address", Label: "shipping", Part: crmio.PartStreet}, High, ""},
		{accounts, "Dirección de facturación", Target{Field: "address", Label: "billing", Part: crmio.PartStreet}, Medium, ""},
		{accounts, "Ciudad de envío", Target{Field: "address", Label: "shipping", Part: crmio.PartCity}, High, ""},
		{accounts, "Rechnungsadresse PLZ", Target{Field: "address", Label: "billing", Part: crmio.PartZip}, High, ""},
		// Numbered groups kept apart.
		{people, "Phone 2 (work)", Target{Field: "phone", Label: "work", Group: "2"}, High, ""},
		// Wrappers and prefixes: one level lower.
		{accounts, "x_studio_industry", Target{Field: "industry"}, Medium, "without its wrapper"},
		{people, "Custom: Job Title", Target{Field: "title"}, Medium, "without its wrapper"},
		{people, "cf_company", Target{Field: "account"}, Medium, "without its wrapper"},
		{people, "main_contact_last_name", Target{Field: "last_name"}, Medium, "without its wrapper"},
		{people, "status_name", Target{Field: "status"}, Medium, "without its wrapper"},
		// Uncommon phrasings.
		{people, "Postcode / ZIP", Target{Field: "address", Part: crmio.PartZip}, High, ""},
		{accounts, "Organisation Name", Target{Field: "name"}, High, ""},
		{people, "Remarks (internal)", Target{Field: "notes"}, Medium, "qualifier"},
		{people, "CreatedDateTime", Target{Field: "created_on"}, High, ""},
		{people, "E-mail or e-mail address", Target{Field: "email"}, High, ""},
		// Whole names, without samples: Medium.
		{people, "Full Name", Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}, Medium, "split into First name and Last name"},
		{people, "Nom complet", Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}, Medium, ""},
		{people, "Name", Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}, Medium, ""},
		{accounts, "Name", Target{Field: "name"}, High, ""},
		// Content words that are not the field's: at most Low.
		{people, "Account Number", Target{Field: "account"}, Low, "but the title also says 'number'"},
		{people, "Company Phone Extension", Target{Field: "account"}, Low, ""},
		// Someone else's phone or name.
		{people, "Assistant's Phone", Target{}, None, ""},
		{people, "Emergency Contact Phone", Target{}, None, ""},
		{people, "Telefon Assistent", Target{}, None, ""},
		{people, "Nome do gerente", Target{}, None, ""},
	}
	for _, tt := range tests {
		s := Suggest([]string{tt.header}, nil, tt.m)[0]
		if s.Target != tt.want || s.Confidence != tt.conf || !strings.Contains(s.Reason, tt.reason) {
			t.Errorf("%s: %q → %s (%s, %q), want %s (%s, %q)", tt.m.Name, tt.header, s.Target, s.Confidence, s.Reason, tt.want, tt.conf, tt.reason)
		}
	}
}

// TestSuggestCalibration checks the confidence the samples allow.
func TestSuggestCalibration(t *testing.T) {
	people := schemas.Default().Module("people")
	accounts := schemas.Default().Module("accounts")
	type col struct {
		header string
		values []string
		want   Target
		conf   Confidence
		reason string
	}
	run := func(m *crmio.Module, cols []col) {
		t.Helper()
		header := make([]string, len(cols))
		for i, c := range cols {
			header[i] = c.header
		}
		var rows [][]string
		for r := range cols[0].values {
			row := make([]string, len(cols))
			for i, c := range cols {
				row[i] = c.values[r]
			}
			rows = append(rows, row)
		}
		got := Suggest(header, rows, m)
		for i, c := range cols {
			s := got[i]
			if s.Target != c.want || s.Confidence != c.conf || !strings.Contains(s.Reason, c.reason) {
				t.Errorf("%q → %s (%s, %q), want %s (%s, %q)", c.header, s.Target, s.Confidence, s.Reason, c.want, c.conf, c.reason)
			}
		}
	}
	whole := Target{Field: "first_name", Family: "last_name", Role: RoleWholeName}
	run(people, []col{
		// A whole name whose values read as whole names: High.
		{"Full Name", []string{"Ana García", "García, Ana", "Jan van der Berg", "Ludwig van Beethoven"}, whole, High, "4 of 4 samples are whole names"},
		// A header of a label only takes the field from its values and
		// keeps the label.
		{"Home", []string{"+1 415 555 0101", "(415) 555-0102", "415-555-0103", "+44 20 7946 0000"}, Target{Field: "phone", Label: "home"}, Medium, "'Home' is only a label; 4 of 4 samples are phone numbers"},
		{"Work", []string{"ana@acme.example", "jan@acme.example", "l@acme.example", "x@acme.example"}, Target{Field: "email", Label: "work"}, Medium, "only a label"},
		// A third party's phone: not the person's, whatever its values.
		{"Assistant Phone", []string{"+1 415 555 0111", "(415) 555-0112", "415-555-0113", "+1 212 555 0114"}, Target{}, None, ""},
		{"Emergency contact", []string{"+1 415 555 0121", "(415) 555-0122", "415-555-0123", "+1 212 555 0124"}, Target{}, None, ""},
		// A title that names the field, and values that only half agree:
		// not High.
		{"Phone", []string{"+1 415 555 0131", "(415) 555-0132", "call me", "ask"}, Target{Field: "phone"}, Medium, "only 2 of 4 samples are phone numbers"},
		// Values alone under a title that means nothing: Medium.
		{"Col7", []string{"https://a.example", "b.example.com", "www.c.example", "https://d.example/x"}, Target{Field: "website"}, Medium, "4 of 4 samples are web addresses"},
	})
	run(accounts, []col{
		// A domain column is not the website: values alone, against a
		// title that means something else, stay Low or less.
		{"Domain", []string{"acme.com", "example.org", "globex.example", "initech.example"}, Target{}, None, ""},
		{"Account Number", []string{"ACC-001", "ACC-002", "ACC-003", "ACC-004"}, Target{}, None, ""},
		{"Company", []string{"Acme", "Globex", "Initech", "Umbrella"}, Target{Field: "name"}, High, ""},
	})
}
