package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// checkUploads checks storage.Uploads: content back byte for byte (empty,
// small, larger than any chunk a store might use), size and hash, owner
// and name kept, listing by age, delete, missing ids, and a put that fails
// or is cancelled leaving nothing.
func checkUploads(c *checker, s storage.Store) {
	up := s.(storage.Uploads)
	before, err := up.ListUploads(c.ctx, time.Time{})
	if err != nil {
		c.fatalf("list uploads", "ListUploads: %v", err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef\x00\xff"), 300_000) // 5.4 MB: many chunks
	contents := map[string][]byte{"empty": nil, "small": []byte("Name,Email\nAda,ada@example.com\n"), "big": big}
	var ids []string
	for _, name := range []string{"empty", "small", "big"} {
		data := contents[name]
		u, err := up.PutUpload(c.ctx, storage.Upload{Name: name + " – ü.csv", Owner: "ann", ID: "ignored", Size: 99}, bytes.NewReader(data))
		if err != nil {
			c.fatalf("put upload", "PutUpload(%s): %v", name, err)
		}
		sum := sha256.Sum256(data)
		if u.ID == "" || u.ID == "ignored" || u.Name != name+" – ü.csv" || u.Owner != "ann" || u.Size != int64(len(data)) ||
			u.SHA256 != hex.EncodeToString(sum[:]) || u.Created.IsZero() {
			c.errorf("put upload", "PutUpload(%s) = %+v; want a new id, the name and owner given, size %d and its SHA-256", name, u, len(data))
		}
		if slices.Contains(ids, u.ID) {
			c.errorf("put upload", "PutUpload returned id %q twice", u.ID)
		}
		ids = append(ids, u.ID)
		got, rc, err := up.OpenUpload(c.ctx, u.ID)
		if err != nil {
			c.errorf("open upload", "OpenUpload(%s): %v", name, err)
			continue
		}
		back, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(back, data) {
			c.errorf("open upload", "OpenUpload(%s) read %d bytes, %v; want the %d put, byte for byte", name, len(back), err, len(data))
		}
		if got.ID != u.ID || got.Size != u.Size || got.SHA256 != u.SHA256 || got.Owner != "ann" {
			c.errorf("open upload", "OpenUpload(%s) described it as %+v, want %+v", name, got, u)
		}
		if desc, err := up.Upload(c.ctx, u.ID); err != nil || desc.ID != u.ID || desc.Name != u.Name || desc.Size != u.Size {
			c.errorf("upload", "Upload(%s) = %+v, %v; want %+v", name, desc, err, u)
		}
	}
	list, err := up.ListUploads(c.ctx, time.Time{})
	if err != nil {
		c.fatalf("list uploads", "ListUploads: %v", err)
	}
	if got := uploadIDs(list); len(got) != len(before)+3 || !slices.Equal(got[len(before):], ids) {
		c.errorf("list uploads", "ListUploads = %q, want the earlier ones then %q (oldest first)", got, ids)
	}
	if list, err := up.ListUploads(c.ctx, time.Now().Add(-time.Hour)); err != nil || len(list) > len(before) {
		c.errorf("list uploads", "ListUploads(an hour ago) = %d uploads, %v; want none of the new ones", len(list), err)
	}

	// Missing ids.
	_, _, err = up.OpenUpload(c.ctx, "no-such-upload")
	c.isErr("missing upload", err, crmio.ErrNotFound, "OpenUpload of a missing upload")
	_, err = up.Upload(c.ctx, "no-such-upload")
	c.isErr("missing upload", err, crmio.ErrNotFound, "Upload of a missing upload")
	if err := up.DeleteUpload(c.ctx, "no-such-upload"); err != nil {
		c.errorf("missing upload", "DeleteUpload of a missing upload: %v", err)
	}

	// Delete.
	if err := up.DeleteUpload(c.ctx, ids[1]); err != nil {
		c.errorf("delete upload", "DeleteUpload: %v", err)
	}
	_, _, err = up.OpenUpload(c.ctx, ids[1])
	c.isErr("delete upload", err, crmio.ErrNotFound, "OpenUpload of a deleted upload")
	if err := up.DeleteUpload(c.ctx, ids[1]); err != nil {
		c.errorf("delete upload", "DeleteUpload twice: %v", err)
	}

	// A put whose reader fails, or whose context is cancelled, keeps nothing.
	n := len(mustUploads(c, up))
	_, err = up.PutUpload(c.ctx, storage.Upload{Name: "broken.csv"}, io.MultiReader(bytes.NewReader(big), errReader{}))
	if err == nil {
		c.errorf("failed put", "PutUpload of a reader that fails returned no error")
	}
	ctx, cancel := context.WithCancel(c.ctx)
	cancel()
	_, err = up.PutUpload(ctx, storage.Upload{Name: "cancelled.csv"}, strings.NewReader("a,b\n"))
	c.isErr("failed put", err, context.Canceled, "PutUpload with a cancelled context")
	if got := len(mustUploads(c, up)); got != n {
		c.errorf("failed put", "after a failed and a cancelled put there are %d uploads, want %d", got, n)
	}
	for _, id := range ids {
		up.DeleteUpload(c.ctx, id)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the upload broke off") }

func mustUploads(c *checker, up storage.Uploads) []storage.Upload {
	list, err := up.ListUploads(c.ctx, time.Time{})
	if err != nil {
		c.fatalf("list uploads", "ListUploads: %v", err)
	}
	return list
}

func uploadIDs(list []storage.Upload) []string {
	out := make([]string, len(list))
	for i, u := range list {
		out[i] = u.ID
	}
	return out
}
