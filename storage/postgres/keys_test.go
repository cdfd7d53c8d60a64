package postgres

import (
	"encoding/binary"
	"hash/fnv"
	"testing"
)

// TestKeyHashStable: the key hashes are stored (hkeys, crmio_lookup_keys),
// so they must stay FNV-1a of the length-prefixed module and field and the
// key, as every version wrote them.
func TestKeyHashStable(t *testing.T) {
	for _, k := range [][3]string{{"people", "email", "ada@example.com"}, {"", "", ""}, {"deals", "owner", "apac"}} {
		h := fnv.New64a()
		for _, s := range k[:2] {
			h.Write(binary.AppendUvarint(nil, uint64(len(s))))
			h.Write([]byte(s))
		}
		h.Write([]byte(k[2]))
		if got, want := keyHash(k[0], k[1], k[2]), int64(h.Sum64()); got != want {
			t.Errorf("keyHash%q = %d, want %d", k, got, want)
		}
	}
}
