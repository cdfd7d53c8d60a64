package vcard

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The columns of the table a vCard file reads as, in their order. Their
// names are the ones crmio's exports write (crmio.ColumnName of the
// default schema's people) and common export headers ("Company"), which
// the mapping suggester maps to a people module with their labels.
const (
	colFirst     = "First name"
	colLast      = "Last name"
	colMiddle    = "Middle name"
	colPrefix    = "Name prefix"
	colSuffix    = "Name suffix"
	colFull      = "Full name"
	colNickname  = "Nickname"
	colCompany   = "Company"
	colDept      = "Department"
	colTitle     = "Title"
	colRole      = "Role"
	colWebsite   = "Website"
	colWebsites  = "Other websites"
	colBirthday  = "Birthday"
	colBirthNY   = "Birthday (no year)"
	colBirthRaw  = "Birthday (as written)"
	colAnniv     = "Anniversary"
	colNotes     = "Notes"
	colCategory  = "Categories"
	listSep      = " ::: " // the separator of several values in one cell, which package mapping splits on
	columnParam  = "X-COLUMN"
	columnPrefix = "X-CRMIO-FIELD"
)

// columnProperty is the property crmio writes for a column that has no
// vCard property of its own (Status, Created on): X-CRMIO-FIELD with the
// column's name in its X-COLUMN parameter.
const columnProperty = columnPrefix

// Emails, phones and addresses are numbered groups of columns, as Google
// Contacts exports them: "E-mail 1 - Type" holds the label of the card's
// first email, "E-mail 1 - Value" the address, and so on, with as many
// groups as the card with the most of them needs. The suggester maps them
// with their labels, whatever the labels and however many items a card has.
const (
	emailGroup   = "E-mail"
	phoneGroup   = "Phone"
	addressGroup = "Address"
)

// addressParts are the columns of an address group after its Type.
var addressParts = []string{"Street", "City", "Region", "Postal Code", "Country"}

// groupColumn is the column of part of the n-th item (from 1) of a group:
// "Phone 2 - Value".
func groupColumn(group string, n int, part string) string {
	return group + " " + strconv.Itoa(n) + " - " + part
}

// fixedColumns are the other columns, in the table's order; the groups
// come between the first eleven and the rest.
var fixedColumns = []string{colFirst, colLast, colMiddle, colPrefix, colSuffix, colFull, colNickname, colCompany, colDept, colTitle, colRole,
	colWebsite, colWebsites, colBirthday, colBirthNY, colBirthRaw, colAnniv, colNotes, colCategory}

// columnRank orders the columns: the names and the company, the emails,
// phones and addresses by number, then the rest; false for a column of
// none of these (an X-CRMIO-FIELD column, which goes last).
func columnRank(name string) (int, bool) {
	for i, c := range fixedColumns {
		if c == name {
			if i >= 11 {
				i += 4_000_000
			}
			return i, true
		}
	}
	for g, group := range []string{emailGroup, phoneGroup, addressGroup} {
		rest, ok := strings.CutPrefix(name, group+" ")
		if !ok {
			continue
		}
		num, part, ok := strings.Cut(rest, " - ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 || n > 100_000 {
			continue
		}
		parts := []string{"Type", "Value"}
		if group == addressGroup {
			parts = append([]string{"Type"}, addressParts...)
		}
		for k, p := range parts {
			if p == part {
				return 1_000_000*(g+1) + n*10 + k, true
			}
		}
	}
	return 0, false
}

// card is the content of one BEGIN:VCARD ... END:VCARD block.
type card struct {
	line    int // of BEGIN:VCARD
	version byte
	props   []property
	dropped int // properties past maxProperties
}

// cell is one value of a card for a column.
type cell struct {
	column string
	value  string
}

// cells turns a card into its cells, in property order; a column may get
// several (two work emails). notice reports what does not fit the table.
func (c *card) cells(notice func(line int, msg string)) []cell {
	var out []cell
	add := func(column, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, cell{column, value})
		}
	}
	// Apple's address book names an item's label in an X-ABLabel of the
	// same group (item1.TEL, item1.X-ABLabel:_$!<Mobile>!$_).
	groupLabels := map[string]string{}
	for _, p := range c.props {
		if p.name == "X-ABLABEL" && p.group != "" {
			groupLabels[p.group] = appleLabel(unescape(p.value, c.version))
		}
	}
	v := c.version
	var fn string
	hasName := false
	emails, phones, addresses := 0, 0, 0
	urls := 0
	// A card has one company, birthday and anniversary: the first one met
	// (a 4.0 card may give another form of it, with the same ALTID).
	once := map[string]string{}
	first := func(p *property) bool {
		if prev, seen := once[p.name]; seen {
			if prev != p.value && (p.param("ALTID") == "" || p.param("ALTID") != once[p.name+";ALTID"]) {
				notice(p.line, fmt.Sprintf("a second %s, %q, was left out: a card has one", p.name, p.value))
			}
			return false
		}
		once[p.name], once[p.name+";ALTID"] = p.value, p.param("ALTID")
		return true
	}
	for _, p := range c.props {
		switch p.name {
		case "N":
			parts := split(p.value, ';')
			for len(parts) < 5 {
				parts = append(parts, "")
			}
			names := make([]string, 5)
			for i := range names {
				names[i] = strings.TrimSpace(joinList(parts[i], v, " "))
			}
			if strings.Join(names, "") == "" || hasName {
				continue
			}
			hasName = true
			add(colLast, names[0])
			add(colFirst, names[1])
			add(colMiddle, names[2])
			add(colPrefix, names[3])
			add(colSuffix, names[4])
		case "FN":
			if fn == "" {
				fn = strings.Join(strings.Fields(unescape(p.value, v)), " ")
			}
		case "NICKNAME":
			add(colNickname, joinList(p.value, v, ", "))
		case "ORG":
			if !first(&p) {
				continue
			}
			parts := split(p.value, ';')
			add(colCompany, unescape(parts[0], v))
			var units []string
			for _, u := range parts[1:] {
				if u = strings.TrimSpace(unescape(u, v)); u != "" {
					units = append(units, u)
				}
			}
			add(colDept, strings.Join(units, ", "))
		case "X-DEPARTMENT":
			add(colDept, unescape(p.value, v))
		case "TITLE":
			add(colTitle, unescape(p.value, v))
		case "ROLE":
			add(colRole, unescape(p.value, v))
		case "EMAIL":
			value := unescape(p.value, v)
			if strings.TrimSpace(value) == "" {
				continue
			}
			emails++
			add(groupColumn(emailGroup, emails, "Type"), itemLabel(&p, groupLabels, false))
			add(groupColumn(emailGroup, emails, "Value"), value)
		case "TEL":
			value := telValue(unescape(p.value, v))
			if strings.TrimSpace(value) == "" {
				continue
			}
			phones++
			add(groupColumn(phoneGroup, phones, "Type"), itemLabel(&p, groupLabels, true))
			add(groupColumn(phoneGroup, phones, "Value"), value)
		case "ADR":
			parts := split(p.value, ';')
			for len(parts) < 7 {
				parts = append(parts, "")
			}
			for i := range parts {
				parts[i] = strings.TrimSpace(joinList(parts[i], v, ", "))
			}
			// pobox;extended;street;locality;region;code;country
			street := joinNonEmpty("\n", parts[2], parts[1], parts[0])
			if strings.Join(append([]string{street}, parts[3:7]...), "") == "" {
				continue
			}
			addresses++
			add(groupColumn(addressGroup, addresses, "Type"), itemLabel(&p, groupLabels, false))
			for i, part := range []string{street, parts[3], parts[4], parts[5], parts[6]} {
				add(groupColumn(addressGroup, addresses, addressParts[i]), part)
			}
		case "URL":
			if urls++; urls == 1 {
				add(colWebsite, unescape(p.value, v))
			} else {
				add(colWebsites, unescape(p.value, v))
			}
		case "BDAY":
			if !first(&p) {
				continue
			}
			switch d, kind := parseDate(unescape(p.value, v), p.param("X-APPLE-OMIT-YEAR")); kind {
			case fullDate:
				add(colBirthday, d)
			case noYear:
				add(colBirthNY, d)
			default:
				notice(p.line, fmt.Sprintf("the birthday %q is not a date; it is kept as written", p.value))
				add(colBirthRaw, p.value)
			}
		case "ANNIVERSARY", "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-WAB-WEDDING_ANNIVERSARY":
			if !first(&property{name: "ANNIVERSARY", value: p.value, line: p.line, params: p.params}) {
				continue
			}
			d, kind := parseDate(unescape(p.value, v), "")
			if kind == badDate {
				d = unescape(p.value, v)
			}
			add(colAnniv, d)
		case "NOTE":
			add(colNotes, unescape(p.value, v))
		case "CATEGORIES":
			add(colCategory, joinList(p.value, v, ", "))
		case columnProperty:
			if name := strings.TrimSpace(p.param(columnParam)); name != "" {
				add(name, unescape(p.value, v))
			}
		}
	}
	if fn != "" {
		if !hasName && strings.ContainsRune(fn, '@') && !strings.ContainsRune(fn, ' ') {
			// An email address for a name (Outlook writes one when there
			// is no name): no name to take from it.
			add(colFull, fn)
		} else if !hasName {
			// A card without N takes its name from FN: "Last, First", or
			// the last word as the last name and the rest as the first.
			first, last := splitFullName(fn)
			add(colFirst, first)
			add(colLast, last)
		} else if composed := composedName(out); !strings.EqualFold(composed, fn) {
			add(colFull, fn)
		}
	}
	if c.dropped > 0 {
		notice(c.line, fmt.Sprintf("the card has more than %d properties; %d were left out", maxProperties, c.dropped))
	}
	return out
}

// itemLabel is the label of an email, phone or address, as a person
// reads it ("Work", "Mobile", "Work Fax"): from its TYPE parameters (or
// 2.1's bare words), or its group's Apple label, whose own words are kept
// when it is not a known one ("Assistant"). Types that say nothing of the
// item's use (PREF, VOICE, INTERNET) make no label.
func itemLabel(p *property, groupLabels map[string]string, phone bool) string {
	var custom string
	types := p.types()
	if l, ok := groupLabels[p.group]; ok && l != "" {
		types = append([]string{strings.ToLower(l)}, types...)
		custom = l
	}
	// "x-work", "work2" (Roundcube's second work number) and "WORK" are all
	// work; "homefax" is a home fax.
	for i, t := range types {
		types[i] = strings.TrimRight(strings.TrimPrefix(t, "x-"), "0123456789")
	}
	has := func(want ...string) bool {
		return slices.ContainsFunc(types, func(t string) bool { return slices.Contains(want, t) })
	}
	place := ""
	switch {
	case has("work", "business", "office", "workfax"):
		place = "Work"
	case has("home", "homefax", "personal"):
		place = "Home"
	}
	if phone {
		switch {
		case slices.ContainsFunc(types, func(t string) bool { return strings.Contains(t, "fax") }):
			return strings.TrimSpace(place + " Fax")
		case has("pager"):
			return "Pager"
		case has("cell", "mobile", "iphone"):
			return "Mobile"
		}
	}
	switch {
	case place != "":
		return place
	case has("other"):
		return "Other"
	case custom != "" && !has("pref", "voice", "internet", "main"):
		return custom
	}
	return ""
}

// appleLabel reads an Apple label, "_$!<Mobile>!$_" or a custom one
// ("Assistant").
func appleLabel(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "_$!<"), ">!$_"))
	switch strings.ToLower(s) {
	case "mobile", "iphone":
		return "cell"
	case "homefax":
		return "homefax"
	case "workfax":
		return "workfax"
	case "otherfax":
		return "fax"
	case "main", "homepage":
		return ""
	}
	return s
}

// telValue is a phone number without a tel: URI's scheme (4.0), its
// extension written out.
func telValue(s string) string {
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
		number, params, _ := strings.Cut(s, ";")
		if ext, ok := strings.CutPrefix(strings.ToLower(params), "ext="); ok {
			return number + " ext. " + ext
		}
		return number
	}
	return s
}

// joinList unescapes a list value ("a,b") and joins its items with sep;
// 2.1 has no lists, its commas are text.
func joinList(s string, version byte, sep string) string {
	if version == '2' {
		return strings.TrimSpace(unescape(s, version))
	}
	items := split(s, ',')
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(unescape(it, version)); it != "" {
			out = append(out, it)
		}
	}
	return strings.Join(out, sep)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// splitFullName splits a formatted name into first and last name:
// "Lovelace, Ada", else the last word is the last name.
func splitFullName(fn string) (first, last string) {
	if l, f, ok := strings.Cut(fn, ","); ok {
		return strings.TrimSpace(f), strings.TrimSpace(l)
	}
	i := strings.LastIndexByte(fn, ' ')
	if i < 0 {
		return "", fn
	}
	return fn[:i], fn[i+1:]
}

// composedName is the name the N cells make: prefix first middle last
// suffix.
func composedName(cells []cell) string {
	parts := map[string]string{}
	for _, c := range cells {
		parts[c.column] = c.value
	}
	return strings.Join(strings.Fields(strings.Join([]string{parts[colPrefix], parts[colFirst], parts[colMiddle], parts[colLast], parts[colSuffix]}, " ")), " ")
}

// The kinds of date parseDate finds.
const (
	badDate = iota
	fullDate
	noYear
)

// parseDate reads a vCard date: 1990-03-07, 19900307, 1990-03-07T10:00:00Z
// (the date is kept), and the dates without a year, --0307 and --03-07
// (and an Apple date whose year is the placeholder X-APPLE-OMIT-YEAR
// names). It returns 1990-03-07, or --03-07 for a date without a year.
func parseDate(s, omitYear string) (string, int) {
	s = strings.TrimSpace(s)
	if t, _, ok := strings.Cut(s, "T"); ok && len(t) >= 8 {
		s = t
	}
	if md, ok := strings.CutPrefix(s, "--"); ok {
		md = strings.ReplaceAll(md, "-", "")
		if len(md) == 4 {
			m, err1 := strconv.Atoi(md[:2])
			d, err2 := strconv.Atoi(md[2:])
			if err1 == nil && err2 == nil && validDate(2000, m, d) {
				return fmt.Sprintf("--%02d-%02d", m, d), noYear
			}
		}
		return "", badDate
	}
	digits := strings.ReplaceAll(s, "-", "")
	if len(digits) != 8 {
		return "", badDate
	}
	y, err1 := strconv.Atoi(digits[:4])
	m, err2 := strconv.Atoi(digits[4:6])
	d, err3 := strconv.Atoi(digits[6:])
	if err1 != nil || err2 != nil || err3 != nil {
		return "", badDate
	}
	if omitYear != "" && digits[:4] == omitYear && validDate(2000, m, d) {
		return fmt.Sprintf("--%02d-%02d", m, d), noYear
	}
	if !validDate(y, m, d) || y < 1 {
		return "", badDate
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), fullDate
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}
