package dedupe

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage/memory"
)

func personRec(first, last string, kv ...any) crmio.Record {
	r := rec(kv...)
	r.Set("first_name", crmio.TextValue(first))
	r.Set("last_name", crmio.TextValue(last))
	return r
}

func TestFuzzyMatcherExisting(t *testing.T) {
	text := crmio.TextValue
	store, id := insert(t,
		personRec("John", "Smith", "company", text("Acme"), "phone", phones("Mobile", "+14155550102")),
		personRec("John", "Smith", "company", text("Globex"), "phone", phones("Work", "+12125550100")),
		personRec("Jonathan", "Smith", "company", text("Acme")),
		personRec("Jon", "Smyth", "company", text("Acme")),
		personRec("Joan", "Smith", "company", crmio.RefValue("", "Initech Inc.")),
		personRec("Johnny", "Smith", "company", crmio.RefValue("acc-7", "Umbrella")),
	)

	tests := []struct {
		name    string
		matcher FuzzyMatcher
		in      crmio.Record
		want    []string
		scores  []float64
	}{
		{"a first name spelled differently, same company",
			FuzzyMatcher{},
			personRec("Jon", "Smith", "company", text("ACME ")),
			[]string{id[0]}, []float64{0.973}},
		{"same name, shared phone in another format",
			FuzzyMatcher{},
			personRec("john", "SMITH", "company", text("Hooli"), "phone", crmio.PhoneValue("(212) 555-0100")),
			[]string{id[1]}, []float64{1}},
		{"same name, another company and phone",
			FuzzyMatcher{},
			personRec("John", "Smith", "company", text("Hooli"), "phone", crmio.PhoneValue("+13105550000")),
			nil, nil},
		{"same name, no company or phone",
			FuzzyMatcher{},
			personRec("John", "Smith"),
			nil, nil},
		{"last names must be the same",
			FuzzyMatcher{},
			personRec("Jon", "Smyth ", "company", text("Acme"), "phone", crmio.PhoneValue("+14155550102")),
			[]string{id[3]}, []float64{1}},
		{"best score first",
			FuzzyMatcher{},
			personRec("Johnny", "Smith", "company", crmio.RefValue("acc-7", "Umbrella"), "phone", crmio.PhoneValue("+14155550102")),
			[]string{id[5], id[0]}, []float64{1, 0.967}},
		{"best score first, store order on ties",
			FuzzyMatcher{},
			personRec("Joh", "Smith", "company", text("Acme"), "phone", crmio.PhoneValue("+12125550100")),
			[]string{id[0], id[1]}, []float64{0.977, 0.977}},
		{"a resolved reference matches an unresolved one by its key",
			FuzzyMatcher{},
			personRec("Joan", "Smith", "company", crmio.RefValue("acc-3", "initech inc.")),
			[]string{id[4]}, []float64{1}},
		{"a resolved reference matches the same record",
			FuzzyMatcher{},
			personRec("Johnny", "Smith", "company", crmio.RefValue("acc-7", "Umbrella Corp")),
			[]string{id[5]}, []float64{1}},
		{"below the threshold",
			FuzzyMatcher{},
			personRec("Jane", "Smith", "company", text("Acme")),
			nil, nil},
		{"a higher threshold",
			FuzzyMatcher{Threshold: 0.99},
			personRec("Jon", "Smith", "company", text("Acme")),
			nil, nil},
		{"a lower threshold",
			FuzzyMatcher{Threshold: 0.8},
			personRec("Jon", "Smith", "company", text("Acme")),
			[]string{id[0], id[2]}, []float64{0.973, 0.839}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.matcher.Match(context.Background(), store, "people", []crmio.Record{tt.in})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d matches for 1 record", len(got))
			}
			if ids := existingIDs(got[0]); !slices.Equal(ids, tt.want) {
				t.Fatalf("candidates = %v, want %v", ids, tt.want)
			}
			for i, c := range got[0].Existing {
				if math.Abs(c.Score-tt.scores[i]) > 0.0005 {
					t.Errorf("candidate %s: score %.4f, want %.3f", c.ID, c.Score, tt.scores[i])
				}
			}
		})
	}
}

func TestFuzzyMatcherFieldNames(t *testing.T) {
	r := func(given, family, employer string) crmio.Record {
		return rec("given", crmio.TextValue(given), "family", crmio.TextValue(family), "employer", crmio.TextValue(employer))
	}
	store, id := insert(t, r("Katherine", "Johnson", "NASA"))
	m := FuzzyMatcher{FirstName: "given", LastName: "family", Company: "employer", Phone: "tel"}
	got, err := m.Match(context.Background(), store, "people", []crmio.Record{
		r("Katharine", "Johnson", "nasa"),
		personRec("Katherine", "Johnson", "company", crmio.TextValue("NASA")), // the default names mean nothing here
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids := existingIDs(got[0]); !slices.Equal(ids, []string{id[0]}) {
		t.Errorf("candidates = %v, want [%s]", ids, id[0])
	}
	if len(got[1].Existing) != 0 || got[1].Earlier != -1 {
		t.Errorf("a record without the configured fields matched: %+v", got[1])
	}
}

func TestFuzzyMatcherEarlier(t *testing.T) {
	text := crmio.TextValue
	batch := []crmio.Record{
		personRec("Jon", "Smith", "company", text("Acme")),
		personRec("John", "smith", "company", text("acme")),                                              // 0
		personRec("Jane", "Smith", "company", text("Acme")),                                              // too far from Jon and John
		personRec("John", "Smith", "company", text("Globex"), "phone", crmio.PhoneValue("+14155550102")), // another company
		personRec("Johnny", "Smith", "phone", phones("Work", "(415) 555-0102")),                          // 3 by phone
		personRec("John", "Smith"),                                                                       // nothing else known
		personRec("John", "", "company", text("Acme")),                                                   // no last name
	}
	got, err := FuzzyMatcher{}.Match(context.Background(), memory.New(), "people", batch)
	if err != nil {
		t.Fatal(err)
	}
	var earlier []int
	for _, m := range got {
		earlier = append(earlier, m.Earlier)
	}
	if want := []int{-1, 0, -1, -1, 3, -1, -1}; !slices.Equal(earlier, want) {
		t.Errorf("Earlier = %v\n    want %v", earlier, want)
	}
}

func TestFuzzyMatcherCalls(t *testing.T) {
	text := crmio.TextValue
	var stored []crmio.Record
	for _, last := range []string{"Smith", "Jones", "Brown"} {
		for _, company := range []string{"Acme", "Globex", "Hooli", "Initech"} {
			stored = append(stored, personRec("John", last, "company", text(company)))
		}
	}
	mem, id := insert(t, stored...)
	store := counting(mem)
	batch := []crmio.Record{
		personRec("Jon", "Smith", "company", text("Acme")),
		personRec("Jon", "Jones", "company", text("Globex"), "phone", crmio.PhoneValue("+14155550102")),
		personRec("Jon", "Smith", "company", text("Acme")),
		personRec("Jon", "Nobody", "company", text("Umbrella"), "phone", crmio.PhoneValue("+13105550000")),
	}
	got, err := FuzzyMatcher{}.Match(context.Background(), store, "people", batch)
	if err != nil {
		t.Fatal(err)
	}
	if store.lookups["last_name"] != 1 || store.lookups["company"] != 1 || store.lookups["phone"] != 1 || store.gets != 1 {
		t.Errorf("lookups %v and %d gets, want one lookup per field and one get", store.lookups, store.gets)
	}
	// Companies and phones are looked up only for last names that are stored.
	if want := []string{"acme", "globex"}; !slices.Equal(store.lookupKeys["company"], want) {
		t.Errorf("company keys looked up %v, want %v", store.lookupKeys["company"], want)
	}
	if want := []string{"+14155550102"}; !slices.Equal(store.lookupKeys["phone"], want) {
		t.Errorf("phone keys looked up %v, want %v", store.lookupKeys["phone"], want)
	}
	// Only the records sharing a last name and a company are read.
	if want := []string{id[0], id[5]}; !slices.Equal(store.gotIDs, want) {
		t.Errorf("got records %v, want only %v", store.gotIDs, want)
	}
	want := [][]string{{id[0]}, {id[5]}, {id[0]}, nil}
	for i, m := range got {
		if ids := existingIDs(m); !slices.Equal(ids, want[i]) {
			t.Errorf("record %d: candidates %v, want %v", i, ids, want[i])
		}
	}
	if got[2].Earlier != 0 {
		t.Errorf("record 2: Earlier = %d, want 0", got[2].Earlier)
	}

	// Nobody to compare: no call at all.
	store = counting(mem)
	if _, err := (FuzzyMatcher{}).Match(context.Background(), store, "people", []crmio.Record{personRec("Jon", "Smith")}); err != nil {
		t.Fatal(err)
	}
	if len(store.lookups) != 0 || store.gets != 0 {
		t.Errorf("lookups %v and %d gets for a batch with nothing to compare", store.lookups, store.gets)
	}
}

func TestFuzzyMatcherErrors(t *testing.T) {
	batch := []crmio.Record{personRec("Jon", "Smith", "company", crmio.TextValue("Acme"))}
	_, err := FuzzyMatcher{}.Match(context.Background(), failingStore{}, "people", batch)
	if !errors.Is(err, errStoreDown) {
		t.Errorf("failing store: err = %v, want it wrapped", err)
	}
	// A store whose lookups work and whose Get fails.
	mem, _ := insert(t, personRec("John", "Smith", "company", crmio.TextValue("Acme")))
	_, err = FuzzyMatcher{}.Match(context.Background(), getFailingStore{mem}, "people", batch)
	if !errors.Is(err, errStoreDown) {
		t.Errorf("failing Get: err = %v, want it wrapped", err)
	}
}

type getFailingStore struct{ *memory.Store }

func (getFailingStore) Get(context.Context, string, []string) ([]crmio.Record, error) {
	return nil, errStoreDown
}

func TestFuzzyMatcherLongNames(t *testing.T) {
	// Names of untrusted length are compared on their first runes only,
	// which keeps a comparison cheap.
	long := strings.Repeat("a", 1<<20)
	store, id := insert(t, personRec(long+"b", "Smith", "company", crmio.TextValue("Acme")))
	got, err := FuzzyMatcher{}.Match(context.Background(), store, "people",
		[]crmio.Record{personRec(long+"c", "Smith", "company", crmio.TextValue("Acme"))})
	if err != nil {
		t.Fatal(err)
	}
	if ids := existingIDs(got[0]); !slices.Equal(ids, []string{id[0]}) {
		t.Errorf("candidates = %v, want [%s]", ids, id[0])
	}
}

var _ Matcher = FuzzyMatcher{}
