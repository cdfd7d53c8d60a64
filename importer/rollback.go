package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// RollbackOptions configure a rollback. A nil *RollbackOptions means
// defaults.
type RollbackOptions struct {
	// Force undoes the import even over records changed since (they are
	// deleted or restored all the same), and even when records outside the
	// import reference records it created: those references are cleared
	// first, each journaled with the record as it was.
	Force bool
	// BatchSize is the number of records per store call (default 1,000).
	BatchSize int
}

// RollbackResult says what a rollback did.
type RollbackResult struct {
	Deleted  int `json:"deleted"`  // records the import created, references included
	Restored int `json:"restored"` // records the import updated, put back as they were
	// Already counts records already as they were before the import (a
	// rollback that was interrupted and run again).
	Already int `json:"already"`
	// Cleared counts the records outside the import whose references to
	// records it created a forced rollback cleared.
	Cleared int `json:"cleared,omitempty"`
}

// ReferencedError is returned by Rollback when records outside the job
// reference records the job created (people naming an account the import
// auto-created, imported since by another job): deleting those records
// would leave the references dangling. Nothing is rolled back; with Force,
// the references are cleared. It wraps crmio.ErrConflict.
type ReferencedError struct {
	Job string
	N   int // records outside the job that reference what it created
	// Refs say where the references are, one per module and field.
	Refs []Reference
}

// Reference is where records reference records a job created.
type Reference struct {
	Module string   `json:"module"` // the referencing records' module
	Field  string   `json:"field"`  // their reference field
	Target string   `json:"target"` // the module of the records the job created
	Count  int      `json:"count"`  // how many records
	IDs    []string `json:"ids"`    // the first of them (at most 10)
}

func (e *ReferencedError) Error() string {
	parts := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		parts[i] = fmt.Sprintf("%d %s records by %s.%s (%s)", r.Count, r.Module, r.Module, r.Field, strings.Join(r.IDs, ", "))
	}
	return fmt.Sprintf("importer: %d records outside job %s reference %s records it created: %s; roll back with Force to clear those references too",
		e.N, e.Job, e.Refs[0].Target, strings.Join(parts, "; "))
}

// Unwrap returns crmio.ErrConflict.
func (e *ReferencedError) Unwrap() error { return crmio.ErrConflict }

// ConflictError is returned by Rollback when records changed after the
// import; nothing is rolled back. It wraps crmio.ErrConflict.
type ConflictError struct {
	Job string
	IDs []string // "module/id", at most 20
	N   int      // how many records changed
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("importer: %d records changed since job %s (%s): roll back with Force to undo it anyway", e.N, e.Job, strings.Join(e.IDs, ", "))
}

// Unwrap returns crmio.ErrConflict.
func (e *ConflictError) Unwrap() error { return crmio.ErrConflict }

// undo is what rollback must do to one record, gathered from the journal:
// the first entry decides (created: delete; updated: restore the image
// before), the last says how the import left it.
type undo struct {
	module, id string
	created    bool
	before     *crmio.Record
	after      string // the fingerprint of the record as the job left it
}

// Rollback undoes an import: it deletes every record the job created
// (auto-created references too) and restores every record it updated to
// its image before the import. It refuses, changing nothing, when a record
// changed after the import (a *ConflictError), or when records outside the
// job reference records it created (a *ReferencedError), unless
// opts.Force. It is safe to call twice, and to call again after an
// interrupted rollback.
func (im *Importer) Rollback(ctx context.Context, jobID string, opts *RollbackOptions) (*RollbackResult, error) {
	h, err := im.history()
	if err != nil {
		return nil, err
	}
	var o RollbackOptions
	if opts != nil {
		o = *opts
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	job, err := im.Status(ctx, jobID)
	if err != nil {
		return nil, err
	}
	res := &RollbackResult{}
	switch job.Status {
	case storage.JobRolledBack:
		return res, nil
	case storage.JobRunning, storage.JobQueued:
		return nil, fmt.Errorf("%w: job %s is %s", ErrJobRunning, jobID, job.Status)
	}

	// One pass over the journal, keeping per record only what undoing it needs.
	var order []string
	undos := map[string]*undo{}
	for e, err := range h.Journal(ctx, jobID) {
		if err != nil {
			return nil, fmt.Errorf("importer: reading the journal of job %s: %w", jobID, err)
		}
		if e.Op == storage.JournalCleared {
			continue // what an earlier, forced, rollback did outside the job
		}
		key := e.Module + "/" + e.ID
		u := undos[key]
		if u == nil {
			u = &undo{module: e.Module, id: e.ID, created: e.Op == storage.JournalCreated, before: e.Before}
			undos[key] = u
			order = append(order, key)
		}
		switch {
		case e.Fingerprint != "":
			u.after = e.Fingerprint
		case e.After != nil:
			u.after = e.After.Fingerprint()
		}
	}

	// Check every record before changing any.
	var conflicts []string
	var todo []*undo
	for module, keys := range byModule(order, undos) {
		for chunk := range slices.Chunk(keys, o.BatchSize) {
			ids := make([]string, len(chunk))
			for i, u := range chunk {
				ids[i] = u.id
			}
			current, err := im.store.Get(ctx, module, ids)
			if err != nil {
				return nil, err
			}
			have := make(map[string]crmio.Record, len(current))
			for _, rec := range current {
				have[rec.ID] = rec
			}
			for _, u := range chunk {
				cur, ok := have[u.id]
				switch {
				case !ok && u.created:
					res.Already++ // deleted already
				case ok && !u.created && u.before != nil && cur.Fingerprint() == u.before.Fingerprint():
					res.Already++ // restored already
				case ok && cur.HasFingerprint(u.after), o.Force && ok:
					todo = append(todo, u)
				case o.Force:
					// Updated by the import, deleted since: nothing to restore onto.
					res.Already++
				default:
					conflicts = append(conflicts, module+"/"+u.id)
				}
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, &ConflictError{Job: jobID, IDs: conflicts[:min(20, len(conflicts))], N: len(conflicts)}
	}

	// References from outside the job to what it created: refused, or
	// cleared first so that no record ever names a deleted one.
	refs, err := im.referencesTo(ctx, todo, undos, o.BatchSize)
	if err != nil {
		return nil, err
	}
	if len(refs) > 0 {
		if !o.Force {
			return nil, referencedError(jobID, refs)
		}
		if res.Cleared, err = im.clearReferences(ctx, h, jobID, refs, todo, o.BatchSize); err != nil {
			return res, err
		}
	}

	// Undo, batch by batch, each batch atomic where the store has transactions.
	for module, undos := range byModule(keysOf(todo), indexOf(todo)) {
		for chunk := range slices.Chunk(undos, o.BatchSize) {
			var del []string
			var restore []crmio.Record
			for _, u := range chunk {
				if u.created {
					del = append(del, u.id)
				} else {
					b := u.before.Clone()
					b.ID = u.id
					restore = append(restore, b)
				}
			}
			work := func(s storage.Store) error {
				if len(del) > 0 {
					if err := s.Delete(ctx, module, del); err != nil {
						return err
					}
				}
				if len(restore) > 0 {
					return s.Update(ctx, module, restore)
				}
				return nil
			}
			if tx, ok := im.store.(storage.Transactor); ok {
				err = tx.Atomic(ctx, work)
			} else {
				err = work(im.store)
			}
			if err != nil {
				return res, fmt.Errorf("importer: rolling back job %s: %w", jobID, err)
			}
			res.Deleted += len(del)
			res.Restored += len(restore)
		}
	}
	_, err = storage.UpdateJobFunc(ctx, h, jobID, func(j *storage.Job) error {
		j.Status, j.Finished = storage.JobRolledBack, im.opts.Now()
		return nil
	})
	return res, err
}

// referrer is a record outside a job that references records it created.
type referrer struct {
	module, field, target, id string
}

// referencesTo finds the records outside the job (not in undos) whose
// reference fields name a record the rollback will delete: for each
// reference field of the schema that targets a module the job created
// records in, one Lookup of the records' reference keys per batch.
func (im *Importer) referencesTo(ctx context.Context, todo []*undo, undos map[string]*undo, batch int) ([]referrer, error) {
	created := map[string][]string{} // target module → ids to delete
	for _, u := range todo {
		if u.created {
			created[u.module] = append(created[u.module], u.id)
		}
	}
	var out []referrer
	for _, m := range im.schema.Modules {
		for _, f := range m.Fields {
			ids := created[f.Ref]
			if f.Type != crmio.TypeReference || len(ids) == 0 {
				continue
			}
			seen := map[string]bool{}
			for chunk := range slices.Chunk(ids, batch) {
				keys := make([]string, len(chunk))
				for i, id := range chunk {
					keys[i] = crmio.MatchKey(crmio.RefValue(id, ""))
				}
				found, err := im.store.Lookup(ctx, m.Name, f.Name, keys)
				if err != nil {
					return nil, fmt.Errorf("importer: finding references to %s: %w", f.Ref, err)
				}
				for _, k := range keys {
					for _, id := range found[k] {
						if undos[m.Name+"/"+id] != nil || seen[id] {
							continue // the job's own: deleted or restored with it
						}
						seen[id] = true
						out = append(out, referrer{module: m.Name, field: f.Name, target: f.Ref, id: id})
					}
				}
			}
		}
	}
	return out, nil
}

func referencedError(jobID string, refs []referrer) *ReferencedError {
	e := &ReferencedError{Job: jobID}
	index := map[[2]string]int{}
	seen := map[string]bool{}
	for _, r := range refs {
		k := [2]string{r.module, r.field}
		i, ok := index[k]
		if !ok {
			i = len(e.Refs)
			index[k] = i
			e.Refs = append(e.Refs, Reference{Module: r.module, Field: r.field, Target: r.target})
		}
		ref := &e.Refs[i]
		ref.Count++
		if len(ref.IDs) < 10 {
			ref.IDs = append(ref.IDs, r.id)
		}
		if !seen[r.module+"/"+r.id] {
			seen[r.module+"/"+r.id] = true
			e.N++
		}
	}
	return e
}

// clearReferences removes, from each referrer, its references to records
// the rollback deletes, batch by batch (each atomic where the store has
// transactions, with its journal entries), and returns how many records it
// changed.
func (im *Importer) clearReferences(ctx context.Context, h storage.History, jobID string, refs []referrer, todo []*undo, batch int) (int, error) {
	deleted := map[string]bool{} // "module/id"
	for _, u := range todo {
		if u.created {
			deleted[u.module+"/"+u.id] = true
		}
	}
	fields := map[string]map[string][]string{} // module → id → fields
	var order []string                         // "module/id"
	for _, r := range refs {
		if fields[r.module] == nil {
			fields[r.module] = map[string][]string{}
		}
		if fields[r.module][r.id] == nil {
			order = append(order, r.module+"/"+r.id)
		}
		fields[r.module][r.id] = append(fields[r.module][r.id], r.field)
	}
	byModule := map[string][]string{}
	var modules []string
	for _, key := range order {
		module, id, _ := strings.Cut(key, "/")
		if byModule[module] == nil {
			modules = append(modules, module)
		}
		byModule[module] = append(byModule[module], id)
	}
	cleared := 0
	for _, module := range modules {
		for chunk := range slices.Chunk(byModule[module], batch) {
			n := 0
			work := func(s storage.Store) error {
				recs, err := s.Get(ctx, module, chunk)
				if err != nil {
					return err
				}
				var changed []crmio.Record
				var journal []storage.JournalEntry
				for _, rec := range recs {
					before := rec.Clone()
					out := rec.Clone()
					for _, f := range fields[module][rec.ID] {
						target := im.schema.Module(module).Field(f).Ref
						clearRefs(out.Values, f, target, deleted)
					}
					if out.Equal(before) {
						continue
					}
					changed = append(changed, out)
					journal = append(journal, storage.JournalEntry{Op: storage.JournalCleared, Module: module, ID: rec.ID, Before: &before, Fingerprint: out.Fingerprint()})
				}
				if len(changed) == 0 {
					return nil
				}
				if err := s.Update(ctx, module, changed); err != nil {
					return err
				}
				hist := h
				if th, ok := s.(storage.History); ok {
					hist = th
				}
				n = len(changed)
				return hist.AppendJournal(ctx, jobID, journal)
			}
			var err error
			if tx, ok := im.store.(storage.Transactor); ok {
				err = tx.Atomic(ctx, work)
			} else {
				err = work(im.store)
			}
			if err != nil {
				return cleared, fmt.Errorf("importer: clearing references to records of job %s: %w", jobID, err)
			}
			cleared += n
		}
	}
	return cleared, nil
}

// clearRefs removes from values[field] the references to records of
// target that deleted names ("module/id"): the field itself, or the items
// of a list.
func clearRefs(values map[string]crmio.Value, field, target string, deleted map[string]bool) {
	v, ok := values[field]
	if !ok {
		return
	}
	gone := func(v crmio.Value) bool {
		r, ok := v.Ref()
		return ok && r.ID != "" && deleted[target+"/"+r.ID]
	}
	if v.Kind() != crmio.KindList {
		if gone(v) {
			delete(values, field)
		}
		return
	}
	var keep []crmio.Item
	for _, it := range v.List() {
		if !gone(it.Value) {
			keep = append(keep, it)
		}
	}
	if len(keep) == 0 {
		delete(values, field)
	} else {
		values[field] = crmio.ListValue(keep...)
	}
}

// byModule groups the undos named by keys by module, keeping their order.
func byModule(keys []string, undos map[string]*undo) map[string][]*undo {
	out := map[string][]*undo{}
	for _, k := range keys {
		u := undos[k]
		out[u.module] = append(out[u.module], u)
	}
	return out
}

func keysOf(us []*undo) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.module + "/" + u.id
	}
	return out
}

func indexOf(us []*undo) map[string]*undo {
	out := make(map[string]*undo, len(us))
	for _, u := range us {
		out[u.module+"/"+u.id] = u
	}
	return out
}
