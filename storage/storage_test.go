package storage_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

var (
	text  = crmio.TextValue
	num   = func(s string) crmio.Value { return crmio.NumberValue(crmio.MustDecimal(s)) }
	email = crmio.EmailValue
	phone = crmio.PhoneValue
)

func rec(kv ...any) crmio.Record {
	r := crmio.Record{Values: map[string]crmio.Value{}}
	for i := 0; i < len(kv); i += 2 {
		r.Values[kv[i].(string)] = kv[i+1].(crmio.Value)
	}
	return r
}

func date(y, m, d int) crmio.Value { return crmio.DateValue(crmio.NewDate(y, time.Month(m), d)) }

// TestFilterMatch checks the reference semantics of filters: match keys
// for = and != (case, spacing, the digits of a number, the form of a
// phone number), contains on the text key, ordered comparisons within one
// kind, lists by any item, and a record without the field.
func TestFilterMatch(t *testing.T) {
	r := rec("name", text("  Ada   LOVELACE "), "email", crmio.ListValue(crmio.Item{Label: "work", Value: email("Ada@Example.com")}, crmio.Item{Label: "home", Value: email("ada@home.example")}),
		"n", num("1.50"), "born", date(1815, 12, 10), "tel", phone("(415) 555-0100"), "vip", crmio.BoolValue(true))
	tests := []struct {
		f    storage.Filter
		want bool
	}{
		{storage.Filter{Field: "name", Op: storage.Eq, Value: text("ada lovelace")}, true},
		{storage.Filter{Field: "name", Op: storage.Ne, Value: text("ada lovelace")}, false},
		{storage.Filter{Field: "email", Op: storage.Eq, Value: email("ADA@HOME.EXAMPLE")}, true},
		{storage.Filter{Field: "n", Op: storage.Eq, Value: num("1.5")}, true},
		{storage.Filter{Field: "tel", Op: storage.Eq, Value: phone("+14155550100")}, true},
		{storage.Filter{Field: "name", Op: storage.Contains, Value: text("LOVE")}, true},
		{storage.Filter{Field: "name", Op: storage.Contains, Value: text("byron")}, false},
		{storage.Filter{Field: "n", Op: storage.Lt, Value: num("2")}, true},
		{storage.Filter{Field: "n", Op: storage.Ge, Value: num("1.5")}, true},
		{storage.Filter{Field: "n", Op: storage.Gt, Value: num("10")}, false},
		{storage.Filter{Field: "born", Op: storage.Lt, Value: date(1900, 1, 1)}, true},
		// Values of another kind never compare in order.
		{storage.Filter{Field: "n", Op: storage.Lt, Value: date(1900, 1, 1)}, false},
		{storage.Filter{Field: "vip", Op: storage.Gt, Value: crmio.BoolValue(false)}, true},
		// A record without the field satisfies only !=.
		{storage.Filter{Field: "missing", Op: storage.Eq, Value: text("x")}, false},
		{storage.Filter{Field: "missing", Op: storage.Ne, Value: text("x")}, true},
		{storage.Filter{Field: "missing", Op: storage.Lt, Value: num("1")}, false},
	}
	for _, tt := range tests {
		if got := tt.f.Match(r); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.f, got, tt.want)
		}
	}
}

// TestSortKeyOrder checks that sort keys order numbers numerically (with
// negatives, fractions and exponents), dates in time, and keep classes
// apart.
func TestSortKeyOrder(t *testing.T) {
	numbers := []string{"-1000", "-10.5", "-10", "-1.23", "-1.2", "-0.001", "0", "0.001", "0.5", "1", "1.5", "9.99", "10", "10.01", "1e3", "12345678901234567890"}
	keys := make([]string, len(numbers))
	for i, n := range numbers {
		keys[i] = storage.SortKey(num(n))
	}
	if !sort.StringsAreSorted(keys) {
		t.Errorf("number sort keys out of order: %q", keys)
	}
	if storage.SortKey(num("1.50")) != storage.SortKey(num("1.5")) {
		t.Errorf("1.50 and 1.5 have different sort keys")
	}
	dates := []crmio.Value{date(1815, 12, 10), date(1906, 12, 9), date(2024, 1, 31), date(2024, 2, 1)}
	for i := 1; i < len(dates); i++ {
		if storage.SortKey(dates[i-1]) >= storage.SortKey(dates[i]) {
			t.Errorf("dates out of order: %v, %v", dates[i-1], dates[i])
		}
	}
	classes := map[byte]crmio.Value{'n': num("1"), 'd': date(2024, 1, 1), 's': text("a"), 'b': crmio.BoolValue(true)}
	for c, v := range classes {
		if k := storage.SortKey(v); k[0] != c {
			t.Errorf("SortKey(%v) = %q, want class %q", v, k, c)
		}
	}
	if k := storage.SortKey(crmio.AddressValue(crmio.Address{City: "Oslo"})); k != "" {
		t.Errorf("an address has sort key %q, want none", k)
	}
}

// TestQueryCompare checks the order of a query: by each order field in
// turn, descending where asked, records without the field last either way.
func TestQueryCompare(t *testing.T) {
	recs := []crmio.Record{
		rec("k", text("a"), "n", num("2")), rec("k", text("b"), "n", num("1")), rec("k", text("c")),
		rec("k", text("d"), "n", num("1")),
	}
	ids := func(rs []crmio.Record) string {
		var s string
		for _, r := range rs {
			s += r.Get("k").Str()
		}
		return s
	}
	for _, tt := range []struct {
		order []storage.Order
		want  string
	}{
		{[]storage.Order{{Field: "n"}}, "bdac"},
		{[]storage.Order{{Field: "n", Desc: true}}, "abdc"},
		{[]storage.Order{{Field: "n"}, {Field: "k", Desc: true}}, "dbac"},
	} {
		q := storage.Query{Order: tt.order}
		got := slices.Clone(recs)
		slices.SortStableFunc(got, q.Compare)
		if ids(got) != tt.want {
			t.Errorf("order %+v: %s, want %s", tt.order, ids(got), tt.want)
		}
	}
}

// TestScopeExact checks the scope's exact comparison beside the filter's
// folding one, its Narrowing, Defaults, And and Check.
func TestScopeExact(t *testing.T) {
	sc := &storage.Scope{Name: "alice", Where: []storage.Filter{
		{Field: "owner", Op: storage.Eq, Value: text("alice")},
		{Field: "team", Op: storage.Ne, Value: text("Ops")},
	}}
	for _, tt := range []struct {
		r    crmio.Record
		want bool
	}{
		{rec("owner", text("alice")), true},
		{rec("owner", text("Alice")), false},
		{rec("owner", text(" alice")), false},
		{rec("owner", text("ａｌｉｃｅ")), false},
		{rec("owner", text("alice"), "team", text("ops")), true}, // "ops" is not exactly "Ops"
		{rec("owner", text("alice"), "team", text("Ops")), false},
		{rec("team", text("Sales")), false},
	} {
		if got := sc.Visible(tt.r); got != tt.want {
			t.Errorf("Visible(%v) = %v, want %v", tt.r.Values, got, tt.want)
		}
	}
	if n := sc.Narrowing(); len(n) != 1 || n[0].Field != "owner" {
		t.Errorf("Narrowing = %+v, want the = filter only", n)
	}
	if d := sc.Defaults(); len(d) != 1 || d["owner"].Str() != "alice" {
		t.Errorf("Defaults = %v", d)
	}
	var none *storage.Scope
	if !none.Visible(rec()) || none.And(nil) != nil || none.And(sc) != sc || sc.And(nil) != sc {
		t.Errorf("a nil scope sees everything, and And of nil is the other")
	}
	both := sc.And(&storage.Scope{Name: "emea", Where: []storage.Filter{{Field: "region", Op: storage.Eq, Value: text("EMEA")}}})
	if len(both.Where) != 3 || both.Name != "alice and emea" || both.Visible(rec("owner", text("alice"))) {
		t.Errorf("And = %+v", both)
	}
	m := &crmio.Module{Name: "people", Fields: []crmio.Field{{Name: "owner", Type: crmio.TypeText}, {Name: "team", Type: crmio.TypeText}}}
	if err := sc.Check(m); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := both.Check(m); !errors.Is(err, crmio.ErrUnknownField) {
		t.Errorf("Check of a scope on a field the module lacks = %v, want ErrUnknownField", err)
	}
	bad := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: "like", Value: text("a%")}}}
	if err := bad.Check(m); !errors.Is(err, storage.ErrInvalidQuery) {
		t.Errorf("Check of an unknown operator = %v, want ErrInvalidQuery", err)
	}
}

// TestPushdown checks how a scope splits for a store that filters by
// match keys: = filters narrow, the limit moves to Keep, the scope's
// fields join a selection and Keep takes them out again.
func TestPushdown(t *testing.T) {
	q := storage.Query{
		Where:  []storage.Filter{{Field: "n", Op: storage.Gt, Value: num("1")}},
		Fields: []string{"name"},
		Limit:  2,
		Scope:  &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: text("alice")}, {Field: "team", Op: storage.Ne, Value: text("x")}}},
	}
	p := q.Pushdown()
	if p.DB.Scope != nil || p.DB.Limit != 0 || len(p.DB.Where) != 2 || !slices.Equal(p.DB.Fields, []string{"name", "owner", "team"}) {
		t.Fatalf("DB = %+v", p.DB)
	}
	in := []crmio.Record{
		rec("name", text("A"), "owner", text("Alice")), // narrowed in by match key, out exactly
		rec("name", text("B"), "owner", text("alice")),
		rec("name", text("C"), "owner", text("alice")),
		rec("name", text("D"), "owner", text("alice")),
	}
	var got []string
	for _, r := range in {
		out, keep, more := p.Keep(r)
		if keep {
			if len(out.Values) != 1 {
				t.Errorf("Keep returned %v, want the selected field only", out.Values)
			}
			got = append(got, out.Get("name").Str())
		}
		if !more {
			break
		}
	}
	if !slices.Equal(got, []string{"B", "C"}) {
		t.Errorf("kept %v, want B and C (the limit of 2, counted inside the scope)", got)
	}
	// Without a scope, the query goes down whole.
	plain := storage.Query{Limit: 3}.Pushdown()
	if plain.DB.Limit != 3 {
		t.Errorf("a query without scope lost its limit: %+v", plain.DB)
	}
}

// TestScoped checks the Store that sees only a scope: reads omit what is
// outside, writes refuse it, deletes ignore it.
func TestScoped(t *testing.T) {
	ctx := context.Background()
	base := memory.New()
	ids, err := base.Insert(ctx, "people", []crmio.Record{
		rec("owner", text("alice"), "email", email("a@example.com")),
		rec("owner", text("bob"), "email", email("a@example.com")),
		rec("owner", text("Alice"), "email", email("b@example.com")),
	})
	if err != nil {
		t.Fatal(err)
	}
	alice := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: text("alice")}}}
	s := storage.Scoped(base, func(module string) *storage.Scope {
		if module == "people" {
			return alice
		}
		return nil
	})
	got, err := s.Get(ctx, "people", ids)
	if err != nil || len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("Get = %v, %v; want alice's record only", got, err)
	}
	found, err := s.Lookup(ctx, "people", "email", []string{"a@example.com", "b@example.com"})
	if err != nil || !slices.Equal(found["a@example.com"], []string{ids[0]}) || len(found["b@example.com"]) != 0 {
		t.Errorf("Lookup = %v, %v; want alice's id for a@, nothing for b@", found, err)
	}
	n := 0
	for r, err := range s.Scan(ctx, "people", storage.Query{}) {
		if err != nil || r.ID != ids[0] {
			t.Errorf("Scan yielded %v, %v", r.ID, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("Scan yielded %d records, want 1", n)
	}
	bobs := rec("owner", text("alice"))
	bobs.ID = ids[1]
	if err := s.Update(ctx, "people", []crmio.Record{bobs}); !errors.Is(err, crmio.ErrNotFound) {
		t.Errorf("Update of bob's record = %v, want ErrNotFound (not revealed)", err)
	}
	moved := rec("owner", text("bob"))
	moved.ID = ids[0]
	if err := s.Update(ctx, "people", []crmio.Record{moved}); !errors.Is(err, crmio.ErrOutOfScope) {
		t.Errorf("Update moving alice's record out = %v, want ErrOutOfScope", err)
	}
	if _, err := s.Insert(ctx, "people", []crmio.Record{rec("owner", text("bob"))}); !errors.Is(err, crmio.ErrOutOfScope) {
		t.Errorf("Insert of a record outside = %v, want ErrOutOfScope", err)
	}
	if err := s.Delete(ctx, "people", ids); err != nil {
		t.Fatal(err)
	}
	left, _ := base.Get(ctx, "people", ids)
	if len(left) != 2 {
		t.Errorf("Delete through the scope left %d of 3, want bob's and Alice's", len(left))
	}
	// Another module, without a scope, is the store's.
	if _, err := s.Insert(ctx, "accounts", []crmio.Record{rec("name", text("Acme"))}); err != nil {
		t.Errorf("Insert into a module without scope: %v", err)
	}
}

// TestUpdateJobFunc checks the read-change-write of jobs: a writer that
// loses a race reads again, an error of change writes nothing.
func TestUpdateJobFunc(t *testing.T) {
	ctx := context.Background()
	h := memory.New()
	id, err := h.CreateJob(ctx, storage.Job{Module: "people", Status: storage.JobRunning})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				if _, err := storage.UpdateJobFunc(ctx, h, id, func(j *storage.Job) error { j.Counts.Read++; return nil }); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	job, _ := h.Job(ctx, id)
	if job.Counts.Read != 200 || job.Version != 201 {
		t.Errorf("after 200 updates: Read %d, version %d; want 200, 201", job.Counts.Read, job.Version)
	}
	stop := errors.New("no")
	if _, err := storage.UpdateJobFunc(ctx, h, id, func(j *storage.Job) error { j.Counts.Read = 0; return stop }); !errors.Is(err, stop) {
		t.Errorf("an error of change: %v", err)
	}
	if job, _ := h.Job(ctx, id); job.Counts.Read != 200 {
		t.Errorf("an update whose change failed wrote Read %d", job.Counts.Read)
	}
}

// TestJobStatus checks the job vocabulary.
func TestJobStatus(t *testing.T) {
	for _, tt := range []struct {
		s                       storage.JobStatus
		active, done, resumable bool
	}{
		{storage.JobQueued, true, false, true},
		{storage.JobRunning, true, false, false},
		{storage.JobCompleted, false, true, false},
		{storage.JobFailed, false, true, true},
		{storage.JobCancelled, false, true, true},
		{storage.JobInterrupted, false, true, true},
		{storage.JobRolledBack, false, true, false},
	} {
		if tt.s.Active() != tt.active || tt.s.Done() != tt.done || tt.s.Resumable() != tt.resumable {
			t.Errorf("%s: active %v done %v resumable %v", tt.s, tt.s.Active(), tt.s.Done(), tt.s.Resumable())
		}
	}
}
