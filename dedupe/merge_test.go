package dedupe

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
)

// vals builds a Values map from field, value pairs.
func vals(kv ...any) map[string]crmio.Value {
	m := make(map[string]crmio.Value, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(crmio.Value)
	}
	return m
}

func phones(labelled ...string) crmio.Value {
	var items []crmio.Item
	for i := 0; i < len(labelled); i += 2 {
		items = append(items, crmio.Item{Label: labelled[i], Value: crmio.PhoneValue(labelled[i+1])})
	}
	return crmio.ListValue(items...)
}

func emails(labelled ...string) crmio.Value {
	var items []crmio.Item
	for i := 0; i < len(labelled); i += 2 {
		items = append(items, crmio.Item{Label: labelled[i], Value: crmio.EmailValue(labelled[i+1])})
	}
	return crmio.ListValue(items...)
}

func TestFieldMergerModes(t *testing.T) {
	text := crmio.TextValue
	tests := []struct {
		name     string
		merger   FieldMerger
		existing map[string]crmio.Value
		incoming map[string]crmio.Value
		mapped   []string
		want     map[string]crmio.Value
		changed  bool
	}{
		// FillEmpty
		{
			name:     "fill-empty/absent takes the import",
			merger:   NewMerger(FillEmpty),
			existing: vals("first_name", text("Ada")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("first_name", text("Ada"), "title", text("CTO")),
			changed:  true,
		},
		{
			name:     "fill-empty/empty text takes the import",
			merger:   NewMerger(FillEmpty),
			existing: vals("title", text("")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CTO")),
			changed:  true,
		},
		{
			name:     "fill-empty/null value takes the import",
			merger:   NewMerger(FillEmpty),
			existing: vals("title", crmio.Value{}),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CTO")),
			changed:  true,
		},
		{
			name:     "fill-empty/single value is kept",
			merger:   NewMerger(FillEmpty),
			existing: vals("title", text("CEO")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CEO")),
		},
		{
			name:     "fill-empty/zero number is a value",
			merger:   NewMerger(FillEmpty),
			existing: vals("score", crmio.IntValue(0)),
			incoming: vals("score", crmio.IntValue(5)),
			mapped:   []string{"score"},
			want:     vals("score", crmio.IntValue(0)),
		},
		{
			name:     "fill-empty/blank import adds nothing",
			merger:   NewMerger(FillEmpty),
			existing: vals("first_name", text("Ada")),
			incoming: vals("title", text("")),
			mapped:   []string{"title", "phone"},
			want:     vals("first_name", text("Ada")),
		},
		{
			name:     "fill-empty/lists: union by match key, existing labels",
			merger:   NewMerger(FillEmpty),
			existing: vals("phone", phones("Mobile", "(415) 555-0102")),
			incoming: vals("phone", phones("Work", "+14155550102", "Home", "+1 212 555 0199")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Mobile", "(415) 555-0102", "Home", "+1 212 555 0199")),
			changed:  true,
		},
		{
			name:     "fill-empty/lists equal by key are unchanged",
			merger:   NewMerger(FillEmpty),
			existing: vals("email", emails("Work", "Bob@Example.com")),
			incoming: vals("email", emails("", " bob@example.com")),
			mapped:   []string{"email"},
			want:     vals("email", emails("Work", "Bob@Example.com")),
		},
		{
			name:     "fill-empty/single existing value joins the list",
			merger:   NewMerger(FillEmpty),
			existing: vals("email", crmio.EmailValue("ada@example.com")),
			incoming: vals("email", emails("Home", "ADA@example.com", "Work", "ada@acme.com")),
			mapped:   []string{"email"},
			want: vals("email", crmio.ListValue(
				crmio.Item{Value: crmio.EmailValue("ada@example.com")},
				crmio.Item{Label: "Work", Value: crmio.EmailValue("ada@acme.com")})),
			changed: true,
		},
		{
			name:     "fill-empty/empty list takes the import without its repeats",
			merger:   NewMerger(FillEmpty),
			existing: vals("phone", crmio.ListValue()),
			incoming: vals("phone", phones("Mobile", "4155550102", "Work", "+1-415-555-0102", "Work", "")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Mobile", "4155550102")),
			changed:  true,
		},
		{
			name:     "fill-empty/single import value joins an existing list",
			merger:   NewMerger(FillEmpty),
			existing: vals("phone", phones("Mobile", "+14155550102")),
			incoming: vals("phone", crmio.PhoneValue("+12125550199")),
			mapped:   []string{"phone"},
			want: vals("phone", crmio.ListValue(
				crmio.Item{Label: "Mobile", Value: crmio.PhoneValue("+14155550102")},
				crmio.Item{Value: crmio.PhoneValue("+12125550199")})),
			changed: true,
		},

		// Overwrite
		{
			name:     "overwrite/single value is replaced",
			merger:   NewMerger(Overwrite),
			existing: vals("title", text("CEO")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CTO")),
			changed:  true,
		},
		{
			name:     "overwrite/mapped but absent removes the field",
			merger:   NewMerger(Overwrite),
			existing: vals("first_name", text("Ada"), "title", text("CEO")),
			incoming: vals("first_name", text("Ada")),
			mapped:   []string{"first_name", "title"},
			want:     vals("first_name", text("Ada")),
			changed:  true,
		},
		{
			name:     "overwrite/empty import value is set empty",
			merger:   NewMerger(Overwrite),
			existing: vals("title", text("CEO")),
			incoming: vals("title", text("")),
			mapped:   []string{"title"},
			want:     vals("title", text("")),
			changed:  true,
		},
		{
			name:     "overwrite/unmapped fields are kept",
			merger:   NewMerger(Overwrite),
			existing: vals("first_name", text("Ada"), "title", text("CEO")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("first_name", text("Ada"), "title", text("CTO")),
			changed:  true,
		},
		{
			name:     "overwrite/list is replaced by the import's",
			merger:   NewMerger(Overwrite),
			existing: vals("phone", phones("Mobile", "(415) 555-0102", "Work", "+12125550100")),
			incoming: vals("phone", phones("Work", "+14155550102")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Work", "+14155550102")),
			changed:  true,
		},
		{
			name:     "overwrite/same values are unchanged",
			merger:   NewMerger(Overwrite),
			existing: vals("title", text("CEO"), "phone", phones("Mobile", "+14155550102")),
			incoming: vals("title", text("CEO"), "phone", phones("Mobile", "+14155550102")),
			mapped:   []string{"title", "phone"},
			want:     vals("title", text("CEO"), "phone", phones("Mobile", "+14155550102")),
		},
		{
			name:     "overwrite/absent and unmapped changes nothing",
			merger:   NewMerger(Overwrite),
			existing: vals("title", text("CEO")),
			incoming: vals(),
			mapped:   nil,
			want:     vals("title", text("CEO")),
		},

		// PreferImport
		{
			name:     "prefer-import/single value is replaced",
			merger:   NewMerger(PreferImport),
			existing: vals("title", text("CEO")),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CTO")),
			changed:  true,
		},
		{
			name:     "prefer-import/blank import keeps the existing value",
			merger:   NewMerger(PreferImport),
			existing: vals("title", text("CEO"), "city", text("Paris")),
			incoming: vals("title", text("")),
			mapped:   []string{"title", "city"},
			want:     vals("title", text("CEO"), "city", text("Paris")),
		},
		{
			name:     "prefer-import/absent existing takes the import",
			merger:   NewMerger(PreferImport),
			existing: vals(),
			incoming: vals("title", text("CTO")),
			mapped:   []string{"title"},
			want:     vals("title", text("CTO")),
			changed:  true,
		},
		{
			name:     "prefer-import/lists: union, import's item and label",
			merger:   NewMerger(PreferImport),
			existing: vals("phone", phones("Mobile", "(415) 555-0102", "Work", "+12125550100")),
			incoming: vals("phone", phones("Cell", "+14155550102", "Home", "+13105550000")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Cell", "+14155550102", "Work", "+12125550100", "Home", "+13105550000")),
			changed:  true,
		},
		{
			name:     "prefer-import/unlabelled import item keeps the existing label",
			merger:   NewMerger(PreferImport),
			existing: vals("phone", phones("Mobile", "(415) 555-0102")),
			incoming: vals("phone", phones("", "+14155550102")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Mobile", "+14155550102")),
			changed:  true,
		},
		{
			name:     "prefer-import/the first of repeated import items counts",
			merger:   NewMerger(PreferImport),
			existing: vals("phone", phones("Mobile", "(415) 555-0102")),
			incoming: vals("phone", phones("Work", "+14155550102", "Home", "415-555-0102", "Other", "+12125550100", "Fax", "212 555 0100")),
			mapped:   []string{"phone"},
			want:     vals("phone", phones("Work", "+14155550102", "Other", "+12125550100")),
			changed:  true,
		},
		{
			name:     "prefer-import/same list is unchanged",
			merger:   NewMerger(PreferImport),
			existing: vals("email", emails("Work", "ada@example.com")),
			incoming: vals("email", emails("Work", "ada@example.com")),
			mapped:   []string{"email"},
			want:     vals("email", emails("Work", "ada@example.com")),
		},

		// Per-field modes and edge cases
		{
			name:     "override/one field overwrites, the others fill",
			merger:   FieldMerger{Mode: FillEmpty, Fields: map[string]MergeMode{"email": Overwrite}},
			existing: vals("title", text("CEO"), "email", emails("Work", "ada@old.com")),
			incoming: vals("title", text("CTO"), "email", emails("Work", "ada@new.com"), "city", text("Paris")),
			mapped:   []string{"title", "email", "city"},
			want:     vals("title", text("CEO"), "email", emails("Work", "ada@new.com"), "city", text("Paris")),
			changed:  true,
		},
		{
			name:     "override/one field fills, the others prefer the import",
			merger:   FieldMerger{Mode: PreferImport, Fields: map[string]MergeMode{"title": FillEmpty}},
			existing: vals("title", text("CEO"), "city", text("Paris")),
			incoming: vals("title", text("CTO"), "city", text("Lyon")),
			mapped:   []string{"title", "city"},
			want:     vals("title", text("CEO"), "city", text("Lyon")),
			changed:  true,
		},
		{
			name:     "unmapped incoming field is merged too",
			merger:   NewMerger(PreferImport),
			existing: vals("title", text("CEO")),
			incoming: vals("source", text("import")),
			mapped:   []string{"title"},
			want:     vals("title", text("CEO"), "source", text("import")),
			changed:  true,
		},
		{
			name:     "unknown mode fills empty fields",
			merger:   NewMerger(MergeMode(42)),
			existing: vals("title", text("CEO")),
			incoming: vals("title", text("CTO"), "city", text("Paris")),
			mapped:   []string{"title", "city"},
			want:     vals("title", text("CEO"), "city", text("Paris")),
			changed:  true,
		},
		{
			name:     "nil existing values",
			merger:   NewMerger(FillEmpty),
			existing: nil,
			incoming: vals("title", text("")),
			mapped:   []string{"title"},
			want:     nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			existing := crmio.Record{ID: "7", Module: "people", Values: tt.existing}
			incoming := crmio.Record{Module: "people", Values: tt.incoming}
			existingBefore, incomingBefore := existing.Clone(), incoming.Clone()

			merged, changed := tt.merger.Merge(existing, incoming, tt.mapped)

			want := crmio.Record{ID: "7", Module: "people", Values: tt.want}
			if !merged.Equal(want) {
				t.Errorf("merged:\n got %v\nwant %v", show(merged), show(want))
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if !existing.Equal(existingBefore) || !incoming.Equal(incomingBefore) {
				t.Errorf("Merge changed its inputs")
			}
			// The merged record owns its map.
			merged.Set("scribble", crmio.TextValue("x"))
			if _, ok := existing.Values["scribble"]; ok {
				t.Errorf("merged record shares its Values map with existing")
			}
		})
	}
}

// show prints a record's values in field order, for failure messages.
func show(r crmio.Record) string {
	s := "{"
	for _, k := range slices.Sorted(maps.Keys(r.Values)) {
		v := r.Values[k]
		s += fmt.Sprintf(" %s=%s(%s)", k, v.Kind(), strconv.Quote(v.String()))
	}
	return s + " }"
}

func TestFieldMergerKeepsIDAndModule(t *testing.T) {
	existing := crmio.Record{ID: "42", Module: "people", Values: vals("title", crmio.TextValue("CEO"))}
	incoming := crmio.Record{ID: "ignored", Module: "people", Values: vals("title", crmio.TextValue("CTO"))}
	for _, mode := range []MergeMode{FillEmpty, Overwrite, PreferImport} {
		merged, _ := NewMerger(mode).Merge(existing, incoming, []string{"title"})
		if merged.ID != "42" || merged.Module != "people" {
			t.Errorf("%v: merged ID, Module = %q, %q, want the existing record's", mode, merged.ID, merged.Module)
		}
	}
}

// The Merger interface is satisfied by both a FieldMerger and a pointer.
var (
	_ Merger = FieldMerger{}
	_ Merger = (*FieldMerger)(nil)
)

// FuzzFieldMerger checks what holds for any values: Merge never panics nor
// changes its inputs, keeps the existing record's id, is idempotent (a
// second merge of the same row changes nothing), never loses an existing
// item of a list except in Overwrite, and in FillEmpty never changes a
// value that was set.
func FuzzFieldMerger(f *testing.F) {
	f.Add(uint8(0), "(415) 555-0102", "Mobile", "+14155550102", "Work", "Ada", "", true)
	f.Add(uint8(1), "+14155550102", "", "4155550102", "Home", "", "Countess", false)
	f.Add(uint8(2), "ext. 12", "x", "+1 (415) 555-0102 x12", "", " ", "Ada", true)
	f.Add(uint8(3), "", "", "", "", "\u00a0", "\xff", false)
	f.Fuzz(func(t *testing.T, mode uint8, oldPhone, oldLabel, newPhone, newLabel, oldTitle, newTitle string, mapTitle bool) {
		merger := FieldMerger{Mode: MergeMode(mode % 4), Fields: map[string]MergeMode{"email": Overwrite}}
		existing := crmio.Record{ID: "1", Values: vals(
			"phone", phones(oldLabel, oldPhone, "Work", newPhone),
			"title", crmio.TextValue(oldTitle),
			"email", crmio.EmailValue(oldTitle),
		)}
		incoming := crmio.Record{Values: vals(
			"phone", phones(newLabel, newPhone, newLabel, oldPhone, "", newPhone),
			"email", crmio.EmailValue(newTitle),
		)}
		mapped := []string{"phone", "email"}
		if mapTitle {
			incoming.Set("title", crmio.TextValue(newTitle))
			mapped = append(mapped, "title")
		}
		existingBefore, incomingBefore := existing.Clone(), incoming.Clone()

		merged, changed := merger.Merge(existing, incoming, mapped)
		if !existing.Equal(existingBefore) || !incoming.Equal(incomingBefore) {
			t.Fatal("Merge changed its inputs")
		}
		if merged.ID != "1" {
			t.Fatalf("merged ID %q", merged.ID)
		}
		if changed == merged.Equal(existing) {
			t.Fatalf("changed = %v, but merged.Equal(existing) = %v", changed, merged.Equal(existing))
		}
		again, changedAgain := merger.Merge(merged, incoming, mapped)
		if changedAgain || !again.Equal(merged) {
			t.Fatalf("a second merge changed %s into %s", show(merged), show(again))
		}
		if merger.Mode != Overwrite {
			for _, k := range crmio.MatchKeys(existing.Get("phone")) {
				if !slices.Contains(crmio.MatchKeys(merged.Get("phone")), k) {
					t.Fatalf("phone %q lost: %s", k, show(merged))
				}
			}
		}
		if merger.Mode != Overwrite && merger.Mode != PreferImport && oldTitle != "" &&
			!merged.Get("title").Equal(existing.Get("title")) {
			t.Fatalf("FillEmpty changed a title that was set: %s", show(merged))
		}
		if !merged.Get("email").Equal(incoming.Get("email")) {
			t.Fatalf("the email field overwrites: %s", show(merged))
		}
	})
}
