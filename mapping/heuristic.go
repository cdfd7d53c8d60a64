package mapping

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/internal/similarity"
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
	// directKeys are direct's titles, decoded for the similarity fallback.
	directKeys []fuzzyKey
	// given and family are the fields a whole name splits into (first and
	// last name), when the module has both and no field for a whole name.
	given, family *crmio.Field
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
			if p := strings.Join(fillerFree(n), " "); p != "" && !slices.Contains(phrases[i], p) {
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
	for key := range ix.direct {
		if len(key) >= 4 {
			ix.directKeys = append(ix.directKeys, fuzzyKey{key, []rune(key), countRunes([]rune(key))})
		}
	}
	slices.SortFunc(ix.directKeys, func(a, b fuzzyKey) int { return strings.Compare(a.key, b.key) })
	textField := func(ci int) *crmio.Field {
		for _, fm := range ix.byConcept[ci] {
			if fm.f.Type == crmio.TypeText && !fm.f.Multi {
				return fm.f
			}
		}
		return nil
	}
	if g, f := textField(conceptFirstName), textField(conceptLastName); g != nil && f != nil && g != f {
		ix.given, ix.family = g, f
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
	// how says, for the reason, what the title's reading took away or
	// left unexplained: "without its wrapper", "'internal' left aside".
	how string
	// inherited names the column whose label an unlabelled address part
	// took ("Ville" after "Adresse privée").
	inherited string
	// entities are the words of the title naming a record type ("contact"
	// in "Contact Email"): the module's own, or another's.
	entities []string
}

// A title's words are read against the lexicon: a known phrase anywhere
// in it names the concept, and every other word must be accounted for:
// a label ("bureau"), an address part ("code postal"), a group number, a
// filler ("de", "van"), a word that adds nothing to the concept
// ("numéro" of a phone). What is left lowers the score:
const (
	// wrappedFactor: a custom-field wrapper or a role prefix ("x_studio_",
	// "Custom:", "main_contact_") was stripped; one level lower than the
	// bare name.
	wrappedFactor = 0.8
	// qualifierFactor: a word in parentheses no lexicon knows ("Remarks
	// (internal)").
	qualifierFactor = 0.8
	// foreignCap: content words that are not the concept's ("Account
	// Number"): at most Low.
	foreignCap = 0.6
)

// interpret reads a title: a known title as a whole ("Home Page"), else
// a known phrase anywhere among its words, with a label, an address part,
// a group number and a role around it ("Business Phone 2", "Téléphone 2
// (bureau)", "Address 1 - City", "Phone 1 - Type"). stop is set for
// titles known to mean nothing a module holds, and for titles about
// someone else ("Assistant's Phone"). labelOnly is the label of a title
// that is nothing but a label ("Home", "Work"): its field must come from
// its values.
func interpret(h header) (out []interp, stop bool, labelOnly string) {
	type tok struct {
		w    string
		qual bool
	}
	var toks []tok
	for i, w := range h.words {
		if fillers[w] {
			continue
		}
		if otherParty[w] || stopWords[w] {
			return nil, true, ""
		}
		toks = append(toks, tok{w, h.qual[i]})
	}
	it := interp{role: h.role}
	// Group and line numbers.
	hasStreetWord := false
	for _, t := range toks {
		if streetWords[t.w] {
			hasStreetWord = true
		}
	}
	for i := 0; i < len(toks); i++ {
		if !isDigits(toks[i].w) {
			continue
		}
		if i == len(toks)-1 && i > 0 && hasStreetWord && h.role == RoleValue {
			if n, err := strconv.Atoi(toks[i].w); err == nil && n > 1 && n < 10 {
				it.line = n
			}
		} else if it.group == "" {
			it.group = toks[i].w
		}
		toks = slices.Delete(toks, i, i+1)
		i--
	}
	if len(toks) == 0 {
		return nil, false, ""
	}
	w := make([]string, len(toks))
	for i, t := range toks {
		w[i] = t.w
	}
	// The whole title, as the dictionary knows it.
	if entries, ok := dictionary[strings.Join(w, " ")]; ok {
		for _, e := range entries {
			if e.concept < 0 {
				return nil, true, ""
			}
			x := it
			x.concept, x.label, x.score = e.concept, e.label, e.score
			for _, word := range w {
				if entityWords[word] != "" && len(w) > 1 { // "Note" alone is a note
					x.entities = append(x.entities, word)
				}
			}
			if e.concept == conceptAddress && it.role == RoleValue {
				x.score *= 0.8 // "Address": the street, most likely
			}
			out = append(out, x)
		}
		return out, false, ""
	}
	// Several words spelling one label ("local de trabalho").
	for i := 0; i < len(w); i++ {
		for j := min(len(w), i+4); j > i+1; j-- {
			if l, ok := labelPhrases[strings.Join(w[i:j], " ")]; ok {
				w = append(append(w[:i:i], "\x00"+l), w[j:]...)
				toks = append(append(toks[:i:i], tok{"\x00" + l, toks[i].qual}), toks[j:]...)
				break
			}
		}
	}
	// A phrase somewhere in the title: each reading is a known phrase (or
	// an address part) at i:j, and the rest of the words around it.
	type reading struct {
		i, j    int
		concept int
		part    crmio.AddressPart
		label   string
		score   float64
	}
	var readings []reading
	for i := range w {
		for j := i + 1; j <= min(len(w), i+6); j++ {
			p := strings.Join(w[i:j], " ")
			for _, e := range dictionary[p] {
				if e.concept < 0 {
					if j-i > 1 {
						return nil, true, "" // "Email Domain", "Birth Year" inside a longer title
					}
					continue
				}
				readings = append(readings, reading{i: i, j: j, concept: e.concept, label: e.label, score: e.score})
			}
			if part, ok := partDict[p]; ok {
				readings = append(readings, reading{i: i, j: j, concept: conceptAddress, part: part, score: knownNameScore})
			}
		}
	}
	// No phrase: a title of label words only, maybe with words a phone
	// number's title carries ("Mobile", "Mobiel nummer", "Fax").
	readings = append(readings, reading{i: 0, j: 0, concept: -1})
	best := 0.0
	for _, r := range readings {
		x := it
		x.concept, x.part, x.score = r.concept, r.part, r.score
		var labels []string
		wrapped, qualified, foreign, neutralPhone := false, false, []string(nil), false
		for k := 0; k < len(w); k++ {
			if k >= r.i && k < r.j {
				continue
			}
			word := w[k]
			switch {
			case strings.HasPrefix(word, "\x00"):
				labels = append(labels, word[1:])
			case labelWords[word].label != "":
				labels = append(labels, word)
			case r.concept == conceptAddress && x.part == "" && partStarts(w, k) != "":
				// "Address City": a part around the address phrase.
				part, n := partMatch(w, k)
				x.part = part
				k += n - 1
			case r.concept == conceptAddress && x.part != "" && partStarts(w, k) == x.part:
				_, n := partMatch(w, k)
				k += n - 1 // "Postcode / ZIP": the same part twice
			case r.concept >= 0 && conceptPhraseAt(w, k, r.concept) > 0:
				k += conceptPhraseAt(w, k, r.concept) - 1 // "E-mail or e-mail address": the concept twice
			case r.concept >= 0 && neutralFor(r.concept, word):
			case r.concept < 0 && neutralWords["phone"][word]:
				neutralPhone = true
			case entityWords[word] != "":
				// "Telefone de Contato", "Client Name": the record the
				// title is about (candidates checks it is the module's);
				// after a label, a role ("main_contact_last_name").
				x.entities = append(x.entities, word)
				if k > 0 && labelWords[w[k-1]].label != "" {
					wrapped = true
				}
			case wrapperWords[word] && k < r.i:
				wrapped = true // "x_studio_industry", "cf_company"
			case qualifierWords[word]:
				qualified = true // "Private Notes", "Notas Públicas"
			case wrapperTails[word] && k >= r.j && k == len(w)-1 && r.j > r.i:
				wrapped = true // "status_name"
			case r.concept < 0 && word == "code":
				x.part = crmio.PartZip // Zoho: "Billing Code", with a billing label
			case toks[k].qual:
				qualified = true
			default:
				foreign = append(foreign, word)
			}
		}
		if r.label != "" {
			labels = append(labels, r.label) // "Cellulare di casa": mobile before home
		}
		x.label, x.altLabel = pickLabels(labels)
		if r.concept < 0 {
			// Labels alone: a phone's ("Fax", "Mobile") or an address's part.
			switch {
			case len(foreign) > 0 || x.label == "":
				continue
			case x.part != "" && (x.label == "billing" || x.label == "shipping" || x.label == "mailing"):
				x.concept, x.score = conceptAddress, knownNameScore
			case phoneLabels[x.label] || neutralPhone && x.label != "":
				x.concept, x.score = conceptPhone, knownNameScore
			case !neutralPhone && !wrapped && !qualified:
				if labelOnly == "" {
					labelOnly = x.label
				}
				continue
			default:
				continue
			}
		}
		var hows []string
		if wrapped {
			x.score *= wrappedFactor
			hows = append(hows, "without its wrapper")
		}
		if qualified {
			x.score *= qualifierFactor
			hows = append(hows, "with a qualifier left aside")
		}
		if len(foreign) > 0 {
			x.score = min(x.score, foreignCap)
			hows = append(hows, fmt.Sprintf("but the title also says '%s'", strings.Join(foreign, " ")))
		}
		x.how = strings.Join(hows, ", ")
		if x.concept == conceptAddress && x.part == "" && x.role == RoleValue {
			x.score *= 0.8 // "Home Address": the street, most likely
		}
		best = max(best, x.score)
		out = append(out, x)
	}
	// The best readings, and those close to them ("Title": a job title,
	// then a salutation).
	out = slices.DeleteFunc(out, func(x interp) bool { return x.score < best-0.35 })
	slices.SortStableFunc(out, func(a, b interp) int { return cmp.Compare(b.score, a.score) })
	return out, false, labelOnly
}

// conceptPhraseAt returns the length of the longest phrase of concept ci
// starting at w[k], or 0.
func conceptPhraseAt(w []string, k, ci int) int {
	for j := min(len(w), k+6); j > k; j-- {
		for _, e := range dictionary[strings.Join(w[k:j], " ")] {
			if e.concept == ci {
				return j - k
			}
		}
	}
	return 0
}

// partStarts returns the address part whose phrase starts at w[k].
func partStarts(w []string, k int) crmio.AddressPart {
	p, _ := partMatch(w, k)
	return p
}

// partMatch finds the longest part phrase starting at w[k].
func partMatch(w []string, k int) (crmio.AddressPart, int) {
	for j := min(len(w), k+4); j > k; j-- {
		if p, ok := partDict[strings.Join(w[k:j], " ")]; ok {
			return p, j - k
		}
	}
	return "", 0
}

// neutralFor reports whether word adds nothing to concept ci in a title:
// "Numéro de téléphone", "E-mail Address", "Created Date Time".
func neutralFor(ci int, word string) bool {
	switch ci {
	case conceptAddress:
		return neutralWords["address"][word]
	case conceptCompany:
		return neutralWords["company"][word] // "Nome della ditta", "Name der Firma"
	}
	for _, t := range concepts[ci].types[:1] {
		switch t {
		case crmio.TypePhone:
			return neutralWords["phone"][word]
		case crmio.TypeEmail:
			return neutralWords["email"][word]
		case crmio.TypeURL:
			return neutralWords["url"][word]
		case crmio.TypeDate, crmio.TypeDateTime:
			return neutralWords["date"][word]
		}
	}
	return false
}

// pickLabels returns the most telling of a title's label words, and a
// second one: "Business Fax" is a fax, then work.
func pickLabels(words []string) (label, alt string) {
	best, second := -1, -1
	for _, word := range words {
		lw, ok := labelWords[word]
		if !ok {
			lw = labelWord{word, labelPriority[word]} // a label phrase's label
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
	return label, alt
}

// extractPart finds an address part among w's words and returns the
// words without it.
func extractPart(w []string) (crmio.AddressPart, []string) {
	for k := range w {
		if p, n := partMatch(w, k); p != "" {
			return p, slices.Delete(slices.Clone(w), k, k+n)
		}
	}
	return "", w
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

// candidates lists the targets a column title may mean, best first,
// from its readings (interpret).
func (ix *moduleIndex) candidates(h header, its []interp, stop bool) []candidate {
	if h.idColumn || len(h.words) == 0 {
		return nil
	}
	orgOnly := false
	if h.entity != "" && !sameFamily(h.entity, ix.entity) {
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
	out = append(out, ix.resolve(h.raw, ix.ownReadings(its), orgOnly, 1, "")...)
	// Near misses, for a title no reading explains whole ("Emial", "Frist
	// Name"): one the lexicon reads ("Middle Name", "Suffix") means what it
	// says, even where the module has no field for it.
	if !stop && !orgOnly && (len(its) == 0 || its[0].how != "") && (len(out) == 0 || maxScore(out) < mediumScore) {
		out = append(out, ix.fuzzy(h)...)
	}
	slices.SortStableFunc(out, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	return out
}

// ownReadings drops the readings of a title about another record type
// than the module's: "Contact Name" or "Contact Phone" in an accounts
// module, "Company Phone" in a people module. The company concept names
// another record ("Account Name" in people is the person's company), and
// a job title and a department are a person's at an organization
// (Google's "Organization Title").
func (ix *moduleIndex) ownReadings(its []interp) []interp {
	out := its[:0:0]
	for _, it := range its {
		foreign := false
		for _, e := range it.entities {
			if !sameFamily(entityWords[e], ix.entity) && it.concept != conceptCompany &&
				it.concept != conceptJobTitle && it.concept != conceptDepartment {
				foreign = true
			}
		}
		if !foreign {
			out = append(out, it)
		}
	}
	return out
}

func maxScore(cs []candidate) float64 {
	best := 0.0
	for _, c := range cs {
		best = max(best, c.score)
	}
	return best
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
			reason += it.explain()
			out = append(out, candidate{field: fm.f, target: t, score: it.score * fm.score * tf * factor, reason: reason, line: it.line})
		}
		if it.concept == conceptFullName && len(ix.byConcept[conceptFullName]) == 0 && ix.given != nil && it.role == RoleValue {
			// No field holds a whole name: split it into first and last name.
			t := Target{Field: ix.given.Name, Family: ix.family.Name, Role: RoleWholeName}
			reason := how
			if reason == "" {
				reason = fmt.Sprintf("'%s' is a whole name", raw)
			}
			reason += fmt.Sprintf(", split into %s and %s", ix.given.DisplayLabel(), ix.family.DisplayLabel()) + it.explain()
			out = append(out, candidate{field: ix.given, target: t, score: it.score * wholeNameFactor * factor, reason: reason})
		}
		if it.concept == conceptAddress && it.part != "" && len(ix.byConcept[conceptAddress]) == 0 {
			out = append(out, ix.flatPart(raw, it)...)
		}
	}
	return out
}

// wholeNameFactor: a whole name split into two fields is Medium from its
// title alone; samples that read as whole names make it High.
const wholeNameFactor = 0.8

// explain returns what the reason adds for a reading: a wrapper left
// out, a label taken from a neighbour.
func (it interp) explain() string {
	s := ""
	if it.how != "" {
		s += " (" + it.how + ")"
	}
	if it.inherited != "" {
		s += fmt.Sprintf("; its label %q from '%s' beside it", it.label, it.inherited)
	}
	return s
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
	var words []string
	for _, w := range h.words {
		if !fillers[w] {
			words = append(words, w)
		}
	}
	p := strings.Join(words, " ")
	if len(p) < 4 {
		return nil
	}
	var buf [64]rune
	pr := similarity.AppendRunes(buf[:0], p)
	pc := countRunes(pr)
	best, bestKey, direct := 0.0, "", false
	consider := func(k *fuzzyKey, isDirect bool) {
		if abs(len(k.key)-len(p)) > len(p)/3+1 || jaroWinklerBound(pr, k.runes, &pc, &k.counts) < max(best, threshold) {
			return
		}
		if s := similarity.Runes(pr, k.runes); s > best || s == best && k.key < bestKey {
			best, bestKey, direct = s, k.key, isDirect
		}
	}
	// The known titles, by length: only those of about p's length can
	// come near.
	lo, hi := len(p)-len(p)/3-1, len(p)+len(p)/3+1
	start, _ := slices.BinarySearchFunc(fuzzyKeys, lo, func(k fuzzyKey, n int) int { return cmp.Compare(len(k.key), n) })
	for i := start; i < len(fuzzyKeys) && len(fuzzyKeys[i].key) <= hi; i++ {
		consider(&fuzzyKeys[i], false)
	}
	for i := range ix.directKeys {
		consider(&ix.directKeys[i], true)
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
			sc := factor
			if foreignWord(h.words, strings.Fields(bestKey)) != "" {
				sc = min(sc, foreignCap)
			}
			out = append(out, candidate{field: f, target: t, score: sc, reason: how + ", the title of " + describeTarget(f, t)})
		}
		return out
	}
	if e := dictionary[bestKey]; len(e) > 0 && e[0].concept < 0 {
		return nil
	}
	// Similarity alone, with words of the title that mean something else
	// ("Account Number" is near "Account Name"), is at most Low.
	keyWords := strings.Fields(bestKey)
	if w := foreignWord(h.words, keyWords); w != "" {
		factor = min(factor, foreignCap)
		how += fmt.Sprintf(", but '%s' is not in it", w)
	}
	its, _, _ := interpret(header{raw: bestKey, words: keyWords, qual: make([]bool, len(keyWords))})
	out := ix.resolve(h.raw, its, false, factor, "")
	for i := range out {
		out[i].reason = how + ", a known name for " + describeTarget(out[i].field, out[i].target)
	}
	return out
}

// fuzzyKey is a known title, decoded for the similarity fallback.
type fuzzyKey struct {
	key    string
	runes  []rune
	counts runeCounts
}

// runeCounts counts a title's letters a to z, and the rest together: the
// runes two titles share bound their Jaro similarity from above.
type runeCounts [27]uint8

func countRunes(rs []rune) runeCounts {
	var c runeCounts
	for _, r := range rs {
		i := 26
		if r >= 'a' && r <= 'z' {
			i = int(r - 'a')
		}
		if c[i] < 255 {
			c[i]++
		}
	}
	return c
}

// jaroWinklerBound is at least the Jaro-Winkler similarity of a and b,
// from the runes they share and their common prefix: cheap enough to skip
// most of the titles a near miss is compared with.
func jaroWinklerBound(a, b []rune, ca, cb *runeCounts) float64 {
	m := 0
	for i := range ca {
		m += int(min(ca[i], cb[i]))
	}
	if m == 0 {
		return 0
	}
	jaro := (float64(m)/float64(len(a)) + float64(m)/float64(len(b)) + 1) / 3
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// fuzzyKeys are the dictionary's titles of 4 bytes or more (stop phrases
// too: a near miss of one means nothing), by length, then in order.
var fuzzyKeys []fuzzyKey

func buildFuzzyKeys() {
	fuzzyKeys = fuzzyKeys[:0]
	for key := range dictionary {
		if len(key) >= 4 {
			fuzzyKeys = append(fuzzyKeys, fuzzyKey{key, []rune(key), countRunes([]rune(key))})
		}
	}
	slices.SortFunc(fuzzyKeys, func(a, b fuzzyKey) int {
		if c := cmp.Compare(len(a.key), len(b.key)); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
}

// foreignWord returns a word of a title the lexicon knows that is not a
// word of the known title it looks like, nor a near miss of one ("frist"
// is a German word, but here a typo of "first").
func foreignWord(words, key []string) string {
	for _, w := range words {
		if isDigits(w) || fillers[w] || !vocabulary[w] || slices.Contains(key, w) {
			continue
		}
		if !slices.ContainsFunc(key, func(k string) bool { return similarity.JaroWinkler(w, k) >= 0.9 }) {
			return w
		}
	}
	return ""
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
	if t.Role == RoleWholeName {
		return name + " and " + t.Family + " (a whole name)"
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
// label is the label a title of label words only gives ("Home" over
// phone numbers); known is set when the title holds words the lexicon
// knows as something else, which keeps the guess at Low.
func (ix *moduleIndex) fromValues(raw, vetoed, label string, known bool, p *profile) []candidate {
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
			if label != "" {
				why = fmt.Sprintf("'%s' is only a label", raw)
			}
		}
		if label != "" && f.Multi {
			if l, ok := allowedLabel(f, label); ok {
				t.Label = l
			}
		}
		if known {
			score = min(score, foreignCap)
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
	if most(p.boolean) && p.numbers() < n {
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

// claimKeys are the claims of a target: one, or for a whole name split
// into two fields, both fields'.
func claimKeys(m *crmio.Module, f *crmio.Field, t Target, line int) []string {
	if t.Role == RoleWholeName {
		keys := []string{t.Field}
		if t.Family != "" {
			keys = append(keys, t.Family)
		}
		return keys
	}
	return []string{claimKey(f, t, line)}
}

// meaningful reports whether a title holds a word the lexicon knows (not
// a label, a filler or a number): values alone then suggest at most Low,
// since the title says the column is something else ("Domain" full of
// web addresses is not the website).
func meaningful(h header) bool {
	for _, w := range h.words {
		if len(w) >= 3 && !isDigits(w) && !fillers[w] && labelWords[w].label == "" && vocabulary[w] {
			return true
		}
	}
	return false
}

// inheritAddressLabels gives the unlabelled parts of an address the label
// of the part beside them that has one: exports write the columns of one
// address side by side, and label only some ("Adresse privée", "Ville",
// "Code postal", then "Adresse professionnelle", "Ville"...). The columns
// of one address are a run of address parts that starts at a street (or
// where a part comes again, or the label changes); a run with exactly
// one label gives it to its unlabelled parts.
func inheritAddressLabels(hs []header, its [][]interp) {
	type member struct {
		col   int
		part  crmio.AddressPart
		label string
	}
	var block []member
	flush := func() {
		label, from := "", ""
		for _, m := range block {
			switch {
			case m.label == "":
			case label == "":
				label, from = m.label, hs[m.col].raw
			case m.label != label:
				label = "\x00" // two labels: leave the run alone
			}
		}
		if label != "" && label != "\x00" {
			for _, m := range block {
				if m.label != "" {
					continue
				}
				for i := range its[m.col] {
					if x := &its[m.col][i]; x.concept == conceptAddress {
						x.label, x.inherited = label, from
					}
				}
			}
		}
		block = block[:0]
	}
	for col := range its {
		if len(its[col]) == 0 && len(block) > 0 {
			continue // a column nothing reads ("Naturalidade") does not end the address around it
		}
		if len(its[col]) == 0 || its[col][0].concept != conceptAddress || its[col][0].role != RoleValue || hs[col].entity != "" {
			flush()
			continue
		}
		x := its[col][0]
		part := x.part
		if part == "" {
			part = crmio.PartStreet
		}
		if len(block) > 0 {
			last := block[len(block)-1]
			again := part != crmio.PartStreet && slices.ContainsFunc(block, func(m member) bool { return m.part == part })
			switch {
			case part == crmio.PartStreet && last.part != crmio.PartStreet, again:
				flush()
			case x.label != "" && slices.ContainsFunc(block, func(m member) bool { return m.label != "" && m.label != x.label }):
				flush()
			}
		}
		block = append(block, member{col: col, part: part, label: x.label})
	}
	flush()
}

// suggest is the built-in suggester.
func suggest(titles []string, rows [][]string, m *crmio.Module) []Suggestion {
	out := make([]Suggestion, len(titles))
	for i, h := range titles {
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
	vetoed := make([]string, len(titles)) // why the samples ruled out a column's best title match
	hs := make([]header, len(titles))
	its := make([][]interp, len(titles))
	stops := make([]bool, len(titles))
	labelOnly := make([]string, len(titles))
	for col, raw := range titles {
		hs[col] = parseHeader(raw)
		its[col], stops[col], labelOnly[col] = interpret(hs[col])
	}
	inheritAddressLabels(hs, its)
	for col, raw := range titles {
		h := hs[col]
		cands := ix.candidates(h, its[col], stops[col])
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
				if ev.cap > 0 {
					c.score = min(c.score, ev.cap)
				}
				if ev.reason != "" {
					c.reason += "; " + ev.reason
				}
				kept = append(kept, c)
			}
			cands = kept
			if !stops[col] && (len(cands) == 0 || cands[0].score < mediumScore) {
				cands = append(cands, ix.fromValues(strings.TrimSpace(raw), vetoed[col], labelOnly[col], meaningful(h) || vetoed[col] != "", prof)...)
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
	done := make([]bool, len(titles))
	for _, p := range all {
		if done[p.col] {
			continue
		}
		keys := claimKeys(ix.m, p.c.field, p.c.target, p.c.line)
		if p.c.byValue && p.c.field.Multi && p.c.field.Type != crmio.TypeAddress {
			keys[0] += "|" + strconv.Itoa(p.col)
		}
		if slices.ContainsFunc(keys, func(k string) bool { return claimed[k] }) {
			continue
		}
		for _, k := range keys {
			claimed[k] = true
		}
		done[p.col] = true
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
