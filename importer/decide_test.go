package importer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/dedupe"
	"github.com/crmio/crmio/storage"
)

// row is a pending row of the decide tests: row number, email, name.
func row(n int, email, name string) pending {
	v := map[string]crmio.Value{"email": crmio.EmailValue(email)}
	if name != "" {
		v["name"] = crmio.TextValue(name)
	}
	return pending{row: n, rec: crmio.Record{Module: "people", Values: v}}
}

func existing(id, email, name string) crmio.Record {
	r := crmio.Record{ID: id, Module: "people", Values: map[string]crmio.Value{"email": crmio.EmailValue(email)}}
	if name != "" {
		r.Values["name"] = crmio.TextValue(name)
	}
	return r
}

func matchOf(earlier int, ids ...string) dedupe.Match {
	m := dedupe.Match{Earlier: earlier}
	for _, id := range ids {
		m.Existing = append(m.Existing, dedupe.Candidate{ID: id})
	}
	return m
}

// describeDecision is a decision as text: each row's outcome, then what it
// writes.
func describeDecision(d decision) string {
	var b strings.Builder
	for i, o := range d.outcomes {
		fmt.Fprintf(&b, "%d:%s", i, []string{"failed", "created", "updated", "skipped"}[o])
		if len(d.errs[i]) > 0 {
			fmt.Fprintf(&b, "(%s)", d.errs[i][0].Reason)
		}
		b.WriteString(" ")
	}
	for _, ins := range d.inserts {
		fmt.Fprintf(&b, "| insert row %d %s", ins.row, show(ins.rec))
	}
	for _, u := range d.updates {
		fmt.Fprintf(&b, "| update %s %s", u.rec.ID, show(u.rec))
	}
	for _, n := range d.notes {
		fmt.Fprintf(&b, "| note row %d: %s", n.row, n.build())
	}
	return b.String()
}

func show(r crmio.Record) string {
	var fields []string
	for f, v := range r.Values {
		fields = append(fields, f+"="+v.String())
	}
	slices.Sort(fields)
	return "{" + strings.Join(fields, " ") + "}"
}

// TestDecide checks the per-batch decision without a store: the duplicate
// strategies, the merge chain of rows that update one record or duplicate
// an earlier row, ambiguity, a record deleted since the lookup, updates
// that change nothing, and the scope.
func TestDecide(t *testing.T) {
	merger := dedupe.FieldMerger{Mode: dedupe.FillEmpty}
	base := policy{module: "people", merger: merger, mapped: []string{"email", "name"}}
	with := func(change func(*policy)) policy {
		p := base
		change(&p)
		return p
	}
	ann := &storage.Scope{Where: []storage.Filter{{Field: "owner", Op: storage.Eq, Value: crmio.TextValue("ann")}}}
	tests := []struct {
		name     string
		p        policy
		rows     []pending
		matches  []dedupe.Match
		existing []crmio.Record
		want     string
	}{
		{"no matches: every row created", base,
			[]pending{row(2, "a@x", "A"), row(3, "b@x", "B")}, nil, nil,
			"0:created 1:created | insert row 0 {email=a@x name=A}| insert row 1 {email=b@x name=B}"},
		{"skip an existing duplicate", base,
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7")}, []crmio.Record{existing("7", "a@x", "")},
			"0:skipped "},
		{"update merges by the merger", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7")}, []crmio.Record{existing("7", "a@x", "")},
			"0:updated | update 7 {email=a@x name=A}"},
		{"two rows update one record, in row order", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", "First"), row(3, "a@x", "Second")}, []dedupe.Match{matchOf(-1, "7"), matchOf(-1, "7")},
			[]crmio.Record{existing("7", "a@x", "")},
			"0:updated 1:updated | update 7 {email=a@x name=First}"},
		{"an update that changes nothing counts as skipped", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7")}, []crmio.Record{existing("7", "a@x", "A")},
			"0:skipped "},
		{"create anyway", with(func(p *policy) { p.duplicates = dedupe.Create }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7")}, []crmio.Record{existing("7", "a@x", "")},
			"0:created | insert row 0 {email=a@x name=A}"},
		{"a duplicate of an earlier row merges into its insert", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", ""), row(3, "a@x", "Later")}, []dedupe.Match{matchOf(-1), matchOf(0)}, nil,
			"0:created 1:updated | insert row 0 {email=a@x name=Later}"},
		{"skip: a duplicate of an earlier row is skipped, with a note", base,
			[]pending{row(2, "a@x", "A"), row(5, "a@x", "B")}, []dedupe.Match{matchOf(-1), matchOf(0)}, nil,
			"0:created 1:skipped | insert row 0 {email=a@x name=A}| note row 5: duplicate of row 2"},
		{"a duplicate of an earlier row that updates follows it", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", ""), row(3, "a@x", "Later")}, []dedupe.Match{matchOf(-1, "7"), matchOf(0, "7")},
			[]crmio.Record{existing("7", "a@x", "")},
			"0:updated 1:updated | update 7 {email=a@x name=Later}"},
		{"ambiguous, use the best", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7", "8")}, []crmio.Record{existing("7", "a@x", ""), existing("8", "a@x", "")},
			"0:updated | update 7 {email=a@x name=A}| note row 2: matches 2 existing records (7, 8)"},
		{"ambiguous, skip", with(func(p *policy) { p.duplicates = dedupe.Update; p.ambiguous = dedupe.SkipAmbiguous }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7", "8")}, nil,
			"0:skipped | note row 2: matches 2 existing records (7, 8)"},
		{"ambiguous, fail", with(func(p *policy) { p.duplicates = dedupe.Update; p.ambiguous = dedupe.FailAmbiguous }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7", "8")}, nil,
			"0:failed(matches 2 existing records) | note row 2: matches 2 existing records (7, 8)"},
		{"the matching record was deleted since the lookup", with(func(p *policy) { p.duplicates = dedupe.Update }),
			[]pending{row(2, "a@x", "A")}, []dedupe.Match{matchOf(-1, "7")}, nil,
			"0:failed(the matching record 7 no longer exists) "},
		{"scope: a created record takes the scope's = values", with(func(p *policy) { p.scope = ann; p.defaults = ann.Defaults() }),
			[]pending{row(2, "a@x", "A")}, nil, nil,
			"0:created | insert row 0 {email=a@x name=A owner=ann}"},
		{"scope: a row that says otherwise fails", with(func(p *policy) { p.scope = ann; p.defaults = ann.Defaults() }),
			[]pending{func() pending { r := row(2, "a@x", "A"); r.rec.Values["owner"] = crmio.TextValue("bob"); return r }()}, nil, nil,
			"0:failed(the record would be outside the import's scope) "},
		{"scope: an update that would move a record out fails its rows", with(func(p *policy) {
			p.duplicates, p.merger, p.scope = dedupe.Update, dedupe.FieldMerger{Mode: dedupe.Overwrite}, ann
			p.mapped = []string{"email", "name", "owner"}
		}),
			[]pending{func() pending { r := row(2, "a@x", "A"); r.rec.Values["owner"] = crmio.TextValue("bob"); return r }()},
			[]dedupe.Match{matchOf(-1, "7")},
			[]crmio.Record{func() crmio.Record {
				r := existing("7", "a@x", "")
				r.Values["owner"] = crmio.TextValue("ann")
				return r
			}()},
			"0:failed(the update would move record 7 outside the import's scope) "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := decideInput{rows: tt.rows, matches: tt.matches}
			for i := range tt.rows {
				in.valid = append(in.valid, i)
			}
			if tt.existing != nil {
				in.existing = map[string]crmio.Record{}
				for _, r := range tt.existing {
					in.existing[r.ID] = r
				}
			}
			if got := describeDecision(decide(tt.p, in)); got != tt.want {
				t.Errorf("decide =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestToRead checks which existing records decide needs: those of the
// rows that will update, each once, and none for skip or create.
func TestToRead(t *testing.T) {
	matches := []dedupe.Match{matchOf(-1, "7"), matchOf(-1, "8", "9"), matchOf(-1, "7"), matchOf(0)}
	if got := toRead(policy{duplicates: dedupe.Update}, matches); !slices.Equal(got, []string{"7", "8"}) {
		t.Errorf("update, use best: %v, want [7 8]", got)
	}
	if got := toRead(policy{duplicates: dedupe.Update, ambiguous: dedupe.SkipAmbiguous}, matches); !slices.Equal(got, []string{"7"}) {
		t.Errorf("update, skip ambiguous: %v, want [7]", got)
	}
	for _, s := range []dedupe.Strategy{dedupe.Skip, dedupe.Create} {
		if got := toRead(policy{duplicates: s}, matches); got != nil {
			t.Errorf("%s: %v, want none", s, got)
		}
	}
}
