package dedupe

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/similarity"
	"github.com/crmio/crmio/storage"
)

// DefaultThreshold is the FuzzyMatcher's default similarity threshold: low
// enough that "Jon Smith" matches "John Smith" (0.97), and so does "Johnny
// Smith" (0.97); high enough that "Jane Smith" does not (0.88).
const DefaultThreshold = 0.92

// maxNameRunes bounds the part of a name the FuzzyMatcher compares, which
// bounds the cost of a comparison on untrusted text: Jaro-Winkler costs up
// to the product of the lengths. No person's name is this long.
const maxNameRunes = 128

// FuzzyMatcher finds people who are probably the same although their names
// are spelled differently: the same last name, a first name close enough,
// and something else in common, a company or a phone number.
//
// A stored record is a candidate for an incoming one when all of these
// hold:
//
//   - their LastName fields share a match key (the block: only records
//     with the same normalized last name are compared);
//   - their Company fields share a match key, or their Phone fields share
//     one (any item of a multi-value phone field);
//   - the Jaro-Winkler similarity (see JaroWinkler) of their full names,
//     first and last name normalized by crmio.TextKey, is at least
//     Threshold. The similarity is the candidate's Score.
//
// It makes at most one Store.Lookup per field per batch: the last names,
// then the companies and phones of the records whose last name is stored.
// Then one Store.Get reads the records that pass the first two tests, to
// compare their names. Candidates come best score first. An earlier
// record of the same batch is a duplicate by the same rule.
//
// The zero FuzzyMatcher matches on the fields "first_name", "last_name",
// "company" and "phone" with DefaultThreshold. A Company holding a resolved
// reference matches a stored reference to the same record, and also one
// naming the same company by its key.
type FuzzyMatcher struct {
	FirstName string // default "first_name"
	LastName  string // default "last_name"; the block key
	Company   string // default "company"
	Phone     string // default "phone"

	// Threshold is the least Jaro-Winkler similarity of the full names, in
	// (0, 1]; zero or less means DefaultThreshold.
	Threshold float64
}

func (m FuzzyMatcher) withDefaults() FuzzyMatcher {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&m.FirstName, "first_name")
	def(&m.LastName, "last_name")
	def(&m.Company, "company")
	def(&m.Phone, "phone")
	if m.Threshold <= 0 {
		m.Threshold = DefaultThreshold
	}
	return m
}

// person is what the FuzzyMatcher compares of a record.
type person struct {
	block   []string // match keys of the last name
	name    []rune   // the normalized full name, at most maxNameRunes
	company []string
	phone   []string
}

func (m FuzzyMatcher) person(rec crmio.Record) person {
	last := rec.Get(m.LastName)
	full := crmio.TextKey(rec.Get(m.FirstName).String() + " " + last.String())
	name := similarity.AppendRunes(nil, full)
	if len(name) > maxNameRunes {
		name = name[:maxNameRunes]
	}
	return person{
		block:   crmio.MatchKeys(last),
		name:    name,
		company: companyKeys(rec.Get(m.Company)),
		phone:   crmio.MatchKeys(rec.Get(m.Phone)),
	}
}

// comparable reports whether p can match anyone: it needs a last name and
// a company or a phone.
func (p person) comparable() bool {
	return len(p.block) > 0 && (len(p.company) > 0 || len(p.phone) > 0)
}

// companyKeys returns the match keys of a company: for a reference, both
// the resolved id's key and the key of the name it was given by, so that
// a resolved reference matches an unresolved one naming the same company.
func companyKeys(v crmio.Value) []string {
	r, ok := v.Ref()
	if !ok {
		return crmio.MatchKeys(v)
	}
	var keys []string
	if r.ID != "" {
		keys = append(keys, "#"+r.ID)
	}
	if k := crmio.TextKey(r.Key); k != "" {
		keys = append(keys, k)
	}
	return keys
}

// Match implements Matcher.
func (m FuzzyMatcher) Match(ctx context.Context, store storage.Store, module string, batch []crmio.Record) ([]Match, error) {
	m = m.withDefaults()
	matches := make([]Match, len(batch))
	people := make([]person, len(batch))
	blocks := keySet{seen: make(map[string]struct{}, len(batch))}
	for i, rec := range batch {
		matches[i].Earlier = -1
		p := m.person(rec)
		if !p.comparable() {
			continue
		}
		people[i] = p
		blocks.add(p.block...)
	}
	if len(blocks.keys) == 0 {
		return matches, nil
	}

	lookup := func(field string, keys []string) (map[string][]string, error) {
		if len(keys) == 0 {
			return nil, nil
		}
		res, err := store.Lookup(ctx, module, field, keys)
		if err != nil {
			return nil, fmt.Errorf("dedupe: looking up %s.%s: %w", module, field, err)
		}
		return res, nil
	}
	byBlock, err := lookup(m.LastName, blocks.keys)
	if err != nil {
		return nil, err
	}
	if len(byBlock) == 0 {
		// No stored record shares a last name: only the batch can hold
		// duplicates.
		m.earlier(matches, people)
		return matches, nil
	}
	// Companies and phones only of the records whose last name is stored.
	var companies, phones keySet
	for _, p := range people {
		for _, k := range p.block {
			if len(byBlock[k]) > 0 {
				companies.add(p.company...)
				phones.add(p.phone...)
				break
			}
		}
	}
	byCompany, err := lookup(m.Company, companies.keys)
	if err != nil {
		return nil, err
	}
	byPhone, err := lookup(m.Phone, phones.keys)
	if err != nil {
		return nil, err
	}

	// For each record, the stored ids sharing its last name and also its
	// company or phone: only those need their names compared.
	shortlists := make([][]string, len(batch))
	var wanted keySet
	linked := make(map[string]struct{})
	for i, p := range people {
		if !p.comparable() {
			continue
		}
		clear(linked)
		for _, k := range p.company {
			for _, id := range byCompany[k] {
				linked[id] = struct{}{}
			}
		}
		for _, k := range p.phone {
			for _, id := range byPhone[k] {
				linked[id] = struct{}{}
			}
		}
		if len(linked) == 0 {
			continue
		}
		var list keySet
		for _, k := range p.block {
			for _, id := range byBlock[k] {
				if _, ok := linked[id]; ok {
					list.add(id)
				}
			}
		}
		shortlists[i] = list.keys
		wanted.add(list.keys...)
	}

	if len(wanted.keys) > 0 {
		recs, err := store.Get(ctx, module, wanted.keys)
		if err != nil {
			return nil, fmt.Errorf("dedupe: getting %d %s records: %w", len(wanted.keys), module, err)
		}
		names := make(map[string][]rune, len(recs))
		for _, rec := range recs {
			names[rec.ID] = m.person(rec).name
		}
		for i, list := range shortlists {
			var found []Candidate
			for _, id := range list {
				name, ok := names[id] // a record deleted since the lookup is gone
				if !ok {
					continue
				}
				if score := similarity.Runes(people[i].name, name); score >= m.Threshold {
					found = append(found, Candidate{ID: id, Score: score})
				}
			}
			slices.SortStableFunc(found, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
			matches[i].Existing = found
		}
	}
	m.earlier(matches, people)
	return matches, nil
}

// earlier sets Earlier to the first record of the batch before each one
// that it duplicates by the FuzzyMatcher's rule.
func (m FuzzyMatcher) earlier(matches []Match, people []person) {
	byBlock := make(map[string][]int)
	var earlier []int
	for i, p := range people {
		if !p.comparable() {
			continue
		}
		earlier = earlier[:0]
		for _, k := range p.block {
			earlier = append(earlier, byBlock[k]...)
			byBlock[k] = append(byBlock[k], i)
		}
		if len(p.block) > 1 {
			slices.Sort(earlier)
			earlier = slices.Compact(earlier)
		}
		for _, j := range earlier {
			q := people[j]
			if (sharesKey(p.company, q.company) || sharesKey(p.phone, q.phone)) &&
				similarity.Runes(p.name, q.name) >= m.Threshold {
				matches[i].Earlier = j
				break
			}
		}
	}
}
