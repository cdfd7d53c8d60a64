package postgres

import (
	"encoding/binary"
	"io"
)

// copySource is the io.Reader of a COPY … FROM STDIN (FORMAT binary)
// stream. It encodes rows as PostgreSQL reads them, a buffer at a time, so
// that the batch is never held encoded in memory whole and encoding
// overlaps with the server's work (pgconn reads the stream from a
// goroutine of its own).
type copySource struct {
	// row appends the next row, as a binary COPY tuple, and reports false
	// when there is none left.
	row func(b []byte) ([]byte, bool, error)

	buf     []byte
	off     int
	started bool
	done    bool
}

// copyBufSize is how much copySource encodes before handing it over.
const copyBufSize = 64 << 10

// The binary COPY signature, flags and header extension length.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

func (s *copySource) Read(p []byte) (int, error) {
	for s.off == len(s.buf) {
		if s.done {
			return 0, io.EOF
		}
		s.buf, s.off = s.buf[:0], 0
		if !s.started {
			s.buf = append(s.buf, copyHeader...)
			s.started = true
		}
		for len(s.buf) < copyBufSize {
			var more bool
			var err error
			s.buf, more, err = s.row(s.buf)
			if err != nil {
				return 0, err
			}
			if !more {
				s.buf = appendInt16(s.buf, -1) // the trailer
				s.done = true
				break
			}
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

// Binary COPY encodes each field as its length (int32, -1 for NULL) and
// the type's binary form, big-endian.

func appendInt16(b []byte, n int16) []byte { return binary.BigEndian.AppendUint16(b, uint16(n)) }
func appendInt32(b []byte, n int32) []byte { return binary.BigEndian.AppendUint32(b, uint32(n)) }
func appendInt64(b []byte, n int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(n)) }

// appendInt8Field appends a bigint field.
func appendInt8Field(b []byte, n int64) []byte {
	return appendInt64(appendInt32(b, 8), n)
}

// appendBytesField appends a field whose binary form is its bytes: text,
// json, bytea.
func appendBytesField[T []byte | string](b []byte, data T) []byte {
	return append(appendInt32(b, int32(len(data))), data...)
}

// Type OIDs of array elements, and of bigint[].
const (
	oidBytea     = 17
	oidInt8      = 20
	oidInt8Array = 1016
)

// appendArrayHeader appends the header of a one-dimensional array of n
// elements without NULLs (an empty array has no dimension).
func appendArrayHeader(b []byte, n int, elemOID int32) []byte {
	if n == 0 {
		b = appendInt32(b, 0) // dimensions
		b = appendInt32(b, 0) // has NULLs
		return appendInt32(b, elemOID)
	}
	b = appendInt32(b, 1)
	b = appendInt32(b, 0)
	b = appendInt32(b, elemOID)
	b = appendInt32(b, int32(n)) // length of the dimension
	return appendInt32(b, 1)     // lower bound
}

// appendByteaArrayField appends a bytea[] field.
func appendByteaArrayField(b []byte, elems [][]byte) []byte {
	size := 12
	if len(elems) > 0 {
		size += 8
	}
	for _, e := range elems {
		size += 4 + len(e)
	}
	b = appendInt32(b, int32(size))
	b = appendArrayHeader(b, len(elems), oidBytea)
	for _, e := range elems {
		b = appendBytesField(b, e)
	}
	return b
}

// appendInt8ArrayField appends a bigint[] field.
func appendInt8ArrayField(b []byte, elems []int64) []byte {
	size := 12
	if len(elems) > 0 {
		size += 8
	}
	size += 12 * len(elems)
	b = appendInt32(b, int32(size))
	b = appendArrayHeader(b, len(elems), oidInt8)
	for _, e := range elems {
		b = appendInt8Field(b, e)
	}
	return b
}
