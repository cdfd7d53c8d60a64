package crmio

import (
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MatchKey returns v's canonical match key: the text two values share when
// a person would call them the same. It is the one function every Matcher
// and Store uses to find duplicates and references, so that
// "Bob@Example.com " matches "bob@example.com" and "(415) 555-0102" matches
// "+14155550102". The key depends on the kind:
//
//   - Text: NFKC, case-folded, inner spaces collapsed, trimmed (TextKey).
//   - Email: the same, so case and stray spaces never matter (EmailKey).
//   - Phone: E.164 ("+14155550102") where the number allows it (PhoneKey).
//   - URL: without scheme, "www.", trailing slash and case (URLKey).
//   - Number: the digits without trailing fraction zeros (1234.50 → 1234.5).
//   - Bool: "true" or "false"; Date: ISO 8601; DateTime: RFC 3339 in UTC.
//   - Ref: "#" and the id when resolved, else the TextKey of its key.
//   - Address: the TextKey of its one-line form.
//   - List: the key of its first item (MatchKeys gives every item's).
//
// A null or empty value has the key "".
func MatchKey(v Value) string {
	switch v.kind {
	case KindText:
		return TextKey(v.str)
	case KindEmail:
		return EmailKey(v.str)
	case KindPhone:
		return PhoneKey(v.str)
	case KindURL:
		return URLKey(v.str)
	case KindNumber:
		return v.any.(Decimal).Normalize().String()
	case KindBool, KindDate:
		return v.String()
	case KindDateTime:
		return v.any.(time.Time).UTC().Format(time.RFC3339Nano)
	case KindRef:
		if r := v.ref(); r.ID != "" {
			return "#" + r.ID
		} else {
			return TextKey(r.Key)
		}
	case KindAddress:
		return TextKey(v.addr().String())
	case KindList:
		if items := v.items(); len(items) > 0 {
			return MatchKey(items[0].Value)
		}
	}
	return ""
}

// MatchKeys returns the distinct non-empty match keys of v: one per item of
// a list, in order; the one key of any other value.
func MatchKeys(v Value) []string {
	if v.kind != KindList {
		if k := MatchKey(v); k != "" {
			return []string{k}
		}
		return nil
	}
	items := v.items()
	keys := make([]string, 0, len(items))
	for _, it := range items {
		k := MatchKey(it.Value)
		if k != "" && !containsString(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// foldPool holds case folders: a cases.Caser keeps state and is not safe
// for concurrent use.
var foldPool = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// TextKey returns s in NFKC form, case-folded, with runs of white space
// collapsed to one space and the ends trimmed.
func TextKey(s string) string {
	if ascii, clean := asciiKeyable(s); ascii {
		if clean {
			return s
		}
		return asciiKey(s)
	}
	c := foldPool.Get().(*cases.Caser)
	folded := c.String(norm.NFKC.String(s))
	foldPool.Put(c)
	return collapseSpaces(folded)
}

// asciiKeyable reports whether s is ASCII, and whether it is already a key
// (no upper case, no leading, trailing or doubled spaces, no other space).
func asciiKeyable(s string) (ascii, clean bool) {
	clean = true
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		switch {
		case 'A' <= c && c <= 'Z':
			clean = false
		case c == ' ':
			if prevSpace {
				clean = false
			}
			prevSpace = true
			continue
		case c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			clean = false
		}
		prevSpace = false
	}
	if prevSpace && len(s) > 0 {
		clean = false
	}
	return true, clean
}

// asciiKey is TextKey for ASCII text in one pass and one allocation.
func asciiKey(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			space = len(b) > 0
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b)
}

func collapseSpaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// EmailKey returns the match key of an email address: NFKC, case-folded and
// trimmed. The local part is folded too: mailbox providers treat it without
// case, and people type it both ways.
func EmailKey(s string) string { return TextKey(s) }

// URLKey returns the match key of a web address: case-folded, without the
// scheme, a leading "www." or a trailing slash, so "https://www.Acme.com/"
// matches "acme.com".
func URLKey(s string) string {
	k := TextKey(s)
	for _, p := range []string{"https://", "http://"} {
		k = strings.TrimPrefix(k, p)
	}
	k = strings.TrimPrefix(k, "www.")
	return strings.TrimRight(k, "/")
}

// PhoneKey returns the match key of a phone number: "+" and its digits in
// E.164 form where the text allows it to be known (a leading "+" or "00",
// or a North American number of ten digits, or eleven starting with 1),
// else the bare digits. An extension ("x12", "ext. 12") is dropped. Text
// with no digit falls back to TextKey.
//
// A national number outside North America ("020 7946 0000") keeps its
// digits only, as its country cannot be known from the text: package
// mapping normalizes phone numbers to E.164 with the import's default
// region before they reach a store, which makes such numbers match too.
func PhoneKey(s string) string {
	s = norm.NFKC.String(s)
	s = stripExtension(s)
	var digits []byte
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '+' && len(digits) == 0:
			plus = true
		}
	}
	if len(digits) == 0 {
		return TextKey(s)
	}
	d := string(digits)
	switch {
	case plus:
		return "+" + d
	case strings.HasPrefix(d, "00") && len(d) > 4:
		return "+" + d[2:]
	case strings.HasPrefix(d, "011") && len(d) > 10:
		return "+" + d[3:] // dialled from North America
	case len(d) == 10 && d[0] >= '2':
		return "+1" + d
	case len(d) == 11 && d[0] == '1' && d[1] >= '2':
		return "+" + d
	}
	return d
}

// asciiLower lowers the ASCII letters of s and nothing else, so that an
// index into the result is an index into s: strings.ToLower changes byte
// lengths ("İ", invalid UTF-8), which made stripExtension slice s out of
// range.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// stripExtension drops a trailing extension: "x12", "ext. 12", "#12", ";ext=12".
func stripExtension(s string) string {
	lower := asciiLower(s)
	for _, marker := range []string{";ext=", "ext.", "ext", "x", "#"} {
		i := strings.LastIndex(lower, marker)
		if i <= 0 {
			continue
		}
		rest := strings.TrimSpace(lower[i+len(marker):])
		if rest != "" && allDigits(rest) && strings.ContainsAny(lower[:i], "0123456789") {
			return s[:i]
		}
	}
	return s
}

// ExactKey returns v's key for exact comparison: its canonical form in its
// own type, with none of the folding MatchKey does for finding duplicates.
// Scopes compare by it (see storage.Scope), so that a rule "owner = alice"
// sees neither "Alice", " alice" nor the full-width "ａｌｉｃｅ":
//
//   - Text and URL: the text in NFC form (canonically equivalent
//     spellings of one character are one text; nothing else is folded).
//   - Email: EmailKey, as an address has no case (so MatchKey's folding
//     is its own canonical form).
//   - Phone: PhoneKey, the number's E.164 form where it can be known.
//   - Number: the digits without trailing fraction zeros (1.50 = 1.5).
//   - Bool, Date: as MatchKey; DateTime: RFC 3339 in UTC.
//   - Ref: "#" and the id when resolved, else its key in NFC form.
//   - Address: its one-line form in NFC.
//   - List: the key of its first item (ExactKeys gives every item's).
//
// A null or empty value has the key "".
func ExactKey(v Value) string {
	switch v.kind {
	case KindText, KindURL:
		return nfc(v.str)
	case KindRef:
		if r := v.ref(); r.ID != "" {
			return "#" + r.ID
		} else {
			return nfc(r.Key)
		}
	case KindAddress:
		return nfc(v.addr().String())
	case KindList:
		if items := v.items(); len(items) > 0 {
			return ExactKey(items[0].Value)
		}
		return ""
	}
	return MatchKey(v)
}

// ExactKeys returns the distinct non-empty exact keys of v: one per item
// of a list, in order; the one key of any other value.
func ExactKeys(v Value) []string {
	if v.kind != KindList {
		if k := ExactKey(v); k != "" {
			return []string{k}
		}
		return nil
	}
	items := v.items()
	keys := make([]string, 0, len(items))
	for _, it := range items {
		k := ExactKey(it.Value)
		if k != "" && !containsString(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// nfc returns s in NFC form, without allocating when it is already (as
// ASCII always is).
func nfc(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}
