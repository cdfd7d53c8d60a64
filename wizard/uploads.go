package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/storage"
)

// multipartSlack is what a multipart body may hold beyond the file: the
// boundaries and the part's headers.
const multipartSlack = 64 << 10

// uploadTypes are the content types an upload's body may declare besides
// multipart/form-data: the file itself, whose content decides its format.
var uploadTypes = map[string]bool{
	"application/octet-stream":  true,
	"text/csv":                  true,
	"text/plain":                true,
	"text/tab-separated-values": true,
	"application/vnd.ms-excel":  true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
}

// uploadJSON is an upload as the API shows it.
type uploadJSON struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	Created time.Time `json:"created"`
	// Info is what reading the file found: its format, encoding, sheets.
	Info *infoJSON `json:"info,omitempty"`
}

// infoJSON is formats.Info for the API.
type infoJSON struct {
	Format        string   `json:"format"`
	Encoding      string   `json:"encoding,omitempty"`
	Delimiter     string   `json:"delimiter,omitempty"`
	HeaderRow     int      `json:"header_row"`
	Sheet         string   `json:"sheet,omitempty"`
	Sheets        []string `json:"sheets,omitempty"`
	EstimatedRows int      `json:"estimated_rows,omitempty"`
	Notices       []string `json:"notices,omitempty"`
}

func infoOf(i formats.Info) *infoJSON {
	out := &infoJSON{Format: i.Format, Encoding: i.Encoding, HeaderRow: i.HeaderRow, Sheet: i.Sheet,
		Sheets: i.Sheets, EstimatedRows: i.EstimatedRows}
	if i.Delimiter != 0 {
		out.Delimiter = string(i.Delimiter)
	}
	for _, n := range i.Notices {
		out.Notices = append(out.Notices, n.String())
	}
	if i.NoticesDropped > 0 {
		out.Notices = append(out.Notices, fmt.Sprintf("and %d more notices", i.NoticesDropped))
	}
	return out
}

func uploadOf(u storage.Upload, info *infoJSON) uploadJSON {
	return uploadJSON{ID: u.ID, Name: u.Name, Size: u.Size, SHA256: u.SHA256, Created: u.Created, Info: info}
}

// formatJSON is how a request says to read a file: which sheet, which
// header row, and for CSV the encoding and delimiter. Zero values detect.
type formatJSON struct {
	Sheet      string `json:"sheet,omitempty"`
	SheetIndex int    `json:"sheet_index,omitempty"`
	HeaderRow  int    `json:"header_row,omitempty"`
	Encoding   string `json:"encoding,omitempty"`
	Delimiter  string `json:"delimiter,omitempty"`
}

// options returns the formats.Options f describes, with the size limit.
func (s *Server) formatOptions(f *formatJSON) (*formats.Options, error) {
	o := &formats.Options{MaxSize: s.opts.MaxUploadSize}
	if f == nil {
		return o, nil
	}
	if f.SheetIndex < 0 || f.HeaderRow < 0 {
		return nil, errInvalid("sheet_index and header_row count from 1")
	}
	o.Sheet, o.SheetIndex, o.HeaderRow, o.Encoding = f.Sheet, f.SheetIndex, f.HeaderRow, f.Encoding
	switch d := f.Delimiter; {
	case d == "":
	case d == `\t` || d == "tab":
		o.Delimiter = '\t'
	case utf8.RuneCountInString(d) == 1:
		o.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return nil, errInvalid("delimiter %s is not one character", quote(d))
	}
	return o, nil
}

// postUpload receives a file: multipart/form-data with a "file" part, or
// the file itself as the body (its name in ?name=). It is streamed into
// the upload storage within the size limit, then opened to find its
// format; a file no reader takes is deleted and refused.
func (s *Server) postUpload(w http.ResponseWriter, r *http.Request, c *Caller) error {
	limit := s.opts.MaxUploadSize
	tooLarge := &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
		msg: fmt.Sprintf("the file is larger than the %s limit", formatBytes(limit))}
	if r.ContentLength > limit+multipartSlack {
		return tooLarge
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartSlack)
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mt = ""
	}
	var body io.Reader
	var name string
	switch {
	case mt == "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return errBadRequest("the multipart body cannot be read: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return errBadRequest(`the multipart body has no "file" part`)
			}
			if err != nil {
				return uploadReadError(err, tooLarge)
			}
			if part.FormName() == "file" {
				body, name = part, part.FileName()
				break
			}
		}
	case uploadTypes[mt]:
		body, name = r.Body, r.URL.Query().Get("name")
	default:
		return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			msg: fmt.Sprintf("send the file as multipart/form-data (a \"file\" part) or as the body (application/octet-stream), not %q", r.Header.Get("Content-Type"))}
	}
	name = cleanName(name)
	u, err := s.uploads.PutUpload(r.Context(), storage.Upload{Name: name, Owner: c.ID}, formats.LimitReader(body, limit))
	if err != nil {
		return uploadReadError(err, tooLarge)
	}
	if u.Size == 0 {
		s.deleteQuietly(u.ID)
		return &apiError{status: http.StatusUnprocessableEntity, code: "unreadable_file", msg: name + " is empty"}
	}
	info, err := s.sniff(r.Context(), u, nil)
	if err != nil {
		s.deleteQuietly(u.ID)
		return err
	}
	s.log.Info("wizard upload", "caller", c.ID, "upload", u.ID, "name", u.Name, "size", u.Size, "format", info.Format)
	writeJSON(w, http.StatusCreated, uploadOf(u, info))
	return nil
}

// uploadReadError describes why reading an upload's body failed.
func uploadReadError(err error, tooLarge *apiError) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || errors.Is(err, formats.ErrTooLarge) {
		return tooLarge
	}
	return errBadRequest("the upload was not received whole: %v", err)
}

func (s *Server) deleteQuietly(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.uploads.DeleteUpload(ctx, id); err != nil {
		s.log.Warn("wizard: deleting a refused upload", "upload", id, "err", err)
	}
}

// cleanName keeps the base name of an uploaded file's name, without path
// or control characters, and not too long.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || strings.TrimSpace(name) == "" {
		name = "upload"
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// sniff opens an upload with how f says to read it and returns what was
// found.
func (s *Server) sniff(ctx context.Context, u storage.Upload, f *formatJSON) (*infoJSON, error) {
	opts, err := s.formatOptions(f)
	if err != nil {
		return nil, err
	}
	_, rc, err := s.uploads.OpenUpload(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	rd, err := formats.NewReader(rc, u.Name, opts)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return infoOf(rd.Info()), nil
}

// upload returns the caller's upload id: one of another caller is as
// missing as one that never was (404).
func (s *Server) upload(ctx context.Context, c *Caller, id string) (storage.Upload, error) {
	u, err := s.uploads.Upload(ctx, id)
	if errors.Is(err, crmio.ErrNotFound) || err == nil && u.Owner != c.ID {
		return storage.Upload{}, errNotFound("no upload " + quote(id))
	}
	return u, err
}

// openUpload opens the caller's upload id.
func (s *Server) openUpload(ctx context.Context, c *Caller, id string) (storage.Upload, io.ReadCloser, error) {
	if _, err := s.upload(ctx, c, id); err != nil {
		return storage.Upload{}, nil, err
	}
	u, rc, err := s.uploads.OpenUpload(ctx, id)
	if errors.Is(err, crmio.ErrNotFound) {
		return storage.Upload{}, nil, errNotFound("no upload " + quote(id))
	}
	return u, rc, err
}

func (s *Server) getUpload(w http.ResponseWriter, r *http.Request, c *Caller) error {
	u, err := s.upload(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	info, err := s.sniff(r.Context(), u, nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, uploadOf(u, info))
	return nil
}

func (s *Server) deleteUpload(w http.ResponseWriter, r *http.Request, c *Caller) error {
	u, err := s.upload(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.uploads.DeleteUpload(r.Context(), u.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
