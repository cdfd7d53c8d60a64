// Package fnv1a is the 64-bit FNV-1a hash as functions of the running
// hash, for hashes that must stay the same across processes and versions
// (they are stored): the PostgreSQL store's key hashes and advisory lock
// keys, and the fingerprints earlier versions of crmio wrote in import
// journals. Unlike hash/fnv, it folds strings in place, without a
// hash.Hash or a []byte of them.
package fnv1a
