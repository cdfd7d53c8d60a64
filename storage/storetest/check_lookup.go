package storetest

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

func checkLookup(c *checker, s storage.Store) {
	// A lookup before any record exists must not break later ones (a store
	// may build its index lazily).
	bobKey := crmio.MatchKey(email("bob@example.com"))
	if got, err := s.Lookup(c.ctx, people, "email", []string{bobKey}); err != nil || len(got) != 0 {
		c.errorf("empty store", "Lookup in an empty store returned %v, %v; want an empty map", got, err)
	}

	f := c.load("setup", s, people, records(
		vals{"key": text("a"), "email": email("Bob@Example.com"), "phone": phone("(415) 555-0102"), "name": text("  Acme   Corp ")},
		vals{"key": text("b"),
			"email": crmio.ListValue(item("Work", email("alice@example.com")), item("Home", email("Bob.Second@Example.org"))),
			"phone": crmio.ListValue(item("Mobile", phone("+14155550199")), item("Work", phone("+44 20 7946 0000")))},
		vals{"key": text("c"), "email": email("bob@example.com "), "amount": num("1234.50")},
		vals{"key": text("d"), "account": crmio.RefValue("acc-7", "Acme"), "birthday": date("1815-12-10"), "met": instant("2024-01-15T10:00:00+02:00")},
		vals{"key": text("e"), "name": text("ACME CORP")},
	))

	cases := []struct {
		check, field string
		key          string
		want         []string // keys of the records
	}{
		{"email case and spaces", "email", bobKey, []string{"a", "c"}},
		{"phone formats", "phone", crmio.MatchKey(phone("+14155550102")), []string{"a"}},
		{"list items", "email", crmio.MatchKey(email("bob.second@example.org")), []string{"b"}},
		{"list items", "email", crmio.MatchKey(email("ALICE@example.com")), []string{"b"}},
		{"list items", "phone", crmio.MatchKey(phone("+442079460000")), []string{"b"}},
		{"text", "name", crmio.MatchKey(text("acme corp")), []string{"a", "e"}},
		{"number", "amount", crmio.MatchKey(num("1234.5")), []string{"c"}},
		{"reference", "account", crmio.MatchKey(crmio.RefValue("acc-7", "")), []string{"d"}},
		{"date", "birthday", crmio.MatchKey(date("1815-12-10")), []string{"d"}},
		{"datetime", "met", crmio.MatchKey(instant("2024-01-15T08:00:00Z")), []string{"d"}},
	}
	for _, tc := range cases {
		c.wantLookup(tc.check, s, f, tc.field, map[string][]string{tc.key: tc.want})
	}

	// Many keys at once; keys that match nothing are absent; fields are
	// kept apart.
	phoneKey := crmio.MatchKey(phone("+14155550102"))
	c.wantLookup("several keys", s, f, "email", map[string][]string{
		bobKey: {"a", "c"},
		crmio.MatchKey(email("alice@example.com")): {"b"},
		"nobody@example.com":                       nil,
		phoneKey:                                   nil,
	})
	c.wantLookup("unknown field", s, f, "no-such-field", map[string][]string{bobKey: nil})
	c.wantLookup("no keys", s, f, "email", map[string][]string{})

	// After an update the old keys are gone and the new ones found; after
	// a delete the record's keys are gone.
	err := s.Update(c.ctx, people, []crmio.Record{
		{ID: f.idOf["a"], Values: vals{"key": text("a"), "email": email("Robert@Example.com")}},
		{ID: f.idOf["b"], Values: vals{"key": text("b"), "email": crmio.ListValue(item("Work", email("alice@example.com")))}},
	})
	if err != nil {
		c.fatalf("after update", "Update: %v", err)
	}
	c.wantLookup("after update", s, f, "email", map[string][]string{
		bobKey: {"c"},
		crmio.MatchKey(email("robert@example.com")):     {"a"},
		crmio.MatchKey(email("bob.second@example.org")): nil,
		crmio.MatchKey(email("alice@example.com")):      {"b"},
	})
	c.wantLookup("after update", s, f, "phone", map[string][]string{phoneKey: nil})
	c.wantLookup("after update", s, f, "name", map[string][]string{crmio.MatchKey(text("acme corp")): {"e"}})

	if err := s.Delete(c.ctx, people, f.ids("c")); err != nil {
		c.fatalf("after delete", "Delete: %v", err)
	}
	c.wantLookup("after delete", s, f, "email", map[string][]string{bobKey: nil, crmio.MatchKey(email("robert@example.com")): {"a"}})
	c.wantLookup("after delete", s, f, "amount", map[string][]string{crmio.MatchKey(num("1234.50")): nil})

	// Records inserted after the first lookups are found too, and ids come
	// in the store's id order.
	more := c.load("after insert", s, "many", records(
		vals{"key": text("m1"), "email": email("same@example.com")},
		vals{"key": text("m2"), "email": email("other@example.com")},
		vals{"key": text("m3"), "email": email("SAME@example.com")},
	))
	sameKey := crmio.MatchKey(email("same@example.com"))
	c.wantLookup("after insert", s, more, "email", map[string][]string{sameKey: more.inIDOrder("m1", "m3")})
	ids := c.insert("after insert", s, "many", records(
		vals{"key": text("m4"), "email": email("same@example.com")},
		vals{"key": text("m5"), "email": crmio.ListValue(item("", email("x@example.com")), item("", email("Same@Example.com")))},
	))
	more.idOf["m4"], more.idOf["m5"] = ids[0], ids[1]
	more.keyOf[ids[0]], more.keyOf[ids[1]] = "m4", "m5"
	all := c.scanAll("id order", s, "many", storage.Query{})
	var want []string
	for _, r := range all {
		if k := more.keyOf[r.ID]; k == "m1" || k == "m3" || k == "m4" || k == "m5" {
			want = append(want, k)
		}
	}
	c.wantLookup("id order", s, more, "email", map[string][]string{sameKey: want})
}

// wantLookup reports when Lookup of the keys of want does not return, for
// each key, the ids of the records named (nil: the key must be absent).
func (c *checker) wantLookup(check string, s storage.Store, f *fixture, field string, want map[string][]string) {
	keys := slices.Sorted(maps.Keys(want))
	got, err := s.Lookup(c.ctx, f.module, field, keys)
	if err != nil {
		c.errorf(check, "Lookup(%q, %q): %v", field, keys, err)
		return
	}
	if got == nil {
		c.errorf(check, "Lookup(%q, %q) returned a nil map", field, keys)
	}
	for _, k := range keys {
		ids, present := got[k]
		wantIDs := f.ids(want[k]...)
		switch {
		case want[k] == nil && present:
			c.errorf(check, "Lookup(%q, %q) found %s, want the key absent", field, k, describe(f.named(ids)))
		case want[k] != nil && !slices.Equal(ids, wantIDs):
			c.errorf(check, "Lookup(%q, %q) = %s, want %s", field, k, describe(f.named(ids)), describe(want[k]))
		}
	}
	var extra []string
	for k := range got {
		if _, asked := want[k]; !asked {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		c.errorf(check, "Lookup(%q, %q) returned keys not asked for: %q", field, keys, extra)
	}
}

// named returns the fixture keys of ids, or the ids themselves when they
// are not the fixture's.
func (f *fixture) named(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if k, ok := f.keyOf[id]; ok {
			out[i] = k
		} else {
			out[i] = "id " + strings.TrimSpace(id)
		}
	}
	return out
}
