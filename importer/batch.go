package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/storage"
)

// outcome is what one row came to.
type outcome int

const (
	outFailed outcome = iota
	outCreated
	outUpdated
	outSkipped
)

// batchResult is what one batch did, applied to the summary only once the
// batch is committed, so that a batch rolled back counts for nothing.
type batchResult struct {
	outcomes    []outcome
	errs        [][]crmio.RowError
	warns       []crmio.Warning
	refsCreated int
	resolved    resolved // what this batch resolved: cached once it commits
	// dropped counts the warnings not built because the summary is full.
	dropped int
}

// warn adds the warning build makes, unless the summary already keeps as
// many warnings as it may: then it only counts it, so that a problem on
// every row of a large file costs no formatted message per row.
func (r *run) warn(res *batchResult, build func() crmio.Warning) {
	if len(r.sum.Warnings)+len(res.warns) >= r.sum.maxKept {
		res.dropped++
		return
	}
	res.warns = append(res.warns, build())
}

// process runs one batch through resolve, match, merge and write.
func (r *run) process(ctx context.Context, rows []pending) error {
	var res *batchResult
	work := func(store storage.Store) error {
		var err error
		res, err = r.write(ctx, store, rows)
		return err
	}
	var err error
	if tx, ok := r.store.(storage.Transactor); ok {
		err = tx.Atomic(ctx, func(tx storage.Store) error {
			if _, ok := tx.(storage.History); !ok && r.history != nil {
				// Writing the journal outside the transaction would break
				// atomicity (and can deadlock a store that locks for it).
				return fmt.Errorf("%w: the store's transaction does not implement storage.History (see storage.Transactor)", crmio.ErrNotSupported)
			}
			return work(tx)
		})
	} else {
		err = work(r.store)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("importer: writing rows %d to %d: %w", rows[0].row, rows[len(rows)-1].row, err)
	}
	r.apply(rows, res)
	return nil
}

// apply adds a committed batch's result to the summary.
func (r *run) apply(rows []pending, res *batchResult) {
	s := r.sum
	r.refs.cache(res.resolved)
	s.ReferencesCreated += res.refsCreated
	for i, p := range rows {
		s.Read++
		switch res.outcomes[i] {
		case outCreated:
			s.Created++
		case outUpdated:
			s.Updated++
		case outSkipped:
			s.Skipped++
		case outFailed:
			s.fail(p, res.errs[i])
		}
	}
	s.warn(res.warns...)
	s.Dropped += res.dropped
}

// write does one batch's work against store (the transaction, where the
// store has them).
func (r *run) write(ctx context.Context, store storage.Store, rows []pending) (*batchResult, error) {
	res := &batchResult{outcomes: make([]outcome, len(rows)), errs: make([][]crmio.RowError, len(rows)), resolved: resolved{}}
	var journal []storage.JournalEntry

	// Rows that mapping already failed stay failed; the rest go on.
	valid := make([]int, 0, len(rows)) // indexes into rows
	for i := range rows {
		res.warns = append(res.warns, rows[i].warns...)
		if len(rows[i].errs) > 0 {
			res.errs[i] = rows[i].errs
			continue
		}
		valid = append(valid, i)
	}

	created, err := r.resolveReferences(ctx, store, rows, valid, res)
	if err != nil {
		return nil, err
	}
	journal = append(journal, created...)
	valid = slicesDeleteFailed(valid, res)

	recs := make([]crmio.Record, len(valid))
	for j, i := range valid {
		recs[j] = rows[i].rec
	}
	var matches []dedupe.Match
	if r.matcher != nil && r.plan.Duplicates != dedupe.Create && len(recs) > 0 {
		if r.keyed != nil {
			keys := make([]dedupe.Keys, len(valid))
			for j, i := range valid {
				keys[j] = rows[i].keys
			}
			matches, err = r.keyed.MatchKeyed(ctx, store, r.module.Name, recs, keys)
		} else {
			matches, err = r.matcher.Match(ctx, store, r.module.Name, recs)
		}
		if err != nil {
			return nil, fmt.Errorf("matching duplicates: %w", err)
		}
	}

	// Decide each row's fate. Rows that update the same record (or merge
	// into the same new one) chain in row order.
	type target struct {
		insert   int    // index into inserts, or -1
		existing string // id of the existing record, or ""
	}
	var inserts []crmio.Record
	var insertRow []int                  // index into rows of each insert's row
	var insertMerged []bool              // whether a later row merged into the insert
	updates := map[string]crmio.Record{} // existing id → merged so far
	var updateOrder []string
	targets := make([]target, len(valid))
	var wantExisting []string
	for j, i := range valid {
		targets[j] = target{insert: -1}
		rec := recs[j]
		var m dedupe.Match
		if matches != nil {
			m = matches[j]
		} else {
			m.Earlier = -1
		}
		switch {
		case len(m.Existing) > 0 && r.plan.Duplicates != dedupe.Create:
			if len(m.Existing) > 1 {
				ids := make([]string, len(m.Existing))
				for k, c := range m.Existing {
					ids[k] = c.ID
				}
				r.warn(res, func() crmio.Warning {
					return crmio.Warning{Row: rows[i].row, Reason: fmt.Sprintf("matches %d existing records (%s)", len(ids), strings.Join(ids, ", "))}
				})
				switch r.plan.Ambiguous {
				case dedupe.SkipAmbiguous:
					res.outcomes[i] = outSkipped
					continue
				case dedupe.FailAmbiguous:
					res.errs[i] = []crmio.RowError{{Row: rows[i].row, Reason: fmt.Sprintf("matches %d existing records", len(ids)), Err: crmio.ErrDuplicate}}
					continue
				}
			}
			if r.plan.Duplicates == dedupe.Skip {
				res.outcomes[i] = outSkipped
				continue
			}
			id := m.Existing[0].ID
			targets[j].existing = id
			if _, ok := updates[id]; !ok {
				updates[id] = crmio.Record{}
				updateOrder = append(updateOrder, id)
				wantExisting = append(wantExisting, id)
			}
			res.outcomes[i] = outUpdated
		case m.Earlier >= 0:
			earlier := targets[m.Earlier]
			if r.plan.Duplicates == dedupe.Skip || (earlier.insert < 0 && earlier.existing == "") {
				// The earlier row was skipped or failed: this one follows it.
				res.outcomes[i] = outSkipped
				if r.plan.Duplicates == dedupe.Skip {
					r.warn(res, func() crmio.Warning {
						return crmio.Warning{Row: rows[i].row, Reason: fmt.Sprintf("duplicate of row %d", rows[valid[m.Earlier]].row)}
					})
				}
				continue
			}
			targets[j] = earlier
			if earlier.insert >= 0 {
				inserts[earlier.insert], _ = r.merger.Merge(inserts[earlier.insert], rec, r.mapped)
				insertMerged[earlier.insert] = true
			}
			res.outcomes[i] = outUpdated
		default:
			targets[j].insert = len(inserts)
			inserts = append(inserts, rec)
			insertRow = append(insertRow, i)
			insertMerged = append(insertMerged, false)
			res.outcomes[i] = outCreated
		}
	}

	// Merge the rows that update existing records, in row order.
	if len(wantExisting) > 0 {
		existing, err := store.Get(ctx, r.module.Name, wantExisting)
		if err != nil {
			return nil, fmt.Errorf("reading the records to update: %w", err)
		}
		before := make(map[string]crmio.Record, len(existing))
		for _, rec := range existing {
			before[rec.ID] = rec
			updates[rec.ID] = rec
		}
		for j, i := range valid {
			id := targets[j].existing
			if id == "" || targets[j].insert >= 0 {
				continue
			}
			if _, ok := before[id]; !ok {
				// Deleted between the lookup and now.
				res.outcomes[i] = outFailed
				res.errs[i] = []crmio.RowError{{Row: rows[i].row, Reason: fmt.Sprintf("the matching record %s no longer exists", id), Err: crmio.ErrNotFound}}
				continue
			}
			updates[id], _ = r.merger.Merge(updates[id], recs[j], r.mapped)
		}
		var changed []crmio.Record
		unchanged := map[string]bool{}
		for _, id := range updateOrder {
			old, ok := before[id]
			if !ok {
				continue
			}
			merged := updates[id]
			merged.ID, merged.Module = id, r.module.Name
			if merged.Equal(withModule(old, r.module.Name)) {
				unchanged[id] = true // the rows bring nothing new: they count as skipped
				continue
			}
			changed = append(changed, merged)
			if r.jobID != "" {
				b := old
				journal = append(journal, storage.JournalEntry{Op: storage.JournalUpdated, Module: r.module.Name, ID: id, Before: &b, Fingerprint: merged.Fingerprint()})
			}
		}
		for j, i := range valid {
			if targets[j].insert < 0 && unchanged[targets[j].existing] && res.outcomes[i] == outUpdated {
				res.outcomes[i] = outSkipped
			}
		}
		if len(changed) > 0 {
			if err := store.Update(ctx, r.module.Name, changed); err != nil {
				return nil, fmt.Errorf("updating %d records: %w", len(changed), err)
			}
		}
	}

	if len(inserts) > 0 {
		ids, err := store.Insert(ctx, r.module.Name, inserts)
		if err != nil {
			return nil, fmt.Errorf("inserting %d records: %w", len(inserts), err)
		}
		if r.jobID != "" {
			journal = slices.Grow(journal, len(ids))
			for k, id := range ids {
				var fp string
				if insertMerged[k] {
					fp = inserts[k].Fingerprint()
				} else {
					fp = r.fingerprint(&rows[insertRow[k]])
				}
				journal = append(journal, storage.JournalEntry{Op: storage.JournalCreated, Module: r.module.Name, ID: id, Fingerprint: fp})
			}
		}
	}
	if len(journal) > 0 && r.jobID != "" {
		// store is the transaction (which then implements History) or the
		// store itself.
		if err := store.(storage.History).AppendJournal(ctx, r.jobID, journal); err != nil {
			return nil, fmt.Errorf("writing the journal: %w", err)
		}
	}
	return res, nil
}

func withModule(rec crmio.Record, module string) crmio.Record {
	rec.Module = module
	return rec
}

// slicesDeleteFailed drops from valid the rows that have failed since.
func slicesDeleteFailed(valid []int, res *batchResult) []int {
	out := valid[:0]
	for _, i := range valid {
		if len(res.errs[i]) == 0 {
			out = append(out, i)
		}
	}
	return out
}

// resolveReferences replaces each reference's raw key with the id of the
// record it names, creating missing targets when the plan says so. It
// returns the journal entries of the records it created.
//
// Most rows of a large import name a target an earlier batch already
// resolved (a few hundred accounts for a million people): those are set
// from the cache in one pass, and only the keys the cache does not know
// cost a lookup.
func (r *run) resolveReferences(ctx context.Context, store storage.Store, rows []pending, valid []int, res *batchResult) ([]storage.JournalEntry, error) {
	var journal []storage.JournalEntry
	for k, f := range r.refs.fields {
		target := r.im.schema.Module(f.Ref)
		known := r.refs.ids[target.Name]
		// The rows the cache cannot settle, and the distinct keys they name.
		var open []int
		var keys []string
		seen := map[string]bool{}
		for _, i := range valid {
			p := &rows[i]
			if !isOpen(p.openRefs, k) {
				continue // set by the mapping worker, or no reference
			}
			ref, ok := p.rec.Values[f.Name].Ref()
			if !ok || ref.ID != "" {
				continue
			}
			if id, ok := known.get(ref.Key); ok {
				p.rec.Values[f.Name] = crmio.RefValue(id, ref.Key)
				continue
			}
			open = append(open, i)
			if ref.Key != "" && !seen[ref.Key] {
				seen[ref.Key] = true
				keys = append(keys, ref.Key)
			}
		}
		if len(open) == 0 {
			continue
		}
		found := map[string][]string{}
		if len(keys) > 0 {
			var err error
			if found, err = r.resolver.Resolve(ctx, store, target, keys); err != nil {
				return nil, fmt.Errorf("resolving %s references: %w", f.Name, err)
			}
			if found == nil {
				found = map[string][]string{} // a resolver may say "nothing" with nil
			}
		}
		// Create the missing targets, once per distinct match key.
		if r.plan.AutoCreateReferences {
			created, err := r.createTargets(ctx, store, target, keys, found, res)
			if err != nil {
				return nil, err
			}
			journal = append(journal, created...)
		}
		for k, ids := range found {
			if len(ids) > 0 {
				res.resolved.add(target.Name, k, ids[0])
			}
		}
		// Set the ids; an unresolved reference is a warning, or a row error
		// when the field is required.
		for _, i := range open {
			p := &rows[i]
			ref, _ := p.rec.Values[f.Name].Ref()
			if ids := found[ref.Key]; len(ids) > 0 {
				if len(ids) > 1 {
					r.warn(res, func() crmio.Warning {
						return crmio.Warning{Row: p.row, Column: r.columnOf(f.Name), Field: f.Name, Value: ref.Key,
							Reason: fmt.Sprintf("%q names %d %s; using the first", ref.Key, len(ids), target.Name)}
					})
				}
				p.rec.Values[f.Name] = crmio.RefValue(ids[0], ref.Key)
				continue
			}
			delete(p.rec.Values, f.Name)
			if f.Required {
				res.errs[i] = append(res.errs[i], crmio.RowError{Row: p.row, Column: r.columnOf(f.Name), Field: f.Name, Value: ref.Key,
					Reason: fmt.Sprintf("no %s record is named %q", target.Name, ref.Key), Err: crmio.ErrUnresolvedReference})
			} else {
				r.warn(res, func() crmio.Warning {
					return crmio.Warning{Row: p.row, Column: r.columnOf(f.Name), Field: f.Name, Value: ref.Key,
						Reason: fmt.Sprintf("no %s record is named %q; the field is left empty", target.Name, ref.Key)}
				})
			}
		}
	}
	return journal, nil
}

// createTargets creates the records of target that keys name and found
// lacks, once per distinct match key, and adds their ids to found. It
// returns their journal entries.
func (r *run) createTargets(ctx context.Context, store storage.Store, target *crmio.Module, keys []string, found map[string][]string, res *batchResult) ([]storage.JournalEntry, error) {
	var create []crmio.Record
	byMatch := map[string]int{}
	kind := crmio.KindText
	if kf := target.Field(target.KeyFields()[0]); kf != nil && len(target.KeyFields()) == 1 {
		kind = kf.Type.Kind()
	}
	for _, k := range keys {
		if len(found[k]) > 0 {
			continue
		}
		mk := crmio.MatchKey(keyValue(kind, k))
		if _, dup := byMatch[mk]; dup {
			continue
		}
		byMatch[mk] = len(create)
		create = append(create, crmio.Record{Module: target.Name, Values: newKeyValues(target, strings.TrimSpace(k))})
	}
	if len(create) == 0 {
		return nil, nil
	}
	ids, err := store.Insert(ctx, target.Name, create)
	if err != nil {
		return nil, fmt.Errorf("creating %d %s: %w", len(create), target.Name, err)
	}
	res.refsCreated += len(ids)
	var journal []storage.JournalEntry
	if r.jobID != "" {
		journal = make([]storage.JournalEntry, len(ids))
		for n, id := range ids {
			journal[n] = storage.JournalEntry{Op: storage.JournalCreated, Module: target.Name, ID: id, Fingerprint: create[n].Fingerprint()}
		}
	}
	for _, k := range keys {
		if len(found[k]) == 0 {
			if n, ok := byMatch[crmio.MatchKey(keyValue(kind, k))]; ok {
				found[k] = []string{ids[n]}
			}
		}
	}
	return journal, nil
}

// resolved holds what one batch resolved: target module → raw key → id.
type resolved map[string]map[string]string

func (r resolved) add(module, key, id string) {
	m := r[module]
	if m == nil {
		m = map[string]string{}
		r[module] = m
	}
	m[key] = id
}

// columnOf names the file's column mapped to field, for messages.
func (r *run) columnOf(field string) string {
	for _, c := range r.mapping.Columns {
		if c.Target.Field == field && c.Column < len(r.sum.Header) {
			return r.sum.Header[c.Column]
		}
	}
	return ""
}
