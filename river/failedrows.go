package river

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// The failed rows of a job a worker runs are kept in the uploads store,
// as CSV parts named failedRowsPrefix + job id + "-" + the rows read when
// the part was written (12 digits, so that names sort in file order) +
// ".csv". Each part begins with the header (the file's columns and
// Error); FailedRows joins them into one file.
const failedRowsPrefix = "crmio-failed-rows-"

func failedRowsPart(jobID string, read int) string {
	return fmt.Sprintf("%s%s-%012d.csv", failedRowsPrefix, jobID, read)
}

// failedSink receives a run's failed rows (importer.Hooks.FailedRows) and
// puts them in the uploads store after each committed batch: a worker
// killed between a commit and the put loses that batch's failed rows
// from the file (they stay counted, and their errors summarized, in the
// history).
type failedSink struct {
	r     *Runner
	jobID string
	owner string
	log   *slog.Logger

	mu     sync.Mutex
	buf    bytes.Buffer
	header []byte // the header line, as the importer wrote it
	last   int    // the rows read at the last part written
}

// Write implements io.Writer: the importer's CSV, header first.
func (s *failedSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// flush puts what was written since the last part as a new part, named
// by read (the rows read so far; -1 at the end of a run that never
// began).
func (s *failedSink) flush(ctx context.Context, read int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buf.Len() == 0 || read <= s.last {
		return
	}
	data := s.buf.Bytes()
	if s.header == nil {
		// The first record is the header: find where it ends (a quoted
		// column name may hold a newline).
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		if _, err := cr.Read(); err != nil {
			return // not a whole record yet
		}
		s.header = slices.Clone(data[:cr.InputOffset()])
	}
	part := data
	if !bytes.HasPrefix(data, s.header) {
		part = append(slices.Clone(s.header), data...)
	}
	_, err := s.r.uploads.PutUpload(ctx, storage.Upload{Name: failedRowsPart(s.jobID, read), Owner: s.owner}, bytes.NewReader(part))
	if err != nil {
		s.log.WarnContext(ctx, "crmio import: keeping failed rows", "error", err)
		return // kept in buf: the next part has them
	}
	s.buf.Reset()
	s.last = read
}

// FailedRows returns the failed rows of a job that workers ran, as one CSV
// file: the file's columns and an Error column, a row for each failed row
// of the file, in file order, across every worker that ran a part of the
// job. It reads them from uploads (the Runner's Config.Uploads, by
// default the store) and returns an error wrapping crmio.ErrNotFound when
// the job has none (no row failed, or its retention has passed). The
// caller closes the reader.
func FailedRows(ctx context.Context, uploads storage.Uploads, jobID string) (io.ReadCloser, error) {
	parts, err := failedParts(ctx, uploads, jobID)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("river: failed rows of job %s: %w", jobID, crmio.ErrNotFound)
	}
	return &partsReader{ctx: ctx, uploads: uploads, parts: parts}, nil
}

// failedParts lists a job's parts, in file order.
func failedParts(ctx context.Context, uploads storage.Uploads, jobID string) ([]storage.Upload, error) {
	all, err := uploads.ListUploads(ctx, timeZero)
	if err != nil {
		return nil, err
	}
	prefix := failedRowsPrefix + jobID + "-"
	var parts []storage.Upload
	for _, u := range all {
		if rest, ok := strings.CutPrefix(u.Name, prefix); ok && len(rest) == len("000000000000.csv") {
			parts = append(parts, u)
		}
	}
	slices.SortFunc(parts, func(a, b storage.Upload) int { return strings.Compare(a.Name, b.Name) })
	return parts, nil
}

// deleteFailedRows removes a job's parts.
func deleteFailedRows(ctx context.Context, uploads storage.Uploads, jobID string) error {
	parts, err := failedParts(ctx, uploads, jobID)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range parts {
		errs = append(errs, uploads.DeleteUpload(ctx, p.ID))
	}
	return errors.Join(errs...)
}

// partsReader reads the parts one after the other, each but the first
// without its header.
type partsReader struct {
	ctx     context.Context
	uploads storage.Uploads
	parts   []storage.Upload
	next    int
	header  []byte
	cur     *bytes.Reader
	err     error
}

func (p *partsReader) Read(b []byte) (int, error) {
	for p.cur == nil || p.cur.Len() == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.next == len(p.parts) {
			p.err = io.EOF
			return 0, io.EOF
		}
		if err := p.open(); err != nil {
			p.err = err
			return 0, err
		}
	}
	return p.cur.Read(b)
}

// open reads the next part (a part holds a batch's failed rows at most:
// small), dropping its header after the first.
func (p *partsReader) open() error {
	u := p.parts[p.next]
	p.next++
	_, rc, err := p.uploads.OpenUpload(p.ctx, u.ID)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return err
	}
	if p.header == nil {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		if _, err := cr.Read(); err != nil {
			return fmt.Errorf("river: failed rows part %s: %w", u.Name, err)
		}
		p.header = slices.Clone(data[:cr.InputOffset()])
	} else if !bytes.HasPrefix(data, p.header) {
		return fmt.Errorf("river: failed rows part %s has another header than the first part", u.Name)
	} else {
		data = data[len(p.header):]
	}
	p.cur = bytes.NewReader(data)
	return nil
}

func (p *partsReader) Close() error {
	p.err, p.cur = errors.New("river: read of closed failed rows"), nil
	return nil
}

var timeZero time.Time
