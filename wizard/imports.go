package wizard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/storage"
)

// jobJSON is an import job as the API shows it (the history keeps more:
// the plan, the runner's process; those stay inside).
type jobJSON struct {
	ID              string         `json:"id"`
	Module          string         `json:"module"`
	File            string         `json:"file"`
	Status          string         `json:"status"`
	Mode            string         `json:"mode,omitempty"`
	StartedBy       string         `json:"started_by,omitempty"`
	Counts          storage.Counts `json:"counts"`
	Error           string         `json:"error,omitempty"`
	CancelRequested bool           `json:"cancel_requested,omitempty"`
	Created         time.Time      `json:"created,omitzero"`
	Started         time.Time      `json:"started,omitzero"`
	Finished        time.Time      `json:"finished,omitzero"`
	// Done says the job will not change by itself any more.
	Done bool `json:"done"`
	// CanCancel and CanRollback say which actions apply to it now.
	CanCancel   bool `json:"can_cancel"`
	CanRollback bool `json:"can_rollback"`
}

func jobOf(j storage.Job) jobJSON {
	st := j.Status
	wrote := j.Counts.Created+j.Counts.Updated+j.Counts.ReferencesCreated > 0
	return jobJSON{ID: j.ID, Module: j.Module, File: j.File, Status: string(st), Mode: j.Mode, StartedBy: j.StartedBy,
		Counts: j.Counts, Error: j.Error, CancelRequested: j.CancelRequested, Created: j.Created, Started: j.Started,
		Finished: j.Finished, Done: st.Done(), CanCancel: st.Active() || st == storage.JobInterrupted,
		CanRollback: st.Done() && st != storage.JobRolledBack && wrote}
}

// summaryJSON is a Summary with its problems described.
type summaryJSON struct {
	*importer.Summary
	Problems []problemJSON `json:"problems"`
	// FailedRowsKept is how many failed rows a failed-rows download
	// holds; -1 when they are not kept here (the job ran elsewhere, and
	// no Options.FailedRows serves them).
	FailedRowsKept int   `json:"failed_rows_kept"`
	DurationMS     int64 `json:"duration_ms"`
}

// job returns the caller's job id: as this process runs it, or as the
// history has it. Another caller's job is as missing as one that never
// was (404).
func (s *Server) job(ctx context.Context, c *Caller, id string) (*localJob, storage.Job, error) {
	s.mu.Lock()
	lj := s.jobs[id]
	s.mu.Unlock()
	if lj != nil && lj.caller != c.ID {
		return nil, storage.Job{}, errNotFound("no import job " + quote(id))
	}
	if lj != nil && lj.noHistory() {
		return lj, lj.asJob(), nil
	}
	job, err := s.im.Status(ctx, id)
	switch {
	case errors.Is(err, crmio.ErrNotFound), err == nil && job.StartedBy != c.ID:
		return nil, storage.Job{}, errNotFound("no import job " + quote(id))
	case err != nil:
		return nil, storage.Job{}, err
	}
	return lj, job, nil
}

// noHistory reports whether the job is unknown to the store (a store
// without storage.History): this process is all that knows it.
func (lj *localJob) noHistory() bool { return lj.handle.JobID == "" }

// asJob describes a job the store does not keep.
func (lj *localJob) asJob() storage.Job {
	j := storage.Job{ID: lj.id, Status: storage.JobRunning, Mode: lj.handle.Mode.String(), StartedBy: lj.caller,
		Module: lj.module, File: lj.file, Created: lj.started, Started: lj.started}
	select {
	case <-lj.done:
		if lj.sum != nil {
			j.Status, j.Counts, j.Error = lj.sum.Status, lj.sum.Counts, lj.sum.Error
		} else {
			j.Status, j.Error = storage.JobFailed, errString(lj.err)
		}
		j.Finished = lj.ended
	default:
		j.Counts = lj.handle.Progress().Counts
	}
	return j
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// startResponse is the answer to the start of an import.
type startResponse struct {
	Job jobJSON `json:"job"`
}

// postImport starts an import of an upload. Instant and Streaming imports
// run in this process, outliving the request; a Background import goes to
// the Runner of Options.Importer when there is one. The same file may not
// be imported into the same module by the same caller while an import of
// it is under way, and a request repeated with the same Idempotency-Key
// header is refused: both answer 409 naming the job.
func (s *Server) postImport(w http.ResponseWriter, r *http.Request, c *Caller) error {
	var req planJSON
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Upload == "" {
		return errInvalid("which upload? set \"upload\" to the id POST api/v1/uploads returned")
	}
	if req.Rows != 0 {
		return errInvalid("rows is for previews: an import reads every row")
	}
	plan, fo, err := s.plan(c, &req)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return errBadRequest("the Idempotency-Key header is longer than 200 characters")
	}
	st := s.state(c.ID)
	st.starting.Lock()
	defer st.starting.Unlock()
	if key != "" {
		s.mu.Lock()
		prev, seen := st.submits[key]
		s.mu.Unlock()
		if seen {
			return errConflict("double_submit", "this import was started already, as job "+prev.job, map[string]any{"job": prev.job})
		}
	}
	u, rc, err := s.openUpload(r.Context(), c, req.Upload)
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			rc.Close()
		}
	}()
	if id, err := s.activeImportOf(r.Context(), c, u, plan.Module); err != nil {
		return err
	} else if id != "" {
		return errConflict("double_submit", "an import of "+u.Name+" into "+plan.Module+" is under way already: job "+id,
			map[string]any{"job": id})
	}
	release, ok := s.acquire(c.ID, importsOf, s.opts.MaxImports)
	if !ok {
		return errTooMany("you have " + strconv.Itoa(s.opts.MaxImports) + " imports running: wait for one to end")
	}
	h, err := s.im.Start(context.WithoutCancel(r.Context()), importer.Source{Reader: rc, Name: u.Name, Format: fo}, plan, s.hooks(c, plan.Module))
	if err != nil {
		release()
		return err
	}
	keep = true
	lj := &localJob{id: h.JobID, caller: c.ID, handle: h, done: make(chan struct{}), module: plan.Module, file: u.Name,
		upload: u.ID, sha: u.SHA256, started: time.Now(),
		remote: h.Mode == importer.Background && s.opts.Importer != nil && s.opts.Importer.Runner != nil && h.JobID != ""}
	if lj.id == "" {
		lj.id = "local-" + randomID()
	} else if j, err := s.im.Status(r.Context(), lj.id); err == nil {
		lj.estimated = j.Counts.Estimated // the progress before the first batch has none
	}
	s.mu.Lock()
	s.jobs[lj.id] = lj
	if key != "" {
		st.submits[key] = submitted{job: lj.id, at: time.Now()}
		s.forgetSubmits(st)
	}
	s.mu.Unlock()
	go s.follow(lj, rc, release)
	s.log.Info("wizard import started", "caller", c.ID, "job", lj.id, "module", plan.Module, "file", u.Name, "mode", h.Mode.String())

	_, job, err := s.job(r.Context(), c, lj.id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, startResponse{Job: jobOf(job)})
	return nil
}

// follow waits for a local import to end, keeps its summary and releases
// what it held.
func (s *Server) follow(lj *localJob, rc interface{ Close() error }, release func()) {
	sum, err := lj.handle.Wait(context.Background())
	rc.Close()
	release()
	s.mu.Lock()
	lj.sum, lj.err, lj.ended = sum, err, time.Now()
	s.ended = append(s.ended, lj.id)
	for len(s.ended) > s.opts.KeepSummaries {
		delete(s.jobs, s.ended[0])
		s.ended = s.ended[1:]
	}
	s.mu.Unlock()
	close(lj.done)
	attrs := []any{"caller", lj.caller, "job", lj.id, "module", lj.module}
	if sum != nil {
		attrs = append(attrs, "status", sum.Status, "read", sum.Read, "created", sum.Created, "updated", sum.Updated,
			"skipped", sum.Skipped, "failed", sum.Failed)
	}
	if err != nil {
		s.log.Warn("wizard import ended", append(attrs, "err", err)...)
	} else {
		s.log.Info("wizard import ended", attrs...)
	}
}

// forgetSubmits drops idempotency keys older than a day. s.mu is held.
func (s *Server) forgetSubmits(st *callerState) {
	for k, v := range st.submits {
		if time.Since(v.at) > 24*time.Hour {
			delete(st.submits, k)
		}
	}
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// activeImportOf returns the id of an import of upload u's content into
// module by c that is under way, here or (through the history) anywhere.
func (s *Server) activeImportOf(ctx context.Context, c *Caller, u storage.Upload, module string) (string, error) {
	s.mu.Lock()
	for _, lj := range s.jobs {
		if lj.caller == c.ID && lj.sha == u.SHA256 && lj.module == module && lj.sum == nil && lj.err == nil {
			s.mu.Unlock()
			return lj.id, nil
		}
	}
	s.mu.Unlock()
	jobs, err := s.im.History(ctx, 200)
	if errors.Is(err, crmio.ErrNotSupported) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	for _, j := range jobs {
		if j.StartedBy == c.ID && j.Module == module && j.Status.Active() && j.Source.SHA256 == u.SHA256 {
			return j.ID, nil
		}
	}
	return "", nil
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request, c *Caller) error {
	_, job, err := s.job(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"job": jobOf(job)})
	return nil
}

// listImports is the caller's history, newest first.
func (s *Server) listImports(w http.ResponseWriter, r *http.Request, c *Caller) error {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errInvalid("limit must be a number from 1 to 1000")
		}
		limit = n
	}
	out := []jobJSON{}
	jobs, err := s.im.History(r.Context(), s.opts.HistoryWindow)
	switch {
	case errors.Is(err, crmio.ErrNotSupported):
		s.mu.Lock()
		var local []*localJob
		for _, lj := range s.jobs {
			if lj.caller == c.ID {
				local = append(local, lj)
			}
		}
		s.mu.Unlock()
		for _, lj := range local {
			jobs = append(jobs, lj.asJob())
		}
		sortJobs(jobs)
	case err != nil:
		return err
	}
	for _, j := range jobs {
		if j.StartedBy == c.ID && len(out) < limit {
			out = append(out, jobOf(j))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
	return nil
}

func sortJobs(jobs []storage.Job) {
	for i := 1; i < len(jobs); i++ {
		for k := i; k > 0 && jobs[k].Created.After(jobs[k-1].Created); k-- {
			jobs[k], jobs[k-1] = jobs[k-1], jobs[k]
		}
	}
}

// summary returns the summary of the caller's job: the one this process
// holds when it ran the import, else the history's; and how many failed
// rows are kept for it (-1: not here).
func (s *Server) summary(ctx context.Context, c *Caller, id string) (*importer.Summary, int, error) {
	lj, job, err := s.job(ctx, c, id)
	if err != nil {
		return nil, 0, err
	}
	if lj != nil && !lj.remote {
		select {
		case <-lj.done:
			if lj.sum != nil {
				return lj.sum, len(lj.sum.FailedRows), nil
			}
		default:
		}
	}
	kept := -1
	if s.opts.FailedRows != nil {
		kept = job.Counts.Failed
	}
	return importer.SummaryOf(job), kept, nil
}

func (s *Server) getSummary(w http.ResponseWriter, r *http.Request, c *Caller) error {
	sum, kept, err := s.summary(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if sum.Errors == nil {
		sum.Errors = []crmio.RowError{}
	}
	if sum.Warnings == nil {
		sum.Warnings = []crmio.Warning{}
	}
	writeJSON(w, http.StatusOK, summaryJSON{Summary: sum, Problems: problemsOf(sum.Problems), FailedRowsKept: kept,
		DurationMS: sum.Duration.Milliseconds()})
	return nil
}

// postCancel asks the caller's job to stop: it stops after the batch in
// hand, keeping what was committed (an Instant import keeps nothing).
func (s *Server) postCancel(w http.ResponseWriter, r *http.Request, c *Caller) error {
	lj, job, err := s.job(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if job.Status.Done() && job.Status != storage.JobInterrupted {
		return errConflict("ended", "job "+job.ID+" has ended ("+string(job.Status)+"): there is nothing to cancel", map[string]any{"job": job.ID})
	}
	if lj != nil {
		lj.handle.Cancel()
	} else if err := s.im.Cancel(r.Context(), job.ID); err != nil {
		return err
	}
	_, job, err = s.job(r.Context(), c, job.ID)
	if err != nil {
		return err
	}
	s.log.Info("wizard import cancel", "caller", c.ID, "job", job.ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"job": jobOf(job)})
	return nil
}

// rollbackRequest asks for a rollback, forced or not.
type rollbackRequest struct {
	Force bool `json:"force"`
}

// postRollback undoes the caller's job. A refusal (records changed since,
// or records outside the job referencing records it created) is 409 with
// what refused it, and whether the caller may force it: a caller with a
// scope may not, since a forced rollback changes records outside the job,
// which may lie outside the scope.
func (s *Server) postRollback(w http.ResponseWriter, r *http.Request, c *Caller) error {
	var req rollbackRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	lj, job, err := s.job(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if lj != nil && lj.noHistory() {
		return &apiError{status: http.StatusNotImplemented, code: "not_supported", msg: "the store keeps no import history: an import cannot be rolled back"}
	}
	if job.Status.Active() {
		return errConflict("running", "job "+job.ID+" is "+string(job.Status)+": cancel it, or wait for its end, before rolling it back", nil)
	}
	canForce := c.Scope == nil
	if req.Force && !canForce {
		return errForbidden("a forced rollback may change records outside your scope (%s): ask someone who sees every record", scopeText(c))
	}
	res, err := s.im.Rollback(r.Context(), job.ID, &importer.RollbackOptions{Force: req.Force})
	var ce *importer.ConflictError
	var re *importer.ReferencedError
	switch {
	case errors.As(err, &ce):
		return errConflict("conflict", ce.Error(), map[string]any{"can_force": canForce,
			"conflict": map[string]any{"count": ce.N, "records": ce.IDs}})
	case errors.As(err, &re):
		refs := s.visibleReferences(r.Context(), c, re.Refs)
		return errConflict("referenced", referencedMessage(re, refs), map[string]any{"can_force": canForce, "references": refs})
	case err != nil:
		return err
	}
	_, job, err = s.job(r.Context(), c, job.ID)
	if err != nil {
		return err
	}
	s.log.Info("wizard rollback", "caller", c.ID, "job", job.ID, "force", req.Force, "deleted", res.Deleted, "restored", res.Restored)
	writeJSON(w, http.StatusOK, map[string]any{"job": jobOf(job), "result": res})
	return nil
}

// visibleReferences keeps, of the ids a refused rollback names, those the
// caller may see: the others are counted, not named.
func (s *Server) visibleReferences(ctx context.Context, c *Caller, refs []importer.Reference) []importer.Reference {
	out := make([]importer.Reference, len(refs))
	for i, ref := range refs {
		out[i] = ref
		if c.Scope == nil {
			continue
		}
		out[i].IDs = []string{}
		recs, err := s.scopedStore(c).Get(ctx, ref.Module, ref.IDs)
		if err != nil {
			continue
		}
		for _, rec := range recs {
			out[i].IDs = append(out[i].IDs, rec.ID)
		}
	}
	return out
}

// referencedMessage describes a ReferencedError with the ids the caller may see.
func referencedMessage(re *importer.ReferencedError, refs []importer.Reference) string {
	msg := strconv.Itoa(re.N) + " records outside this import reference records it created:"
	for i, r := range refs {
		if i > 0 {
			msg += ";"
		}
		msg += " " + strconv.Itoa(r.Count) + " " + r.Module + " records by their " + r.Field
	}
	return msg + ". Rolling back would leave them naming deleted records; a forced rollback clears those references."
}
