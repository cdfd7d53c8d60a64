package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"time"
)

// UploadChunkSize is the size of the chunks the SQL stores keep an
// upload in: small enough that a chunk is one quick statement (SQLite's
// writer lock is held for one chunk, not for the whole file), large
// enough that a file of a gigabyte is a couple of thousand rows.
const UploadChunkSize = 512 << 10

// StaleUploadAge is how old an upload that was never completed (its
// process died while putting it) must be before a later put removes it.
const StaleUploadAge = 24 * time.Hour

// NewUploadID returns a new upload id: 32 random hex digits, so that an id
// a web page shows tells nothing of the others.
func NewUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PutChunks reads r to its end in chunks of UploadChunkSize and hands each
// to put, numbered from 0; it returns the size and the SHA-256 (hex) of
// the whole. It stops with ctx's error when ctx is done.
func PutChunks(ctx context.Context, r io.Reader, put func(seq int, chunk []byte) error) (size int64, sum string, err error) {
	h := sha256.New()
	buf := make([]byte, UploadChunkSize)
	for seq := 0; ; seq++ {
		if err := ctx.Err(); err != nil {
			return 0, "", err
		}
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			h.Write(buf[:n])
			size += int64(n)
			if err := put(seq, buf[:n]); err != nil {
				return 0, "", err
			}
		}
		switch {
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			if err := ctx.Err(); err != nil {
				return 0, "", err
			}
			return size, hex.EncodeToString(h.Sum(nil)), nil
		case rerr != nil:
			return 0, "", rerr
		}
	}
}

// ChunkReader reads an upload chunk by chunk, fetching chunk seq when the
// reader reaches it, so that reading a large upload holds one chunk in
// memory. fetch reports false when there is no chunk seq (the end).
type ChunkReader struct {
	ctx   context.Context
	fetch func(ctx context.Context, seq int) ([]byte, bool, error)
	seq   int
	cur   []byte
	err   error
}

// NewChunkReader returns a reader of the chunks fetch returns.
func NewChunkReader(ctx context.Context, fetch func(ctx context.Context, seq int) ([]byte, bool, error)) *ChunkReader {
	return &ChunkReader{ctx: ctx, fetch: fetch}
}

// Read implements io.Reader.
func (c *ChunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		chunk, ok, err := c.fetch(c.ctx, c.seq)
		switch {
		case err != nil:
			c.err = err
		case !ok:
			c.err = io.EOF
		default:
			c.seq++
			c.cur = chunk
		}
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

// Close implements io.Closer; reading after it fails.
func (c *ChunkReader) Close() error {
	c.cur, c.err = nil, errors.New("read of a closed upload")
	return nil
}
