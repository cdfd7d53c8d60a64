package crmio

// An Arena makes List and Address values a block at a time: the items of
// many lists, and many addresses, share one allocation, where ListValue
// and AddressValue make one each. Mapping a file makes several such
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
}

const (
	arenaItems   = 256 // items a block: 16 KiB
	arenaAddrs   = 64  // addresses a block: 5 KiB
	arenaMaxList = 32  // a longer list gets an allocation of its own
)

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
