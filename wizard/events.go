package wizard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/crmio/crmio/storage"
)

// progressJSON is one progress event of an import.
type progressJSON struct {
	Job       string         `json:"job"`
	Status    string         `json:"status"`
	Mode      string         `json:"mode,omitempty"`
	Counts    storage.Counts `json:"counts"`
	ElapsedMS int64          `json:"elapsed_ms"`
	Done      bool           `json:"done"`
	Error     string         `json:"error,omitempty"`
}

// How often a progress stream looks at its import: one running here
// (cheap: memory), one running elsewhere (a read of the history), and how
// often an idle stream says it is alive.
const (
	localTick     = 200 * time.Millisecond
	keepAliveTick = 15 * time.Second
)

// getEvents streams an import's progress as Server-Sent Events: a
// "progress" event whenever the counts or the status change, then one
// "done" event when the job has ended, and the stream closes. A client
// that reconnects gets the current state first.
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request, c *Caller) error {
	id := r.PathValue("id")
	lj, job, err := s.job(r.Context(), c, id)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives a server's WriteTimeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // no buffering proxy between
	w.WriteHeader(http.StatusOK)

	every := localTick
	if lj == nil {
		every = s.pollInterval()
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	alive := time.NewTicker(keepAliveTick)
	defer alive.Stop()
	var last progressJSON
	first := true
	for {
		p := s.progressOf(lj, job)
		if first || p != last {
			event := "progress"
			if p.Done {
				event = "done"
			}
			if err := writeEvent(w, event, p); err != nil {
				return nil // the client went away
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
			first, last = false, p
		}
		if p.Done {
			return nil
		}
		var done <-chan struct{}
		if lj != nil {
			done = lj.done
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-s.closed:
			_ = writeEvent(w, "closing", map[string]string{"job": id})
			_ = rc.Flush()
			return nil
		case <-alive.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			if err := rc.Flush(); err != nil {
				return nil
			}
		case <-done:
		case <-tick.C:
		}
		if lj == nil {
			if job, err = s.im.Status(r.Context(), id); err != nil {
				_ = writeEvent(w, "error", map[string]string{"error": err.Error()})
				return nil
			}
		}
	}
}

func (s *Server) pollInterval() time.Duration {
	if s.opts.Importer != nil && s.opts.Importer.PollInterval > 0 {
		return s.opts.Importer.PollInterval
	}
	return 500 * time.Millisecond
}

// progressOf is the job's progress now: from this process's handle when
// it runs it, else from the job as last read.
func (s *Server) progressOf(lj *localJob, job storage.Job) progressJSON {
	if lj != nil {
		select {
		case <-lj.done:
			p := progressJSON{Job: lj.id, Mode: lj.handle.Mode.String(), Done: true}
			if lj.sum != nil {
				p.Status, p.Counts, p.Error, p.ElapsedMS = string(lj.sum.Status), lj.sum.Counts, lj.sum.Error, lj.sum.Duration.Milliseconds()
			} else {
				p.Status, p.Error = string(storage.JobFailed), errString(lj.err)
			}
			return p
		default:
			pr := lj.handle.Progress()
			pr.Estimated = max(pr.Estimated, lj.estimated)
			return progressJSON{Job: lj.id, Status: string(storage.JobRunning), Mode: pr.Mode.String(), Counts: pr.Counts,
				ElapsedMS: pr.Elapsed.Milliseconds() / 500 * 500} // steps of half a second: no event per tick for the clock alone
		}
	}
	p := progressJSON{Job: job.ID, Status: string(job.Status), Mode: job.Mode, Counts: job.Counts, Done: job.Status.Done(), Error: job.Error}
	switch {
	case !job.Finished.IsZero() && !job.Started.IsZero():
		p.ElapsedMS = job.Finished.Sub(job.Started).Milliseconds()
	case !job.Started.IsZero():
		p.ElapsedMS = time.Since(job.Started).Milliseconds() / 500 * 500
	}
	return p
}

// writeEvent writes one Server-Sent Event with v as its JSON data.
func writeEvent(w http.ResponseWriter, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	return err
}
