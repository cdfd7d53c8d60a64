package mapping

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crmio/crmio"
)

func suggestionFor(t *testing.T, got []Suggestion, header string) Suggestion {
	t.Helper()
	for _, s := range got {
		if s.Header == header {
			return s
		}
	}
	t.Fatalf("no suggestion for %q", header)
	return Suggestion{}
}

// TestSuggestExportTitles checks that the titles crmio's exports write
// (crmio.ColumnName) and the fields' own names map back with High
// confidence, for every field, label and part of the module.
func TestSuggestExportTitles(t *testing.T) {
	for _, m := range []*crmio.Module{peopleModule(), accountsModule(), dealsModule()} {
		var header []string
		var want []Target
		add := func(title string, tgt Target) { header = append(header, title); want = append(want, tgt) }
		for i := range m.Fields {
			f := &m.Fields[i]
			switch {
			case f.Type == crmio.TypeAddress:
				labels := f.Labels
				if !f.Multi {
					labels = []string{""}
				}
				for _, l := range labels {
					for _, p := range crmio.AddressParts {
						add(crmio.ColumnName(f, l, p), Target{Field: f.Name, Label: l, Part: p})
					}
				}
			case f.Multi:
				for _, l := range f.Labels {
					add(crmio.ColumnName(f, l, ""), Target{Field: f.Name, Label: l})
				}
			default:
				add(crmio.ColumnName(f, "", ""), Target{Field: f.Name})
			}
		}
		got := Suggest(header, nil, m)
		for i, s := range got {
			g := s.Target
			g.Group = "" // a label's group is its business
			w := want[i]
			w.Group = ""
			if g != w || s.Confidence != High {
				t.Errorf("%s: %q → %s (%s, %s), want %s High", m.Name, s.Header, s.Target, s.Confidence, s.Reason, want[i])
			}
		}
		// The fields' names, as a developer's CSV would have them.
		header = header[:0]
		for i := range m.Fields {
			if m.Fields[i].Type != crmio.TypeAddress {
				header = append(header, m.Fields[i].Name)
			}
		}
		for _, s := range Suggest(header, nil, m) {
			if s.Target.Field != s.Header || s.Confidence != High {
				t.Errorf("%s: field name %q → %s (%s)", m.Name, s.Header, s.Target, s.Confidence)
			}
		}
	}
}

// TestSuggestHeldOut checks titles that are in no corpus file: other
// spellings, typos, other languages' conventions.
func TestSuggestHeldOut(t *testing.T) {
	m := peopleModule()
	tests := []struct {
		header string
		want   Target
		min    Confidence
	}{
		{"first_name", Target{Field: "first_name"}, High},
		{"firstName", Target{Field: "first_name"}, High},
		{"FIRST NAME", Target{Field: "first_name"}, High},
		{"Given name", Target{Field: "first_name"}, High},
		{"Surname", Target{Field: "last_name"}, High},
		{"E-Mail", Target{Field: "email"}, High},
		{"emailAddress", Target{Field: "email"}, High},
		{"Email (Work)", Target{Field: "email", Label: "work"}, High},
		{"Cell Phone", Target{Field: "phone", Label: "mobile"}, High},
		{"mobile_phone", Target{Field: "phone", Label: "mobile"}, High},
		{"Phone - Mobile", Target{Field: "phone", Label: "mobile"}, High},
		{"Telefon (privat)", Target{Field: "phone", Label: "home"}, High},
		{"Zip/Postal", Target{Field: "address", Part: crmio.PartZip}, Medium},
		{"Address (Home) - Zip", Target{Field: "address", Label: "home", Part: crmio.PartZip}, High},
		{"Street Line 2", Target{Field: "address", Part: crmio.PartStreet}, Medium},
		{"Organisation Name", Target{Field: "account"}, High},
		{"Frist Name", Target{Field: "first_name"}, Low},
		{"Emial", Target{Field: "email"}, Medium},
		{"Adress City", Target{Field: "address", Part: crmio.PartCity}, Low},
		{"Date of birth", Target{Field: "birthday"}, High},
		{"Geburtsdatum", Target{Field: "birthday"}, High},
		{"Date Created", Target{Field: "created_on"}, High},
		{"Website", Target{Field: "website"}, High},
		{"Homepage", Target{Field: "website"}, High},
		{"Comments", Target{Field: "notes"}, High},
		{"Job Title", Target{Field: "title"}, High},
		{"Lead Source", Target{Field: "lead_source"}, High},
		{"Person - Organization", Target{Field: "account"}, High},
		{"Organization - Name", Target{Field: "account"}, High},
		{"Deal - Title", Target{}, None},
		{"IP City", Target{}, None},
		{"Email Domain", Target{}, None},
		{"Birth Month", Target{}, None},
		{"Company Name.id", Target{}, None},
		{"Col2", Target{}, None},
		{"", Target{}, None},
	}
	for _, tt := range tests {
		s := Suggest([]string{tt.header}, nil, m)[0]
		if s.Target != tt.want || s.Confidence < tt.min || (tt.min == None && s.Confidence != None) {
			t.Errorf("%q → %s (%s, %q), want %s at least %s", tt.header, s.Target, s.Confidence, s.Reason, tt.want, tt.min)
		}
	}
}

func TestSuggestFromSamples(t *testing.T) {
	m := peopleModule()
	header := []string{"Col1", "Col2", "Col3", "Email", "Phone", "Col6", "Col7"}
	rows := [][]string{
		{"Ada", "ada@example.com", "https://ada.example", "(415) 555-0101", "+1 415 555 0102", "Qualified", "x"},
		{"Bob", "bob@example.org", "bob.example.com", "(415) 555-0103", "(415) 555-0104", "New", ""},
		{"Cy", "cy@example.net", "www.cy.example", "415-555-0105", "212.555.0147", "lost", "y"},
	}
	got := Suggest(header, rows, m)
	check := func(header string, want Target, conf Confidence, reason string) {
		t.Helper()
		s := suggestionFor(t, got, header)
		if s.Target != want || s.Confidence != conf || !strings.Contains(s.Reason, reason) {
			t.Errorf("%q → %s (%s, %q), want %s (%s, %q)", header, s.Target, s.Confidence, s.Reason, want, conf, reason)
		}
	}
	check("Col1", Target{}, None, "")
	// A column whose title means nothing, full of email addresses.
	check("Col2", Target{Field: "email"}, Medium, "'Col2' is not a known name; 3 of 3 samples are email addresses")
	check("Col3", Target{Field: "website"}, Medium, "3 of 3 samples are web addresses")
	// "Email" full of phone numbers: the samples veto the title, and the
	// values alone, against a title that names something else, are a
	// guess: Low.
	check("Email", Target{Field: "phone"}, Low, "'Email' names Email, but only 0 of 3 samples are email addresses; 3 of 3 samples are phone numbers")
	check("Phone", Target{Field: "phone"}, High, "'Phone' names Phone; 3 of 3 samples are phone numbers")
	check("Col6", Target{Field: "status"}, Medium, "3 of 3 samples are choices of Status")
	check("Col7", Target{Field: "subscribed"}, Low, "2 of 2 samples are yes/no values")
}

func TestSuggestSamplesVeto(t *testing.T) {
	m := peopleModule()
	got := Suggest([]string{"Birthday", "Website"}, [][]string{{"soon", "n/a"}, {"never", "none"}, {"later", "?"}}, m)
	for _, s := range got {
		if !s.Target.IsZero() {
			t.Errorf("%q → %s (%s): the samples contradict it", s.Header, s.Target, s.Reason)
		}
	}
	// Samples that agree raise nothing above High and keep the reason.
	got = Suggest([]string{"Birthday"}, [][]string{{"1985-12-10"}, {"12/10/1985"}, {"31391"}}, m)
	if s := got[0]; s.Target.Field != "birthday" || s.Confidence != High || !strings.Contains(s.Reason, "3 of 3 samples are dates") {
		t.Errorf("%+v", s)
	}
}

// TestSuggestOneColumnPerField checks that a single-value field is never
// suggested for two columns, and that multi-value fields take several.
func TestSuggestOneColumnPerField(t *testing.T) {
	m := peopleModule()
	header := []string{"Company", "Organization", "Account Name", "Email", "E-mail", "Work Email", "Mobile", "Cell"}
	got := Suggest(header, nil, m)
	seen := map[string]string{}
	for _, s := range got {
		if s.Target.IsZero() {
			continue
		}
		key := s.Target.String()
		if prev, dup := seen[key]; dup {
			t.Errorf("%q and %q both → %s", prev, s.Header, key)
		}
		seen[key] = s.Header
	}
	if s := got[2]; s.Target.Field != "account" {
		t.Errorf("the most specific of equally good titles should win: %+v", s)
	}
	if s := got[3]; s.Target.Field != "email" {
		t.Errorf("the leftmost of equally good titles should win: %+v", s)
	}
	if s := got[5]; s.Target != (Target{Field: "email", Label: "work"}) {
		t.Errorf("Work Email → %s", s.Target)
	}
}

// TestSuggestRenamedDuplicates: a file reader names a repeated title
// "Phone Number (2)"; HubSpot repeats the company's columns that way.
func TestSuggestRenamedDuplicates(t *testing.T) {
	header := []string{"First Name", "Phone Number", "Country/Region", "Record ID - Company", "Phone Number (2)", "Country/Region (2)", "Column 7"}
	got := Suggest(header, nil, peopleModule())
	want := []Target{{Field: "first_name"}, {Field: "phone"}, {Field: "address", Part: crmio.PartCountry}, {}, {}, {}, {}}
	for i, s := range got {
		if s.Target != want[i] {
			t.Errorf("%q → %s, want %s", s.Header, s.Target, want[i])
		}
	}
}

func TestChain(t *testing.T) {
	m := peopleModule()
	header := []string{"Vorname", "Handynummer", "Kdnr", "Firma"}
	// A language model that knows German CRM titles the dictionary lacks,
	// and makes a mistake the chain filters out.
	llm := SuggesterFunc(func(ctx context.Context, in Input) ([]Suggestion, error) {
		return []Suggestion{
			{Column: 1, Target: Target{Field: "phone", Label: "mobile"}, Confidence: High, Reason: "Handynummer is German for mobile number"},
			{Column: 2, Target: Target{Field: "customer_number"}, Confidence: Medium, Reason: "made up"},
			{Column: 3, Target: Target{Field: "account"}, Confidence: Medium, Reason: "Firma is a company"},
		}, nil
	})
	down := SuggesterFunc(func(ctx context.Context, in Input) ([]Suggestion, error) {
		return nil, errors.New("model unavailable")
	})
	got, err := Chain(down, llm, Default).Suggest(context.Background(), Input{Header: header, Module: m})
	if err == nil || !strings.Contains(err.Error(), "suggester 1 of 3: model unavailable") {
		t.Errorf("err = %v, want the failing suggester's error", err)
	}
	want := []Target{{Field: "first_name"}, {Field: "phone", Label: "mobile"}, {}, {Field: "account"}}
	for i, s := range got {
		if s.Target != want[i] || s.Header != header[i] || s.Column != i {
			t.Errorf("column %d %q → %s (%s), want %s", i, s.Header, s.Target, s.Reason, want[i])
		}
	}
	if got[1].Reason != "Handynummer is German for mobile number" {
		t.Errorf("the first suggester's reason was lost: %q", got[1].Reason)
	}
	// A guess does not hide a later suggester's sure answer.
	guess := SuggesterFunc(func(ctx context.Context, in Input) ([]Suggestion, error) {
		return []Suggestion{{Column: 0, Target: Target{Field: "notes"}, Confidence: Low},
			{Column: 2, Target: Target{Field: "notes"}, Confidence: Low}}, nil
	})
	got, _ = Chain(guess, Default).Suggest(context.Background(), Input{Header: header, Module: m})
	if got[0].Target.Field != "first_name" || got[2].Target.Field != "notes" {
		t.Errorf("got %+v", got)
	}
	// A later suggester cannot take a single-value field an earlier one has.
	first := SuggesterFunc(func(ctx context.Context, in Input) ([]Suggestion, error) {
		return []Suggestion{{Column: 2, Target: Target{Field: "first_name"}, Confidence: Medium}}, nil
	})
	got, _ = Chain(first, Default).Suggest(context.Background(), Input{Header: header, Module: m})
	if !got[0].Target.IsZero() || got[2].Target.Field != "first_name" {
		t.Errorf("got %+v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Chain(Default).Suggest(ctx, Input{Header: header, Module: m}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled chain: err = %v", err)
	}
}

func TestConfidenceJSON(t *testing.T) {
	for c, s := range map[Confidence]string{None: `"none"`, Low: `"low"`, Medium: `"medium"`, High: `"high"`} {
		b, err := c.MarshalJSON()
		if err != nil || string(b) != s {
			t.Errorf("%v → %s, %v", c, b, err)
		}
		var back Confidence
		if err := back.UnmarshalJSON(b); err != nil || back != c {
			t.Errorf("%s → %v, %v", s, back, err)
		}
	}
	var c Confidence
	if err := c.UnmarshalJSON([]byte(`"certain"`)); err == nil {
		t.Error("an unknown confidence was accepted")
	}
	if !(None < Low && Low < Medium && Medium < High) {
		t.Error("confidences are not ordered")
	}
}
