package postgres

import (
	"encoding/binary"
	"slices"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/fnv1a"
	"github.com/crmio/crmio/storage/internal/sqlstore"
)

// A record's keys are kept in three arrays beside its values, so that one
// row holds everything and one COPY writes it:
//
//   - keys (bytea[]): the crmio.MatchKey of every value (one per item of a
//     list) of each of the module's key fields (see crmio_key_fields),
//     each prefixed by its field (see fieldPrefix): what =, != and
//     contains test.
//   - sorts (bytea[]): the storage.SortKey of the same values, prefixed the
//     same way, in the same order (fields by name, the items of a list in
//     order), so that a field's first element is its first item's: what
//     <, <=, >, >= and the order use. bytea compares bytewise, as Go
//     compares strings and as the C collation would.
//   - hkeys (int8[]): a 64-bit hash of module, field and match key of
//     each value of the module's lookup fields (see crmio_lookup_fields),
//     each also a row (hash, id) of crmio_lookup_keys, whose hash index
//     is what Lookup and = find records through; hkeys says which rows an
//     update or a delete of the record removes. A hash keeps index
//     entries small whatever the length of a value (a B-tree entry must
//     fit in a third of a page), and the exact key in keys settles the
//     rare collision.
//
// The key fields are those a Scan has filtered or ordered on and the
// lookup fields: elements nobody queries would cost every write (they
// were half of a row when every field had them) and serve nothing.
//
// A null value, or an empty list, has no element: to a filter it is as
// absent as a missing field.

// fieldUse says what a module's field needs in a record's arrays:
// elements in keys and sorts (keyField), and hashes in hkeys as well
// (lookupField).
type fieldUse = sqlstore.FieldUse

const (
	keyField    = sqlstore.KeyField
	lookupField = sqlstore.LookupField
)

// fieldPrefix appends the prefix of field's elements: the length of the
// name (uvarint), then the name. The length makes prefixes prefix-free: no
// element of one field starts with another field's prefix, whatever the
// names hold.
func fieldPrefix(b []byte, field string) []byte {
	b = binary.AppendUvarint(b, uint64(len(field)))
	return append(b, field...)
}

// element returns field's prefix followed by key.
func element(field, key string) []byte {
	return append(fieldPrefix(nil, field), key...)
}

// keyHash returns the hash indexed for a match key of field in module:
// FNV-1a (64-bit: stable across processes and versions) of the module
// and the element, each length-prefixed.
func keyHash(module, field, key string) int64 {
	h := fnv1a.Offset
	h = fnvLen(h, len(module))
	h = fnv1a.String(h, module)
	h = fnvLen(h, len(field))
	h = fnv1a.String(h, field)
	return int64(fnv1a.String(h, key))
}

// fnvLen hashes n as fieldPrefix writes it (uvarint).
func fnvLen(h uint64, n int) uint64 {
	var buf [binary.MaxVarintLen64]byte
	for _, c := range binary.AppendUvarint(buf[:0], uint64(n)) {
		h = fnv1a.Byte(h, c)
	}
	return h
}

// recordKeys is the keys of one record, as the three arrays hold them.
// Its slices are reused from record to record.
type recordKeys struct {
	keys, sorts [][]byte
	hkeys       []int64
	arena       []byte // backs keys and sorts
	ends        []int  // where each element ends in arena
}

// compute fills k with the keys of values; names are its fields, sorted;
// fields holds what the module's fields need (a field it lacks needs
// nothing).
func (k *recordKeys) compute(module string, values map[string]crmio.Value, names []string, fields map[string]fieldUse) {
	k.hkeys, k.arena, k.ends = k.hkeys[:0], k.arena[:0], k.ends[:0]
	if len(fields) > 0 {
		for _, name := range names {
			if use := fields[name]; use != 0 {
				k.add(module, name, values[name], use)
			}
		}
	}
	k.cut()
}

// add adds the keys of field name's value v.
func (k *recordKeys) add(module, name string, v crmio.Value, use fieldUse) {
	one := func(v crmio.Value) {
		mk := crmio.MatchKey(v)
		k.arena = append(fieldPrefix(k.arena, name), mk...)
		k.ends = append(k.ends, len(k.arena))
		k.arena = sqlstore.AppendSortKey(fieldPrefix(k.arena, name), v, mk)
		k.ends = append(k.ends, len(k.arena))
		if use&lookupField != 0 {
			if hk := keyHash(module, name, mk); !slices.Contains(k.hkeys, hk) {
				k.hkeys = append(k.hkeys, hk)
			}
		}
	}
	if v.Kind() != crmio.KindList {
		if !v.IsNull() {
			one(v)
		}
		return
	}
	for _, it := range v.List() {
		one(it.Value)
	}
}

// cut cuts keys and sorts out of the arena, once it is final.
func (k *recordKeys) cut() {
	// Match key and sort key in turn.
	k.keys, k.sorts = k.keys[:0], k.sorts[:0]
	start := 0
	for i, end := range k.ends {
		e := k.arena[start:end:end]
		if i%2 == 0 {
			k.keys = append(k.keys, e)
		} else {
			k.sorts = append(k.sorts, e)
		}
		start = end
	}
}
