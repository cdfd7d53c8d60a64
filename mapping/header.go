package mapping

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalize turns a column title or a field name into lower-case ASCII
// words: accents are dropped ("Straße geschäftlich" → "strasse
// geschaftlich"), camelCase and snake_case are split ("MailingPostalCode"
// → "mailing postal code"), digits are words of their own ("E-mail 2
// Address" → "email 2 address"), "e mail" is one word, and run-together
// words a dictionary knows are split ("BILLINGSTREET" → "billing street").
func normalize(s string) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	rs := []rune(fold(s))
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if i > 0 && cur.Len() > 0 {
				p := rs[i-1]
				next := rune(0)
				if i+1 < len(rs) {
					next = rs[i+1]
				}
				switch {
				case unicode.IsLower(p) && unicode.IsUpper(r),
					unicode.IsUpper(p) && unicode.IsUpper(r) && unicode.IsLower(next),
					unicode.IsDigit(p) != unicode.IsDigit(r):
					flush()
				}
			}
			cur.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// "Assistant's Phone": drop the possessive "s".
			if i+1 < len(rs) && (rs[i+1] == 's' || rs[i+1] == 'S') && (i+2 == len(rs) || !unicode.IsLetter(rs[i+2])) {
				flush()
				rs[i+1] = ' '
			}
			flush()
		default:
			flush()
		}
	}
	flush()
	// "e mail" and "e mails" are one word.
	out := words[:0]
	for i := 0; i < len(words); i++ {
		if words[i] == "e" && i+1 < len(words) && (words[i+1] == "mail" || words[i+1] == "mails") {
			out = append(out, "e"+words[i+1])
			i++
			continue
		}
		out = append(out, words[i])
	}
	words = out
	// Split run-together words ("lastmodifieddate") into known words.
	for i := 0; i < len(words); i++ {
		w := words[i]
		if len(w) < 6 || vocabulary[w] || isDigits(w) {
			continue
		}
		if parts := segment(w); len(parts) > 1 {
			words = append(words[:i], append(parts, words[i+1:]...)...)
			i += len(parts) - 1
		}
	}
	return words
}

// fold removes accents and expands ligatures: "Primäre" → "Primare".
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ß':
			b.WriteString("ss")
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
		case r == 'ø' || r == 'Ø':
			b.WriteByte('o')
		case r == 'ł' || r == 'Ł':
			b.WriteByte('l')
		case r == '\ufeff':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// segment splits w into the fewest vocabulary words that spell it, or
// returns nil.
func segment(w string) []string {
	n := len(w)
	// best[i]: fewest words spelling w[:i]; from[i]: where the last begins.
	best := make([]int, n+1)
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = -1
		for j := max(0, i-20); j < i; j++ {
			if best[j] < 0 && j > 0 {
				continue
			}
			part := w[j:i]
			if len(part) < 2 || !vocabulary[part] {
				continue
			}
			if c := best[j] + 1; best[i] < 0 || c < best[i] {
				best[i], from[i] = c, j
			}
		}
	}
	if best[n] < 0 {
		return nil
	}
	var parts []string
	for i := n; i > 0; i = from[i] {
		parts = append(parts, w[from[i]:i])
	}
	for l, r := 0, len(parts)-1; l < r; l, r = l+1, r-1 {
		parts[l], parts[r] = parts[r], parts[l]
	}
	return parts
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// phrase normalizes s and joins its words with single spaces.
func phrase(s string) string { return strings.Join(normalize(s), " ") }

// header is what the suggester reads from a column title.
type header struct {
	raw   string
	words []string // normalized, without an entity prefix or suffix
	// qual marks the words that were in parentheses: "(internal)" in
	// "Remarks (internal)", "(bureau)" in "Téléphone (bureau)".
	qual []bool
	// entity names the record type a Pipedrive- or HubSpot-style title
	// names: "Person - Email - Work" → "person", "Record ID - Company" →
	// "company". Empty when the title names none.
	entity string
	// idColumn marks the id half of a Zoho lookup pair, "Account Name.id".
	idColumn bool
	// role is RoleLabel for the label column of a Google Contacts group,
	// "Phone 1 - Type" or "E-mail 2 - Label".
	role Role
}

// entityWords are the record types titles are prefixed with.
var entityWords = map[string]string{
	"person": "person", "persons": "person", "people": "person", "contact": "person", "contacts": "person",
	"lead": "person", "leads": "person", "member": "person", "members": "person", "subscriber": "person",
	"customer": "customer", "customers": "customer", "client": "customer", "clients": "customer",
	"organization": "organization", "organisation": "organization", "organizations": "organization",
	"org": "organization", "company": "organization", "companies": "organization", "account": "organization",
	"accounts": "organization",
	"deal":     "deal", "deals": "deal", "opportunity": "deal", "opportunities": "deal",
	"product": "product", "products": "product", "activity": "activity", "activities": "activity",
	"ticket": "ticket", "tickets": "ticket", "task": "task", "tasks": "task", "note": "note",
}

// sameFamily reports whether titles about record type a may hold fields
// of a module of type b: the same type, or a customer, which may be a
// person or a company.
func sameFamily(a, b string) bool { return a == b || a == "customer" || b == "customer" }

// entityOf returns the entity family of a module or a title prefix.
func entityOf(words []string) string {
	if len(words) == 1 {
		return entityWords[words[0]]
	}
	return ""
}

func parseHeader(raw string) header {
	raw = strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
	h := header{raw: raw}
	body := raw
	// A repeated title the file reader renamed, "Phone Number (2)", means
	// what its first use means (HubSpot repeats a company's columns).
	if i := strings.LastIndex(body, " ("); i > 0 && strings.HasSuffix(body, ")") && isDigits(body[i+2:len(body)-1]) {
		body = body[:i]
	}
	lower := strings.ToLower(body)
	if strings.HasSuffix(lower, ".id") || strings.HasSuffix(lower, "_id") && strings.Contains(lower, ".") {
		h.idColumn = true
	}
	if strings.HasSuffix(lower, "__c") {
		body = body[:len(body)-3] // a Salesforce custom field: Gender__c
	}
	if segs := strings.Split(body, " - "); len(segs) >= 2 {
		if e := entityOf(normalize(segs[0])); e != "" {
			h.entity = e
			body = strings.Join(segs[1:], " - ")
		} else if e := entityOf(normalize(segs[len(segs)-1])); e != "" && len(segs) == 2 {
			h.entity = e
			body = segs[0]
		}
	}
	// Google Contacts: "<Thing> N - Type|Label|Value".
	if i := strings.LastIndex(body, " - "); i > 0 {
		head := normalize(body[:i])
		if len(head) >= 2 && isDigits(head[len(head)-1]) {
			switch strings.ToLower(strings.TrimSpace(body[i+3:])) {
			case "type", "label":
				h.role, body = RoleLabel, body[:i]
			case "value":
				body = body[:i]
			}
		}
	}
	h.words, h.qual = normalizeQualified(body)
	return h
}

// normalizeQualified normalizes s as normalize does, and marks the words
// that stand in parentheses.
func normalizeQualified(s string) ([]string, []bool) {
	if !strings.ContainsRune(s, '(') {
		w := normalize(s)
		return w, make([]bool, len(w))
	}
	var words []string
	var qual []bool
	depth, start := 0, 0
	flush := func(end int) {
		for _, w := range normalize(s[start:end]) {
			words = append(words, w)
			qual = append(qual, depth > 0)
		}
		start = end + 1
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			flush(i)
			depth++
		case ')':
			if depth > 0 {
				flush(i)
				depth--
			}
		}
	}
	if start < len(s) {
		flush(len(s))
	}
	return words, qual
}
