package mapping

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crmio/crmio"
)

// ValueError is the error Coerce returns for text its field cannot hold.
// Reason is a sentence for a person: `"bob@" is not an email address`.
// It wraps crmio.ErrInvalidValue.
type ValueError struct {
	Field  string // the field's name
	Value  string // the text, as given
	Reason string
}

func (e *ValueError) Error() string { return e.Reason }

// Unwrap returns crmio.ErrInvalidValue.
func (e *ValueError) Unwrap() error { return crmio.ErrInvalidValue }

// Coerce turns one text into a value of field f, the way Apply does for a
// cell: static values and query filters use it. The text is trimmed; an
// empty text is the null Value. For a multi-value field it returns one
// item's value. An address has no one-cell form: the text becomes its
// street. A reference keeps the text as its key, crmio.RefValue("", key),
// for the importer to resolve. A phone number that is not valid is kept
// as typed (Apply warns about it); any other text the field cannot hold
// returns a *ValueError wrapping crmio.ErrInvalidValue.
func Coerce(f *crmio.Field, text string, opts *Options) (crmio.Value, error) {
	st := opts.settings()
	c := newCoercer(f, &st, st.dateOrder, st.decimalComma)
	v, reason, warn := c.coerce(strings.TrimSpace(text))
	if reason != "" && !warn {
		return crmio.Value{}, &ValueError{Field: f.Name, Value: text, Reason: reason}
	}
	return v, nil
}

// coercer turns the text of one column into values of its field. It is
// read-only once built, so a Mapper shares it between goroutines.
type coercer struct {
	field        *crmio.Field
	typ          crmio.FieldType
	st           *settings
	dateOrder    DateOrder // never AutoOrder
	decimalComma bool
}

func newCoercer(f *crmio.Field, st *settings, order DateOrder, decimalComma bool) *coercer {
	return &coercer{field: f, typ: f.Type, st: st, dateOrder: order, decimalComma: decimalComma}
}

// coerce turns trimmed, non-empty text into a value. On failure reason
// says why for a person; warn means the value is usable all the same (a
// phone number kept as typed, a date read in the other order).
func (c *coercer) coerce(s string) (v crmio.Value, reason string, warn bool) {
	if s == "" {
		return crmio.Value{}, "", false
	}
	switch c.typ {
	case crmio.TypeText:
		return crmio.TextValue(s), "", false
	case crmio.TypeEmail:
		if addr, ok := cleanEmail(s); ok {
			return crmio.EmailValue(addr), "", false
		}
		return v, quote(s) + " is not an email address", false
	case crmio.TypePhone:
		out, valid := normalizePhone(strings.TrimPrefix(s, "'"), c.st)
		if !valid {
			return crmio.PhoneValue(s), quote(s) + " is not a valid phone number for " + c.st.region + "; it was kept as typed", true
		}
		return crmio.PhoneValue(out), "", false
	case crmio.TypeURL:
		if validURL(s) {
			return crmio.URLValue(s), "", false
		}
		return v, quote(s) + " is not a web address", false
	case crmio.TypeNumber:
		if d, ok := parseNumber(s, c.decimalComma); ok {
			return crmio.NumberValue(d), "", false
		}
		if c.decimalComma {
			return v, quote(s) + " is not a number (this column is read with a decimal comma, as in 1.234,56)", false
		}
		return v, quote(s) + " is not a number", false
	case crmio.TypeBool:
		if b, ok := parseBool(s); ok {
			return crmio.BoolValue(b), "", false
		}
		return v, quote(s) + " is not yes or no", false
	case crmio.TypeChoice:
		if ch, ok := c.field.Choice(s); ok {
			return crmio.TextValue(ch.Value), "", false
		}
		return v, quote(s) + " is not one of the choices of " + c.field.DisplayLabel() + " (" + choiceList(c.field) + ")", false
	case crmio.TypeDate, crmio.TypeDateTime:
		return c.dateValue(s)
	case crmio.TypeReference:
		return crmio.RefValue("", s), "", false
	case crmio.TypeAddress:
		return crmio.AddressValue(crmio.Address{Street: s}), "", false
	}
	return v, "field " + c.field.Name + " has an unknown type " + string(c.typ), false
}

func (c *coercer) dateValue(s string) (v crmio.Value, reason string, warn bool) {
	dt, swapped, ok := parseDateTime(s, c.dateOrder)
	if !ok {
		dt, ok = excelSerial(strings.TrimPrefix(s, "'"))
	}
	if !ok {
		if c.typ == crmio.TypeDateTime {
			return v, quote(s) + " is not a date and time", false
		}
		return v, quote(s) + " is not a date", false
	}
	if swapped {
		other := DayFirst
		if c.dateOrder == DayFirst {
			other = MonthFirst
		}
		reason = fmt.Sprintf("%s cannot be %s, so it was read %s: %s", quote(s), c.dateOrder.pattern(), other.pattern(), dt.date())
		warn = true
	}
	if c.typ == crmio.TypeDate {
		return crmio.DateValue(dt.date()), reason, warn
	}
	return crmio.DateTimeValue(dt.instant(c.st.loc)), reason, warn
}

// quote quotes a text for a message, shortened when long.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

func choiceList(f *crmio.Field) string {
	var b strings.Builder
	for i, ch := range f.Choices {
		if i == 10 {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ch.Display())
	}
	return b.String()
}

// parseBool reads yes/no, true/false, 1/0, y/n, x, on/off, ja/nein, j,
// wahr/falsch, t/f and checked/unchecked, ignoring case.
func parseBool(s string) (value, ok bool) {
	if len(s) > 9 {
		return false, false
	}
	v, ok := lookupWord(boolWords, s)
	return v, ok
}

var boolWords = map[string]bool{
	"yes": true, "y": true, "true": true, "t": true, "1": true, "x": true, "on": true, "ja": true, "j": true,
	"wahr": true, "checked": true, "✓": true, "✔": true, "oui": true, "si": true, "sí": true,
	"no": false, "n": false, "false": false, "f": false, "0": false, "off": false, "nein": false,
	"falsch": false, "unchecked": false, "non": false,
}

// cleanEmail returns the address of an email text: the text itself, or
// the address inside "Ada Lovelace <ada@example.com>" or after "mailto:".
// It checks the syntax reasonably, not pedantically: one "@", a local
// part without spaces or brackets, a domain of at least two labels.
func cleanEmail(s string) (string, bool) {
	if strings.HasSuffix(s, ">") {
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			s = strings.TrimSpace(s[i+1 : len(s)-1])
		}
	}
	if len(s) > 7 && (s[0] == 'm' || s[0] == 'M') && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 254 || at > 64 {
		return s, false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' {
		return s, false
	}
	for i := 0; i < len(local); i++ {
		if badInLocal[local[i]] || local[i] == '.' && local[i+1] == '.' {
			return s, false
		}
	}
	return s, validHost(domain, false)
}

// badInLocal marks the bytes an unquoted local part cannot hold.
var badInLocal = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	for _, c := range []byte("()<>[]\\,;:\"@\x7f") {
		t[c] = true
	}
	return t
}()

// hostByte marks the ASCII bytes a domain label can hold.
var hostByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	t['-'] = true
	return t
}()

// validHost checks a domain name: at least two labels of letters, digits
// and hyphens (any letter, for international names), a top-level label of
// two or more characters that is not all digits. An IP address is
// accepted when allowIP is set.
func validHost(h string, allowIP bool) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	h = strings.TrimSuffix(h, ".")
	labels, start := 0, 0
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			if c := h[i]; c < utf8.RuneSelf && !hostByte[c] {
				return false
			}
			continue
		}
		label := h[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if !isASCII(label) {
			for _, r := range label {
				if r >= utf8.RuneSelf && !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
					return false
				}
			}
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return false
	}
	top := h[strings.LastIndexByte(h, '.')+1:]
	if isDigits(top) {
		return allowIP && labels == 4
	}
	return utf8.RuneCountInString(top) >= 2
}

// validURL accepts web addresses: with http:// or https://, or bare
// ("acme.com", "www.acme.com/about"). It checks the host, not the path.
func validURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	rest, scheme := s, false
	for _, p := range [...]string{"https://", "http://"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			rest, scheme = s[len(p):], true
			break
		}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if strings.ContainsRune(host, '@') {
		return false // userinfo, or an email address
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		if !isDigits(host[i+1:]) {
			return false
		}
		host = host[:i]
	}
	return validHost(host, scheme)
}
