package crmio

import "unsafe"

// An Arena makes List and Address values, and short strings, a block at
// a time: the items of many lists, many addresses and many strings share
// one allocation, where ListValue, AddressValue and string([]byte) make
// one each. Mapping a file makes several such
// values a row; an arena per mapping goroutine saves most of those
// allocations.
//
// The values are ordinary values, as immutable as any other: an arena
// changes only where their memory comes from. It never reuses memory, so
// a value stays valid for as long as it is used; a value kept alive keeps
// alive its block (a few kilobytes), which suits values that die together,
// as the records of one batch do.
//
// An Arena is not safe for concurrent use. Its zero value is ready; a nil
// *Arena makes values as ListValue and AddressValue do.
type Arena struct {
	items []Item    // what is left of the current block of items
	addrs []Address // what is left of the current block of addresses
	bytes []byte    // what is left of the current block of string bytes
}

const (
	arenaItems   = 256 // items a block: 16 KiB
	arenaAddrs   = 64  // addresses a block: 5 KiB
	arenaMaxList = 32  // a longer list gets an allocation of its own
	arenaBytes   = 4 << 10
	arenaMaxStr  = 64 // a longer string gets an allocation of its own
)

// String returns string(b), its bytes in the arena's current block when
// b is short (a phone number in E.164, a match key): bytes once written
// there are never written again, so the string is as immutable as any.
func (a *Arena) String(b []byte) string {
	if a == nil || len(b) > arenaMaxStr || len(b) == 0 {
		return string(b)
	}
	if cap(a.bytes)-len(a.bytes) < len(b) {
		a.bytes = make([]byte, 0, arenaBytes)
	}
	start := len(a.bytes)
	a.bytes = append(a.bytes, b...)
	return unsafe.String(&a.bytes[start], len(b))
}

// List returns ListValue(items...): null items dropped, nested lists
// flattened.
func (a *Arena) List(items ...Item) Value {
	n := 0
	for _, it := range items {
		switch it.Value.kind {
		case KindNull:
		case KindList:
			n += int(it.Value.num)
		default:
			n++
		}
	}
	if a == nil || n > arenaMaxList {
		return ListValue(items...)
	}
	if n == 0 {
		return Value{kind: KindList}
	}
	if cap(a.items)-len(a.items) < n {
		a.items = make([]Item, 0, arenaItems)
	}
	start := len(a.items)
	for _, it := range items {
		switch it.Value.kind {
		case KindNull:
		case KindList:
			a.items = append(a.items, it.Value.items()...)
		default:
			a.items = append(a.items, it)
		}
	}
	return listOf(a.items[start:len(a.items):len(a.items)])
}

// Address returns AddressValue(addr).
func (a *Arena) Address(addr Address) Value {
	if a == nil {
		return AddressValue(addr)
	}
	if len(a.addrs) == cap(a.addrs) {
		a.addrs = make([]Address, 0, arenaAddrs)
	}
	a.addrs = append(a.addrs, addr)
	return Value{kind: KindAddress, any: &a.addrs[len(a.addrs)-1]}
}
