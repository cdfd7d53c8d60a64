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

// batchResult is what one batch did, applied to the summary only once the
// batch is committed, so that a batch rolled back counts for nothing.
type batchResult struct {
	outcomes    []outcome
	errs        [][]crmio.RowError
	notes       []note
	refsCreated int
	resolved    resolved // what this batch resolved: cached once it commits
}

func (res *batchResult) warn(w crmio.Warning) {
	res.notes = append(res.notes, note{warning: &w})
}

// writeBatch does one batch's work against store (the transaction, where
// the store has them): it resolves references, runs the batch hook,
// matches duplicates and reads the records they name, lets decide settle
// every row, and writes what it decided, with the journal.
func (r *run) writeBatch(ctx context.Context, store storage.Store, rows []pending) (*batchResult, error) {
	res := &batchResult{outcomes: make([]outcome, len(rows)), errs: make([][]crmio.RowError, len(rows)), resolved: resolved{}}
	var journal []storage.JournalEntry
	hist, _ := store.(storage.History) // the transaction, or the store, when the run keeps a journal
	// Everything below reads and writes through the scope.
	view := storage.Scoped(store, r.scopes)

	// Rows that mapping already failed stay failed; the rest go on.
	valid := make([]int, 0, len(rows)) // indexes into rows
	for i := range rows {
		for _, w := range rows[i].warns {
			res.warn(w)
		}
		if len(rows[i].errs) > 0 {
			res.errs[i] = rows[i].errs
			continue
		}
		valid = append(valid, i)
	}

	created, err := r.resolveReferences(ctx, view, rows, valid, res)
	if err != nil {
		return nil, err
	}
	journal = append(journal, created...)
	valid = dropFailed(valid, res.errs)

	if r.hooks.Batch != nil && len(valid) > 0 {
		if valid, err = r.batchHook(ctx, view, rows, valid, res); err != nil {
			return nil, err
		}
	}

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
			matches, err = r.keyed.MatchKeyed(ctx, view, r.module.Name, recs, keys)
		} else {
			matches, err = r.matcher.Match(ctx, view, r.module.Name, recs)
		}
		if err != nil {
			return nil, fmt.Errorf("matching duplicates: %w", err)
		}
	}
	p := r.policy()
	in := decideInput{rows: rows, valid: valid, matches: matches}
	if ids := toRead(p, matches); len(ids) > 0 {
		existing, err := view.Get(ctx, r.module.Name, ids)
		if err != nil {
			return nil, fmt.Errorf("reading the records to update: %w", err)
		}
		in.existing = make(map[string]crmio.Record, len(existing))
		for _, rec := range existing {
			in.existing[rec.ID] = rec
		}
	}
	d := decide(p, in)
	for i := range rows {
		if d.outcomes[i] != outFailed || len(res.errs[i]) > 0 {
			if len(res.errs[i]) == 0 {
				res.outcomes[i] = d.outcomes[i]
			}
			continue
		}
		res.errs[i] = d.errs[i]
	}
	res.notes = append(res.notes, d.notes...)

	if len(d.updates) > 0 {
		changed := make([]crmio.Record, len(d.updates))
		for k, u := range d.updates {
			changed[k] = u.rec
			if hist != nil && r.jobID != "" {
				b := u.before
				journal = append(journal, storage.JournalEntry{Op: storage.JournalUpdated, Module: r.module.Name, ID: u.rec.ID, Before: &b, Fingerprint: u.rec.Fingerprint()})
			}
		}
		if err := view.Update(ctx, r.module.Name, changed); err != nil {
			return nil, fmt.Errorf("updating %d records: %w", len(changed), err)
		}
	}
	if len(d.inserts) > 0 {
		inserts := make([]crmio.Record, len(d.inserts))
		for k, ins := range d.inserts {
			inserts[k] = ins.rec
		}
		ids, err := view.Insert(ctx, r.module.Name, inserts)
		if err != nil {
			return nil, fmt.Errorf("inserting %d records: %w", len(inserts), err)
		}
		if hist != nil && r.jobID != "" {
			journal = slices.Grow(journal, len(ids))
			var fps fingerprints
			for k, id := range ids {
				var fp string
				if d.inserts[k].rehash {
					fp = inserts[k].Fingerprint()
				} else {
					fp = r.fingerprint(&rows[d.inserts[k].row], &fps)
				}
				journal = append(journal, storage.JournalEntry{Op: storage.JournalCreated, Module: r.module.Name, ID: id, Fingerprint: fp})
			}
		}
	}
	if len(journal) > 0 && hist != nil && r.jobID != "" {
		if err := hist.AppendJournal(ctx, r.jobID, journal); err != nil {
			return nil, fmt.Errorf("writing the journal: %w", err)
		}
	}
	return res, nil
}

// policy is the part of the plan decide applies.
func (r *run) policy() policy {
	p := policy{module: r.module.Name, duplicates: r.plan.Duplicates, ambiguous: r.plan.Ambiguous,
		merger: r.merger, mapped: r.mapped}
	if r.scopes != nil {
		p.scope = r.scopes(r.module.Name)
		p.defaults = r.defaults
	}
	return p
}

// batchHook runs the CRM's batch hook over the valid rows, and returns the
// rows still valid after it.
func (r *run) batchHook(ctx context.Context, store storage.Store, rows []pending, valid []int, res *batchResult) ([]int, error) {
	b := &Batch{Module: r.module, Store: store, Rows: make([]*Row, len(valid))}
	for j, i := range valid {
		p := &rows[i]
		b.Rows[j] = &Row{Number: p.row, Fields: p.fields, Header: r.header, Record: &p.rec}
	}
	if err := r.hooks.Batch(ctx, b); err != nil {
		return nil, fmt.Errorf("the batch hook: %w", err)
	}
	for j, i := range valid {
		hr := b.Rows[j]
		for _, w := range hr.warns {
			w.Column = r.columnOf(w.Field)
			res.warn(w)
		}
		for _, e := range hr.errs {
			e.Column = r.columnOf(e.Field)
			res.errs[i] = append(res.errs[i], e)
		}
		// The hook may have changed the record: its fingerprint and match
		// keys are computed again.
		rows[i].rehash(r)
	}
	return dropFailed(valid, res.errs), nil
}

// dropFailed drops from valid the rows that have failed since.
func dropFailed(valid []int, errs [][]crmio.RowError) []int {
	out := valid[:0]
	for _, i := range valid {
		if len(errs[i]) == 0 {
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
					key, n := ref.Key, len(ids)
					res.notes = append(res.notes, note{row: p.row, column: r.columnOf(f.Name), field: f.Name, value: key,
						generic: fmt.Sprintf("names several %s; using the first", target.Name),
						build:   func() string { return fmt.Sprintf("%q names %d %s; using the first", key, n, target.Name) }})
				}
				p.rec.Values[f.Name] = crmio.RefValue(ids[0], ref.Key)
				continue
			}
			delete(p.rec.Values, f.Name)
			if f.Required {
				res.errs[i] = append(res.errs[i], crmio.RowError{Row: p.row, Column: r.columnOf(f.Name), Field: f.Name, Value: ref.Key,
					Reason: fmt.Sprintf("no %s record is named %q", target.Name, ref.Key), Err: crmio.ErrUnresolvedReference})
			} else {
				key := ref.Key
				res.notes = append(res.notes, note{row: p.row, column: r.columnOf(f.Name), field: f.Name, value: key,
					generic: fmt.Sprintf("no %s record has this name; the field is left empty", target.Name),
					build: func() string {
						return fmt.Sprintf("no %s record is named %q; the field is left empty", target.Name, key)
					}})
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
		values := newKeyValues(target, strings.TrimSpace(k))
		if r.scopes != nil {
			// Created under the scope, it takes the scope's = values.
			for f, v := range r.scopes(target.Name).Defaults() {
				if _, ok := values[f]; !ok {
					values[f] = v
				}
			}
		}
		create = append(create, crmio.Record{Module: target.Name, Values: values})
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
