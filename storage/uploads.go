package storage

import (
	"context"
	"io"
	"time"
)

// Uploads is the optional capability of keeping files where every process
// of a CRM can read them: the files a web wizard receives, and the file of
// a background job that a worker on another machine imports. crmio's SQL
// stores keep them in the database, in chunks; a CRM may pass its own
// object store instead (this interface is all crmio asks of it).
//
// An upload is written once and never changed. Each has an owner (the
// caller who uploaded it, as the CRM names them): code serving several
// callers checks it, the store only keeps it.
type Uploads interface {
	// PutUpload stores the content r yields, to its end, as a new upload
	// named u.Name and owned by u.Owner (u's other fields are ignored),
	// and returns it with its ID, Size, SHA256 and Created set. A failed
	// or cancelled put leaves nothing behind.
	PutUpload(ctx context.Context, u Upload, r io.Reader) (Upload, error)
	// OpenUpload returns an upload and a reader of its content, which the
	// caller closes; an error wrapping crmio.ErrNotFound when absent.
	OpenUpload(ctx context.Context, id string) (Upload, io.ReadCloser, error)
	// Upload returns an upload's description; crmio.ErrNotFound when absent.
	Upload(ctx context.Context, id string) (Upload, error)
	// DeleteUpload removes an upload; a missing one is not an error.
	DeleteUpload(ctx context.Context, id string) error
	// ListUploads returns the uploads created before the time given (the
	// zero time: all), oldest first: what a retention sweep removes.
	ListUploads(ctx context.Context, before time.Time) ([]Upload, error)
}

// Upload describes one kept file.
type Upload struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`            // the file's name, as uploaded
	Owner   string    `json:"owner,omitempty"` // who uploaded it
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"` // hex, of the content
	Created time.Time `json:"created"`
}
