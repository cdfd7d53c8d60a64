package mapping

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
)

// moduleIndex is what the suggester knows of a module: the titles of its
// fields and, for each concept, the fields that can hold it.
type moduleIndex struct {
	m      *crmio.Module
	entity string // "person", "organization", or the module's own name
	// direct maps a normalized title to the targets it names exactly: a
	// field's name, label or alias, or the title crmio.ColumnName gives a
	// label or part of it ("phone mobile", "address work city").
	direct    map[string][]Target
	byConcept [][]fieldMatch
}

type fieldMatch struct {
	f     *crmio.Field
	score float64
	why   string // why a field matched by type alone: "the module's only email field"
}

func indexModule(m *crmio.Module) *moduleIndex {
	ix := &moduleIndex{m: m, direct: map[string][]Target{}, byConcept: make([][]fieldMatch, len(concepts))}
	ix.entity = entityOf(normalize(m.Name))
	if ix.entity == "" {
		ix.entity = entityOf(normalize(m.Label))
	}
	if ix.entity == "" {
		ix.entity = strings.TrimSuffix(phrase(m.Name), "s")
	}
	add := func(title string, t Target) {
		p := phrase(title)
		if p != "" && !slices.Contains(ix.direct[p], t) {
			ix.direct[p] = append(ix.direct[p], t)
		}
	}
	phrases := make([][]string, len(m.Fields))
	for i := range m.Fields {
		f := &m.Fields[i]
		names := append([]string{f.Name, f.DisplayLabel()}, f.Aliases...)
		for _, n := range names {
			if p := phrase(n); p != "" && !slices.Contains(phrases[i], p) {
				phrases[i] = append(phrases[i], p)
			}
			t := Target{Field: f.Name}
			if f.Type == crmio.TypeAddress {
				t.Part = crmio.PartStreet
			}
			add(n, t)
		}
		if f.Type == crmio.TypeAddress {
			for _, part := range crmio.AddressParts {
				add(crmio.ColumnName(f, "", part), Target{Field: f.Name, Part: part})
				if f.Multi {
					for _, l := range f.Labels {
						add(crmio.ColumnName(f, l, part), Target{Field: f.Name, Label: l, Part: part})
					}
				}
			}
		} else if f.Multi {
			for _, l := range f.Labels {
				add(crmio.ColumnName(f, l, ""), Target{Field: f.Name, Label: l})
			}
		}
	}
	// How well each field's names match each concept. A field is only a
	// candidate for the concepts it matches nearly as well as its best:
	// "title" labelled "Job title" is a job title, not a salutation.
	match := make([][]float64, len(m.Fields))
	for i := range m.Fields {
		match[i] = make([]float64, len(concepts))
		best := 0.0
		for ci, c := range concepts {
			factor := typeFactor(c, &m.Fields[i])
			for _, p := range phrases[i] {
				match[i][ci] = max(match[i][ci], c.phrases[p]*factor)
			}
			best = max(best, match[i][ci])
		}
		for ci := range concepts {
			if match[i][ci] < best-0.15 {
				match[i][ci] = 0
			}
		}
	}
	for ci := range concepts {
		var list []fieldMatch
		for i := range m.Fields {
			if s := match[i][ci]; s > 0 {
				list = append(list, fieldMatch{f: &m.Fields[i], score: s})
			}
		}
		if len(list) == 0 {
			list = ix.fallback(ci, phrases)
		}
		slices.SortStableFunc(list, func(a, b fieldMatch) int { return cmp.Compare(b.score, a.score) })
		ix.byConcept[ci] = list
	}
	return ix
}

// typeFactor says how well a field's type suits a concept: 1 for its
// first type, 0.95 for another, 0 when it cannot hold it.
func typeFactor(c concept, f *crmio.Field) float64 {
	for i, t := range c.types {
		if t == f.Type {
			if i == 0 {
				return 1
			}
			return 0.95
		}
	}
	return 0
}

// fallback finds a field for a concept no field is named for, by type: the
// module's only email field holds emails whatever it is called.
func (ix *moduleIndex) fallback(ci int, phrases [][]string) []fieldMatch {
	only := func(typ crmio.FieldType, score float64, skip func(i int) bool) []fieldMatch {
		var found []fieldMatch
		for i := range ix.m.Fields {
			if f := &ix.m.Fields[i]; f.Type == typ && (skip == nil || !skip(i)) {
				found = append(found, fieldMatch{f: f, score: score, why: f.DisplayLabel() + " is the module's only " + string(typ) + " field"})
			}
		}
		if len(found) == 1 {
			return found
		}
		return nil
	}
	hasWord := func(i int, words ...string) bool {
		for _, p := range phrases[i] {
			for _, w := range strings.Fields(p) {
				if slices.Contains(words, w) {
					return true
				}
			}
		}
		return false
	}
	switch concepts[ci].name {
	case "email":
		return only(crmio.TypeEmail, 0.85, nil)
	case "phone":
		return only(crmio.TypePhone, 0.85, nil)
	case "address":
		return only(crmio.TypeAddress, 0.9, nil)
	case "website":
		return only(crmio.TypeURL, 0.8, func(i int) bool { return hasWord(i, "linkedin", "twitter", "facebook", "photo", "avatar") })
	case "company":
		var found []fieldMatch
		for i := range ix.m.Fields {
			f := &ix.m.Fields[i]
			if f.Type == crmio.TypeReference && entityOf(normalize(f.Ref)) == "organization" {
				found = append(found, fieldMatch{f: f, score: 0.95, why: f.DisplayLabel() + " refers to " + f.Ref})
			}
		}
		if len(found) == 1 {
			return found
		}
	case "birthday", "created date", "modified date":
		stems := map[string][]string{"birthday": {"birth", "born", "birthday"}, "created date": {"created", "creation", "added"},
			"modified date": {"modified", "updated", "changed"}}[concepts[ci].name]
		var found []fieldMatch
		for i := range ix.m.Fields {
			f := &ix.m.Fields[i]
			if (f.Type == crmio.TypeDate || f.Type == crmio.TypeDateTime) && hasWord(i, stems...) {
				found = append(found, fieldMatch{f: f, score: 0.9})
			}
		}
		if len(found) == 1 {
			return found
		}
	}
	return nil
}

// interp is one reading of a column title.
type interp struct {
	concept  int
	label    string // the label word the title carries: "work", "mobile", "billing"
	altLabel string // a second one ("Business Fax": fax, then work)
	part     crmio.AddressPart
	group    string // "1" in "Phone 1 - Value"
	role     Role
	line     int // 2 for "Business Street 2", a continuation line of a street
	score    float64
}

// streetWords are the words after which a number is a line of a street
// ("Home Address 2", "Address Line 2") rather than a group.
var streetWords = map[string]bool{"street": true, "address": true, "line": true, "strasse": true, "adresse": true, "addr": true}

// interpret reads a title's words: a known title as a whole ("Home Page"),
// else a label, an address part, a group number and a role around a
// known base ("Business Phone 2", "Address 1 - City", "Phone 1 - Type").
// stop is set for titles known to mean nothing a module holds.
func interpret(words []string, role Role) (out []interp, stop bool) {
	w := slices.Clone(words)
	it := interp{role: role}
	for i := 0; i < len(w); i++ {
		if !isDigits(w[i]) {
			continue
		}
		if i == len(w)-1 && i > 0 && streetWords[w[i-1]] && role == RoleValue {
			if n, err := strconv.Atoi(w[i]); err == nil && n > 1 && n < 10 {
				it.line = n
			}
		} else if it.group == "" {
			it.group = w[i]
		}
		w = slices.Delete(w, i, i+1)
		i--
	}
	if len(w) == 0 {
		return nil, false
	}
	if entries, ok := dictionary[strings.Join(w, " ")]; ok {
		for _, e := range entries {
			if e.concept < 0 {
				return nil, true
			}
			x := it
			x.concept, x.label, x.score = e.concept, e.label, e.score
			if e.concept == conceptAddress && it.role == RoleValue {
				x.score *= 0.8 // "Address": the street, most likely
			}
			out = append(out, x)
		}
		return out, false
	}
	it.part, w = extractPart(w)
	it.label, it.altLabel, w = extractLabel(w)
	if it.part == "" && (it.label == "billing" || it.label == "shipping" || it.label == "mailing") {
		// Zoho: "Billing Code" is the postal code of the billing address.
		if i := slices.Index(w, "code"); i >= 0 {
			it.part, w = crmio.PartZip, slices.Delete(w, i, i+1)
		}
	}
	base := strings.Join(w, " ")
	switch base {
	case "":
		switch {
		case it.part != "":
			it.concept, it.score = conceptAddress, knownNameScore
			return []interp{it}, false
		case phoneLabels[it.label]:
			it.concept, it.score = conceptPhone, knownNameScore
			return []interp{it}, false
		}
		return nil, false
	case "number", "no", "nr", "nummer":
		if phoneLabels[it.label] && it.part == "" {
			it.concept, it.score = conceptPhone, knownNameScore
			return []interp{it}, false
		}
		return nil, false
	}
	for _, e := range dictionary[base] {
		if e.concept < 0 {
			return nil, true
		}
		if it.part != "" && e.concept != conceptAddress {
			continue
		}
		x := it
		x.concept, x.score = e.concept, e.score
		if x.label == "" {
			x.label = e.label
		}
		if e.concept == conceptAddress && it.part == "" && it.role == RoleValue {
			x.score *= 0.8 // "Home Address": the street, most likely
		}
		out = append(out, x)
	}
	return out, false
}

func extractPart(w []string) (crmio.AddressPart, []string) {
	for _, pp := range partPhrases {
		for i := 0; i+len(pp.words) <= len(w); i++ {
			if slices.Equal(w[i:i+len(pp.words)], pp.words) {
				return pp.part, slices.Delete(slices.Clone(w), i, i+len(pp.words))
			}
		}
	}
	return "", w
}

func extractLabel(w []string) (label, alt string, rest []string) {
	best, second := -1, -1
	for _, word := range w {
		lw, ok := labelWords[word]
		if !ok {
			continue
		}
		switch {
		case lw.priority > best:
			if label != "" && label != lw.label {
				alt, second = label, best
			}
			label, best = lw.label, lw.priority
		case lw.label != label && lw.priority > second:
			alt, second = lw.label, lw.priority
		}
	}
	if label == "" {
		return "", "", w
	}
	rest = slices.DeleteFunc(slices.Clone(w), func(s string) bool { _, ok := labelWords[s]; return ok })
	return label, alt, rest
}

// labelSynonyms lists the spellings modules give the labels titles carry.
var labelSynonyms = map[string][]string{
	"work":     {"work", "business", "office"},
	"home":     {"home", "private", "personal"},
	"mobile":   {"mobile", "cell", "cellular"},
	"main":     {"main", "primary"},
	"fax":      {"fax"},
	"other":    {"other"},
	"billing":  {"billing", "invoice"},
	"shipping": {"shipping", "delivery"},
	"mailing":  {"mailing", "postal"},
	"pager":    {"pager"},
	"car":      {"car"},
}

// allowedLabel returns the field's spelling of label, if it allows it.
func allowedLabel(f *crmio.Field, label string) (string, bool) {
	if len(f.Labels) == 0 {
		return strings.ToLower(label), true
	}
	names := labelSynonyms[label]
	if names == nil {
		names = []string{label}
	}
	for _, n := range names {
		for _, l := range f.Labels {
			if strings.EqualFold(l, n) {
				return l, true
			}
		}
	}
	return "", false
}

// buildTarget turns a reading of a title into a target on field f, with a
// factor for the score.
func buildTarget(f *crmio.Field, it interp) (Target, float64, bool) {
	t := Target{Field: f.Name, Role: it.role}
	factor := 1.0
	if it.role == RoleLabel && !f.Multi {
		return t, 0, false
	}
	if f.Type == crmio.TypeAddress {
		if it.role == RoleValue {
			t.Part = it.part
			if t.Part == "" {
				t.Part = crmio.PartStreet
			}
		}
	} else if it.part != "" {
		return t, 0, false
	}
	if !f.Multi {
		if it.label != "" && it.label != "main" {
			factor = 0.95 // "Home Phone" for a single phone field: an unlabelled column is likelier
		}
		if f.Type == crmio.TypeAddress {
			t.Group = it.label // keeps the parts of one labelled address together
		}
		return t, factor, true
	}
	t.Group = it.group
	if it.label != "" {
		if l, ok := allowedLabel(f, it.label); ok {
			t.Label = l
		} else {
			if it.label != "main" && it.label != "mailing" {
				if l, ok := allowedLabel(f, "other"); ok {
					t.Label = l
				}
			}
			if t.Group == "" {
				t.Group = it.label // keeps "Billing Street" apart from "Shipping Street"
			}
		}
	}
	if t.Group == "" && it.altLabel != "" {
		t.Group = it.altLabel // "Business Fax" and "Home Fax" are two faxes
	}
	return t, factor, true
}

// candidate is one possible target of a column.
type candidate struct {
	field  *crmio.Field
	target Target
	score  float64
	reason string
	line   int
	// byValue marks a suggestion from the samples alone: it takes an
	// item of a multi-value field of its own, beside a titled column's.
	byValue bool
}

// candidates lists the targets a column title may mean, best first.
func (ix *moduleIndex) candidates(h header) []candidate {
	if h.idColumn || len(h.words) == 0 {
		return nil
	}
	orgOnly := false
	if h.entity != "" && h.entity != ix.entity {
		// "Organization - Name" in a people module is the person's company;
		// anything else about another record type is not this module's.
		if h.entity != "organization" {
			return nil
		}
		orgOnly = true
	}
	p := strings.Join(h.words, " ")
	var out []candidate
	if !orgOnly {
		for _, t := range ix.direct[p] {
			f := ix.m.Field(t.Field)
			out = append(out, candidate{field: f, target: t, score: 1,
				reason: fmt.Sprintf("'%s' names %s", h.raw, describeTarget(f, t))})
		}
	}
	its, stop := interpret(h.words, h.role)
	out = append(out, ix.resolve(h.raw, its, orgOnly, 1, "")...)
	if len(out) == 0 && !stop && !orgOnly {
		out = ix.fuzzy(h)
	}
	slices.SortStableFunc(out, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	return out
}

// resolve turns readings of a title into candidates on the module's fields.
func (ix *moduleIndex) resolve(raw string, its []interp, orgOnly bool, factor float64, how string) []candidate {
	var out []candidate
	for _, it := range its {
		if orgOnly {
			if it.concept != conceptFullName && it.concept != conceptCompany {
				continue
			}
			it.concept = conceptCompany
		}
		for _, fm := range ix.byConcept[it.concept] {
			t, tf, ok := buildTarget(fm.f, it)
			if !ok {
				continue
			}
			reason := how
			if reason == "" {
				reason = fmt.Sprintf("'%s' is a known name for %s", raw, describeTarget(fm.f, t))
			}
			if fm.why != "" {
				reason = fmt.Sprintf("'%s' means %s; %s", raw, conceptWords(it), fm.why)
				if how != "" {
					reason = how + "; " + fm.why
				}
			}
			out = append(out, candidate{field: fm.f, target: t, score: it.score * fm.score * tf * factor, reason: reason, line: it.line})
		}
		if it.concept == conceptAddress && it.part != "" && len(ix.byConcept[conceptAddress]) == 0 {
			out = append(out, ix.flatPart(raw, it)...)
		}
	}
	return out
}

// flatPart finds a text field named for an address part ("city") in a
// module without an address field.
func (ix *moduleIndex) flatPart(raw string, it interp) []candidate {
	var out []candidate
	for i := range ix.m.Fields {
		f := &ix.m.Fields[i]
		if f.Type != crmio.TypeText && f.Type != crmio.TypeChoice {
			continue
		}
		for _, n := range []string{f.Name, f.DisplayLabel()} {
			if part, rest := extractPart(normalize(n)); part == it.part && len(rest) == 0 {
				score := 0.85
				if it.label != "" {
					score = 0.75
				}
				out = append(out, candidate{field: f, target: Target{Field: f.Name}, score: score,
					reason: fmt.Sprintf("'%s' is the %s of an address; %s holds one", raw, it.part, f.DisplayLabel())})
				break
			}
		}
	}
	return out
}

func conceptWords(it interp) string {
	s := concepts[it.concept].name
	if it.part != "" {
		s = "the " + string(it.part) + " of an " + s
	} else {
		s = "a " + s
	}
	if it.label != "" {
		s += " (" + it.label + ")"
	}
	return s
}

// fuzzy finds near misses ("Emial", "Frist Name") by Jaro-Winkler
// similarity against the known titles and the module's field titles.
func (ix *moduleIndex) fuzzy(h header) []candidate {
	const threshold = 0.92
	p := strings.Join(h.words, " ")
	if len(p) < 4 {
		return nil
	}
	best, bestKey, direct := 0.0, "", false
	consider := func(key string, isDirect bool) {
		if len(key) < 4 || abs(len(key)-len(p)) > len(p)/3+1 {
			return
		}
		if s := jaroWinkler(p, key); s > best {
			best, bestKey, direct = s, key, isDirect
		}
	}
	for key := range dictionary {
		consider(key, false)
	}
	for key := range ix.direct {
		consider(key, true)
	}
	if best < threshold {
		return nil
	}
	factor := 0.55 + (best-0.9)*4 // 0.92 is Low, 0.94 Medium
	how := fmt.Sprintf("'%s' looks like '%s' (similarity %.2f)", h.raw, bestKey, best)
	if direct {
		var out []candidate
		for _, t := range ix.direct[bestKey] {
			f := ix.m.Field(t.Field)
			out = append(out, candidate{field: f, target: t, score: factor, reason: how + ", the title of " + describeTarget(f, t)})
		}
		return out
	}
	if e := dictionary[bestKey]; len(e) > 0 && e[0].concept < 0 {
		return nil
	}
	its, _ := interpret(strings.Fields(bestKey), RoleValue)
	out := ix.resolve(h.raw, its, false, factor, "")
	for i := range out {
		out[i].reason = how + ", a known name for " + describeTarget(out[i].field, out[i].target)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// describeTarget names a target for a person: "Phone (mobile)",
// "Address (work), city", "the label of Phone items of group 1".
func describeTarget(f *crmio.Field, t Target) string {
	name := t.Field
	if f != nil {
		name = f.DisplayLabel()
	}
	if t.Role == RoleLabel {
		return "the label of " + name + " #" + t.Group
	}
	if t.Label != "" {
		name += " (" + t.Label + ")"
	}
	if t.Part != "" {
		name += ", " + string(t.Part)
	}
	return name
}

// fromValues suggests a target for a column whose title means nothing
// known, from its samples alone: a column of email addresses is an email.
func (ix *moduleIndex) fromValues(raw, vetoed string, p *profile) []candidate {
	n := p.n()
	if n < 2 {
		return nil
	}
	most := func(k int) bool { return k*10 >= n*9 }
	var out []candidate
	add := func(f *crmio.Field, t Target, score float64, what string, k int) {
		why := vetoed
		if why == "" {
			why = fmt.Sprintf("'%s' is not a known name", raw)
		}
		out = append(out, candidate{field: f, target: t, score: score, byValue: true,
			reason: fmt.Sprintf("%s; %d of %d samples are %s", why, k, n, what)})
	}
	firstOf := func(ci int, typ crmio.FieldType) *crmio.Field {
		for _, fm := range ix.byConcept[ci] {
			if fm.f.Type == typ {
				return fm.f
			}
		}
		var found *crmio.Field
		for i := range ix.m.Fields {
			if ix.m.Fields[i].Type == typ {
				if found != nil {
					return nil
				}
				found = &ix.m.Fields[i]
			}
		}
		return found
	}
	switch {
	case most(p.email):
		if f := firstOf(conceptIndex("email"), crmio.TypeEmail); f != nil {
			add(f, Target{Field: f.Name}, 0.75, "email addresses", p.email)
		}
	case most(p.url):
		if f := firstOf(conceptWebsite, crmio.TypeURL); f != nil {
			add(f, Target{Field: f.Name}, 0.72, "web addresses", p.url)
		}
	case most(p.strictPhone):
		if f := firstOf(conceptPhone, crmio.TypePhone); f != nil {
			add(f, Target{Field: f.Name}, 0.72, "phone numbers", p.strictPhone)
		}
	}
	for i := range ix.m.Fields {
		f := &ix.m.Fields[i]
		switch f.Type {
		case crmio.TypeChoice:
			if k := p.choices(f); most(k) {
				add(f, Target{Field: f.Name}, 0.75, "choices of "+f.DisplayLabel(), k)
			}
		case crmio.TypeAddress:
			if most(p.country) {
				add(f, Target{Field: f.Name, Part: crmio.PartCountry}, 0.55, "countries", p.country)
			}
		}
	}
	if k := p.date + p.serials(); most(k) {
		if f := onlyField(ix.m, crmio.TypeDate, crmio.TypeDateTime); f != nil {
			add(f, Target{Field: f.Name}, 0.5, "dates", k)
		}
	}
	if most(p.boolean) && p.number < n {
		if f := onlyField(ix.m, crmio.TypeBool); f != nil {
			add(f, Target{Field: f.Name}, 0.5, "yes/no values", p.boolean)
		}
	}
	return out
}

func onlyField(m *crmio.Module, types ...crmio.FieldType) *crmio.Field {
	var found *crmio.Field
	for i := range m.Fields {
		if slices.Contains(types, m.Fields[i].Type) {
			if found != nil {
				return nil
			}
			found = &m.Fields[i]
		}
	}
	return found
}

func conceptIndex(name string) int {
	for i, c := range concepts {
		if c.name == name {
			return i
		}
	}
	panic("mapping: no concept " + name)
}

// claimKey identifies what a column takes, so that no two columns take
// the same: a single-value field, one part of one address, one label of
// one group of a multi-value field.
func claimKey(f *crmio.Field, t Target, line int) string {
	switch {
	case f.Type == crmio.TypeAddress && !f.Multi:
		return f.Name + "|" + string(t.Part) + "|" + strconv.Itoa(line)
	case !f.Multi:
		return f.Name
	}
	return f.Name + "|" + t.Label + "|" + t.Group + "|" + string(t.Part) + "|" + string(t.Role) + "|" + strconv.Itoa(line)
}

// suggest is the built-in suggester.
func suggest(header []string, rows [][]string, m *crmio.Module) []Suggestion {
	out := make([]Suggestion, len(header))
	for i, h := range header {
		out[i] = Suggestion{Column: i, Header: h}
	}
	if m == nil {
		return out
	}
	ix := indexModule(m)
	type pick struct {
		col, rank int
		words     int // how specific the title is: "Job Title" before "Title"
		c         candidate
	}
	var all []pick
	vetoed := make([]string, len(header)) // why the samples ruled out a column's best title match
	for col, raw := range header {
		h := parseHeader(raw)
		cands := ix.candidates(h)
		if len(rows) > 0 {
			prof := profileColumn(rows, col)
			kept := cands[:0]
			for _, c := range cands {
				ev := prof.judge(c.field, c.target)
				if ev.factor == 0 {
					if vetoed[col] == "" {
						vetoed[col] = c.reason + ", but " + ev.reason
					}
					continue // the samples contradict the title
				}
				c.score = min(1, c.score*ev.factor+ev.boost)
				if ev.reason != "" {
					c.reason += "; " + ev.reason
				}
				kept = append(kept, c)
			}
			cands = kept
			if len(cands) == 0 || cands[0].score < mediumScore {
				cands = append(cands, ix.fromValues(strings.TrimSpace(raw), vetoed[col], prof)...)
			}
			slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
		}
		for rank, c := range cands {
			if c.score >= lowScore {
				all = append(all, pick{col: col, rank: rank, words: len(h.words), c: c})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b pick) int {
		if c := cmp.Compare(b.c.score, a.c.score); c != 0 {
			return c
		}
		if a.words != b.words {
			return b.words - a.words
		}
		if a.col != b.col {
			return a.col - b.col
		}
		return a.rank - b.rank
	})
	claimed := map[string]bool{}
	done := make([]bool, len(header))
	for _, p := range all {
		if done[p.col] {
			continue
		}
		key := claimKey(p.c.field, p.c.target, p.c.line)
		if p.c.byValue && p.c.field.Multi && p.c.field.Type != crmio.TypeAddress {
			key += "|" + strconv.Itoa(p.col)
		}
		if claimed[key] {
			continue
		}
		claimed[key], done[p.col] = true, true
		s := &out[p.col]
		s.Target, s.Score, s.Reason = p.c.target, roundScore(p.c.score), p.c.reason
		s.Confidence = confidenceOf(p.c.score)
	}
	for i := range out {
		if out[i].Target.IsZero() && vetoed[i] != "" {
			out[i].Reason = vetoed[i]
		}
	}
	// A label column is only useful next to the values it labels.
	for i := range out {
		t := out[i].Target
		if t.Role != RoleLabel {
			continue
		}
		if !slices.ContainsFunc(out, func(s Suggestion) bool {
			return s.Target.Field == t.Field && s.Target.Group == t.Group && s.Target.Role == RoleValue
		}) {
			out[i] = Suggestion{Column: i, Header: out[i].Header}
		}
	}
	return out
}

func roundScore(s float64) float64 { return float64(int(s*1000+0.5)) / 1000 }
