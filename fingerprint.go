package crmio

import (
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/crmio/crmio/internal/fnv1a"
)

// Fingerprint returns a short digest of r's values (not its ID or module):
// two records have the same fingerprint when their values are Equal, in
// any order of fields. The import journal keeps it to tell, at rollback,
// whether a record changed since the import, without keeping a copy of it.
// Fingerprints are stable across processes and runs; compare one kept
// with HasFingerprint, which also knows the fingerprints earlier versions
// of crmio made.
func (r Record) Fingerprint() string {
	var fp FingerprintSum
	for name, v := range r.Values {
		fp.Add(name, v)
	}
	return fp.String()
}

// HasFingerprint reports whether fp is the fingerprint of r's values: the
// one Fingerprint returns, or the one earlier versions of crmio made (an
// FNV-1a digest, written with a '.' where the present one has a '-'),
// which the journals of imports they ran still hold.
func (r Record) HasFingerprint(fp string) bool {
	if !strings.Contains(fp, ".") {
		return r.Fingerprint() == fp
	}
	var sum uint64
	for name, v := range r.Values {
		sum += fnvValue(fnvString(fnv1a.Offset, name), v)
	}
	var buf [fingerprintMax]byte
	return string(appendFingerprint(buf[:0], sum, '.', len(r.Values))) == fp
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
	f.sum += hashValue(hashString(hashSeed, field), v)
	f.fields++
}

// String returns the fingerprint of the fields added.
func (f FingerprintSum) String() string {
	var buf [fingerprintMax]byte
	return string(f.AppendTo(buf[:0]))
}

// fingerprintMax is the most bytes a fingerprint takes: 13 base-36
// digits, a separator, the field count.
const fingerprintMax = 24

// AppendTo appends the fingerprint String returns to b: a caller making
// many can put them in one buffer.
func (f FingerprintSum) AppendTo(b []byte) []byte {
	return appendFingerprint(b, f.sum, '-', f.fields)
}

func appendFingerprint(b []byte, sum uint64, sep byte, fields int) []byte {
	b = strconv.AppendUint(b, sum, 36)
	b = append(b, sep)
	return strconv.AppendInt(b, int64(fields), 10)
}

// The hash of a field folds 8-byte words into the state by a 64-bit
// multiplication whose two halves are folded together, as wyhash and
// rapidhash mix. It reads a word where FNV-1a, which earlier versions
// used, reads a byte: a contact's fingerprint takes about a fifth of the
// time (BenchmarkFingerprint). The constants are wyhash's.
const (
	hashSeed = 0xa0761d6478bd642f
	hashWord = 0xe7037ed1a0b428db
	hashEnd  = 0x8ebc6af09c88c6e3
)

// mix folds the 128-bit product of a and b into 64 bits.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashString folds s into h, a word at a time, and ends it: its last word
// holds the bytes left over and their count, so that where one string
// ends and the next begins is part of the hash.
func hashString(h uint64, s string) uint64 {
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = mix(h^w, hashWord)
		s = s[8:]
	}
	w := uint64(len(s)) << 56
	for i := 0; i < len(s); i++ {
		w |= uint64(s[i]) << (8 * i)
	}
	return mix(h^w, hashEnd)
}

// hashUint folds n into h.
func hashUint(h, n uint64) uint64 { return mix(h^n, hashWord) }

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

// The fingerprints of earlier versions: FNV-1a, a byte at a time. Only
// HasFingerprint uses them, to compare a record with what an old journal
// holds.

// fnvString folds s, and a separator, into the FNV-1a hash h.
func fnvString(h uint64, s string) uint64 {
	// No string holds a 0xff byte as UTF-8: a safe separator.
	return fnv1a.Byte(fnv1a.String(h, s), 0xff)
}

func fnvUint(h, n uint64) uint64 {
	for range 8 {
		h = fnv1a.Byte(h, byte(n))
		n >>= 8
	}
	return h
}

// fnvValue is hashValue as earlier versions made it. It is a copy of
// hashValue's walk on purpose: what old journals are compared with must
// not move when hashValue does, and one walk generic over the two hashes
// cost hashValue, the hot one, a fifth of its time (BenchmarkFingerprint
// 590-650 ns against 480-500: the hash calls go through a dictionary).
func fnvValue(h uint64, v Value) uint64 {
	h = fnvUint(h, uint64(v.kind))
	switch v.kind {
	case KindText, KindEmail, KindPhone, KindURL:
		return fnvString(h, v.str)
	case KindBool, KindDate:
		return fnvUint(h, uint64(v.num))
	case KindNumber:
		return fnvString(h, v.any.(Decimal).s)
	case KindDateTime:
		return fnvUint(h, uint64(v.any.(time.Time).UnixNano()))
	case KindRef:
		ref := v.ref()
		return fnvString(fnvString(h, ref.ID), ref.Key)
	case KindAddress:
		a := v.addr()
		for _, p := range [...]string{a.Street, a.City, a.State, a.Zip, a.Country} {
			h = fnvString(h, p)
		}
		return h
	case KindList:
		for _, it := range v.items() {
			h = fnvValue(fnvString(h, it.Label), it.Value)
		}
	}
	return h
}
