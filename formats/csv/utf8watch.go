package csv

import (
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// utf8Watch passes text read as UTF-8 on to the parser and watches it on
// the way, since the sample that chose UTF-8 may not tell the whole story.
// The common case is an export that is plain ASCII for its first 64 KiB and
// then has a "Müller" in Windows-1252: while everything so far is ASCII,
// which both encodings share, the watch switches to decoding Windows-1252
// at the first byte that is not UTF-8, losing nothing. Text that has shown
// real UTF-8 stays UTF-8, and the first invalid byte is only recorded, for
// a notice at its row.
//
// A sequence cut at the end of a read is held back until the next read
// completes it, so that the watch can still switch at its first byte.
// Checking the stream in chunks costs far less than checking each field.
type utf8Watch struct {
	src         io.Reader
	mayFallBack bool      // the encoding was detected, not named: switching is allowed
	ascii       bool      // every byte delivered so far is ASCII
	watching    bool      // no invalid byte found yet
	delivered   int64     // bytes delivered so far
	held        []byte    // the start of a sequence cut at the end of the last read
	invalidAt   int64     // the offset of the first invalid byte, -1 for none
	fellBackAt  int64     // the offset where Windows-1252 decoding starts, -1 for none
	fallback    io.Reader // the Windows-1252 decoder, once switched
}

func newUTF8Watch(src io.Reader, mayFallBack bool) *utf8Watch {
	return &utf8Watch{src: src, mayFallBack: mayFallBack, ascii: true, watching: true, invalidAt: -1, fellBackAt: -1}
}

func (w *utf8Watch) Read(p []byte) (int, error) {
	if w.fallback != nil {
		n, err := w.fallback.Read(p)
		w.delivered += int64(n)
		return n, err
	}
	if !w.watching || len(p) <= utf8.UTFMax {
		// Reads too short to hold a sequence go unchecked; the parser
		// reads through a 64 KiB buffer.
		return w.pass(p)
	}
	for {
		held := copy(p, w.held)
		w.held = w.held[:0]
		n, err := w.src.Read(p[held:])
		chunk := p[:held+n]
		atEOF := err != nil // no more text will complete a cut sequence

		start := -1 // where checking starts: past the ASCII prefix
		if w.ascii {
			start = firstNonASCII(chunk)
		} else {
			start = 0
		}
		if start < 0 {
			w.delivered += int64(len(chunk))
			return len(chunk), err
		}
		wasASCII := w.ascii
		body := chunk[start:]
		if !atEOF {
			body = trimPartialRune(body)
		}
		if bad := firstInvalid(body); bad >= 0 {
			if bad == 0 && wasASCII && w.mayFallBack {
				return w.switchAt(p, chunk, start, err)
			}
			w.invalidAt = w.delivered + int64(start+bad)
			w.watching, w.ascii = false, false
			w.delivered += int64(len(chunk))
			return len(chunk), err
		}
		ready := start + len(body)
		if ready > start {
			w.ascii = false // real UTF-8 delivered: it stays UTF-8
		}
		w.held = append(w.held, chunk[ready:]...)
		if ready == 0 && err == nil {
			continue // only the start of a sequence so far: read on
		}
		w.delivered += int64(ready)
		return ready, err
	}
}

// pass delivers the held bytes, then reads straight from the source.
func (w *utf8Watch) pass(p []byte) (int, error) {
	if len(w.held) > 0 {
		n := copy(p, w.held)
		w.held = w.held[n:]
		w.delivered += int64(n)
		return n, nil
	}
	n, err := w.src.Read(p)
	w.delivered += int64(n)
	return n, err
}

// switchAt delivers the ASCII bytes of chunk (read into p) before start
// and decodes the rest of the text, from chunk[start] on, as Windows-1252.
func (w *utf8Watch) switchAt(p, chunk []byte, start int, err error) (int, error) {
	rest := bytes.Clone(chunk[start:])
	var src io.Reader = w.src
	if err != nil {
		src = errReader{err} // the source has ended
	}
	w.fallback = transform.NewReader(io.MultiReader(bytes.NewReader(rest), src), charmap.Windows1252.NewDecoder())
	w.watching = false
	w.fellBackAt = w.delivered + int64(start)
	w.delivered += int64(start)
	if start == 0 {
		return w.Read(p)
	}
	return start, nil
}

// errReader returns its error: a source that has ended stays ended.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// firstInvalid returns the index of the first byte of b that starts no
// valid UTF-8 sequence, or -1.
func firstInvalid(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// firstNonASCII returns the index of the first byte of b above 0x7f, or
// -1, testing eight bytes at a time.
func firstNonASCII(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}
