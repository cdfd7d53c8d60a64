package storetest

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

const people = "people"

func checkInsert(c *checker, s storage.Store) {
	recs := records(
		vals{"key": text("a"), "n": num("1")},
		vals{"key": text("b")},
		vals{},
	)
	ids := c.insert("ids", s, people, recs)
	more := c.insert("ids", s, people, records(vals{"key": text("d")}, vals{"key": text("e")}))
	all := append(slices.Clone(ids), more...)
	seen := map[string]bool{}
	for _, id := range all {
		if id == "" {
			c.errorf("ids", "Insert returned an empty id among %q", all)
		}
		if seen[id] {
			c.errorf("ids", "Insert returned id %q twice (ids %q)", id, all)
		}
		seen[id] = true
	}
	for i, id := range ids {
		if got, ok := c.getOne("get after insert", s, people, id); ok {
			want := recs[i]
			want.ID = id
			c.sameRecord("get after insert", got, want)
			if got.Module != people {
				c.errorf("get after insert", "record %s has Module %q, want %q", id, got.Module, people)
			}
		}
	}

	if got, err := s.Insert(c.ctx, people, nil); err != nil || len(got) != 0 {
		c.errorf("empty batch", "Insert of no records returned %q, %v; want no ids and no error", got, err)
	}

	before := c.count("id set refused", s, people)
	_, err := s.Insert(c.ctx, people, []crmio.Record{
		{Values: vals{"key": text("fresh")}},
		{ID: "chosen-by-caller", Values: vals{"key": text("chosen")}},
	})
	if err == nil {
		c.errorf("id set refused", "Insert of a record with an ID returned no error")
	}
	if n := c.count("id set refused", s, people); n != before {
		c.errorf("id set refused", "Insert of a batch holding a record with an ID changed the record count from %d to %d; the whole batch must be refused", before, n)
	}
	if got := c.get("id set refused", s, people, "chosen-by-caller"); len(got) != 0 {
		c.errorf("id set refused", "Get of the caller's id found a record")
	}

	// The store keeps copies: neither the caller's map nor a returned map
	// aliases what it keeps.
	v := vals{"key": text("copy"), "name": text("Original")}
	id := c.insert("copies", s, people, records(v))[0]
	v["name"] = text("Changed by the caller")
	v["extra"] = text("added by the caller")
	if got, ok := c.getOne("copies", s, people, id); ok {
		if got.Get("name").Str() != "Original" || len(got.Values) != 2 {
			c.errorf("copies", "changing the inserted map after Insert changed the stored record to %v", got.Values)
		}
		got.Values["name"] = text("Changed through Get")
	}
	for rec, err := range s.Scan(c.ctx, people, storage.Query{}) {
		if err != nil {
			c.fatalf("copies", "Scan: %v", err)
		}
		if rec.ID == id {
			rec.Values["name"] = text("Changed through Scan")
		}
	}
	if got, ok := c.getOne("copies", s, people, id); ok && got.Get("name").Str() != "Original" {
		c.errorf("copies", "changing a map returned by Get or Scan changed the stored record: name is %q", got.Get("name").Str())
	}

	// Ids are never reused, even the newest one once deleted.
	last := more[len(more)-1]
	if err := s.Delete(c.ctx, people, []string{last}); err != nil {
		c.fatalf("ids not reused", "Delete: %v", err)
	}
	again := c.insert("ids not reused", s, people, records(vals{"key": text("f")}))
	if seen[again[0]] || again[0] == id {
		c.errorf("ids not reused", "Insert after deleting %q returned id %q, already used", last, again[0])
	}
}

func checkGet(c *checker, s storage.Store) {
	f := c.load("setup", s, people, records(
		vals{"key": text("a")}, vals{"key": text("b")}, vals{"key": text("c")},
	))
	got := c.get("order asked", s, people, f.idOf["c"], "missing-id", f.idOf["a"], f.idOf["b"])
	c.wantKeys("order asked", got, []string{"c", "a", "b"})
	got = c.get("order asked", s, people, f.idOf["b"], f.idOf["a"])
	c.wantKeys("order asked", got, []string{"b", "a"})

	if got := c.get("missing omitted", s, people, "missing-id", "another-missing-id"); len(got) != 0 {
		c.errorf("missing omitted", "Get of missing ids returned %s", describe(recordIDs(got)))
	}
	if got := c.get("no ids", s, people); len(got) != 0 {
		c.errorf("no ids", "Get of no ids returned %s", describe(recordIDs(got)))
	}
	for _, r := range c.get("id and module", s, people, f.ids("a", "b", "c")...) {
		if r.Module != people || f.keyOf[r.ID] == "" {
			c.errorf("id and module", "Get returned a record with ID %q and Module %q", r.ID, r.Module)
		}
	}

	// More ids than a statement of a SQL store takes at once, in another
	// order than written, one asked twice and a missing one among them.
	var many []vals
	for i := range 600 {
		many = append(many, vals{"key": text("m" + strconv.Itoa(i))})
	}
	const module = "people_many" // load wants a module of its own records
	g := c.load("many ids", s, module, records(many...))
	var ids, want []string
	for i := 599; i >= 0; i-- {
		k := "m" + strconv.Itoa(i)
		ids, want = append(ids, g.idOf[k]), append(want, k)
		if i == 300 {
			ids = append(ids, "missing-id")
		}
	}
	ids, want = append(ids, g.idOf["m7"]), append(want, "m7")
	c.wantKeys("many ids", c.get("many ids", s, module, ids...), want)
}

func checkUpdate(c *checker, s storage.Store) {
	f := c.load("setup", s, people, records(
		vals{"key": text("a"), "name": text("Ada"), "email": email("ada@example.com"), "phone": phone("+14155550101")},
		vals{"key": text("b"), "name": text("Bob")},
	))
	a, b := f.idOf["a"], f.idOf["b"]

	// The whole Values map is replaced.
	next := vals{"key": text("a"), "name": text("Ada Lovelace"), "city": text("London")}
	if err := s.Update(c.ctx, people, []crmio.Record{{ID: a, Values: next}}); err != nil {
		c.fatalf("replaces values", "Update: %v", err)
	}
	next["city"] = text("changed by the caller after Update")
	if got, ok := c.getOne("replaces values", s, people, a); ok {
		c.sameRecord("replaces values", got, crmio.Record{ID: a, Values: vals{"key": text("a"), "name": text("Ada Lovelace"), "city": text("London")}})
	}

	// A batch with a missing id changes nothing and wraps ErrNotFound.
	err := s.Update(c.ctx, people, []crmio.Record{
		{ID: b, Values: vals{"key": text("b"), "name": text("Changed")}},
		{ID: "missing-id", Values: vals{"key": text("x")}},
	})
	c.isErr("missing id", err, crmio.ErrNotFound, "Update of a batch with a missing id")
	if got, ok := c.getOne("missing id", s, people, b); ok && got.Get("name").Str() != "Bob" {
		c.errorf("missing id", "a failed Update changed record b: name is %q, want %q", got.Get("name").Str(), "Bob")
	}
	if n := c.count("missing id", s, people); n != 2 {
		c.errorf("missing id", "a failed Update left %d records, want 2", n)
	}

	err = s.Update(c.ctx, people, []crmio.Record{{Values: vals{"key": text("no id")}}})
	c.isErr("empty id", err, crmio.ErrNotFound, "Update of a record without an ID")
	if n := c.count("empty id", s, people); n != 2 {
		c.errorf("empty id", "Update of a record without an ID left %d records, want 2", n)
	}

	if err := s.Update(c.ctx, people, nil); err != nil {
		c.errorf("empty batch", "Update of no records: %v", err)
	}

	// Several records in one batch.
	err = s.Update(c.ctx, people, []crmio.Record{
		{ID: b, Values: vals{"key": text("b"), "name": text("Bob 2")}},
		{ID: a, Values: vals{"key": text("a"), "name": text("Ada 2")}},
	})
	if err != nil {
		c.fatalf("batch", "Update of two records: %v", err)
	}
	c.wantNames("batch", s, people, []string{a, b}, "Ada 2", "Bob 2")

	// A deleted record cannot be updated.
	if err := s.Delete(c.ctx, people, []string{b}); err != nil {
		c.fatalf("deleted id", "Delete: %v", err)
	}
	err = s.Update(c.ctx, people, []crmio.Record{{ID: b, Values: vals{"key": text("b")}}})
	c.isErr("deleted id", err, crmio.ErrNotFound, "Update of a deleted record")
	if got := c.get("deleted id", s, people, b); len(got) != 0 {
		c.errorf("deleted id", "Update of a deleted record brought it back")
	}
}

// wantNames reports when the "name" fields of ids are not names.
func (c *checker) wantNames(check string, s storage.Store, module string, ids []string, names ...string) {
	got := c.get(check, s, module, ids...)
	var have []string
	for _, r := range got {
		have = append(have, r.Get("name").Str())
	}
	if !slices.Equal(have, names) {
		c.errorf(check, "names are %q, want %q", have, names)
	}
}

func checkDelete(c *checker, s storage.Store) {
	f := c.load("setup", s, people, records(
		vals{"key": text("a")}, vals{"key": text("b")}, vals{"key": text("c")}, vals{"key": text("d")},
	))
	if err := s.Delete(c.ctx, people, f.ids("b", "d")); err != nil {
		c.fatalf("removes", "Delete: %v", err)
	}
	c.wantKeys("removes", c.get("removes", s, people, f.ids("a", "b", "c", "d")...), []string{"a", "c"})
	c.wantKeys("removes", c.scanAll("removes", s, people, storage.Query{}), f.inIDOrder("a", "c"))

	if err := s.Delete(c.ctx, people, append(f.ids("b"), "missing-id")); err != nil {
		c.errorf("missing ignored", "Delete of a deleted and a missing id: %v", err)
	}
	if err := s.Delete(c.ctx, people, f.ids("a", "a")); err != nil {
		c.errorf("twice", "Delete of an id twice in one batch: %v", err)
	}
	if err := s.Delete(c.ctx, people, f.ids("a")); err != nil {
		c.errorf("twice", "Delete of an id already deleted: %v", err)
	}
	if err := s.Delete(c.ctx, people, nil); err != nil {
		c.errorf("empty batch", "Delete of no ids: %v", err)
	}
	c.wantKeys("others untouched", c.scanAll("others untouched", s, people, storage.Query{}), []string{"c"})
}

// everyKind is a record holding a value of every kind, and the edge cases
// a store must keep apart or keep exactly.
func everyKind() vals {
	return vals{
		"key":        text("every kind"),
		"text":       text("Zoë Ådams — 東京 ✓"),
		"emoji":      text("🎉👩‍👩‍👧 family"),
		"escapes":    text("quote \" backslash \\ newline \n tab \t cr \r bell \a"),
		"nul":        text("before\x00after"),
		"spaces":     text("  leading and trailing  "),
		"long":       text(strings.Repeat("long text ", 7000)),
		"empty":      text(""),
		"null":       {},
		"email":      email("Bob@Example.com"),
		"phone":      phone("+14155550102"),
		"url":        crmio.URLValue("https://www.example.com/path?q=1&r=ü"),
		"num":        num("1234.50"),
		"num_zero":   num("0"),
		"num_tiny":   num("-0.000001"),
		"num_big":    num("123456789012345678901234567890.123456789012345678901234567890"),
		"num_fract":  num("0.10"),
		"true":       crmio.BoolValue(true),
		"false":      crmio.BoolValue(false),
		"date":       date("1815-12-10"),
		"date_leap":  date("2024-02-29"),
		"date_max":   date("9999-12-31"),
		"dt_utc":     instant("2024-01-15T10:30:00.123456789Z"),
		"dt_plus":    instant("2024-01-15T16:00:00+05:30"),
		"dt_minus":   instant("1969-07-20T20:17:40-08:00"),
		"ref":        crmio.RefValue("42", "Acme Corp"),
		"ref_key":    crmio.RefValue("", "Unresolved Co"),
		"ref_id":     crmio.RefValue("42", ""),
		"address":    crmio.AddressValue(crmio.Address{Street: "1 Main St", City: "Springfield", State: "IL", Zip: "62701", Country: "US"}),
		"address_1":  crmio.AddressValue(crmio.Address{City: "Zürich"}),
		"phones":     crmio.ListValue(item("Mobile", phone("+14155550102")), item("Work", phone("+442079460000")), item("", phone("+33142685300"))),
		"emails":     crmio.ListValue(item("Work", email("ada@example.com")), item("Home", email("ada@home.example"))),
		"list_one":   crmio.ListValue(item("", text("only"))),
		"list_mixed": crmio.ListValue(item("a", num("1.50")), item("b", date("2000-01-01")), item("c", crmio.AddressValue(crmio.Address{City: "Oslo"}))),
		"list_empty": crmio.ListValue(),
		// Field names that break naive SQL or JSON paths.
		"field with spaces": text("spaces"),
		`quo"te's`:          text("quotes"),
		"dotted.name":       text("dot"),
		"ünïcode":           text("unicode name"),
	}
}

func checkValues(c *checker, s storage.Store) {
	want := everyKind()
	sparse := vals{"key": text("sparse"), "only": text("one field")}
	ids := c.insert("setup", s, people, records(want, sparse, nil))

	if got, ok := c.getOne("round trip via Get", s, people, ids[0]); ok {
		c.sameRecord("round trip via Get", got, crmio.Record{ID: ids[0], Values: want})
	}
	if got, ok := c.getOne("round trip via Get", s, people, ids[1]); ok {
		c.sameRecord("round trip via Get", got, crmio.Record{ID: ids[1], Values: sparse})
	}
	if got, ok := c.getOne("record without values", s, people, ids[2]); ok && len(got.Values) != 0 {
		c.errorf("record without values", "a record inserted without values came back with %v", got.Values)
	}

	found := 0
	for _, r := range c.scanAll("round trip via Scan", s, people, storage.Query{}) {
		switch r.ID {
		case ids[0]:
			found++
			c.sameRecord("round trip via Scan", r, crmio.Record{ID: ids[0], Values: want})
		case ids[1]:
			found++
			c.sameRecord("round trip via Scan", r, crmio.Record{ID: ids[1], Values: sparse})
		}
	}
	if found != 2 {
		c.errorf("round trip via Scan", "Scan yielded %d of the 2 records", found)
	}

	// Through Update too: the values swap between the two records.
	if err := s.Update(c.ctx, people, []crmio.Record{{ID: ids[0], Values: sparse}, {ID: ids[1], Values: want}}); err != nil {
		c.fatalf("round trip via Update", "Update: %v", err)
	}
	if got, ok := c.getOne("round trip via Update", s, people, ids[1]); ok {
		c.sameRecord("round trip via Update", got, crmio.Record{ID: ids[1], Values: want})
	}
	if got, ok := c.getOne("round trip via Update", s, people, ids[0]); ok {
		c.sameRecord("round trip via Update", got, crmio.Record{ID: ids[0], Values: sparse})
	}

	// Empty text, a null value and an absent field are three things.
	got, _ := c.getOne("empty, null, absent", s, people, ids[1])
	if v, ok := got.Values["empty"]; !ok || v.Kind() != crmio.KindText || v.Str() != "" {
		c.errorf("empty, null, absent", "field set to empty text came back as %s (present: %v)", show(v), ok)
	}
	if v, ok := got.Values["null"]; !ok || !v.IsNull() {
		c.errorf("empty, null, absent", "field set to the null Value came back as %s (present: %v)", show(v), ok)
	}
	if _, ok := got.Values["absent"]; ok {
		c.errorf("empty, null, absent", "a field never set came back present")
	}
}

func checkModules(c *checker, s storage.Store) {
	const accounts = "accounts"
	same := func(k string) vals { return vals{"key": text(k), "email": email("shared@example.com")} }
	p := c.insert("setup", s, people, records(same("p1"), same("p2")))
	a := c.insert("setup", s, accounts, records(same("a1")))

	if got := c.get("Get", s, accounts, p...); len(got) != 0 {
		c.errorf("Get", "Get from %q of ids of %q returned %s", accounts, people, describe(recordIDs(got)))
	}
	c.wantKeys("Scan", c.scanAll("Scan", s, accounts, storage.Query{}), []string{"a1"})
	for _, r := range c.scanAll("Scan", s, accounts, storage.Query{}) {
		if r.Module != accounts {
			c.errorf("Scan", "Scan of %q yielded a record with Module %q", accounts, r.Module)
		}
	}
	key := crmio.MatchKey(email("shared@example.com"))
	got, err := s.Lookup(c.ctx, accounts, "email", []string{key})
	if err != nil {
		c.fatalf("Lookup", "Lookup: %v", err)
	}
	if !slices.Equal(got[key], a) {
		c.errorf("Lookup", "Lookup in %q returned %q, want only its own %q", accounts, got[key], a)
	}
	if err := s.Delete(c.ctx, accounts, p); err != nil {
		c.errorf("Delete", "Delete from %q of ids of %q: %v", accounts, people, err)
	}
	if n := c.count("Delete", s, people); n != 2 {
		c.errorf("Delete", "Delete from %q of ids of %q removed them from %q: %d left", accounts, people, people, n)
	}
	err = s.Update(c.ctx, accounts, []crmio.Record{{ID: p[0], Values: same("changed")}})
	c.isErr("Update", err, crmio.ErrNotFound, "Update in "+accounts+" of an id of "+people)
	if got, ok := c.getOne("Update", s, people, p[0]); ok && got.Get("key").Str() != "p1" {
		c.errorf("Update", "Update in %q changed a record of %q", accounts, people)
	}

	// A module nobody wrote to behaves as an empty one.
	const unknown = "never-written"
	if n := c.count("unknown module", s, unknown); n != 0 {
		c.errorf("unknown module", "Scan of an unknown module yielded %d records", n)
	}
	if got := c.get("unknown module", s, unknown, p...); len(got) != 0 {
		c.errorf("unknown module", "Get from an unknown module returned records")
	}
	if got, err := s.Lookup(c.ctx, unknown, "email", []string{key}); err != nil || len(got) != 0 {
		c.errorf("unknown module", "Lookup in an unknown module returned %v, %v; want an empty map", got, err)
	}
	if err := s.Delete(c.ctx, unknown, p); err != nil {
		c.errorf("unknown module", "Delete from an unknown module: %v", err)
	}
	err = s.Update(c.ctx, unknown, []crmio.Record{{ID: p[0], Values: same("x")}})
	c.isErr("unknown module", err, crmio.ErrNotFound, "Update in an unknown module")

	// Module names a SQL adapter must quote or map.
	for _, name := range []string{`o'brien "quoted"; -- drop`, "Custom Module ü", "a.b"} {
		id := c.insert("odd module names", s, name, records(vals{"key": text(name)}))[0]
		if got, ok := c.getOne("odd module names", s, name, id); ok && got.Get("key").Str() != name {
			c.errorf("odd module names", "module %q: got %v", name, got.Values)
		}
		c.wantKeys("odd module names", c.scanAll("odd module names", s, name, storage.Query{}), []string{name})
	}
}
