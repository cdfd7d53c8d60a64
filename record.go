package crmio

import (
	"maps"
	"strconv"
	"time"
)

// Record is one record of a module: its id (assigned by the Store) and its
// field values by field name. A field absent from Values has no value; a
// field present with an empty value (TextValue("") or the null Value) was
// set empty. Stores keep the difference.
type Record struct {
	ID     string           `json:"id,omitempty"`
	Module string           `json:"module,omitempty"`
	Values map[string]Value `json:"values"`
}

// Get returns the value of field, or the null Value.
func (r Record) Get(field string) Value { return r.Values[field] }

// Set sets the value of field, allocating Values when needed.
func (r *Record) Set(field string, v Value) {
	if r.Values == nil {
		r.Values = make(map[string]Value)
	}
	r.Values[field] = v
}

// Clone returns a copy of r whose Values map can be changed without
// affecting r. (Values themselves are immutable.)
func (r Record) Clone() Record {
	r.Values = maps.Clone(r.Values)
	return r
}

// Equal reports whether r and s have the same id, module and values, with
// absent and present-but-null fields told apart.
func (r Record) Equal(s Record) bool {
	if r.ID != s.ID || r.Module != s.Module || len(r.Values) != len(s.Values) {
		return false
	}
	for k, v := range r.Values {
		w, ok := s.Values[k]
		if !ok || !v.Equal(w) {
			return false
		}
	}
	return true
}

// Fingerprint returns a short digest of r's values (not its ID or module):
// two records have the same fingerprint when their values are Equal, in
// any order of fields. The import journal keeps it to tell, at rollback,
// whether a record changed since the import, without keeping a copy of it.
// Fingerprints are stable across processes and runs.
func (r Record) Fingerprint() string {
	var fp FingerprintSum
	for name, v := range r.Values {
		fp.Add(name, v)
	}
	return fp.String()
}

// FingerprintSum builds a Fingerprint field by field: after Add of each
// field of a record, in any order, String is the record's Fingerprint. It
// lets a caller that holds most of a record early hash that part ahead,
// off its critical path, and add the rest later (an importer hashes the
// mapped fields in parallel and adds the references it resolves). The
// zero FingerprintSum is the fingerprint of no values.
type FingerprintSum struct {
	sum    uint64
	fields int
}

// Add adds one field's value. Adding a field twice counts it twice.
func (f *FingerprintSum) Add(field string, v Value) {
	// Each field's hash is summed: the sum does not depend on the order.
	f.sum += hashValue(hashString(fnvOffset, field), v)
	f.fields++
}

// String returns the fingerprint of the fields added.
func (f FingerprintSum) String() string {
	var buf [fingerprintMax]byte
	return string(f.AppendTo(buf[:0]))
}

// fingerprintMax is the most bytes a fingerprint takes: 13 base-36
// digits, a dot, the field count.
const fingerprintMax = 24

// AppendTo appends the fingerprint String returns to b: a caller making
// many can put them in one buffer.
func (f FingerprintSum) AppendTo(b []byte) []byte {
	b = strconv.AppendUint(b, f.sum, 36)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(f.fields), 10)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashString folds s, and a separator, into the FNV-1a hash h.
func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	h ^= 0xff // no string holds a 0xff byte as UTF-8: a safe separator
	return h * fnvPrime
}

func hashUint(h, n uint64) uint64 {
	for range 8 {
		h ^= n & 0xff
		h *= fnvPrime
		n >>= 8
	}
	return h
}

// hashValue folds v into h by its kind and content, as Equal compares.
func hashValue(h uint64, v Value) uint64 {
	h = hashUint(h, uint64(v.kind))
	switch v.kind {
	case KindText, KindEmail, KindPhone, KindURL:
		return hashString(h, v.str)
	case KindBool, KindDate:
		return hashUint(h, uint64(v.num))
	case KindNumber:
		return hashString(h, v.any.(Decimal).s)
	case KindDateTime:
		return hashUint(h, uint64(v.any.(time.Time).UnixNano()))
	case KindRef:
		ref := v.ref()
		return hashString(hashString(h, ref.ID), ref.Key)
	case KindAddress:
		a := v.addr()
		for _, p := range [...]string{a.Street, a.City, a.State, a.Zip, a.Country} {
			h = hashString(h, p)
		}
		return h
	case KindList:
		for _, it := range v.items() {
			h = hashValue(hashString(h, it.Label), it.Value)
		}
	}
	return h
}
