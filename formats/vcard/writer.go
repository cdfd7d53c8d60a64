package vcard

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
)

// WriterOptions configure a Writer. A nil *WriterOptions means defaults.
type WriterOptions struct {
	// Version is the vCard version written: "3.0" (the default, which
	// phones, Google Contacts and Apple's Contacts read), "4.0" or "2.1"
	// (for old phones and Outlook: quoted-printable UTF-8 for text that
	// is not ASCII).
	Version string
}

// Writer writes a table as a vCard file: one card per row. It knows the
// columns by their names: the ones crmio's exports write ("First name",
// "Email (Work)", "Phone (Mobile)", "Address (Home) - City", "Account",
// "Title", "Birthday", "Website", "Notes"...), the numbered groups the
// Reader and Google Contacts write ("Phone 1 - Type", "Phone 1 - Value",
// "Address 1 - City") and common synonyms ("Given name", "E-mail",
// "Organization", "Job title"). A column it does not know is kept as an
// X-CRMIO-FIELD property naming the column, which the Reader reads back as
// that column, so that a file crmio exported imports as it was. Several
// values in one cell of an email, phone or website column (separated by
// " ::: ") become several properties.
//
// Writer implements formats.Writer; text is never a formula in a vCard, so
// exports write it as it is.
type Writer struct {
	out     *bufio.Writer
	version string
	columns []target
	line    strings.Builder
	started bool
	closed  bool
	err     error
}

// target is what a column holds.
type target struct {
	kind  string // "n0".."n4" (family, given, middle, prefix, suffix), fn, nickname, org, dept, title, role, email, tel, adr, url, bday, anniversary, note, categories, x
	label string // email, tel, adr: the label
	part  int    // adr: 0 street .. 4 country; -1 for a group's Type column
	group int    // a numbered group's number ("Phone 2 - Value"), else 0
	name  string // x: the column's name
}

// NewWriter returns a Writer writing vCards to w.
func NewWriter(w io.Writer, opts *WriterOptions) (*Writer, error) {
	version := "3.0"
	if opts != nil && opts.Version != "" {
		version = opts.Version
	}
	switch version {
	case "2.1", "3.0", "4.0":
	default:
		return nil, fmt.Errorf("vcard: unknown version %q (want 2.1, 3.0 or 4.0)", version)
	}
	return &Writer{out: bufio.NewWriterSize(w, 64<<10), version: version}, nil
}

// WriteHeader names the columns of the rows to come.
func (w *Writer) WriteHeader(names []string) error {
	if w.err != nil {
		return w.err
	}
	if w.started || w.closed {
		return w.fail(fmt.Errorf("%w: WriteHeader called twice or after Close", formats.ErrWriteOrder))
	}
	w.started = true
	w.columns = make([]target, len(names))
	for i, n := range names {
		w.columns[i] = columnTarget(n)
	}
	return nil
}

// columnTarget reads a column's name: "Email (Work)", "Address (Home) -
// City", "Given name".
func columnTarget(name string) target {
	if t, ok := groupTarget(name); ok {
		return t
	}
	base, label, part := strings.ToLower(strings.TrimSpace(name)), "", ""
	if b, p, ok := strings.Cut(base, " - "); ok {
		base, part = strings.TrimSpace(b), strings.TrimSpace(p)
	}
	if i := strings.IndexByte(base, '('); i > 0 && strings.HasSuffix(base, ")") {
		base, label = strings.TrimSpace(base[:i]), strings.TrimSpace(base[i+1:len(base)-1])
	}
	base = strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == ' ' || r == '_' || r == '-' }), " ")
	switch base {
	case "last name", "family name", "surname", "last", "lastname":
		return target{kind: "n0"}
	case "first name", "given name", "first", "firstname":
		return target{kind: "n1"}
	case "middle name", "additional name", "middle", "additional names":
		return target{kind: "n2"}
	case "name prefix", "prefix", "honorific prefix", "salutation":
		return target{kind: "n3"}
	case "name suffix", "suffix", "honorific suffix":
		return target{kind: "n4"}
	case "full name", "display name", "formatted name", "name":
		return target{kind: "fn"}
	case "nickname":
		return target{kind: "nickname"}
	case "company", "organization", "organisation", "account", "account name", "company name", "org":
		return target{kind: "org"}
	case "department":
		return target{kind: "dept"}
	case "title", "job title", "position":
		return target{kind: "title"}
	case "role":
		return target{kind: "role"}
	case "email", "e mail", "email address", "e mail address", "mail":
		return target{kind: "email", label: label}
	case "phone", "telephone", "tel", "phone number", "mobile", "mobile phone", "fax":
		if label == "" && (base == "mobile" || base == "mobile phone") {
			label = "mobile"
		}
		if label == "" && base == "fax" {
			label = "fax"
		}
		return target{kind: "tel", label: label}
	case "address", "postal address":
		for i, p := range addressParts {
			if part == strings.ToLower(p) {
				return target{kind: "adr", label: label, part: i}
			}
		}
		switch part {
		case "", "street address", "address":
			return target{kind: "adr", label: label, part: 0}
		case "locality", "town":
			return target{kind: "adr", label: label, part: 1}
		case "region", "province":
			return target{kind: "adr", label: label, part: 2}
		case "postal code", "postcode", "zip code":
			return target{kind: "adr", label: label, part: 3}
		}
	case "website", "websites", "other websites", "url", "web page", "web site", "homepage":
		return target{kind: "url"}
	case "birthday", "birth date", "bday", "date of birth":
		return target{kind: "bday"}
	case "anniversary":
		return target{kind: "anniversary"}
	case "notes", "note", "comments":
		return target{kind: "note"}
	case "categories", "tags", "groups":
		return target{kind: "categories"}
	}
	return target{kind: "x", name: strings.TrimSpace(name)}
}

// groupTarget reads the numbered columns of Google Contacts' exports and
// the Reader's: "E-mail 1 - Type", "Phone 2 - Value", "Address 1 - City".
func groupTarget(name string) (target, bool) {
	lower := strings.ToLower(strings.TrimSpace(name))
	head, part, ok := strings.Cut(lower, " - ")
	if !ok {
		return target{}, false
	}
	i := strings.LastIndexByte(head, ' ')
	if i < 0 {
		return target{}, false
	}
	n, err := strconv.Atoi(head[i+1:])
	if err != nil || n < 1 {
		return target{}, false
	}
	var kind string
	switch head[:i] {
	case "e-mail", "email":
		kind = "email"
	case "phone":
		kind = "tel"
	case "address":
		kind = "adr"
	case "website":
		kind = "url"
	default:
		return target{}, false
	}
	t := target{kind: kind, group: n}
	switch part {
	case "type", "label":
		t.part = -1
	case "value":
		if kind == "adr" {
			return target{}, false
		}
	case "street", "po box", "extended address":
		t.part = 0
	case "city":
		t.part = 1
	case "region", "state":
		t.part = 2
	case "postal code", "zip":
		t.part = 3
	case "country":
		t.part = 4
	default:
		return target{}, false
	}
	if kind != "adr" && part != "value" && t.part != -1 {
		return target{}, false
	}
	return t, true
}

// WriteRow writes one card.
func (w *Writer) WriteRow(cells []formats.Cell) error {
	if w.err != nil {
		return w.err
	}
	if !w.started || w.closed {
		return w.fail(fmt.Errorf("%w: WriteRow before WriteHeader or after Close", formats.ErrWriteOrder))
	}
	if len(cells) > len(w.columns) {
		return w.fail(fmt.Errorf("vcard: %w (%d cells, %d columns)", formats.ErrRowTooWide, len(cells), len(w.columns)))
	}
	var (
		n       [5]string
		single  = map[string]string{}
		items   []target // email, tel, url, x, in column order, with their values in name
		addrs   = map[string]*[5]string{}
		adrSeen []string
		groups  = map[[2]int]*groupItem{} // numbered groups, by kind and number
		order   [][2]int
	)
	kinds := map[string]int{"email": 0, "tel": 1, "adr": 2, "url": 3}
	for i, c := range cells {
		text := strings.TrimSpace(cellText(c))
		if text == "" {
			continue
		}
		t := w.columns[i]
		if t.group > 0 {
			key := [2]int{kinds[t.kind], t.group}
			g := groups[key]
			if g == nil {
				g = &groupItem{kind: t.kind}
				groups[key] = g
				order = append(order, key)
			}
			switch {
			case t.part == -1:
				g.label = text
			case t.kind == "adr":
				if g.parts[t.part] != "" {
					g.parts[t.part] += "\n"
				}
				g.parts[t.part] += text
			default:
				g.value = text
			}
			continue
		}
		switch t.kind {
		case "n0", "n1", "n2", "n3", "n4":
			n[t.kind[1]-'0'] = text
		case "email", "tel", "url":
			for v := range strings.SplitSeq(text, listSep) {
				if v = strings.TrimSpace(v); v != "" {
					items = append(items, target{kind: t.kind, label: t.label, name: v})
				}
			}
		case "adr":
			a := addrs[t.label]
			if a == nil {
				a = &[5]string{}
				addrs[t.label] = a
				adrSeen = append(adrSeen, t.label)
			}
			a[t.part] = text
		case "x":
			items = append(items, target{kind: "x", label: t.name, name: text})
		default:
			if single[t.kind] != "" {
				single[t.kind] += "; " + text
			} else {
				single[t.kind] = text
			}
		}
	}

	// The numbered groups join the labelled columns' items, in order.
	slices.SortFunc(order, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	for _, key := range order {
		g := groups[key]
		switch {
		case g.kind == "adr" && g.parts != [5]string{}:
			label := "\x00" + strconv.Itoa(key[1]) + g.label // a group of its own
			addrs[label] = &g.parts
			adrSeen = append(adrSeen, label)
		case g.kind != "adr" && g.value != "":
			items = append(items, target{kind: g.kind, label: g.label, name: g.value})
		}
	}

	w.emit("BEGIN", nil, "VCARD", true)
	w.emit("VERSION", nil, w.version, true)
	if w.version != "2.1" {
		w.emit("PRODID", nil, "-//crmio//crmio//EN", true)
	}
	fn := single["fn"]
	if fn == "" {
		fn = strings.Join(strings.Fields(strings.Join([]string{n[3], n[1], n[2], n[0], n[4]}, " ")), " ")
	}
	if fn == "" {
		fn = single["org"]
	}
	if n != [5]string{} || w.version != "4.0" {
		parts := make([]string, 5)
		for i, s := range n {
			parts[i] = w.escape(s)
		}
		w.emitRaw("N", nil, strings.Join(parts, ";"), n)
	}
	w.emit("FN", nil, fn, false)
	w.emit("NICKNAME", nil, single["nickname"], false)
	if org := single["org"]; org != "" || single["dept"] != "" {
		w.emitRaw("ORG", nil, w.escape(org)+suffixed(w.escape(single["dept"])), [5]string{org, single["dept"]})
	}
	w.emit("TITLE", nil, single["title"], false)
	w.emit("ROLE", nil, single["role"], false)
	// A label of no vCard type ("Assistant") goes, as Apple's address book
	// writes it, into an X-ABLabel of the item's group: item1.TEL, then
	// item1.X-ABLabel.
	groupN := 0
	labelled := func(name, label string, words map[string]string, value string, raw bool) {
		types := w.types(label, words)
		if types != nil || strings.TrimSpace(label) == "" {
			w.emit(name, types, value, raw)
			return
		}
		groupN++
		group := "item" + strconv.Itoa(groupN) + "."
		w.emit(group+name, nil, value, raw)
		w.emit(group+"X-ABLabel", nil, label, false)
	}
	for _, it := range items {
		if it.kind == "email" {
			labelled("EMAIL", it.label, emailTypes, it.name, true)
		}
	}
	for _, it := range items {
		if it.kind == "tel" {
			// As text, also in 4.0 (which allows it): a tel: URI would
			// change how the number is written.
			labelled("TEL", it.label, phoneTypes, it.name, true)
		}
	}
	for _, label := range adrSeen {
		a := addrs[label]
		if strings.HasPrefix(label, "\x00") {
			label = strings.TrimLeft(label[1:], "0123456789")
		}
		// pobox;extended;street;locality;region;code;country
		parts := []string{"", "", w.escape(a[0]), w.escape(a[1]), w.escape(a[2]), w.escape(a[3]), w.escape(a[4])}
		if types := w.types(label, addressTypes); types != nil || strings.TrimSpace(label) == "" {
			w.emitRaw("ADR", types, strings.Join(parts, ";"), *a)
		} else {
			groupN++
			group := "item" + strconv.Itoa(groupN) + "."
			w.emitRaw(group+"ADR", nil, strings.Join(parts, ";"), *a)
			w.emit(group+"X-ABLabel", nil, label, false)
		}
	}
	for _, it := range items {
		if it.kind == "url" {
			w.emit("URL", nil, it.name, true)
		}
	}
	if b := single["bday"]; b != "" {
		w.emit("BDAY", nil, w.date(b), true)
	}
	if a := single["anniversary"]; a != "" {
		name := "X-ANNIVERSARY"
		if w.version == "4.0" {
			name = "ANNIVERSARY"
		}
		w.emit(name, nil, w.date(a), true)
	}
	w.emit("NOTE", nil, single["note"], false)
	if c := single["categories"]; c != "" {
		var cats []string
		for v := range strings.SplitSeq(c, ",") {
			if v = strings.TrimSpace(v); v != "" {
				cats = append(cats, w.escape(v))
			}
		}
		w.emitRaw("CATEGORIES", nil, strings.Join(cats, ","), [5]string{c})
	}
	for _, it := range items {
		if it.kind == "x" {
			w.emit(columnProperty, []string{columnParam + "=" + w.paramValue(it.label)}, it.name, false)
		}
	}
	w.emit("END", nil, "VCARD", true)
	return w.fail(w.err)
}

// groupItem is one numbered group's item: its label and value, or an
// address's parts.
type groupItem struct {
	kind  string
	label string
	value string
	parts [5]string
}

func suffixed(s string) string {
	if s == "" {
		return ""
	}
	return ";" + s
}

// The TYPE words of each label.
var (
	emailTypes   = map[string]string{"work": "WORK", "home": "HOME", "other": "OTHER"}
	phoneTypes   = map[string]string{"mobile": "CELL", "cell": "CELL", "work": "WORK", "home": "HOME", "fax": "FAX", "pager": "PAGER", "other": "OTHER"}
	addressTypes = map[string]string{"work": "WORK", "home": "HOME", "other": "OTHER"}
)

// types returns the parameters naming a label's types: TYPE=WORK, or
// 2.1's bare WORK; a label of several words ("Work Fax") has a type for
// each known word. Other labels have none.
func (w *Writer) types(label string, words map[string]string) []string {
	var types []string
	for _, word := range strings.Fields(strings.ToLower(label)) {
		if t, ok := words[word]; ok && !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return nil
	}
	switch w.version {
	case "2.1":
		return types
	case "4.0":
		return []string{"TYPE=" + strings.ToLower(strings.Join(types, ","))}
	}
	return []string{"TYPE=" + strings.Join(types, ",")}
}

// date writes a date cell's text as the version takes it: 1990-03-07
// (4.0: 19900307), a date without a year as --03-07 (4.0: --0307).
func (w *Writer) date(s string) string {
	d, kind := parseDate(s, "")
	switch {
	case kind == badDate:
		return s
	case w.version == "4.0" && kind == noYear:
		return "--" + strings.ReplaceAll(d[2:], "-", "")
	case w.version == "4.0":
		return strings.ReplaceAll(d, "-", "")
	}
	return d
}

// paramValue is a parameter value: quoted when it holds ; : or , (in 2.1,
// which cannot quote, those become spaces).
func (w *Writer) paramValue(s string) string {
	s = strings.ReplaceAll(s, `"`, "'")
	if !strings.ContainsAny(s, ";:,") {
		return s
	}
	if w.version == "2.1" {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(";:,", r) {
				return ' '
			}
			return r
		}, s)
	}
	return `"` + s + `"`
}

// textEscaper escapes text for 3.0 and 4.0: backslashes, line breaks,
// commas and semicolons.
var textEscaper = strings.NewReplacer(`\`, `\\`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`, ",", `\,`, ";", `\;`)

// text21Escaper escapes text for 2.1: backslashes and semicolons (its
// line breaks go into quoted-printable text, its commas are text).
var text21Escaper = strings.NewReplacer(`\`, `\\`, ";", `\;`)

// escape escapes text for a value.
func (w *Writer) escape(s string) string {
	if w.version == "2.1" {
		return text21Escaper.Replace(s)
	}
	return textEscaper.Replace(s)
}

// emit writes a text property; raw values (a phone number, an email) are
// written as they are, other text escaped.
func (w *Writer) emit(name string, params []string, value string, raw bool) {
	if value == "" {
		return
	}
	text := value
	if !raw {
		text = w.escape(value)
	}
	w.emitRaw(name, params, text, [5]string{value})
}

// emitRaw writes a property whose value is already escaped; parts are
// the unescaped texts, to tell whether 2.1 needs quoted-printable.
func (w *Writer) emitRaw(name string, params []string, value string, parts [5]string) {
	if w.err != nil {
		return
	}
	b := &w.line
	b.Reset()
	b.WriteString(name)
	for _, p := range params {
		b.WriteByte(';')
		b.WriteString(p)
	}
	qp := false
	if w.version == "2.1" {
		for _, p := range parts {
			if needsQP(p) {
				qp = true
			}
		}
	}
	if qp {
		b.WriteString(";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:")
		w.writeQP(b.String(), value)
		return
	}
	b.WriteByte(':')
	b.WriteString(value)
	w.writeFolded(b.String())
}

func needsQP(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '\n' || s[i] == '\r' {
			return true
		}
	}
	return false
}

// writeFolded writes a content line, folded at 75 bytes (at a character
// boundary; 2.1 folds only before a space, which its unfolding keeps).
func (w *Writer) writeFolded(line string) {
	const limit = 75
	for len(line) > limit {
		cut := limit
		if w.version == "2.1" {
			cut = strings.LastIndexByte(line[:limit], ' ')
			if cut <= 0 {
				break
			}
		} else {
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
		}
		w.out.WriteString(line[:cut])
		w.out.WriteString("\r\n")
		if w.version != "2.1" {
			w.out.WriteByte(' ')
		}
		line = line[cut:]
	}
	w.out.WriteString(line)
	_, err := w.out.WriteString("\r\n")
	w.fail(err)
}

// writeQP writes a 2.1 property whose value is quoted-printable, with soft
// line breaks at 76 characters.
func (w *Writer) writeQP(head, value string) {
	line := head
	for i := 0; i < len(value); i++ {
		c := value[i]
		var enc string
		switch {
		case c == '\r' && i+1 < len(value) && value[i+1] == '\n':
			enc = "=0D=0A"
			i++
		case c == '\n' || c == '\r':
			enc = "=0D=0A"
		case c >= 0x80 || c == '=' || c < ' ':
			enc = fmt.Sprintf("=%02X", c)
		default:
			enc = string(c)
		}
		if len(line)+len(enc) > 75 {
			w.out.WriteString(line)
			w.out.WriteString("=\r\n")
			line = ""
		}
		line += enc
	}
	w.out.WriteString(line)
	_, err := w.out.WriteString("\r\n")
	w.fail(err)
}

// Close flushes the cards; it does not close the underlying io.Writer.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.fail(w.out.Flush())
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return w.err
}

// cellText is a cell's text as a card holds it.
func cellText(c formats.Cell) string {
	if c.Kind() == formats.CellDateTime {
		return c.Time().Format("2006-01-02T15:04:05Z07:00")
	}
	return c.String()
}

var _ formats.Writer = (*Writer)(nil)
