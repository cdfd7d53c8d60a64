package importer

import (
	"fmt"
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

// policy is what decide needs of the plan: how to treat a batch's rows.
type policy struct {
	module     string
	duplicates dedupe.Strategy
	ambiguous  dedupe.Ambiguity
	merger     dedupe.Merger
	// mapped lists the fields the import maps, for the merger.
	mapped []string
	// scope is the import's scope on its module (nil: none), defaults its
	// = values, which records it creates take for the fields they lack.
	scope    *storage.Scope
	defaults map[string]crmio.Value
}

// decideInput is one batch as decide sees it, once references are
// resolved and duplicates matched.
type decideInput struct {
	rows []pending
	// valid are the indexes (into rows) of the rows that have not failed.
	valid []int
	// matches are the matcher's answer, one per valid row; nil when the
	// batch was not matched (no matcher, or Create).
	matches []dedupe.Match
	// existing are the records that matched rows update, by id, as the
	// store has them (those toRead named; a missing one was deleted since).
	existing map[string]crmio.Record
}

// decision is what a batch will do: the records to insert and update,
// and what each row came to.
type decision struct {
	outcomes []outcome          // per row
	errs     [][]crmio.RowError // per row, for rows that fail here
	notes    []note
	inserts  []insert
	updates  []update
}

type insert struct {
	rec crmio.Record
	row int // index into rows of the row that made it
	// rehash says the record is no longer the row as mapped (a later row
	// merged into it, or the scope filled a field): its journal
	// fingerprint is computed afresh.
	rehash bool
}

type update struct {
	rec    crmio.Record // the merged record, with its ID
	before crmio.Record // as it was
}

// toRead returns the ids of the existing records that rows of the batch
// will update, in first-match order: the records decide needs.
func toRead(p policy, matches []dedupe.Match) []string {
	if p.duplicates != dedupe.Update || matches == nil {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, m := range matches {
		if len(m.Existing) == 0 || len(m.Existing) > 1 && p.ambiguous != dedupe.UseBest {
			continue
		}
		if id := m.Existing[0].ID; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// decide settles a batch: it applies the duplicate strategy, the ambiguity
// policy and the merger to each valid row, in row order (rows that update
// the same record, or duplicate an earlier row of the batch, chain), and
// the scope to every record the batch would write. It does no I/O.
func decide(p policy, in decideInput) decision {
	d := decision{outcomes: make([]outcome, len(in.rows)), errs: make([][]crmio.RowError, len(in.rows))}
	fail := func(i int, e crmio.RowError) {
		d.outcomes[i] = outFailed
		d.errs[i] = append(d.errs[i], e)
	}
	// Where each valid row went: an insert, or an existing record.
	type target struct {
		insert   int    // index into d.inserts, or -1
		existing string // id of the existing record, or ""
	}
	targets := make([]target, len(in.valid))
	merged := map[string]crmio.Record{} // existing id → merged so far
	var order []string                  // existing ids in first-update order
	for j, i := range in.valid {
		targets[j] = target{insert: -1}
		row := &in.rows[i]
		m := dedupe.Match{Earlier: -1}
		if in.matches != nil {
			m = in.matches[j]
		}
		switch {
		case len(m.Existing) > 0 && p.duplicates != dedupe.Create:
			if len(m.Existing) > 1 {
				ids := make([]string, len(m.Existing))
				for k, c := range m.Existing {
					ids[k] = c.ID
				}
				d.notes = append(d.notes, note{row: row.row, generic: "matches several existing records",
					build: func() string {
						return fmt.Sprintf("matches %d existing records (%s)", len(ids), strings.Join(ids, ", "))
					}})
				switch p.ambiguous {
				case dedupe.SkipAmbiguous:
					d.outcomes[i] = outSkipped
					continue
				case dedupe.FailAmbiguous:
					fail(i, crmio.RowError{Row: row.row, Reason: fmt.Sprintf("matches %d existing records", len(ids)), Err: crmio.ErrDuplicate})
					continue
				}
			}
			if p.duplicates == dedupe.Skip {
				d.outcomes[i] = outSkipped
				continue
			}
			id := m.Existing[0].ID
			old, ok := in.existing[id]
			if !ok {
				// Deleted between the lookup and now.
				fail(i, crmio.RowError{Row: row.row, Reason: fmt.Sprintf("the matching record %s no longer exists", id), Err: crmio.ErrNotFound})
				continue
			}
			cur, seen := merged[id]
			if !seen {
				cur = old
				order = append(order, id)
			}
			merged[id], _ = p.merger.Merge(cur, row.rec, p.mapped)
			targets[j].existing = id
			d.outcomes[i] = outUpdated
		case m.Earlier >= 0:
			earlier := targets[m.Earlier]
			if p.duplicates == dedupe.Skip || (earlier.insert < 0 && earlier.existing == "") {
				// The earlier row was skipped or failed: this one follows it.
				d.outcomes[i] = outSkipped
				if p.duplicates == dedupe.Skip {
					first := in.rows[in.valid[m.Earlier]].row
					d.notes = append(d.notes, note{row: row.row, generic: "duplicate of an earlier row",
						build: func() string { return fmt.Sprintf("duplicate of row %d", first) }})
				}
				continue
			}
			targets[j] = earlier
			if earlier.insert >= 0 {
				ins := &d.inserts[earlier.insert]
				ins.rec, _ = p.merger.Merge(ins.rec, row.rec, p.mapped)
				ins.rehash = true
			} else {
				merged[earlier.existing], _ = p.merger.Merge(merged[earlier.existing], row.rec, p.mapped)
			}
			d.outcomes[i] = outUpdated
		default:
			targets[j].insert = len(d.inserts)
			d.inserts = append(d.inserts, insert{rec: row.rec, row: i})
			d.outcomes[i] = outCreated
		}
	}

	// The scope: a record created takes its = values; one that would be
	// written outside fails every row that went into it.
	outside := func(into func(target) bool, reason string) {
		for j, i := range in.valid {
			if d.outcomes[i] != outFailed && into(targets[j]) {
				fail(i, crmio.RowError{Row: in.rows[i].row, Reason: reason, Err: crmio.ErrOutOfScope})
			}
		}
	}
	if p.scope != nil {
		for k := range d.inserts {
			ins := &d.inserts[k]
			for f, v := range p.defaults {
				if cur, ok := ins.rec.Values[f]; !ok || cur.IsZero() {
					ins.rec.Values[f] = v
					ins.rehash = true
				}
			}
			if !p.scope.Visible(ins.rec) {
				outside(func(t target) bool { return t.insert == k }, "the record would be outside the import's scope")
			}
		}
		for _, id := range order {
			if !p.scope.Visible(merged[id]) {
				outside(func(t target) bool { return t.existing == id },
					fmt.Sprintf("the update would move record %s outside the import's scope", id))
			}
		}
	}

	// What stays to write. An update that brings nothing new makes its
	// rows skipped.
	kept := d.inserts[:0]
	for _, ins := range d.inserts {
		if d.outcomes[ins.row] != outFailed {
			kept = append(kept, ins)
		}
	}
	d.inserts = kept
	// The rows that went into each existing record, once: a batch updates
	// many records, and each must not cost a pass over the batch.
	rowsOf := make(map[string][]int, len(order))
	for j := range in.valid {
		if id := targets[j].existing; id != "" {
			rowsOf[id] = append(rowsOf[id], in.valid[j])
		}
	}
	for _, id := range order {
		old := in.existing[id]
		rec := merged[id]
		rec.ID, rec.Module = id, p.module
		failed := false
		for _, i := range rowsOf[id] {
			failed = failed || d.outcomes[i] == outFailed
		}
		if failed {
			continue
		}
		old.Module = p.module
		if rec.Equal(old) {
			for _, i := range rowsOf[id] {
				if d.outcomes[i] == outUpdated {
					d.outcomes[i] = outSkipped
				}
			}
			continue
		}
		d.updates = append(d.updates, update{rec: rec, before: old})
	}
	return d
}
