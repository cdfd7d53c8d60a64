package storage

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/crmio/crmio"
)

// Scope is the visibility rule of a caller's role: the records it may see
// are those that satisfy every filter in Where (typically on an owner or
// team field). A nil *Scope sees everything.
//
// A scope compares exactly, unlike a Query's filters, which compare match
// keys so that a search finds "Alice" for "alice": a visibility rule must
// not let "owner = alice" see the records of "Alice", " alice" or the
// full-width "ａｌｉｃｅ". Values compare by crmio.ExactKey, the canonical
// form of their own type: text as written (in NFC), an email address
// without case (addresses have none), a phone number in E.164, a number
// by its value. So, for each filter of Where:
//
//   - Eq holds when an item of the field has Value's exact key; Ne when
//     none has (a record without the field satisfies Ne only).
//   - Contains holds when an item's exact key contains the exact key of
//     Value's text.
//   - Lt, Le, Gt, Ge compare within one ordered kind: numbers, dates,
//     instants and booleans by SortKey, text-like values by exact key,
//     bytewise.
type Scope struct {
	// Name says whose scope this is ("sales-emea"); for messages and logs.
	Name  string   `json:"name,omitempty"`
	Where []Filter `json:"where"`
}

// Visible reports whether rec satisfies every filter of the scope, by the
// exact comparison documented on Scope. A nil scope sees everything. It is
// the reference semantics: adapters that filter in Go call it, and SQL
// adapters that narrow a scan in SQL (see Narrowing) call it on each record
// they read.
func (s *Scope) Visible(rec crmio.Record) bool {
	if s == nil {
		return true
	}
	for _, f := range s.Where {
		if !f.matchExact(rec) {
			return false
		}
	}
	return true
}

// Narrowing returns the scope's filters that a store may run with match
// key semantics (Filter.Match) to narrow a scan before checking Visible:
// every record the scope sees satisfies them, because values with the same
// exact key have the same match key. They are the Eq filters; the others
// (Ne, Contains, the orders) must be checked in Go. A store that narrows
// must apply a Query's Limit after Visible.
func (s *Scope) Narrowing() []Filter {
	if s == nil {
		return nil
	}
	var out []Filter
	for _, f := range s.Where {
		if f.Op == Eq {
			out = append(out, f)
		}
	}
	return out
}

// Fields returns the names of the fields the scope's filters read, each once.
func (s *Scope) Fields() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, f := range s.Where {
		if !slices.Contains(out, f.Field) {
			out = append(out, f.Field)
		}
	}
	return out
}

// Check reports a scope that cannot apply to module m: a filter on a field
// m lacks (a scope that names a misspelt field would otherwise see nothing,
// or, on a write, let everything through), or a filter a store cannot run.
// The error wraps crmio.ErrUnknownField or ErrInvalidQuery.
func (s *Scope) Check(m *crmio.Module) error {
	if s == nil {
		return nil
	}
	for _, f := range s.Where {
		if err := f.validate(); err != nil {
			return err
		}
		if m.Field(f.Field) == nil {
			return fmt.Errorf("%w: the scope %s filters on %q, which module %s lacks", crmio.ErrUnknownField, s.label(), f.Field, m.Name)
		}
	}
	return nil
}

func (s *Scope) label() string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	parts := make([]string, len(s.Where))
	for i, f := range s.Where {
		parts[i] = f.String()
	}
	return "(" + strings.Join(parts, " and ") + ")"
}

// And returns the scope that sees what both s and t see: nil when both are
// nil, else their filters together.
func (s *Scope) And(t *Scope) *Scope {
	switch {
	case s == nil:
		return t
	case t == nil:
		return s
	}
	name := s.Name
	if t.Name != "" && t.Name != name {
		if name != "" {
			name += " and "
		}
		name += t.Name
	}
	return &Scope{Name: name, Where: append(slices.Clone(s.Where), t.Where...)}
}

// Defaults returns the values a record created under the scope takes for
// the fields it leaves empty, so that it stays visible: the scope's Eq
// filters, field → value (the first, when a field has several).
func (s *Scope) Defaults() map[string]crmio.Value {
	if s == nil {
		return nil
	}
	var out map[string]crmio.Value
	for _, f := range s.Where {
		if f.Op != Eq {
			continue
		}
		if out == nil {
			out = map[string]crmio.Value{}
		}
		if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Value
		}
	}
	return out
}

// matchExact reports whether rec satisfies f with the exact comparison of
// scopes.
func (f Filter) matchExact(rec crmio.Record) bool { return f.matchBy(rec, exactly) }

var exactly = comparison{
	key:    crmio.ExactKey,
	needle: func(v crmio.Value) string { return crmio.ExactKey(crmio.TextValue(v.String())) },
	order:  exactOrderKey,
}

// exactOrderKey returns the key ordered comparisons of a scope use, and
// its class (SortKey's first byte; 0 when the value has no order): the
// sort key for numbers, dates, instants and booleans, whose sort keys are
// already exact, and the exact key for text-like values.
func exactOrderKey(v crmio.Value) (string, byte) {
	k := SortKey(v)
	if k == "" {
		return "", 0
	}
	if k[0] == 's' {
		if it := v.List(); len(it) > 0 {
			return crmio.ExactKey(it[0].Value), 's'
		}
	}
	return k, k[0]
}

// ScopeFunc returns the scope of a module: nil sees every record of it.
type ScopeFunc func(module string) *Scope

// Scoped returns a Store that sees and touches only the records the scope
// of their module lets it, so that code given it (a Matcher, a
// ReferenceResolver, an import under a caller's scope) can neither read,
// change nor reveal a record outside:
//
//   - Scan adds the module's scope to the query's; Get omits records
//     outside, as if they did not exist; Lookup answers only with ids of
//     records inside (it reads the candidates, one Get per call, to
//     check them).
//   - Update fails, changing nothing, with an error wrapping
//     crmio.ErrNotFound when a record is outside (or missing), and with
//     crmio.ErrOutOfScope when the new values would put it outside; Insert
//     fails with crmio.ErrOutOfScope when a record would be outside.
//     Delete ignores ids outside, as it ignores missing ones.
//
// The result implements Store, and ChunkScanner when s does: transactions
// and history stay with the store that has them (wrap the tx an Atomic
// hands out).
func Scoped(s Store, scope ScopeFunc) Store {
	if scope == nil {
		return s
	}
	sc := &scoped{base: s, scope: scope}
	if _, ok := s.(ChunkScanner); ok {
		return scopedChunks{sc}
	}
	return sc
}

// scopedChunks is a scoped ChunkScanner.
type scopedChunks struct{ *scoped }

// ScanChunks implements ChunkScanner: the base store's chunks, within the
// scope.
func (s scopedChunks) ScanChunks(ctx context.Context, module string, q Query) iter.Seq2[*Chunk, error] {
	q.Scope = q.Scope.And(s.scope(module))
	return s.base.(ChunkScanner).ScanChunks(ctx, module, q)
}

type scoped struct {
	base  Store
	scope ScopeFunc
}

func (s *scoped) Insert(ctx context.Context, module string, recs []crmio.Record) ([]string, error) {
	if sc := s.scope(module); sc != nil {
		for i, r := range recs {
			if !sc.Visible(r) {
				return nil, fmt.Errorf("storage: %w %s: record %d of the batch", crmio.ErrOutOfScope, sc.label(), i+1)
			}
		}
	}
	return s.base.Insert(ctx, module, recs)
}

func (s *scoped) Update(ctx context.Context, module string, recs []crmio.Record) error {
	sc := s.scope(module)
	if sc == nil {
		return s.base.Update(ctx, module, recs)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		if !sc.Visible(r) {
			return fmt.Errorf("storage: %w %s: record %s", crmio.ErrOutOfScope, sc.label(), r.ID)
		}
		ids[i] = r.ID
	}
	have, err := s.visibleIDs(ctx, module, sc, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !have[id] {
			return fmt.Errorf("storage: update record %q of %s: %w", id, module, crmio.ErrNotFound)
		}
	}
	return s.base.Update(ctx, module, recs)
}

func (s *scoped) Delete(ctx context.Context, module string, ids []string) error {
	sc := s.scope(module)
	if sc == nil {
		return s.base.Delete(ctx, module, ids)
	}
	have, err := s.visibleIDs(ctx, module, sc, ids)
	if err != nil {
		return err
	}
	keep := make([]string, 0, len(ids))
	for _, id := range ids {
		if have[id] {
			keep = append(keep, id)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return s.base.Delete(ctx, module, keep)
}

func (s *scoped) Get(ctx context.Context, module string, ids []string) ([]crmio.Record, error) {
	recs, err := s.base.Get(ctx, module, ids)
	if err != nil {
		return nil, err
	}
	sc := s.scope(module)
	if sc == nil {
		return recs, nil
	}
	return slices.DeleteFunc(recs, func(r crmio.Record) bool { return !sc.Visible(r) }), nil
}

func (s *scoped) Lookup(ctx context.Context, module, field string, keys []string) (map[string][]string, error) {
	found, err := s.base.Lookup(ctx, module, field, keys)
	sc := s.scope(module)
	if err != nil || sc == nil || len(found) == 0 {
		return found, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, list := range found {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	have, err := s.visibleIDs(ctx, module, sc, ids)
	if err != nil {
		return nil, err
	}
	for k, list := range found {
		list = slices.DeleteFunc(list, func(id string) bool { return !have[id] })
		if len(list) == 0 {
			delete(found, k)
		} else {
			found[k] = list
		}
	}
	return found, nil
}

func (s *scoped) Scan(ctx context.Context, module string, q Query) iter.Seq2[crmio.Record, error] {
	q.Scope = q.Scope.And(s.scope(module))
	return s.base.Scan(ctx, module, q)
}

// visibleIDs returns which of ids name records inside sc.
func (s *scoped) visibleIDs(ctx context.Context, module string, sc *Scope, ids []string) (map[string]bool, error) {
	recs, err := s.base.Get(ctx, module, ids)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(recs))
	for _, r := range recs {
		if sc.Visible(r) {
			have[r.ID] = true
		}
	}
	return have, nil
}

// Pushdown is how a store that runs filters in its database runs a Query
// with a Scope, whose exact comparison its match keys cannot do: it runs
// DB there (the query's filters and the scope's Narrowing filters, no
// scope, and, when the scope must be checked, no limit and a field
// selection that keeps the scope's fields), then passes each record it
// reads through Keep. Both SQL stores crmio ships do this.
type Pushdown struct {
	// DB is the query to run in the database.
	DB Query

	scope  *Scope
	fields []string
	limit  int
	kept   int

	// For KeepRow: the record Visible is given, and the index in DB.Fields
	// of each field of the scope.
	seen        crmio.Record
	scopeFields []string
	scopeAt     []int
}

// Pushdown splits q for a store that filters by match keys in its
// database; see the Pushdown type.
func (q Query) Pushdown() *Pushdown {
	p := &Pushdown{DB: q}
	p.DB.Scope = nil
	if q.Scope == nil || len(q.Scope.Where) == 0 {
		return p
	}
	p.scope, p.fields, p.limit = q.Scope, q.Fields, q.Limit
	p.DB.Where = append(slices.Clone(q.Where), q.Scope.Narrowing()...)
	p.DB.Limit = 0
	if q.Fields != nil {
		p.DB.Fields = slices.Clone(q.Fields)
		for _, f := range q.Scope.Fields() {
			if !slices.Contains(p.DB.Fields, f) {
				p.DB.Fields = append(p.DB.Fields, f)
			}
		}
	}
	return p
}

// Keep takes a record the database yielded for DB, in DB's order: it
// reports whether the record is to be yielded (it is inside the scope),
// returns it with the query's own field selection, and reports whether
// more records may follow (the limit is not reached).
func (p *Pushdown) Keep(rec crmio.Record) (out crmio.Record, keep, more bool) {
	if p.scope == nil {
		return rec, true, true
	}
	keep, more = p.take(rec)
	if !keep {
		return crmio.Record{}, false, more
	}
	if p.fields != nil {
		rec = Query{Fields: p.fields}.Project(rec)
	}
	return rec, true, more
}

// take checks a record read against the scope and counts it against the
// limit when it is inside: Keep and KeepRow without their forms of the
// record.
func (p *Pushdown) take(rec crmio.Record) (keep, more bool) {
	if !p.scope.Visible(rec) {
		return false, true
	}
	p.kept++
	return true, p.limit == 0 || p.kept < p.limit
}

// NeedsKeep reports whether the records read for DB must go through Keep
// (or KeepRow): the query has a scope, which the database only narrows.
func (p *Pushdown) NeedsKeep() bool { return p.scope != nil }

// KeepRow is Keep for a store that reads a scan as chunks (ChunkScanner):
// row holds the record's values of DB.Fields, in order, of which the
// first len(q.Fields) are the query's own selection (Pushdown puts the
// scope's fields after them). It reports whether the record is to be
// yielded and whether more may follow. It allocates nothing past its
// first call.
func (p *Pushdown) KeepRow(row []crmio.Value) (keep, more bool) {
	if p.scope == nil {
		return true, true
	}
	if p.seen.Values == nil {
		p.scopeFields = p.scope.Fields()
		p.seen.Values = make(map[string]crmio.Value, len(p.scopeFields))
		for _, f := range p.scopeFields {
			p.scopeAt = append(p.scopeAt, slices.Index(p.DB.Fields, f))
		}
	}
	for i, f := range p.scopeFields {
		var v crmio.Value // a field absent sees as a null one
		if at := p.scopeAt[i]; at >= 0 && at < len(row) {
			v = row[at]
		}
		p.seen.Values[f] = v
	}
	return p.take(p.seen)
}
