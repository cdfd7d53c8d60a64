package dedupe

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/storage/memory"
)

// countingStore counts the calls a matcher makes, and the keys it asks for.
type countingStore struct {
	storage.Store
	mu         sync.Mutex
	lookups    map[string]int      // field → calls
	lookupKeys map[string][]string // field → keys of the last call
	gets       int
	gotIDs     []string
}

func counting(s storage.Store) *countingStore {
	return &countingStore{Store: s, lookups: map[string]int{}, lookupKeys: map[string][]string{}}
}

func (s *countingStore) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	s.mu.Lock()
	s.lookups[field]++
	s.lookupKeys[field] = slices.Clone(keys)
	s.mu.Unlock()
	return s.Store.Lookup(ctx, module, field, keys)
}

func (s *countingStore) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	s.mu.Lock()
	s.gets++
	s.gotIDs = slices.Clone(ids)
	s.mu.Unlock()
	return s.Store.Get(ctx, module, ids)
}

// failingStore fails every call.
type failingStore struct{ storage.Store }

var errStoreDown = errors.New("store down")

func (failingStore) Lookup(context.Context, string, string, []string) (map[string][]string, error) {
	return nil, errStoreDown
}

func (failingStore) Get(context.Context, string, []string) ([]crmio.Record, error) {
	return nil, errStoreDown
}

// rec builds a record of people from field, value pairs.
func rec(kv ...any) crmio.Record { return crmio.Record{Module: "people", Values: vals(kv...)} }

// insert stores recs in a new memory store and returns it with their ids.
func insert(t testing.TB, recs ...crmio.Record) (*memory.Store, []string) {
	t.Helper()
	store := memory.New()
	ids, err := store.Insert(context.Background(), "people", recs)
	if err != nil {
		t.Fatal(err)
	}
	return store, ids
}

// existingIDs returns the ids of the candidates of m.
func existingIDs(m Match) []string {
	var ids []string
	for _, c := range m.Existing {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestFieldMatcherExisting(t *testing.T) {
	store, id := insert(t,
		rec("first_name", crmio.TextValue("Ada"),
			"email", emails("Work", "ada@example.com", "Home", "ada@home.org"),
			"phone", phones("Mobile", "+14155550102")),
		rec("first_name", crmio.TextValue("Grace"),
			"email", emails("Work", "grace@navy.mil"),
			"phone", phones("Work", "+12125550100")),
		rec("first_name", crmio.TextValue("Ada (Acme)"),
			"email", crmio.EmailValue("ada@acme.com"),
			"phone", phones("Work", "+14155550102")),
		rec("first_name", crmio.TextValue("Alan"),
			"email", emails("Work", "alan@example.com")),
	)

	tests := []struct {
		name    string
		matcher FieldMatcher
		in      crmio.Record
		want    []string // indexes into id
	}{
		{"email differing in case and spaces",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", crmio.EmailValue(" ADA@Example.com ")), []string{id[0]}},
		{"any item of a multi-value field",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", emails("Other", "nobody@example.com", "Home", "Ada@Home.org")), []string{id[0]}},
		{"two items of the same record give one candidate",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", emails("", "ada@example.com", "", "ada@home.org")), []string{id[0]}},
		{"items of different records give several candidates",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", emails("", "alan@example.com", "", "ada@example.com")), []string{id[3], id[0]}},
		{"no match",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", crmio.EmailValue("nobody@example.com")), nil},
		{"phone in another format, several records in id order",
			FieldMatcher{Fields: []string{"phone"}},
			rec("phone", crmio.PhoneValue("(415) 555-0102")), []string{id[0], id[2]}},
		{"any: the record matching on more fields first",
			FieldMatcher{Fields: []string{"email", "phone"}},
			rec("email", crmio.EmailValue("ada@acme.com"), "phone", crmio.PhoneValue("415-555-0102")),
			[]string{id[2], id[0]}},
		{"any: a match on one field is enough",
			FieldMatcher{Fields: []string{"email", "phone"}},
			rec("email", crmio.EmailValue("grace@navy.mil"), "phone", crmio.PhoneValue("+33 1 23 45 67 89")),
			[]string{id[1]}},
		{"all: only records matching on every field",
			FieldMatcher{Fields: []string{"email", "phone"}, All: true},
			rec("email", crmio.EmailValue("ada@acme.com"), "phone", crmio.PhoneValue("415-555-0102")),
			[]string{id[2]}},
		{"all: a different phone is no match",
			FieldMatcher{Fields: []string{"email", "phone"}, All: true},
			rec("email", crmio.EmailValue("grace@navy.mil"), "phone", crmio.PhoneValue("+33 1 23 45 67 89")),
			nil},
		{"all: a record without a phone never matches",
			FieldMatcher{Fields: []string{"email", "phone"}, All: true},
			rec("email", crmio.EmailValue("alan@example.com")), nil},
		{"no value on the match field",
			FieldMatcher{Fields: []string{"email"}},
			rec("email", crmio.EmailValue("  "), "phone", crmio.PhoneValue("+14155550102")), nil},
		{"a field nobody has",
			FieldMatcher{Fields: []string{"fax"}},
			rec("fax", crmio.PhoneValue("+14155550102")), nil},
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
				t.Errorf("candidates = %v, want %v", ids, tt.want)
			}
			for _, c := range got[0].Existing {
				if c.Score != 1 {
					t.Errorf("candidate %s has score %v, want 1", c.ID, c.Score)
				}
			}
			if got[0].Earlier != -1 {
				t.Errorf("Earlier = %d, want -1", got[0].Earlier)
			}
		})
	}
}

func TestFieldMatcherEarlier(t *testing.T) {
	email, phone := crmio.EmailValue, crmio.PhoneValue
	tests := []struct {
		name    string
		matcher FieldMatcher
		batch   []crmio.Record
		want    []int
	}{
		{
			name:    "any",
			matcher: FieldMatcher{Fields: []string{"email", "phone"}},
			batch: []crmio.Record{
				rec("email", email("x@new.com")),
				rec("email", email("X@NEW.com")),                                 // 0 by email
				rec("phone", phone("+14155550102")),                              // new
				rec("email", email("y@new.com"), "phone", phone("415.555.0102")), // 2 by phone
				rec("first_name", crmio.TextValue("no keys")),
				rec("first_name", crmio.TextValue("no keys")),                       // no key never matches
				rec("email", email("x@new.com"), "phone", phone("4155550102")),      // 0 and 2: the first, 0
				rec("phone", email("x@new.com")),                                    // the same key on another field
				rec("email", emails("", "z@new.com", "", "y@NEW.com")),              // 3 by an item
				rec("email", email("y@new.com"), "phone", phone("+1 415 555 0102")), // 3 and 2: the first, 2
			},
			want: []int{-1, 0, -1, 2, -1, -1, 0, -1, 3, 2},
		},
		{
			name:    "all",
			matcher: FieldMatcher{Fields: []string{"email", "phone"}, All: true},
			batch: []crmio.Record{
				rec("email", email("e1@x.com"), "phone", phone("+14155550101")),
				rec("email", email("e1@x.com"), "phone", phone("+14155550102")),                                                  // same email, other phone
				rec("email", email("E1@x.com"), "phone", phone("415 555 0102")),                                                  // 1 on both
				rec("email", email("e1@x.com")),                                                                                  // no phone: never
				rec("email", email("e2@x.com"), "phone", phone("+14155550101")),                                                  // same phone, other email
				rec("email", email("e1@x.com"), "phone", phone("+14155550101")),                                                  // 0 on both
				rec("email", emails("", "e3@x.com", "", "e1@x.com"), "phone", phones("", "+1 999 555 0000", "", "+14155550102")), // 1 by items
			},
			want: []int{-1, -1, 1, -1, -1, 0, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.matcher.Match(context.Background(), memory.New(), "people", tt.batch)
			if err != nil {
				t.Fatal(err)
			}
			var earlier []int
			for _, m := range got {
				earlier = append(earlier, m.Earlier)
				if len(m.Existing) != 0 {
					t.Errorf("an empty store gave candidates %v", m.Existing)
				}
			}
			if !slices.Equal(earlier, tt.want) {
				t.Errorf("Earlier = %v\n    want %v", earlier, tt.want)
			}
		})
	}
}

func TestFieldMatcherEarlierAndExisting(t *testing.T) {
	store, id := insert(t, rec("email", crmio.EmailValue("ada@example.com")))
	batch := []crmio.Record{
		rec("email", crmio.EmailValue("Ada@Example.com")),
		rec("email", crmio.EmailValue("ada@example.com")),
	}
	got, err := FieldMatcher{Fields: []string{"email"}}.Match(context.Background(), store, "people", batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{-1, 0} {
		if ids := existingIDs(got[i]); !slices.Equal(ids, []string{id[0]}) || got[i].Earlier != want {
			t.Errorf("record %d: candidates %v, Earlier %d; want [%s], %d", i, ids, got[i].Earlier, id[0], want)
		}
	}
}

func TestFieldMatcherOneLookupPerFieldPerBatch(t *testing.T) {
	var stored []crmio.Record
	for i := range 200 {
		stored = append(stored, rec(
			"email", crmio.EmailValue(fmt.Sprintf("user%d@example.com", i)),
			"phone", crmio.PhoneValue(fmt.Sprintf("+1415555%04d", i))))
	}
	mem, _ := insert(t, stored...)

	// 100 records, each key twice in the batch, in two forms.
	var batch []crmio.Record
	for i := range 100 {
		batch = append(batch, rec(
			"email", emails("", fmt.Sprintf("USER%d@example.com", i/2), "", fmt.Sprintf("new%d@example.com", i/2)),
			"phone", crmio.PhoneValue(fmt.Sprintf("(415) 555-%04d", i/2))))
	}
	for _, all := range []bool{false, true} {
		store := counting(mem)
		m := FieldMatcher{Fields: []string{"email", "phone", "fax"}, All: all}
		if all {
			m.Fields = m.Fields[:2]
		}
		got, err := m.Match(context.Background(), store, "people", batch)
		if err != nil {
			t.Fatal(err)
		}
		if store.lookups["email"] != 1 || store.lookups["phone"] != 1 || store.lookups["fax"] != 0 || store.gets != 0 {
			t.Errorf("All=%v: lookups %v and %d gets, want one lookup of email and of phone, none of fax, no get",
				all, store.lookups, store.gets)
		}
		if n := len(store.lookupKeys["email"]); n != 100 {
			t.Errorf("All=%v: looked up %d email keys, want the 100 distinct ones", all, n)
		}
		if n := len(store.lookupKeys["phone"]); n != 50 {
			t.Errorf("All=%v: looked up %d phone keys, want the 50 distinct ones", all, n)
		}
		if want := "user0@example.com"; store.lookupKeys["email"][0] != want {
			t.Errorf("All=%v: first key looked up %q, want %q (batch order, canonical)", all, store.lookupKeys["email"][0], want)
		}
		for i, m := range got {
			if len(m.Existing) != 1 {
				t.Errorf("All=%v: record %d has %d candidates, want 1", all, i, len(m.Existing))
			}
			if want := map[bool]int{true: i - 1, false: -1}[i%2 == 1]; m.Earlier != want {
				t.Errorf("All=%v: record %d: Earlier = %d, want %d", all, i, m.Earlier, want)
			}
		}
	}
}

func TestFieldMatcherAllNarrowsLookups(t *testing.T) {
	mem, id := insert(t,
		rec("email", crmio.EmailValue("ada@example.com"), "phone", crmio.PhoneValue("+14155550102")),
		rec("email", crmio.EmailValue("grace@navy.mil"), "phone", crmio.PhoneValue("+12125550100")),
	)
	m := FieldMatcher{Fields: []string{"email", "phone"}, All: true}

	store := counting(mem)
	got, err := m.Match(context.Background(), store, "people", []crmio.Record{
		rec("email", crmio.EmailValue("new@example.com"), "phone", crmio.PhoneValue("+13105550000")),
		rec("email", crmio.EmailValue("Ada@example.com"), "phone", crmio.PhoneValue("(415) 555-0102")),
		rec("email", crmio.EmailValue("grace@navy.mil"), "phone", crmio.PhoneValue("+33123456789")),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only the records whose email matched have their phone looked up.
	if want := []string{"+14155550102", "+33123456789"}; !slices.Equal(store.lookupKeys["phone"], want) {
		t.Errorf("phone keys looked up %v, want %v", store.lookupKeys["phone"], want)
	}
	for i, want := range [][]string{nil, {id[0]}, nil} {
		if ids := existingIDs(got[i]); !slices.Equal(ids, want) {
			t.Errorf("record %d: candidates %v, want %v", i, ids, want)
		}
	}

	// No email matches: the phones are not looked up at all.
	store = counting(mem)
	if _, err := m.Match(context.Background(), store, "people", []crmio.Record{
		rec("email", crmio.EmailValue("new@example.com"), "phone", crmio.PhoneValue("+14155550102")),
	}); err != nil {
		t.Fatal(err)
	}
	if store.lookups["email"] != 1 || store.lookups["phone"] != 0 {
		t.Errorf("lookups %v, want email only", store.lookups)
	}
}

func TestFieldMatcherNoCallsWithoutKeys(t *testing.T) {
	store := counting(memory.New())
	for _, batch := range [][]crmio.Record{nil, {rec("first_name", crmio.TextValue("Ada"))}} {
		got, err := FieldMatcher{Fields: []string{"email"}}.Match(context.Background(), store, "people", batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(batch) {
			t.Errorf("got %d matches for %d records", len(got), len(batch))
		}
	}
	if len(store.lookups) != 0 {
		t.Errorf("lookups %v for batches without keys", store.lookups)
	}
}

func TestFieldMatcherErrors(t *testing.T) {
	batch := []crmio.Record{rec("email", crmio.EmailValue("ada@example.com"))}
	_, err := FieldMatcher{}.Match(context.Background(), memory.New(), "people", batch)
	if !errors.Is(err, ErrNoMatchFields) {
		t.Errorf("no fields: err = %v, want ErrNoMatchFields", err)
	}
	_, err = FieldMatcher{Fields: []string{"email"}}.Match(context.Background(), failingStore{}, "people", batch)
	if !errors.Is(err, errStoreDown) {
		t.Errorf("failing store: err = %v, want it wrapped", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = FieldMatcher{Fields: []string{"email"}}.Match(ctx, memory.New(), "people", batch)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestFieldMatcherManyCandidates(t *testing.T) {
	// One shared phone number on many records: the candidate set indexes
	// itself, and every record is a candidate once, in id order.
	var stored []crmio.Record
	for i := range 3 * indexAbove {
		stored = append(stored, rec(
			"email", crmio.EmailValue("u"+strconv.Itoa(i)+"@example.com"),
			"phone", crmio.PhoneValue("+14155550100")))
	}
	store, id := insert(t, stored...)
	in := rec("email", crmio.EmailValue("u40@example.com"), "phone", phones("", "+14155550100", "", "415-555-0100"))
	for _, all := range []bool{false, true} {
		got, err := FieldMatcher{Fields: []string{"phone", "email"}, All: all}.Match(context.Background(), store, "people", []crmio.Record{in})
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{id[40]}, slices.Delete(slices.Clone(id), 40, 41)...)
		if all {
			want = want[:1]
		}
		if ids := existingIDs(got[0]); !slices.Equal(ids, want) {
			t.Errorf("All=%v: candidates %v, want %v", all, ids, want)
		}
	}
}

var _ Matcher = FieldMatcher{}

// FuzzFieldMatcher checks the matcher against a brute-force reading of its
// rules, for any emails and phones: the candidates are exactly the stored
// records sharing a key on some field (Any) or on every field (All), and
// Earlier is the first earlier record of the batch that does.
func FuzzFieldMatcher(f *testing.F) {
	f.Add("ada@example.com", "(415) 555-0102", "ADA@example.com", "+14155550102", "x", "", false)
	f.Add("a@b", "4155550102", "a@b", "415 555 0102 ext 9", "a@b", "+1 415 555 0102", true)
	f.Add("", "", " ", "\xff", "İ", "00", false)
	f.Fuzz(func(t *testing.T, e1, p1, e2, p2, e3, p3 string, all bool) {
		emailsIn, phonesIn := []string{e1, e2, e3}, []string{p1, p2, p3}
		// Stored: the three pairs, and their crossings. Batch: the same,
		// in other combinations and shapes.
		var stored, batch []crmio.Record
		for i := range 3 {
			stored = append(stored, rec("email", crmio.EmailValue(emailsIn[i]), "phone", crmio.PhoneValue(phonesIn[(i+1)%3])))
			batch = append(batch,
				rec("email", crmio.EmailValue(emailsIn[i]), "phone", crmio.PhoneValue(phonesIn[i])),
				rec("email", emails("", emailsIn[(i+2)%3], "", emailsIn[i]), "phone", phones("", phonesIn[(i+1)%3])))
		}
		store, ids := insert(t, stored...)
		fields := []string{"email", "phone"}
		m := FieldMatcher{Fields: fields, All: all}
		got, err := m.Match(context.Background(), store, "people", batch)
		if err != nil {
			t.Fatal(err)
		}
		// Keys computed ahead give the same matches.
		keys := make([]Keys, len(batch))
		for i, r := range batch {
			keys[i] = m.Keys(r)
		}
		if keyed, err := m.MatchKeyed(context.Background(), store, "people", batch, keys); err != nil || !reflect.DeepEqual(keyed, got) {
			t.Errorf("MatchKeyed = %v, %v; Match = %v", keyed, err, got)
		}
		same := func(a, b crmio.Record) bool {
			n := 0
			for _, f := range fields {
				if sharesKey(crmio.MatchKeys(a.Get(f)), crmio.MatchKeys(b.Get(f))) {
					n++
				}
			}
			return n == len(fields) || (n > 0 && !all)
		}
		for i, r := range batch {
			var want []string
			for s, st := range stored {
				if same(r, st) {
					want = append(want, ids[s])
				}
			}
			have := existingIDs(got[i])
			slices.Sort(have)
			if !slices.Equal(have, want) {
				t.Errorf("record %d: candidates %v, want %v", i, have, want)
			}
			earlier := -1
			for j := range i {
				if same(r, batch[j]) {
					earlier = j
					break
				}
			}
			if got[i].Earlier != earlier {
				t.Errorf("record %d: Earlier = %d, want %d", i, got[i].Earlier, earlier)
			}
		}
	})
}

// TestMatchKeyedErrors checks that keys that do not fit the batch or the
// matcher are refused rather than misread.
func TestMatchKeyedErrors(t *testing.T) {
	store, _ := insert(t, rec("email", crmio.EmailValue("a@example.com")))
	m := FieldMatcher{Fields: []string{"email", "phone"}}
	batch := []crmio.Record{rec("email", crmio.EmailValue("a@example.com"))}
	if _, err := m.MatchKeyed(context.Background(), store, "people", batch, nil); err == nil {
		t.Error("MatchKeyed with no keys for a record of the batch: no error")
	}
	other := FieldMatcher{Fields: []string{"email"}}
	if _, err := m.MatchKeyed(context.Background(), store, "people", batch, []Keys{other.Keys(batch[0])}); err == nil {
		t.Error("MatchKeyed with keys of a matcher on other fields: no error")
	}
	got, err := m.MatchKeyed(context.Background(), store, "people", batch, []Keys{m.Keys(batch[0])})
	if err != nil || len(got) != 1 || len(got[0].Existing) != 1 {
		t.Errorf("MatchKeyed = %v, %v; want the stored record", got, err)
	}
}
