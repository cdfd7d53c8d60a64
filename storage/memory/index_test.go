package memory

import (
	"context"
	"errors"
	"hash/maphash"
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
	indexAgainstBruteForce(t, 6)
	indexAgainstBruteForce(t, 300)
}

// The same with hashes that collide all the time: records must never be
// found by a key they do not have.
func TestIndexAgainstBruteForceCollisions(t *testing.T) {
	for name, h := range map[string]func(maphash.Seed, string) uint64{
		"by length": func(_ maphash.Seed, key string) uint64 { return uint64(len(key) % 3) },
		"constant":  func(maphash.Seed, string) uint64 { return 7 },
		// Distinct hashes (mostly) with the same low bits: every key has
		// the same home slot in the table, so entries are found down one
		// long probe chain, deleted from its middle, and moved while
		// colliding when the table grows or shrinks.
		"one slot": func(seed maphash.Seed, key string) uint64 { return maphash.String(seed, key) << 40 },
		// Distinct hashes with four home slots: chains run into each
		// other.
		"four slots": func(seed maphash.Seed, key string) uint64 {
			return maphash.String(seed, key)&^0xffffff | maphash.String(seed, key)&3
		},
		// Some keys share their whole hash, the others their home slot.
		"mixed": func(seed maphash.Seed, key string) uint64 {
			if len(key)%2 == 0 {
				return 1 << 40
			}
			return maphash.String(seed, key) << 40
		},
	} {
		t.Run(name, func(t *testing.T) {
			withHash(t, h)
			for _, distinct := range []int{6, 300} {
				maxTableSeen = 0
				indexAgainstBruteForce(t, distinct)
				// Unless hashes are few, many keys grow the table.
				if distinct > 100 && name != "by length" && name != "constant" && maxTableSeen < 64 {
					t.Errorf("%d distinct keys: the table grew to %d slots only", distinct, maxTableSeen)
				}
			}
		})
	}
}

// withHash makes the index hash keys with h until the test ends. Tests
// that call it must not run in parallel.
func withHash(t *testing.T, h func(maphash.Seed, string) uint64) {
	saved := hashKey
	hashKey = h
	t.Cleanup(func() { hashKey = saved })
}

// indexAgainstBruteForce draws emails among distinct values: a few, so
// that keys are shared and groups grow, shrink and come back, or many, so
// that the table of hashes grows and shrinks.
func indexAgainstBruteForce(t *testing.T, distinct int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	s := New()
	fields := []string{"email", "name", "tags"}
	value := func() (crmio.Value, bool) {
		switch rng.IntN(5) {
		case 0:
			return crmio.Value{}, false // absent
		case 1:
			return crmio.ListValue(
				crmio.Item{Label: "a", Value: crmio.EmailValue("U" + strconv.Itoa(rng.IntN(distinct)) + "@x.com")},
				crmio.Item{Label: "b", Value: crmio.EmailValue("u" + strconv.Itoa(rng.IntN(distinct)) + "@X.com")},
			), true
		default:
			return crmio.EmailValue("u" + strconv.Itoa(rng.IntN(distinct)) + "@x.com"), true
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

// maxTableSeen is the largest table of hashes checkInvariants has met.
var maxTableSeen int

func checkInvariants(t *testing.T, s *Store, fields []string) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &s.st
	m := st.modules["m"]
	alive, dead := 0, 0
	var live int64
	names := st.codec.syms.Names()
	values := map[uint64]map[string]crmio.Value{}
	for i, r := range m.order {
		id := formatIDs(r.seq-1, 1)[0]
		if i > 0 && m.order[i-1].seq >= r.seq {
			t.Errorf("order not sorted at %d", i)
		}
		if r.deleted {
			dead++
			if m.find(id) >= 0 {
				t.Errorf("deleted record %s still found", id)
			}
			continue
		}
		alive++
		live += int64(r.at.n)
		if m.find(id) != i {
			t.Errorf("live record %s not found", id)
		}
		values[r.seq] = decode(m.arena.bytes(r.at), names)
	}
	if dead != m.dead {
		t.Errorf("order has %d live and %d dead records; dead counter %d", alive, dead, m.dead)
	}
	if live != m.live {
		t.Errorf("live records use %d bytes; live counter %d", live, m.live)
	}
	for _, f := range fields {
		want := map[string][]string{}
		keysOf := map[uint64][]string{}
		for _, r := range m.order {
			if v, ok := values[r.seq][f]; ok && !r.deleted {
				keysOf[r.seq] = crmio.MatchKeys(v)
				for _, k := range keysOf[r.seq] {
					want[k] = append(want[k], formatIDs(r.seq-1, 1)[0])
				}
			}
		}
		idx := m.index[f]
		checkTable(t, &idx.hashes)
		if n := len(idx.hashes.slots); n > maxTableSeen {
			maxTableSeen = n
		}
		// Every key is found, with exactly its records.
		var keys []string
		for k := range want {
			keys = append(keys, k)
		}
		got := idx.lookup(st, m, append(keys, "absent key"))
		if len(got) != len(want) {
			t.Errorf("field %s: lookup found %d keys, want %d", f, len(got), len(want))
		}
		for k, ids := range want {
			if !slices.Equal(got[k], ids) {
				t.Errorf("field %s key %s: lookup %q, want %q", f, k, got[k], ids)
			}
		}
		// No stale entries, and the structure's own rules.
		for h, seq := range idx.hashes.all() {
			if _, ok := idx.many[h]; ok != (seq == shared) {
				t.Errorf("field %s: hash %x maps to %x in hashes, in many: %v", f, h, seq, ok)
			}
			if seq == shared {
				continue
			}
			if !slices.ContainsFunc(keysOf[seq], func(k string) bool { return hashKey(st.seed, k) == h }) {
				t.Errorf("field %s: hash %x points at record %d, which has no key of that hash", f, h, seq)
			}
		}
		for h, groups := range idx.many {
			if v, _ := idx.hashes.get(h); v != shared {
				t.Errorf("field %s: hash %x in many maps to %x in hashes", f, h, v)
			}
			if len(groups) == 0 || len(groups) == 1 && len(groups[0].seqs) == 1 {
				t.Errorf("field %s: hash %x has %d groups in many, which one should hold", f, h, len(groups))
			}
			for _, g := range groups {
				if hashKey(st.seed, g.key) != h {
					t.Errorf("field %s: key %q is under hash %x, not its own", f, g.key, h)
				}
				var ids []string
				for _, seq := range g.seqs {
					ids = append(ids, formatIDs(seq-1, 1)[0])
				}
				if !slices.Equal(ids, want[g.key]) {
					t.Errorf("field %s key %s: group %q, want %q", f, g.key, ids, want[g.key])
				}
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

// Two keys that share a hash are told apart, as records with them come and
// go and as one record holds both.
func TestIndexCollisions(t *testing.T) {
	withHash(t, func(maphash.Seed, string) uint64 { return 1 })
	ctx := context.Background()
	s := New()
	email := func(e string) map[string]crmio.Value { return map[string]crmio.Value{"email": crmio.EmailValue(e)} }
	lookup := func(keys ...string) map[string][]string {
		t.Helper()
		got, err := s.Lookup(ctx, "m", "email", keys)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	expect := func(what string, got map[string][]string, want map[string][]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: found %v, want %v", what, got, want)
			return
		}
		for k, ids := range want {
			if !slices.Equal(got[k], ids) {
				t.Errorf("%s: key %s: %q, want %q", what, k, got[k], ids)
			}
		}
	}
	ids, err := s.Insert(ctx, "m", []crmio.Record{{Values: email("a@x.com")}})
	if err != nil {
		t.Fatal(err)
	}
	a := ids[0]
	expect("one record", lookup("a@x.com", "b@x.com"), map[string][]string{"a@x.com": {a}})
	ids, _ = s.Insert(ctx, "m", []crmio.Record{{Values: email("B@x.com")}, {Values: email("a@x.com")}})
	b, a2 := ids[0], ids[1]
	expect("three records", lookup("a@x.com", "b@x.com", "c@x.com"), map[string][]string{"a@x.com": {a, a2}, "b@x.com": {b}})
	s.Delete(ctx, "m", []string{a, a2})
	expect("after deletes", lookup("a@x.com", "b@x.com"), map[string][]string{"b@x.com": {b}})
	// One record with two keys of the same hash; then it drops one.
	both := map[string]crmio.Value{"email": crmio.ListValue(
		crmio.Item{Value: crmio.EmailValue("c@x.com")}, crmio.Item{Value: crmio.EmailValue("d@x.com")})}
	if err := s.Update(ctx, "m", []crmio.Record{{ID: b, Values: both}}); err != nil {
		t.Fatal(err)
	}
	expect("two keys", lookup("b@x.com", "c@x.com", "d@x.com"), map[string][]string{"c@x.com": {b}, "d@x.com": {b}})
	s.Update(ctx, "m", []crmio.Record{{ID: b, Values: email("d@x.com")}})
	expect("one key left", lookup("c@x.com", "d@x.com"), map[string][]string{"d@x.com": {b}})
	checkInvariants(t, s, nil)
}
