package memory

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// TestIndexAgainstBruteForce runs random inserts, updates, deletes and
// transactions (committed and rolled back) and checks after each step that
// every index, the id map and the order slice agree with the records.
func TestIndexAgainstBruteForce(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	s := New()
	fields := []string{"email", "name", "tags"}
	// Few distinct values, so that keys are shared and postings grow,
	// shrink and come back.
	value := func() (crmio.Value, bool) {
		switch rng.IntN(5) {
		case 0:
			return crmio.Value{}, false // absent
		case 1:
			return crmio.ListValue(
				crmio.Item{Label: "a", Value: crmio.EmailValue("U" + strconv.Itoa(rng.IntN(6)) + "@x.com")},
				crmio.Item{Label: "b", Value: crmio.EmailValue("u" + strconv.Itoa(rng.IntN(6)) + "@X.com")},
			), true
		default:
			return crmio.EmailValue("u" + strconv.Itoa(rng.IntN(6)) + "@x.com"), true
		}
	}
	randomValues := func() map[string]crmio.Value {
		m := map[string]crmio.Value{}
		for _, f := range fields {
			if v, ok := value(); ok {
				m[f] = v
			}
		}
		return m
	}
	var live []string
	pick := func(n int) []string {
		var out []string
		for range n {
			if len(live) > 0 {
				out = append(out, live[rng.IntN(len(live))])
			}
		}
		return out
	}
	step := func(st storage.Store) error {
		switch rng.IntN(5) {
		case 0, 1:
			recs := make([]crmio.Record, 1+rng.IntN(4))
			for i := range recs {
				recs[i].Values = randomValues()
			}
			ids, err := st.Insert(ctx, "m", recs)
			live = append(live, ids...)
			return err
		case 2:
			var recs []crmio.Record
			for _, id := range pick(1 + rng.IntN(3)) {
				recs = append(recs, crmio.Record{ID: id, Values: randomValues()})
			}
			return st.Update(ctx, "m", recs)
		default:
			ids := pick(1 + rng.IntN(4))
			live = slices.DeleteFunc(live, func(id string) bool { return slices.Contains(ids, id) })
			return st.Delete(ctx, "m", ids)
		}
	}
	// Build the indexes early, so that every later step maintains them.
	s.Insert(ctx, "m", []crmio.Record{{Values: randomValues()}})
	for _, f := range fields {
		s.Lookup(ctx, "m", f, nil)
	}
	live = liveIDs(t, s)
	rollback := errors.New("rollback")
	for i := range 1500 {
		if rng.IntN(5) == 0 {
			saved := slices.Clone(live)
			fail := rng.IntN(2) == 0
			err := s.Atomic(ctx, func(tx storage.Store) error {
				for range 1 + rng.IntN(6) {
					if err := step(tx); err != nil {
						return err
					}
				}
				if fail {
					return rollback
				}
				return nil
			})
			if fail {
				live = saved
			} else if err != nil {
				t.Fatalf("step %d: Atomic: %v", i, err)
			}
		} else if err := step(s); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		checkInvariants(t, s, fields)
		if t.Failed() {
			t.Fatalf("after step %d", i)
		}
	}
}

func liveIDs(t *testing.T, s *Store) []string {
	var ids []string
	for r, err := range s.Scan(context.Background(), "m", storage.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func checkInvariants(t *testing.T, s *Store, fields []string) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.st.modules["m"]
	alive, dead := 0, 0
	for i, r := range m.order {
		if i > 0 && m.order[i-1].seq >= r.seq {
			t.Errorf("order not sorted at %d", i)
		}
		if r.deleted {
			dead++
			if m.find(r.id) != nil {
				t.Errorf("deleted record %s still found", r.id)
			}
			continue
		}
		alive++
		if m.find(r.id) != r {
			t.Errorf("live record %s not found", r.id)
		}
	}
	if dead != m.dead {
		t.Errorf("order has %d live and %d dead records; dead counter %d", alive, dead, m.dead)
	}
	for _, f := range fields {
		want := map[string][]string{}
		for _, r := range m.order {
			if v, ok := r.values[f]; ok && !r.deleted {
				for _, k := range crmio.MatchKeys(v) {
					want[k] = append(want[k], r.id)
				}
			}
		}
		idx := m.index[f]
		if len(idx) != len(want) {
			t.Errorf("field %s: index has %d keys, want %d", f, len(idx), len(want))
		}
		for k, ids := range want {
			p := idx[k]
			var got []string
			if p.more != nil {
				if len(p.more) < 2 {
					t.Errorf("field %s key %s: a list of %d", f, k, len(p.more))
				}
				for _, r := range p.more {
					got = append(got, r.id)
				}
			} else if p.one != nil {
				got = []string{p.one.id}
			}
			if !slices.Equal(got, ids) {
				t.Errorf("field %s key %s: index %q, want %q", f, k, got, ids)
			}
		}
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		seq  uint64
		want bool
	}{
		{"000000000001", 1, true},
		{"000000012345", 12345, true},
		{"1234567890123", 1234567890123, true},
		{formatIDs(1<<40, 1)[0], 1<<40 + 1, true},
		{"1", 0, false},
		{"0000000000001", 0, false}, // one zero too many
		{"000000000000", 0, false},
		{"00000000000x", 0, false},
		{"", 0, false},
		{"99999999999999999999999", 0, false}, // overflows
	} {
		seq, ok := parseID(tc.id)
		if ok != tc.want || ok && seq != tc.seq {
			t.Errorf("parseID(%q) = %d, %v; want %d, %v", tc.id, seq, ok, tc.seq, tc.want)
		}
	}
}
