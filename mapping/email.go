package mapping

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Email addresses are read as the mail systems of today accept them:
// RFC 5321 (SMTP) and RFC 5322 (the message format) for their syntax,
// RFC 6531 and 6532 for addresses in other scripts, IDNA 2008 (RFC 5890,
// 5891) for international domains.
//
//   - The local part is a dot-atom (letters, digits and !#$%&'*+-/=?^_`{|}~
//     separated by single dots, and any letter of another script) or a
//     quoted string ("john doe"@example.com, with \" and \\ escaped), at
//     most 64 bytes.
//   - The domain has two or more labels of letters, digits and hyphens,
//     each 1 to 63 bytes, the hyphens inside, the last label two or more
//     letters (or punycode), 253 bytes in all once in ASCII. A label beginning "xn--"
//     must be valid punycode, and "--" in the third and fourth places is
//     reserved to such labels.
//   - An international domain must be valid IDNA 2008 as typed (lower
//     case and NFC aside): characters IDNA only maps to others, such as
//     the full-width "ｅｘａｍｐｌｅ．ｃｏｍ" or "。" for the dot, are
//     refused, as mail systems refuse them: they are look-alikes of
//     another name.
//   - Refused although the RFCs allow them: a trailing dot in the domain
//     ("a@example.com."), which is the root of DNS but no part of an
//     address; IP address literals ("a@[192.0.2.1]"), which mail
//     providers do not deliver to; comments and folding white space
//     ("(c)a@example.com"), obsolete syntax ("a."b"@example.com") and
//     control or invisible characters.
//   - The whole address is at most 254 bytes (RFC 5321's 256-byte path
//     less its angle brackets).
//
// "Ada Lovelace <ada@example.com>" and "mailto:ada@example.com" give the
// address inside. The address is kept as typed: no case folding (the
// local part is case-sensitive to RFC 5321), no conversion to punycode.

// emailIDNA checks the labels of international email domains: IDNA 2008
// registration rules, no mapping.
var emailIDNA = idna.Registration

// cleanEmail returns the address of an email text and whether it is
// valid (see checkEmail).
func cleanEmail(s string) (string, bool) {
	addr, problem := checkEmail(s)
	return addr, problem == ""
}

// Problems of an email address; "" is a valid one. badEmail gets the
// plain "is not an email address", the others say why after it.
const badEmail = "-"

// checkEmail returns the address in s and "" when it is valid, else what
// is wrong with it: badEmail, or a reason for a person.
func checkEmail(s string) (addr, problem string) {
	if strings.HasSuffix(s, ">") {
		if i := strings.LastIndexByte(s, '<'); i >= 0 {
			s = strings.TrimSpace(s[i+1 : len(s)-1])
		}
	}
	if len(s) > 7 && (s[0] == 'm' || s[0] == 'M') && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if len(s) > 254 {
		return s, "it is longer than 254 characters, the most an address can have"
	}
	local, domain, ok := splitEmail(s)
	if !ok {
		return s, badEmail
	}
	if problem := checkLocalPart(local); problem != "" {
		return s, problem
	}
	return s, checkEmailDomain(domain)
}

// splitEmail splits an address at the "@" before its domain: the first
// one, or the first after a quoted local part.
func splitEmail(s string) (local, domain string, ok bool) {
	at := -1
	if strings.HasPrefix(s, `"`) {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				if i+1 < len(s) && s[i+1] == '@' {
					at = i + 1
				}
				i = len(s)
			}
		}
	} else {
		at = strings.IndexByte(s, '@')
	}
	if at <= 0 || at == len(s)-1 {
		return "", "", false
	}
	return s[:at], s[at+1:], true
}

// atext marks the ASCII bytes of a dot-atom besides letters and digits
// (RFC 5322 section 3.2.3).
var atext = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-/=?^_`{|}~" {
		t[c] = true
	}
	return t
}()

func checkLocalPart(local string) string {
	if len(local) > 64 {
		return "the part before the @ is longer than 64 characters, the most it can have"
	}
	if local[0] == '"' {
		// A quoted string: qtext and quoted pairs (RFC 5322 section 3.2.4).
		if len(local) < 3 || local[len(local)-1] != '"' {
			return badEmail
		}
		for i := 1; i < len(local)-1; i++ {
			c := local[i]
			switch {
			case c == '\\':
				i++
				if i == len(local)-1 || local[i] < ' ' || local[i] == 0x7f {
					return badEmail // an escape needs a visible character or a space after it
				}
				if local[i] >= utf8.RuneSelf && !safeRunes(local[i:]) {
					return badEmail
				}
			case c == '"':
				return badEmail
			case c < ' ' || c == 0x7f:
				return badEmail
			case c >= utf8.RuneSelf:
				r, size := utf8.DecodeRuneInString(local[i:])
				if !safeRune(r) {
					return badEmail
				}
				i += size - 1
			}
		}
		return ""
	}
	if local[0] == '.' || local[len(local)-1] == '.' {
		return badEmail
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '.':
			if local[i+1] == '.' {
				return badEmail
			}
		case c < utf8.RuneSelf:
			if !atext[c] {
				return badEmail
			}
		default:
			r, size := utf8.DecodeRuneInString(local[i:])
			if !safeRune(r) {
				return badEmail
			}
			i += size - 1
		}
	}
	return ""
}

// safeRune reports a non-ASCII character an address may hold (RFC 6531's
// UTF8-non-ascii less what no one can see or type: controls, format
// characters such as zero-width spaces and bidi overrides, spaces, private
// use, unassigned code points and invalid UTF-8).
func safeRune(r rune) bool {
	if r == utf8.RuneError {
		return false
	}
	switch {
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
		unicode.IsSpace(r), unicode.Is(unicode.Zs, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
		return false
	}
	return unicode.IsPrint(r) || unicode.IsGraphic(r)
}

func safeRunes(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return safeRune(r)
}

func checkEmailDomain(domain string) string {
	switch {
	case strings.HasPrefix(domain, "["):
		return "its domain is an IP address in brackets, which mail providers do not deliver to"
	case strings.HasSuffix(domain, "."):
		return "its domain ends with a dot"
	}
	ascii := domain
	if !isASCII(domain) {
		// International: valid IDNA 2008 as typed, case and composition
		// aside, else it is a look-alike (full-width letters, "。").
		if !utf8.ValidString(domain) {
			return badEmail
		}
		a, err := emailIDNA.ToASCII(norm.NFC.String(strings.ToLower(domain)))
		if err != nil {
			return "its domain holds characters that are no valid international domain name (IDNA 2008), such as full-width letters or dots: they are look-alikes of another name"
		}
		ascii = a
	}
	return checkLDH(ascii)
}

// checkLDH checks an ASCII domain for an email address: "" when valid.
func checkLDH(d string) string {
	if len(d) > 253 {
		return "its domain is longer than 253 characters, the most a domain name can have"
	}
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			if c := d[i] | 0x20; !('a' <= c && c <= 'z' || '0' <= d[i] && d[i] <= '9' || d[i] == '-') {
				return badEmail
			}
			continue
		}
		label := d[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return badEmail
		}
		if len(label) >= 4 && label[2] == '-' && label[3] == '-' {
			if !strings.EqualFold(label[:2], "xn") {
				return `its domain has a label with "--" in its third and fourth places, which only punycode labels (xn--) may have`
			}
			if _, err := emailIDNA.ToUnicode(strings.ToLower(label)); err != nil {
				return "its domain has a punycode label (xn--) that is not valid"
			}
		}
		labels++
		start = i + 1
	}
	if labels < 2 || !topLevel(d[strings.LastIndexByte(d, '.')+1:]) {
		return badEmail
	}
	return ""
}

// topLevel reports a label that can be a top-level domain: two or more
// letters, or punycode (RFC 1123 section 2.1, RFC 3696 section 2; every
// ASCII top-level domain is letters).
func topLevel(label string) bool {
	if len(label) < 2 {
		return false
	}
	if len(label) > 4 && strings.EqualFold(label[:4], "xn--") {
		return true
	}
	for i := 0; i < len(label); i++ {
		if c := label[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
