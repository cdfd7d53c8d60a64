package exporter_test

import (
	"context"
	"iter"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// peopleModule has a field of every type, multi-value fields with and
// without labels, and an owner field that scopes visibility.
func peopleModule() *crmio.Module {
	return &crmio.Module{
		Name: "people", Label: "People", Key: "email",
		Fields: []crmio.Field{
			{Name: "first_name", Label: "First name", Type: crmio.TypeText},
			{Name: "last_name", Label: "Last name", Type: crmio.TypeText, Required: true},
			{Name: "email", Label: "Email", Type: crmio.TypeEmail, Multi: true, Labels: []string{"work", "home"}},
			{Name: "phone", Label: "Phone", Type: crmio.TypePhone, Multi: true, Labels: []string{"mobile", "work"}},
			{Name: "website", Label: "Website", Type: crmio.TypeURL},
			{Name: "score", Label: "Score", Type: crmio.TypeNumber},
			{Name: "vip", Label: "VIP", Type: crmio.TypeBool},
			{Name: "birthday", Label: "Birthday", Type: crmio.TypeDate},
			{Name: "last_contact", Label: "Last contact", Type: crmio.TypeDateTime},
			{Name: "status", Label: "Status", Type: crmio.TypeChoice, Required: true,
				Choices: []crmio.Choice{{Value: "new", Label: "New"}, {Value: "qualified", Label: "Qualified"}}},
			{Name: "account", Label: "Account", Type: crmio.TypeReference, Ref: "accounts"},
			{Name: "address", Label: "Address", Type: crmio.TypeAddress},
			{Name: "tags", Label: "Tags", Type: crmio.TypeText, Multi: true},
			{Name: "owner", Label: "Owner", Type: crmio.TypeText},
		},
	}
}

// samplePeople are three records that exercise every kind of value.
func samplePeople() []crmio.Record {
	paris := time.FixedZone("CET", 3600)
	return []crmio.Record{
		{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue("Zoë"),
			"last_name":  crmio.TextValue("Łukasiewicz"),
			"email": crmio.ListValue(
				crmio.Item{Label: "work", Value: crmio.EmailValue("zoe@work.example")},
				crmio.Item{Label: "home", Value: crmio.EmailValue("zoe@home.example")}),
			"phone": crmio.ListValue(
				crmio.Item{Label: "mobile", Value: crmio.PhoneValue("+14155550102")},
				crmio.Item{Value: crmio.PhoneValue("+442079460958")}), // unlabelled
			"website":      crmio.URLValue("https://zoe.example"),
			"score":        crmio.NumberValue(crmio.MustDecimal("1234.50")),
			"vip":          crmio.BoolValue(true),
			"birthday":     crmio.DateValue(crmio.NewDate(1990, time.March, 7)),
			"last_contact": crmio.DateTimeValue(time.Date(2024, 3, 15, 10, 30, 0, 0, paris)),
			"status":       crmio.TextValue("qualified"),
			"account":      crmio.RefValue("000000000042", "Acme Inc."),
			"address":      crmio.AddressValue(crmio.Address{Street: "1 Rue de Rivoli", City: "Paris", Zip: "75001", Country: "FR"}),
			"tags":         crmio.ListValue(crmio.Item{Value: crmio.TextValue("vip")}, crmio.Item{Value: crmio.TextValue("press")}),
			"owner":        crmio.TextValue("alice"),
		}},
		{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue("=HYPERLINK(\"http://evil.example\",\"x\")"),
			"last_name":  crmio.TextValue("-12.5"),
			"email":      crmio.ListValue(crmio.Item{Label: "work", Value: crmio.EmailValue("bob@example.com")}),
			"score":      crmio.NumberValue(crmio.MustDecimal("-0.1")),
			"vip":        crmio.BoolValue(false),
			"status":     crmio.TextValue("new"),
			"tags":       crmio.ListValue(crmio.Item{Value: crmio.TextValue("@SUM(1+1)")}),
			"owner":      crmio.TextValue("bob"),
		}},
		{Values: map[string]crmio.Value{
			"first_name": crmio.TextValue("Ωμέγα"),
			"last_name":  crmio.TextValue("Кириллица, \"quoted\""),
			"phone":      crmio.ListValue(crmio.Item{Label: "work", Value: crmio.PhoneValue("+1 415 555 0102")}),
			"status":     crmio.TextValue("new"),
			"owner":      crmio.TextValue("alice"),
		}},
	}
}

// newStore returns a memory store holding records in module "people".
func newStore(t testing.TB, recs []crmio.Record) *memory.Store {
	t.Helper()
	s := memory.New()
	if _, err := s.Insert(context.Background(), "people", recs); err != nil {
		t.Fatal(err)
	}
	return s
}

// spyStore records the queries Scan is given.
type spyStore struct {
	storage.Store
	mu      sync.Mutex
	queries []storage.Query
}

func (s *spyStore) Scan(ctx context.Context, module string, q storage.Query) iter.Seq2[crmio.Record, error] {
	s.mu.Lock()
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	return s.Store.Scan(ctx, module, q)
}
