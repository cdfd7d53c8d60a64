package mapping

import (
	"github.com/crmio/crmio/internal/corpus"
	"testing"

	"github.com/crmio/crmio"
)

// peopleModule is the people-like module the tests map files into.
func peopleModule() *crmio.Module {
	return &crmio.Module{Name: "people", Label: "People", Key: "email", Fields: []crmio.Field{
		{Name: "first_name", Label: "First name", Type: crmio.TypeText},
		{Name: "last_name", Label: "Last name", Type: crmio.TypeText},
		{Name: "name", Label: "Full name", Type: crmio.TypeText},
		{Name: "email", Label: "Email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home", "other"}},
		{Name: "phone", Label: "Phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"mobile", "work", "home", "fax", "other"}},
		{Name: "account", Label: "Account", Type: crmio.TypeReference, Ref: "accounts"},
		{Name: "title", Label: "Job title", Type: crmio.TypeText},
		{Name: "department", Type: crmio.TypeText},
		{Name: "address", Label: "Address", Type: crmio.TypeAddress, Multi: true, Labels: []string{"work", "home", "other"}},
		{Name: "website", Label: "Website", Type: crmio.TypeURL},
		{Name: "notes", Label: "Notes", Type: crmio.TypeText},
		{Name: "birthday", Label: "Birthday", Type: crmio.TypeDate},
		{Name: "created_on", Label: "Created on", Type: crmio.TypeDateTime},
		{Name: "status", Label: "Status", Type: crmio.TypeChoice, Choices: []crmio.Choice{
			{Value: "new", Label: "New"}, {Value: "contacted", Label: "Contacted"},
			{Value: "qualified", Label: "Qualified"}, {Value: "lost", Label: "Lost"}}},
		{Name: "lead_source", Label: "Lead source", Type: crmio.TypeChoice, Choices: []crmio.Choice{
			{Value: "web", Label: "Web"}, {Value: "referral", Label: "Referral"}, {Value: "event", Label: "Event"},
			{Value: "partner", Label: "Partner"}, {Value: "other", Label: "Other"}}},
		{Name: "subscribed", Label: "Subscribed", Type: crmio.TypeBool},
		{Name: "score", Label: "Score", Type: crmio.TypeNumber},
	}}
}

// accountsModule is the module the account exports map into.
func accountsModule() *crmio.Module {
	return &crmio.Module{Name: "accounts", Label: "Accounts", Key: "name", Fields: []crmio.Field{
		{Name: "name", Label: "Account name", Type: crmio.TypeText, Required: true},
		{Name: "website", Type: crmio.TypeURL},
		{Name: "phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"main", "fax", "other"}},
		{Name: "address", Type: crmio.TypeAddress, Multi: true, Labels: []string{"billing", "shipping"}},
		{Name: "industry", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "Technology"}, {Value: "Finance"}, {Value: "Retail"}, {Value: "Other"}}},
		{Name: "annual_revenue", Label: "Annual revenue", Type: crmio.TypeNumber},
		{Name: "employees", Label: "Employees", Type: crmio.TypeNumber},
		{Name: "description", Type: crmio.TypeText},
		{Name: "type", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "customer"}, {Value: "prospect"}, {Value: "partner"}, {Value: "other"}}},
		{Name: "created_on", Label: "Created on", Type: crmio.TypeDateTime},
	}}
}

// corpusDir returns the shared test corpus directory, or skips the test
// when it is absent.
func corpusDir(t testing.TB, sub string) string { t.Helper(); return corpus.Need(t, sub) }

// dealsModule is the module the opportunity exports map into.
func dealsModule() *crmio.Module {
	return &crmio.Module{Name: "deals", Label: "Deals", Key: "name", Fields: []crmio.Field{
		{Name: "name", Label: "Deal name", Type: crmio.TypeText, Required: true},
		{Name: "account", Label: "Account", Type: crmio.TypeReference, Ref: "accounts"},
		{Name: "amount", Label: "Amount", Type: crmio.TypeNumber},
		{Name: "stage", Label: "Stage", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "prospecting"}, {Value: "proposal"}, {Value: "closed won"}, {Value: "closed lost"}}},
		{Name: "probability", Label: "Probability", Type: crmio.TypeNumber},
		{Name: "close_date", Label: "Close date", Type: crmio.TypeDate},
		{Name: "lead_source", Label: "Lead source", Type: crmio.TypeChoice, Choices: []crmio.Choice{{Value: "web"}, {Value: "referral"}, {Value: "other"}}},
		{Name: "description", Label: "Description", Type: crmio.TypeText},
		{Name: "created_on", Label: "Created on", Type: crmio.TypeDateTime},
	}}
}
