package crmio

import "testing"

// An arena's values are those of ListValue and AddressValue, and stay so
// while the arena makes more: no value shares memory another can change.
func TestArena(t *testing.T) {
	var a Arena
	var lists, addrs []Value
	var wantLists, wantAddrs []Value
	for i := range 2_000 { // several blocks of each
		items := []Item{
			{Label: "work", Value: EmailValue(string(rune('a'+i%26)) + "@example.com")},
			{Value: Value{}}, // null: dropped
			{Label: "home", Value: ListValue(Item{Value: PhoneValue("+1415555" + string(rune('0'+i%10)))})}, // flattened
		}
		lists = append(lists, a.List(items...))
		wantLists = append(wantLists, ListValue(items...))
		addr := Address{Street: string(rune('A' + i%26)), City: "Paris", Zip: "7500" + string(rune('0'+i%10))}
		addrs = append(addrs, a.Address(addr))
		wantAddrs = append(wantAddrs, AddressValue(addr))
	}
	long := make([]Item, arenaMaxList+1)
	for i := range long {
		long[i] = Item{Value: TextValue("x")}
	}
	lists = append(lists, a.List(long...), a.List(), a.List(Item{}))
	wantLists = append(wantLists, ListValue(long...), ListValue(), ListValue(Item{}))
	for i := range lists {
		if !lists[i].Equal(wantLists[i]) || len(lists[i].List()) != len(wantLists[i].List()) {
			t.Fatalf("list %d: %v, want %v", i, lists[i], wantLists[i])
		}
		// A list's items cannot grow into its neighbour's.
		if it := lists[i].List(); cap(it) != len(it) {
			t.Fatalf("list %d: cap %d over its %d items", i, cap(it), len(it))
		}
	}
	for i := range addrs {
		got, ok := addrs[i].Address()
		want, _ := wantAddrs[i].Address()
		if !ok || got != want || !addrs[i].Equal(wantAddrs[i]) || hashValue(0, addrs[i]) != hashValue(0, wantAddrs[i]) {
			t.Fatalf("address %d: %+v, want %+v", i, got, want)
		}
	}
	var none *Arena
	if v := none.List(Item{Value: TextValue("x")}); !v.Equal(ListValue(Item{Value: TextValue("x")})) {
		t.Errorf("nil arena list: %v", v)
	}
	if v := none.Address(Address{City: "Oslo"}); !v.Equal(AddressValue(Address{City: "Oslo"})) {
		t.Errorf("nil arena address: %v", v)
	}
}

// An arena's strings are string(b), unchanged by what the arena or the
// caller writes afterwards.
func TestArenaString(t *testing.T) {
	var a Arena
	var got, want []string
	buf := make([]byte, 0, 2*arenaMaxStr)
	for i := range 3_000 { // several blocks
		buf = append(buf[:0], "+1415555"...)
		for range i % (2 * arenaMaxStr) {
			buf = append(buf, byte('0'+i%10))
		}
		got = append(got, a.String(buf))
		want = append(want, string(buf))
		buf[0] = 'X' // the caller's bytes change; the string must not
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d: %q, want %q", i, got[i], want[i])
		}
	}
	if s := a.String(nil); s != "" {
		t.Errorf("String(nil) = %q", s)
	}
	var none *Arena
	if s := none.String([]byte("x")); s != "x" {
		t.Errorf("nil arena: %q", s)
	}
}

// sink keeps the values a benchmark makes from staying on its stack.
var sink [2]Value

func BenchmarkArena(b *testing.B) {
	items := []Item{{Label: "work", Value: EmailValue("ada@example.com")}, {Label: "home", Value: EmailValue("ada@home.example")}}
	addr := Address{Street: "1 Main St", City: "Springfield", Zip: "12345"}
	b.Run("ListValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink[0], sink[1] = ListValue(items...), AddressValue(addr)
		}
	})
	b.Run("Arena", func(b *testing.B) {
		b.ReportAllocs()
		var a Arena
		for b.Loop() {
			sink[0], sink[1] = a.List(items...), a.Address(addr)
		}
	})
}
