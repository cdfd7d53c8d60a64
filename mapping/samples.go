package mapping

import (
	"fmt"
	"strings"

	"github.com/crmio/crmio"
)

// maxSamples bounds how many rows the suggester reads per column.
const maxSamples = 200

// profile describes the sample values of one column.
type profile struct {
	values                                                      []string // the non-empty trimmed samples
	email, url, phone, strictPhone, date, boolean, country, zip int
	number                                                      int // see numbers
	numbered                                                    bool
}

func profileColumn(rows [][]string, col int) *profile {
	p := &profile{}
	for _, row := range rows {
		if len(p.values) == maxSamples {
			break
		}
		if col >= len(row) {
			continue
		}
		s := strings.TrimSpace(row[col])
		if s == "" {
			continue
		}
		p.values = append(p.values, s)
		if _, ok := cleanEmail(s); ok {
			p.email++
		} else if validURL(s) && strings.ContainsAny(s, "./") {
			p.url++
		}
		_, _, isDate := parseDateTime(s, MonthFirst)
		if isDate {
			p.date++
		} else if phoneLike(s, false) { // 10/12/1815 is a date, not a phone
			p.phone++
			if phoneLike(s, true) {
				p.strictPhone++
			}
		}
		if _, ok := parseBool(s); ok {
			p.boolean++
		}
		if isCountry(s) {
			p.country++
		}
		if zipLike(s) {
			p.zip++
		}
	}
	return p
}

func (p *profile) n() int { return len(p.values) }

// numbers counts the samples that are numbers, on first use: most columns
// are never weighed as numbers, and reading one costs more than the rest.
func (p *profile) numbers() int {
	if !p.numbered {
		p.numbered = true
		for _, s := range p.values {
			if !mayBeNumber(s) {
				continue
			}
			if _, ok := parseNumber(s, false); ok {
				p.number++
			} else if _, ok := parseNumber(s, true); ok {
				p.number++
			}
		}
	}
	return p.number
}

// mayBeNumber is a cheap test that s could be a number parseNumber reads
// (a digit, and no more letters than a currency code and an exponent):
// most text columns then cost no parse.
func mayBeNumber(s string) bool {
	digits, letters := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			letters++
		}
	}
	return digits > 0 && letters <= 4
}

// evidence is what the samples say about a target: a score factor, or a
// veto, and the words for the reason.
type evidence struct {
	factor float64 // multiplies the score; 0 vetoes
	boost  float64 // added to the score
	cap    float64 // when set, the most the score may be: samples that half agree keep it below High
	reason string
}

// judge weighs the samples against field f (and the target's part).
func (p *profile) judge(f *crmio.Field, t Target) evidence {
	n := p.n()
	if n == 0 || t.Role == RoleLabel {
		return evidence{factor: 1}
	}
	if t.Role == RoleWholeName {
		return p.judgeWholeNames()
	}
	var hits int
	var what string
	strict := true // contradicting samples veto
	switch {
	case f.Type == crmio.TypeEmail:
		hits, what = p.email, "email addresses"
	case f.Type == crmio.TypePhone:
		hits, what = p.phone, "phone numbers"
	case f.Type == crmio.TypeURL:
		hits, what = p.url, "web addresses"
	case f.Type == crmio.TypeNumber:
		hits, what = p.numbers(), "numbers"
	case f.Type == crmio.TypeDate || f.Type == crmio.TypeDateTime:
		hits = p.date + p.serials()
		what = "dates"
	case f.Type == crmio.TypeBool:
		hits, what = p.boolean, "yes/no values"
	case f.Type == crmio.TypeChoice:
		hits, what, strict = p.choices(f), "choices of "+f.DisplayLabel(), false
	case f.Type == crmio.TypeAddress && t.Part == crmio.PartCountry:
		hits, what, strict = p.country, "country names or codes", false
	case f.Type == crmio.TypeAddress && t.Part == crmio.PartZip:
		hits, what, strict = p.zip, "postal codes", false
	default:
		// Text, references, other address parts: any text fits, but a
		// column of email addresses or web addresses is not a name.
		if p.email*5 >= n*4 {
			return evidence{factor: 0.6, reason: fmt.Sprintf("but %d of %d samples are email addresses", p.email, n)}
		}
		return evidence{factor: 1}
	}
	switch {
	case hits*5 >= n*4: // 80%
		return evidence{factor: 1, boost: 0.05, reason: fmt.Sprintf("%d of %d samples are %s", hits, n, what)}
	case hits*2 >= n: // 50%: the title and the values do not quite agree
		return evidence{factor: 0.9, cap: highScore - 0.05, reason: fmt.Sprintf("only %d of %d samples are %s", hits, n, what)}
	case strict && n >= 3:
		return evidence{factor: 0, reason: fmt.Sprintf("only %d of %d samples are %s", hits, n, what)}
	default:
		return evidence{factor: 0.8, reason: fmt.Sprintf("only %d of %d samples are %s", hits, n, what)}
	}
}

// judgeWholeNames weighs samples against a whole-name column split into
// two fields: most must read as a name of two or more words ("Ana García",
// "García, Ana") for the split to be sure.
func (p *profile) judgeWholeNames() evidence {
	n := p.n()
	whole, single := 0, 0
	for _, v := range p.values {
		switch given, family := SplitName(v); {
		case !looksLikeName(v):
		case given != "" && family != "":
			whole++
		case family != "":
			single++
		}
	}
	switch {
	case whole*5 >= n*4:
		return evidence{factor: 1 / wholeNameFactor, reason: fmt.Sprintf("%d of %d samples are whole names", whole, n)}
	case whole*2 >= n:
		return evidence{factor: 1, reason: fmt.Sprintf("%d of %d samples are whole names", whole, n)}
	case whole+single == 0 && n >= 3:
		return evidence{factor: 0, reason: fmt.Sprintf("none of %d samples is a name", n)}
	default:
		return evidence{factor: 0.7, reason: fmt.Sprintf("only %d of %d samples are whole names", whole, n)}
	}
}

// serials counts the samples that read as Excel serial dates.
func (p *profile) serials() int {
	n := 0
	for _, v := range p.values {
		if _, ok := excelSerial(v); ok {
			n++
		}
	}
	return n
}

// choices counts the samples that are choices of f.
func (p *profile) choices(f *crmio.Field) int {
	n := 0
	for _, v := range p.values {
		if _, ok := f.Choice(v); ok {
			n++
		}
	}
	return n
}

// countries holds the lower-case names and ISO 3166 codes of countries
// people write most in address books, in English and German.
var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Split(countryList, ",") {
		if s = strings.TrimSpace(s); s != "" {
			m[strings.ToLower(s)] = true
		}
	}
	return m
}()

const countryList = `united states, united states of america, usa, us, u.s., u.s.a., america, canada, mexico, brazil,
argentina, chile, colombia, peru, united kingdom, uk, great britain, england, scotland, wales, ireland, germany,
deutschland, france, frankreich, spain, spanien, españa, portugal, italy, italien, italia, netherlands, niederlande,
the netherlands, holland, belgium, belgien, luxembourg, switzerland, schweiz, suisse, austria, österreich, denmark,
dänemark, sweden, schweden, norway, norwegen, finland, finnland, iceland, poland, polen, czech republic, czechia,
tschechien, slovakia, hungary, ungarn, romania, bulgaria, greece, griechenland, turkey, türkei, russia, russland,
ukraine, israel, egypt, south africa, nigeria, kenya, morocco, india, indien, china, japan, south korea, korea,
taiwan, hong kong, singapore, malaysia, indonesia, philippines, thailand, vietnam, australia, australien,
new zealand, united arab emirates, uae, saudi arabia, qatar, pakistan, bangladesh, sri lanka,
de, fr, es, it, nl, be, ch, at, dk, se, no, fi, pl, cz, gb, ie, pt, gr, tr, ru, ua, il, za, in, cn, jp, kr, tw, hk,
sg, my, id, ph, th, vn, au, nz, ae, sa, br, ar, mx, ca, cl, co, pe, usa, deu, fra, gbr, can, aus, che, aut, nld`

func isCountry(s string) bool {
	if len(s) > 40 || len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		return false
	}
	ok, _ := lookupWord(countries, s)
	return ok
}

// zipLike reports whether s looks like a postal code: 3 to 10 characters of
// digits and capital letters with at most one space or dash, at least two
// digits (US 94105 and 94105-1234, DE 10115, UK SW1A 1AA, CA K1A 0B1).
func zipLike(s string) bool {
	if len(s) < 3 || len(s) > 10 {
		return false
	}
	digits, seps := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c == ' ' || c == '-':
			seps++
		default:
			return false
		}
	}
	return digits >= 2 && seps <= 1
}
