package sqlstore

import (
	"strconv"
	"sync"
)

// FieldUse says what a SQL store keeps for a field of a module beyond its
// values. Stores learn it on first use (a Lookup, a Scan filtering or
// ordering on the field) and keep it in a table, so that fields nobody
// queries cost nothing on writes.
type FieldUse uint8

const (
	// KeyField: the field's values have match and sort keys, so that a
	// Scan filters and orders on it in SQL.
	KeyField FieldUse = 1 << iota
	// LookupField: the field's match keys are indexed for Lookup and =
	// filters. Whether a lookup field is also a key field is the store's
	// choice: PostgreSQL makes it one; SQLite does not until a Scan
	// filters or orders on it (its items rows cost a write per value).
	LookupField
)

// KnownFields caches the uses a store has seen committed. A field never
// stops being a key or lookup field, so what is known stays true for the
// store's life, and a store need not ask its database again. It is safe
// for concurrent use; the zero KnownFields knows nothing.
type KnownFields struct {
	m sync.Map // fieldKey(module, field) → FieldUse
}

// fieldKey is the module's length, the module and the field: unambiguous
// whatever the names hold.
func fieldKey(module, field string) string {
	return strconv.Itoa(len(module)) + ":" + module + field
}

// Has reports whether field of module is known to have use (or more).
func (k *KnownFields) Has(module, field string, use FieldUse) bool {
	v, ok := k.m.Load(fieldKey(module, field))
	return ok && v.(FieldUse)&use == use
}

// Know records that field of module has, committed, use.
func (k *KnownFields) Know(module, field string, use FieldUse) {
	key := fieldKey(module, field)
	for {
		old, loaded := k.m.LoadOrStore(key, use)
		if !loaded || old.(FieldUse)&use == use || k.m.CompareAndSwap(key, old, old.(FieldUse)|use) {
			return
		}
	}
}
