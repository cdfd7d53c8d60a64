package fnv1a

// Offset is the hash of no bytes, and Prime the multiplier of each byte.
const (
	Offset uint64 = 14695981039346656037
	Prime  uint64 = 1099511628211
)

// String folds the bytes of s into h.
func String(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= Prime
	}
	return h
}

// Byte folds one byte into h.
func Byte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * Prime
}
