package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

func filter(field string, op storage.Op, v crmio.Value) storage.Filter {
	return storage.Filter{Field: field, Op: op, Value: v}
}

// wantScan reports when q does not yield exactly the records named by want,
// in that order.
func (c *checker) wantScan(check string, s storage.Store, f *fixture, q storage.Query, want []string) {
	got, err := scan(c.ctx, s, f.module, q)
	if err != nil {
		c.errorf(check, "Scan %s: %v", describeQuery(q), err)
		return
	}
	if keys := f.named(recordIDs(got)); !equalStrings(keys, want) {
		c.errorf(check, "Scan %s yielded %s, want %s", describeQuery(q), describe(keys), describe(want))
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func describeQuery(q storage.Query) string {
	s := ""
	for i, f := range q.Where {
		if i > 0 {
			s += " and "
		}
		s += f.String()
	}
	if s == "" {
		s = "everything"
	}
	if q.Scope != nil {
		s += " in scope"
		for _, f := range q.Scope.Where {
			s += " [" + f.String() + "]"
		}
	}
	for i, o := range q.Order {
		if i == 0 {
			s += " order by "
		} else {
			s += ", "
		}
		s += o.Field
		if o.Desc {
			s += " desc"
		}
	}
	if q.Limit != 0 {
		s += " limit " + strconv.Itoa(q.Limit)
	}
	if q.Fields != nil {
		s += fmt.Sprintf(" fields %q", q.Fields)
	}
	return "(" + s + ")"
}

func filterFixture() []crmio.Record {
	return records(
		vals{"key": text("r1"), "n": num("-10"), "d": date("1815-12-10"), "t": instant("2024-01-15T10:00:00+02:00"), "s": text("Apple"),
			"b": crmio.BoolValue(false), "e": crmio.ListValue(item("Work", email("bob@example.com"))), "p": phone("+14155550102")},
		vals{"key": text("r2"), "n": num("-1.5"), "d": date("1999-12-31"), "t": instant("2024-01-15T09:00:00Z"), "s": text("banana split"),
			"b": crmio.BoolValue(true), "e": crmio.ListValue(item("Home", email("carol@example.org")), item("Work", email("CAROL@corp.example.com")))},
		vals{"key": text("r3"), "n": num("-1.25"), "d": date("2000-01-01"), "t": instant("2024-01-15T08:30:00-05:00"), "s": text("Émile")},
		vals{"key": text("r4"), "n": num("0"), "d": date("2024-02-29"), "t": instant("2023-12-31T23:59:59.5Z"), "s": text("zoe")},
		vals{"key": text("r5"), "n": num("0.1"), "s": text("Acme  Corp")},
		vals{"key": text("r6"), "n": num("2")},
		vals{"key": text("r7"), "n": num("10")},
		vals{"key": text("r8"), "n": num("1234.50")},
		vals{"key": text("r9"), "n": text("n/a")},
		vals{"key": text("r10")},
		vals{"key": text("r11"), "n": {}},
	)
}

func checkFilters(c *checker, s storage.Store) {
	f := c.load("setup", s, people, filterFixture())
	all := f.order
	allBut := func(k string) []string {
		var out []string
		for _, x := range all {
			if x != k {
				out = append(out, x)
			}
		}
		return out
	}
	r := func(keys ...string) []string { return keys }
	tests := []struct {
		check string
		where []storage.Filter
		want  []string
	}{
		{"numbers", []storage.Filter{filter("n", storage.Eq, num("1234.5"))}, r("r8")},
		{"numbers", []storage.Filter{filter("n", storage.Eq, num("-1.50"))}, r("r2")},
		{"numbers", []storage.Filter{filter("n", storage.Ne, num("0"))}, allBut("r4")},
		{"numbers", []storage.Filter{filter("n", storage.Lt, num("0"))}, r("r1", "r2", "r3")},
		{"numbers", []storage.Filter{filter("n", storage.Lt, num("-1.3"))}, r("r1", "r2")},
		{"numbers", []storage.Filter{filter("n", storage.Le, num("-1.25"))}, r("r1", "r2", "r3")},
		{"numbers", []storage.Filter{filter("n", storage.Gt, num("0.1"))}, r("r6", "r7", "r8")},
		{"numbers", []storage.Filter{filter("n", storage.Ge, num("0.10"))}, r("r5", "r6", "r7", "r8")},
		{"numbers", []storage.Filter{filter("n", storage.Gt, num("9"))}, r("r7", "r8")},
		{"numbers", []storage.Filter{filter("n", storage.Lt, num("5"))}, r("r1", "r2", "r3", "r4", "r5", "r6")},
		{"numbers", []storage.Filter{filter("n", storage.Gt, num("-100"))}, r("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8")},
		{"dates", []storage.Filter{filter("d", storage.Lt, date("2000-01-01"))}, r("r1", "r2")},
		{"dates", []storage.Filter{filter("d", storage.Le, date("2000-01-01"))}, r("r1", "r2", "r3")},
		{"dates", []storage.Filter{filter("d", storage.Eq, date("2024-02-29"))}, r("r4")},
		{"dates", []storage.Filter{filter("d", storage.Gt, date("1999-12-31"))}, r("r3", "r4")},
		{"dates", []storage.Filter{filter("d", storage.Ge, date("1815-12-10"))}, r("r1", "r2", "r3", "r4")},
		{"datetimes", []storage.Filter{filter("t", storage.Gt, instant("2024-01-15T08:30:00Z"))}, r("r2", "r3")},
		{"datetimes", []storage.Filter{filter("t", storage.Lt, instant("2024-01-15T10:00:00+02:00"))}, r("r4")},
		{"datetimes", []storage.Filter{filter("t", storage.Le, instant("2024-01-15T10:00:00+02:00"))}, r("r1", "r4")},
		{"datetimes", []storage.Filter{filter("t", storage.Eq, instant("2024-01-15T04:00:00-04:00"))}, r("r1")},
		{"datetimes", []storage.Filter{filter("t", storage.Gt, instant("2023-12-31T23:59:59Z"))}, r("r1", "r2", "r3", "r4")},
		{"datetimes", []storage.Filter{filter("t", storage.Ge, instant("2024-01-15T13:30:00Z"))}, r("r3")},
		{"datetimes", []storage.Filter{filter("t", storage.Ge, instant("2024-01-15T13:30:00.000000001Z"))}, nil},
		{"text", []storage.Filter{filter("s", storage.Eq, text("apple"))}, r("r1")},
		{"text", []storage.Filter{filter("s", storage.Eq, text("ACME corp"))}, r("r5")},
		{"text", []storage.Filter{filter("s", storage.Ne, text("apple"))}, allBut("r1")},
		{"text", []storage.Filter{filter("s", storage.Lt, text("b"))}, r("r1", "r5")},
		{"text", []storage.Filter{filter("s", storage.Gt, text("zebra"))}, r("r3", "r4")},
		{"text", []storage.Filter{filter("s", storage.Ge, text("Banana Split"))}, r("r2", "r3", "r4")},
		{"text", []storage.Filter{filter("s", storage.Contains, text("AN"))}, r("r2")},
		{"text", []storage.Filter{filter("s", storage.Contains, text("corp"))}, r("r5")},
		{"text", []storage.Filter{filter("s", storage.Contains, text("MIL"))}, r("r3")},
		{"lists", []storage.Filter{filter("e", storage.Eq, email("carol@corp.example.com"))}, r("r2")},
		{"lists", []storage.Filter{filter("e", storage.Contains, text("example.org"))}, r("r2")},
		{"lists", []storage.Filter{filter("e", storage.Ne, email("bob@example.com"))}, allBut("r1")},
		{"lists", []storage.Filter{filter("e", storage.Lt, email("c"))}, r("r1")},
		{"lists", []storage.Filter{filter("e", storage.Ge, email("carol@example.org"))}, r("r2")},
		{"phones", []storage.Filter{filter("p", storage.Eq, phone("(415) 555-0102"))}, r("r1")},
		{"phones", []storage.Filter{filter("p", storage.Contains, text("555"))}, r("r1")},
		{"bools", []storage.Filter{filter("b", storage.Eq, crmio.BoolValue(false))}, r("r1")},
		{"bools", []storage.Filter{filter("b", storage.Lt, crmio.BoolValue(true))}, r("r1")},
		{"bools", []storage.Filter{filter("b", storage.Gt, crmio.BoolValue(false))}, r("r2")},
		{"bools", []storage.Filter{filter("b", storage.Ne, crmio.BoolValue(true))}, allBut("r2")},
		{"several filters", []storage.Filter{filter("n", storage.Ge, num("0")), filter("n", storage.Lt, num("10"))}, r("r4", "r5", "r6")},
		{"several filters", []storage.Filter{filter("n", storage.Lt, num("0")), filter("s", storage.Contains, text("a"))}, r("r1", "r2")},
		{"absent field", []storage.Filter{filter("zz", storage.Eq, text("x"))}, nil},
		{"absent field", []storage.Filter{filter("zz", storage.Ne, text("x"))}, all},
		{"no filter", nil, all},
	}
	for _, tc := range tests {
		c.wantScan(tc.check, s, f, storage.Query{Where: tc.where}, f.inIDOrder(tc.want...))
	}
}

func orderFixture() []crmio.Record {
	return records(
		vals{"key": text("o1"), "n": num("2"), "s": text("b"), "t": instant("2024-01-01T12:00:00+02:00")},
		vals{"key": text("o2"), "n": num("1"), "s": text("a"), "t": instant("2024-01-01T09:00:00Z")},
		vals{"key": text("o3"), "n": num("2.00"), "s": text("a")},
		vals{"key": text("o4"), "s": text("c"), "t": instant("2024-01-01T10:30:00+01:00")},
		vals{"key": text("o5"), "n": num("-1"), "tags": crmio.ListValue(item("", text("zeta")))},
		vals{"key": text("o6"), "n": num("2"), "s": text("B")},
		vals{"key": text("o7"), "n": num("10"), "tags": crmio.ListValue(item("", text("alpha")), item("", text("zzz")))},
		vals{"key": text("o8"), "n": num("1.5")},
	)
}

func checkOrder(c *checker, s storage.Store) {
	f := c.load("setup", s, people, orderFixture())
	g := func(keys ...string) []string { return keys }
	asc := func(field string) storage.Order { return storage.Order{Field: field} }
	desc := func(field string) storage.Order { return storage.Order{Field: field, Desc: true} }
	tests := []struct {
		check string
		q     storage.Query
		want  []string
	}{
		{"ascending", storage.Query{Order: []storage.Order{asc("n")}},
			f.groups(g("o5"), g("o2"), g("o8"), g("o1", "o3", "o6"), g("o7"), g("o4"))},
		{"descending", storage.Query{Order: []storage.Order{desc("n")}},
			f.groups(g("o7"), g("o1", "o3", "o6"), g("o8"), g("o2"), g("o5"), g("o4"))},
		{"multi-key", storage.Query{Order: []storage.Order{asc("n"), desc("s")}},
			f.groups(g("o5"), g("o2"), g("o8"), g("o1", "o6"), g("o3"), g("o7"), g("o4"))},
		{"text", storage.Query{Order: []storage.Order{asc("s")}},
			f.groups(g("o2", "o3"), g("o1", "o6"), g("o4"), g("o5", "o7", "o8"))},
		{"text", storage.Query{Order: []storage.Order{desc("s")}},
			f.groups(g("o4"), g("o1", "o6"), g("o2", "o3"), g("o5", "o7", "o8"))},
		{"datetimes", storage.Query{Order: []storage.Order{asc("t")}},
			f.groups(g("o2"), g("o4"), g("o1"), g("o3", "o5", "o6", "o7", "o8"))},
		{"datetimes", storage.Query{Order: []storage.Order{desc("t")}},
			f.groups(g("o1"), g("o4"), g("o2"), g("o3", "o5", "o6", "o7", "o8"))},
		{"lists", storage.Query{Order: []storage.Order{asc("tags")}},
			f.groups(g("o7"), g("o5"), g("o1", "o2", "o3", "o4", "o6", "o8"))},
		{"missing field", storage.Query{Order: []storage.Order{desc("zz")}}, f.order},
		{"with filter", storage.Query{Where: []storage.Filter{filter("s", storage.Ne, text("b"))}, Order: []storage.Order{desc("n")}},
			f.groups(g("o7"), g("o3"), g("o8"), g("o2"), g("o5"), g("o4"))},
		{"limit", storage.Query{Order: []storage.Order{asc("n")}, Limit: 3}, f.groups(g("o5"), g("o2"), g("o8"))},
		{"limit", storage.Query{Order: []storage.Order{desc("n")}, Limit: 2}, f.groups(g("o7"), g("o1", "o3", "o6"))[:2]},
		{"limit", storage.Query{Limit: 2}, f.order[:2]},
		{"limit", storage.Query{Limit: 100}, f.order},
		{"limit", storage.Query{Order: []storage.Order{asc("n")}, Limit: 100},
			f.groups(g("o5"), g("o2"), g("o8"), g("o1", "o3", "o6"), g("o7"), g("o4"))},
	}
	for _, tc := range tests {
		c.wantScan(tc.check, s, f, tc.q, tc.want)
	}

	// Text orders by match key, bytewise (the C collation): case folded,
	// and "é" after "z".
	coll := c.load("setup", s, "collation", records(
		vals{"key": text("zoe"), "s": text("zoe")},
		vals{"key": text("Émile"), "s": text("Émile")},
		vals{"key": text("apple"), "s": text("apple")},
		vals{"key": text("Zed"), "s": text("Zed")},
		vals{"key": text("Ärger"), "s": text("ärger")},
	))
	c.wantScan("non-ASCII text", s, coll, storage.Query{Order: []storage.Order{asc("s")}}, []string{"apple", "Zed", "zoe", "Ärger", "Émile"})
	c.wantScan("non-ASCII text", s, coll, storage.Query{Order: []storage.Order{desc("s")}}, []string{"Émile", "Ärger", "zoe", "Zed", "apple"})
}

func checkFields(c *checker, s storage.Store) {
	f := c.load("setup", s, people, records(
		vals{"key": text("f1"), "a": num("1"), "b": text("x"), "c": date("2024-01-01")},
		vals{"key": text("f2"), "b": text("y")},
		vals{"key": text("f3")},
	))
	type want map[string]vals // by key: the values expected
	tests := []struct {
		check string
		q     storage.Query
		order []string
		want  want
	}{
		{"selected only", storage.Query{Fields: []string{"a", "key"}}, f.order, want{
			"f1": {"key": text("f1"), "a": num("1")}, "f2": {"key": text("f2")}, "f3": {"key": text("f3")}}},
		{"none selected", storage.Query{Fields: []string{}}, f.order, want{"f1": {}, "f2": {}, "f3": {}}},
		{"unknown field", storage.Query{Fields: []string{"zz"}}, f.order, want{"f1": {}, "f2": {}, "f3": {}}},
		{"with order", storage.Query{Fields: []string{"a"}, Order: []storage.Order{{Field: "b", Desc: true}}},
			[]string{"f2", "f1", "f3"}, want{"f1": {"a": num("1")}, "f2": {}, "f3": {}}},
		{"with filter", storage.Query{Fields: []string{"key"}, Where: []storage.Filter{filter("a", storage.Eq, num("1.0"))}},
			[]string{"f1"}, want{"f1": {"key": text("f1")}}},
	}
	for _, tc := range tests {
		got, err := scan(c.ctx, s, people, tc.q)
		if err != nil {
			c.errorf(tc.check, "Scan %s: %v", describeQuery(tc.q), err)
			continue
		}
		if keys := f.named(recordIDs(got)); !equalStrings(keys, tc.order) {
			c.errorf(tc.check, "Scan %s yielded %s, want %s", describeQuery(tc.q), describe(keys), describe(tc.order))
			continue
		}
		for _, r := range got {
			k := f.keyOf[r.ID]
			if r.Module != people {
				c.errorf(tc.check, "Scan %s yielded record %s with Module %q", describeQuery(tc.q), k, r.Module)
			}
			c.sameRecord(tc.check+" "+describeQuery(tc.q), r, crmio.Record{ID: r.ID, Values: tc.want[k]})
		}
	}
}

func checkScope(c *checker, s storage.Store) {
	f := c.load("setup", s, people, records(
		vals{"key": text("s1"), "owner": text("ann"), "n": num("1"), "s": text("alpha")},
		vals{"key": text("s2"), "owner": text("bob"), "n": num("2"), "s": text("alpha beta")},
		vals{"key": text("s3"), "owner": text("ann"), "n": num("3"), "s": text("gamma")},
		vals{"key": text("s4"), "n": num("4"), "s": text("alpha")},
		// Match keys would call these "ann": a scope compares exactly.
		vals{"key": text("s5"), "owner": text("ANN"), "n": num("5"), "s": text("alpha")},
		vals{"key": text("s6"), "owner": text(" ann"), "n": num("6"), "s": text("alpha")},
		vals{"key": text("s7"), "owner": text("ａｎｎ"), "n": num("7"), "s": text("alpha")},
		vals{"key": text("s8"), "owner": text("Ann"), "n": num("8"), "s": text("alpha")},
		vals{"key": text("s9"), "owner": crmio.ListValue(item("", text("team")), item("", text("ann"))), "n": num("9")},
		// The canonical form of their own type: email has no case, a
		// phone is its E.164 number, a number its value, text is NFC.
		vals{"key": text("e1"), "mail": email("Ann@Example.com"), "tel": phone("+1 (415) 555-0100"), "n": num("1.50"), "s": text("Cafe\u0301")},
	))
	ann := &storage.Scope{Name: "ann", Where: []storage.Filter{filter("owner", storage.Eq, text("ann"))}}
	tests := []struct {
		check string
		q     storage.Query
		want  []string
	}{
		{"outside never yielded", storage.Query{Scope: ann}, f.inIDOrder("s1", "s3", "s9")},
		{"exact: case", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Eq, text("Ann"))}}}, []string{"s8"}},
		{"exact: surrounding space", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Eq, text(" ann"))}}}, []string{"s6"}},
		{"exact: full width", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Eq, text("ａｎｎ"))}}}, []string{"s7"}},
		{"exact: email without case", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("mail", storage.Eq, email("ann@example.com"))}}}, []string{"e1"}},
		{"exact: phone in E.164", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("tel", storage.Eq, phone("+14155550100"))}}}, []string{"e1"}},
		{"exact: NFC text", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("s", storage.Eq, text("Café"))}}}, []string{"e1"}},
		{"exact: number by value", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("n", storage.Eq, num("1.5")), filter("key", storage.Eq, text("e1"))}}}, []string{"e1"}},
		{"with filter", storage.Query{Scope: ann, Where: []storage.Filter{filter("s", storage.Contains, text("alpha"))}}, f.inIDOrder("s1")},
		{"with filter", storage.Query{Scope: ann, Where: []storage.Filter{filter("owner", storage.Eq, text("bob"))}}, nil},
		{"with order and limit", storage.Query{Scope: ann, Order: []storage.Order{{Field: "n", Desc: true}}, Limit: 2}, []string{"s9", "s3"}},
		// The first records by match key are outside: a limit counts
		// only what the scope sees.
		{"with limit", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Eq, text("Ann"))}}, Limit: 1}, []string{"s8"}},
		{"with limit", storage.Query{Scope: ann, Limit: 2}, f.inIDOrder("s1", "s3", "s9")[:2]},
		{"not selected", storage.Query{Scope: ann, Fields: []string{"key"}}, f.inIDOrder("s1", "s3", "s9")},
		{"negative", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Ne, text("ann"))}}}, f.inIDOrder("s2", "s4", "s5", "s6", "s7", "s8", "e1")},
		{"contains, exactly", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Contains, text("nn"))}}}, f.inIDOrder("s1", "s3", "s6", "s8", "s9")},
		{"ordered, exactly", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{filter("owner", storage.Lt, text("a"))}}}, f.inIDOrder("s5", "s6", "s8")},
		{"several filters", storage.Query{Scope: &storage.Scope{Where: []storage.Filter{
			filter("owner", storage.Eq, text("ann")), filter("n", storage.Gt, num("1"))}}}, f.inIDOrder("s3", "s9")},
		{"empty scope", storage.Query{Scope: &storage.Scope{Name: "everyone"}}, f.order},
	}
	for _, tc := range tests {
		c.wantScan(tc.check, s, f, tc.q, tc.want)
	}
	// A record selected without the scope's field still had it checked.
	got, err := scan(c.ctx, s, people, storage.Query{Scope: ann, Fields: []string{"key"}, Limit: 1})
	if err != nil || len(got) != 1 || len(got[0].Values) != 1 || got[0].Get("key").Str() != "s1" {
		c.errorf("scope with a field selection", "Scan of field key in scope ann, limit 1 = %v, %v; want s1 with its key only", got, err)
	}
	// A scope's filter is validated like the query's.
	_, err = scan(c.ctx, s, people, storage.Query{Scope: &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: "like", Value: text("a%")}}}})
	c.isErr("invalid scope", err, storage.ErrInvalidQuery, "Scan with an invalid scope filter")
}

func checkInvalidQuery(c *checker, s storage.Store) {
	c.insert("setup", s, people, records(vals{"key": text("a"), "n": num("1")}))
	tests := []struct {
		name string
		q    storage.Query
	}{
		{"negative limit", storage.Query{Limit: -1}},
		{"unknown operator", storage.Query{Where: []storage.Filter{{Field: "n", Op: "like", Value: text("1")}}}},
		{"empty operator", storage.Query{Where: []storage.Filter{{Field: "n", Value: text("1")}}}},
		{"order of an address", storage.Query{Where: []storage.Filter{filter("n", storage.Lt, crmio.AddressValue(crmio.Address{City: "Oslo"}))}}},
		{"order of null", storage.Query{Where: []storage.Filter{filter("n", storage.Gt, crmio.Value{})}}},
		{"empty filter field", storage.Query{Where: []storage.Filter{filter("", storage.Eq, text("1"))}}},
		{"empty order field", storage.Query{Order: []storage.Order{{Field: ""}}}},
	}
	for _, tc := range tests {
		check := "invalid query: " + tc.name
		yields := 0
		var first error
		var firstRec crmio.Record
		for rec, err := range s.Scan(c.ctx, people, tc.q) {
			yields++
			if yields == 1 {
				first, firstRec = err, rec
			}
		}
		c.isErr(check, first, storage.ErrInvalidQuery, "Scan "+describeQuery(tc.q))
		if yields != 1 {
			c.errorf(check, "Scan %s yielded %d times, want the error once", describeQuery(tc.q), yields)
		}
		if first != nil && (firstRec.ID != "" || firstRec.Values != nil) {
			c.errorf(check, "Scan %s yielded its error with a non-zero record", describeQuery(tc.q))
		}
	}
}

// manyRecords returns n records keyed "k0", "k1", ….
func manyRecords(n int) []crmio.Record {
	recs := make([]crmio.Record, n)
	for i := range recs {
		recs[i] = crmio.Record{Values: vals{"key": text("k" + strconv.Itoa(i)), "i": crmio.IntValue(int64(i)), "v": num("0")}}
	}
	return recs
}

// manyCount is enough records to span the chunks or pages most stores
// read in.
const manyCount = 1100

func checkIteration(c *checker, s storage.Store) {
	f := c.load("setup", s, people, manyRecords(manyCount))
	if len(f.order) != manyCount {
		c.fatalf("every record once", "a zero Query yielded %d records, want %d", len(f.order), manyCount)
	}
	if n := c.count("empty module", s, "empty"); n != 0 {
		c.errorf("empty module", "Scan of a module without records yielded %d", n)
	}

	// Stopping early releases what the scan held.
	c.within("early stop", func() {
		for _, err := range s.Scan(c.ctx, people, storage.Query{}) {
			if err != nil {
				c.fatalf("early stop", "Scan: %v", err)
			}
			break
		}
		for _, err := range s.Scan(c.ctx, people, storage.Query{Order: []storage.Order{{Field: "i", Desc: true}}}) {
			if err != nil {
				c.fatalf("early stop", "Scan: %v", err)
			}
			break
		}
		if _, err := s.Insert(c.ctx, "other", records(vals{"key": text("after break")})); err != nil {
			c.errorf("early stop", "Insert after stopping a Scan early: %v", err)
		}
	})

	// The consumer may write to the store while it iterates, and read it
	// in a nested scan.
	c.within("write while scanning", func() {
		seen := 0
		for rec, err := range s.Scan(c.ctx, people, storage.Query{}) {
			if err != nil {
				c.fatalf("write while scanning", "Scan: %v", err)
			}
			if seen == 0 {
				if _, err := s.Insert(c.ctx, "other", records(vals{"key": text("during scan")})); err != nil {
					c.errorf("write while scanning", "Insert during a Scan: %v", err)
				}
				if n := c.count("write while scanning", s, "other"); n != 2 {
					c.errorf("write while scanning", "a nested Scan yielded %d records, want 2", n)
				}
			}
			if _, ok := f.keyOf[rec.ID]; !ok {
				continue
			}
			seen++
			rec.Values["v"] = num("1")
			if err := s.Update(c.ctx, people, []crmio.Record{rec}); err != nil {
				c.fatalf("write while scanning", "Update during a Scan: %v", err)
			}
		}
		if seen != manyCount {
			c.errorf("write while scanning", "a Scan whose consumer updates each record yielded %d of %d", seen, manyCount)
		}
	})
	updated := 0
	for _, r := range c.scanAll("write while scanning", s, people, storage.Query{Where: []storage.Filter{filter("v", storage.Eq, num("1"))}}) {
		if _, ok := f.keyOf[r.ID]; ok {
			updated++
		}
	}
	if updated != manyCount {
		c.errorf("write while scanning", "%d of %d records kept the update made during the Scan", updated, manyCount)
	}

	c.within("delete while scanning", func() {
		n := 0
		for rec, err := range s.Scan(c.ctx, people, storage.Query{Order: []storage.Order{{Field: "i"}}}) {
			if err != nil {
				c.fatalf("delete while scanning", "Scan: %v", err)
			}
			if n++; n%2 == 0 {
				if err := s.Delete(c.ctx, people, []string{rec.ID}); err != nil {
					c.fatalf("delete while scanning", "Delete during a Scan: %v", err)
				}
			}
		}
	})
	if n := c.count("delete while scanning", s, people); n != manyCount/2 {
		c.errorf("delete while scanning", "%d records left after deleting every other one during a Scan, want %d", n, manyCount/2)
	}
}

func checkCancellation(c *checker, s storage.Store) {
	f := c.load("setup", s, people, manyRecords(manyCount))
	ctx, cancel := context.WithCancel(c.ctx)
	cancel()
	id := f.idOf["k0"]

	_, err := s.Insert(ctx, people, records(vals{"key": text("cancelled")}))
	c.isErr("Insert", err, context.Canceled, "Insert with a cancelled context")
	if n := c.count("Insert", s, people); n != manyCount {
		c.errorf("Insert", "Insert with a cancelled context changed the count to %d", n)
	}
	err = s.Update(ctx, people, []crmio.Record{{ID: id, Values: vals{"key": text("changed")}}})
	c.isErr("Update", err, context.Canceled, "Update with a cancelled context")
	if got, ok := c.getOne("Update", s, people, id); ok && got.Get("key").Str() != "k0" {
		c.errorf("Update", "Update with a cancelled context changed the record")
	}
	err = s.Delete(ctx, people, []string{id})
	c.isErr("Delete", err, context.Canceled, "Delete with a cancelled context")
	c.getOne("Delete", s, people, id)
	_, err = s.Get(ctx, people, []string{id})
	c.isErr("Get", err, context.Canceled, "Get with a cancelled context")
	_, err = s.Lookup(ctx, people, "key", []string{"k0"})
	c.isErr("Lookup", err, context.Canceled, "Lookup with a cancelled context")
	for _, q := range []storage.Query{{}, {Order: []storage.Order{{Field: "i"}}}} {
		_, err = scan(ctx, s, people, q)
		c.isErr("Scan", err, context.Canceled, "Scan "+describeQuery(q)+" with a cancelled context")
	}

	// Cancelled in the middle: the scan ends with the context's error.
	for _, q := range []storage.Query{{}, {Order: []storage.Order{{Field: "i"}}}} {
		ctx, cancel := context.WithCancel(c.ctx)
		n := 0
		var last error
		for _, err := range s.Scan(ctx, people, q) {
			if err != nil {
				last = err
				break
			}
			if n++; n == 1 {
				cancel()
			}
		}
		cancel()
		switch {
		case last == nil:
			c.errorf("Scan cancelled midway", "Scan %s yielded all %d records after its context was cancelled at the first, and no error", describeQuery(q), n)
		case !errors.Is(last, context.Canceled):
			c.errorf("Scan cancelled midway", "Scan %s ended with %q, which does not wrap context.Canceled", describeQuery(q), last)
		}
	}
}
