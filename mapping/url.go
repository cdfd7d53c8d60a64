package mapping

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Web addresses are read as the WHATWG URL Standard's parser reads http
// and https URLs (https://url.spec.whatwg.org/, the parser of every
// browser), with what a CRM's website field needs on top:
//
//   - "http://" or "https://" in any case; the standard's leniencies are
//     kept: any number of slashes or backslashes after the scheme
//     ("http:\\acme.com\"), tabs and line breaks anywhere are dropped.
//     Other schemes ("javascript:", "ftp:") are refused.
//   - A bare address without a scheme ("acme.com", "www.acme.co.uk/about",
//     "acme.com:8080") is read as if https:// preceded it, but must have
//     two or more labels, a top-level label that is not a number, and no
//     user name: "ada@example.com" is an email address, not a web address.
//   - Credentials: "https://user:secret@host/" is accepted, as the
//     standard's parser does (it reports them as a validation error: they
//     reach a log or a screen with the URL).
//   - Hosts: a domain, checked and mapped as the standard does (UTS #46,
//     so "Ｇｏ.com" is go.com and "faß.de" a valid international name);
//     an IPv4 address in the four-part decimal form; an IPv6 address in
//     brackets ("http://[2001:db8::1]:8080/"). Refused: an IPv4 part over
//     255 ("192.168.1.256", which the standard refuses too), and, though
//     the standard's parser accepts them, the hexadecimal, octal and
//     short IPv4 forms ("0x7f.1", "0177.0.0.1", "127.1": they name an
//     address other than they seem to), percent-encoded hosts, empty
//     labels ("http://../") and IPv6 zone identifiers.
//   - Ports: 1 to 65535. Port 0, which the standard's parser accepts, is
//     refused: it is reserved and no server listens on it, so a URL
//     with it is a mistake.
//   - Path, query and fragment: characters the standard percent-encodes
//     there are escaped, not refused, exactly as the standard's parser
//     escapes them: spaces, '"', '<', '>', '`', '{', '}' in the path,
//     spaces, '"', '<', '>', '\'' in the query, spaces, '"', '<', '>',
//     '`' in the fragment, and control characters anywhere. So
//     "https://acme.com/<script>" is stored as
//     "https://acme.com/%3Cscript%3E", the URL any browser would request:
//     nothing typed is lost, and the stored text can no longer close an
//     HTML attribute or open an element wherever a CRM shows it.
//     Letters of other scripts are kept as typed (an IRI, RFC 3987),
//     which browsers show and request the same way.
//
// Otherwise the address is kept as typed: no lower-casing, no punycode.

// maxURLLength bounds a web address, as browsers and servers do in
// practice.
const maxURLLength = 2048

// urlIDNA maps and checks a URL's domain as the URL Standard's "domain to
// ASCII" does: UTS #46 processing, non-transitional, CheckBidi and
// CheckJoiners, no STD3 rules or hyphen checks.
var urlIDNA = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.BidiRule(), idna.CheckJoiners(true),
	idna.CheckHyphens(false), idna.StrictDomainName(false), idna.VerifyDNSLength(false))

// validURL reports whether s is a web address (see checkURL).
func validURL(s string) bool {
	_, problem := checkURL(s)
	return problem == ""
}

// badURL is the problem of a text that is no web address at all; the
// other problems say why after the plain "is not a web address".
const badURL = "-"

// checkURL returns the web address in s, with the characters the URL
// Standard escapes escaped, and "" when it is valid, else what is wrong:
// badURL, or a reason for a person.
func checkURL(s string) (out, problem string) {
	if len(s) > maxURLLength {
		return s, "it is longer than 2048 characters"
	}
	var seen uint8 // urlBytes of every byte
	for i := 0; i < len(s); i++ {
		seen |= urlBytes[s[i]]
	}
	ascii := seen&urlNonASCII == 0
	if !ascii && !utf8.ValidString(s) {
		return s, badURL
	}
	if seen&urlBreak != 0 { // the standard drops them
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	rest, scheme := s, false
	for _, p := range [...]string{"https:", "http:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			rest, scheme = s[len(p):], true
			break
		}
	}
	if scheme {
		for rest != "" && (rest[0] == '/' || rest[0] == '\\') {
			rest = rest[1:]
		}
	} else if otherScheme(s) {
		return s, badURL
	}
	end := 0
	for end < len(rest) && rest[end] != '/' && rest[end] != '\\' && rest[end] != '?' && rest[end] != '#' {
		end++
	}
	authority := rest[:end]
	host := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		if !scheme {
			return s, badURL // an email address, or a user name without a scheme
		}
		host = authority[at+1:]
	}
	if problem := checkURLHost(host, scheme); problem != "" {
		return s, problem
	}
	if !ascii {
		if problem := checkControls(s); problem != "" {
			return s, problem
		}
	}
	if seen&urlEscape == 0 {
		return s, ""
	}
	return escapeURL(s, len(s)-len(rest)+end), ""
}

// What checkURL notes of the bytes of a URL before reading it.
const (
	urlNonASCII = 1 << iota // a byte of a non-ASCII character
	urlBreak                // a tab or line break, which the standard drops
	urlEscape               // a byte the standard may percent-encode (escapeURL)
)

var urlBytes = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = urlNonASCII
		case c == '\t' || c == '\n' || c == '\r':
			t[c] = urlBreak
		}
		if c < utf8.RuneSelf && (pathEscapes[c] || queryEscapes[c] || fragmentEscapes[c]) {
			t[c] |= urlEscape
		}
	}
	return t
}()

// otherScheme reports a text that starts with a scheme other than a
// host and port: "javascript:", "mailto:", "ftp://".
func otherScheme(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false // not a scheme: the colon is a port's
		}
	}
	// "acme.com:8080" is a host and a port.
	after := s[colon+1:]
	return !(strings.Contains(s[:colon], ".") && after != "" && '0' <= after[0] && after[0] <= '9')
}

// checkURLHost checks a URL's host and port.
func checkURLHost(h string, scheme bool) string {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return badURL
		}
		addr, err := netip.ParseAddr(h[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "its host is not a valid IPv6 address"
		}
		if rest := h[end+1:]; rest != "" {
			if rest[0] != ':' {
				return badURL
			}
			return checkPort(rest[1:])
		}
		return ""
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if problem := checkPort(h[i+1:]); problem != "" {
			return problem
		}
		h = h[:i]
	}
	if h == "" {
		return badURL
	}
	// One pass over the host: forbidden bytes, and whether it is a plain
	// ASCII name (letters, digits, hyphens, underscores, dots), which
	// needs no IDNA processing.
	var seen uint8 // hostClass of every byte
	punycode := false
	for i := 0; i < len(h); i++ {
		c := h[i]
		seen |= hostClass[c]
		if c == '-' && i >= 3 && h[i-1] == '-' && h[i-2]|0x20 == 'n' && h[i-3]|0x20 == 'x' {
			punycode = true // IDNA decodes and checks it
		}
	}
	switch {
	case seen&hostForbidden != 0:
		return badURL // a forbidden host code point
	case seen&hostPercent != 0:
		return "its host is percent-encoded"
	}
	plain := seen&hostOther == 0 && !punycode
	if !plain {
		a, err := urlIDNA.ToASCII(h)
		if err != nil {
			return "its host is not a valid domain name"
		}
		h = a
	}
	return checkURLDomain(h, scheme)
}

// Classes of the bytes of a host: 0 for a letter, digit, "-", "_" or ".".
const (
	hostOther     = 1 << iota // a byte of a non-ASCII character, or punctuation IDNA decides on
	hostForbidden             // a forbidden host code point of the URL Standard
	hostPercent               // "%"
)

var hostClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c <= ' ' || c == 0x7f || strings.IndexByte("#/:<>?@[\\]^|", byte(c)) >= 0:
			t[c] = hostForbidden
		case c == '%':
			t[c] = hostPercent
		case 'a' <= c|0x20 && c|0x20 <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			t[c] = 0
		default:
			t[c] = hostOther
		}
	}
	return t
}()

// checkPort checks the digits after a host's colon: none (the default
// port), or 1 to 65535.
func checkPort(p string) string {
	if p == "" {
		return ""
	}
	if !isDigits(p) {
		return badURL
	}
	p = strings.TrimLeft(p, "0")
	n, err := strconv.Atoi(p)
	switch {
	case p == "":
		return "its port is 0, which is reserved: no server listens on it"
	case err != nil || n > 65535:
		return "its port " + p + " is beyond 65535, the highest there is"
	}
	return ""
}

// checkURLDomain checks a host in ASCII: an IPv4 address when its last
// label is a number, else labels of letters, digits, hyphens and
// underscores (which DNS names of hosts use), 1 to 63 bytes each, 253 in
// all; a trailing dot is the DNS root and allowed.
func checkURLDomain(h string, scheme bool) string {
	h = strings.TrimSuffix(h, ".")
	if len(h) == 0 || len(h) > 253 {
		return badURL
	}
	last := h[strings.LastIndexByte(h, '.')+1:]
	if isDigits(last) || len(last) > 1 && last[0] == '0' && last[1]|0x20 == 'x' {
		return checkIPv4(h)
	}
	labels, start := 0, 0
	for i := 0; i <= len(h); i++ {
		if i < len(h) && h[i] != '.' {
			if hostClass[h[i]] != 0 {
				return badURL
			}
			continue
		}
		label := h[start:i]
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return badURL
		}
		labels++
		start = i + 1
	}
	if !scheme && (labels < 2 || len(last) < 2) {
		return badURL // "acme", "localhost": a word, not an address
	}
	return ""
}

// checkIPv4 checks the four-part decimal form of an IPv4 address.
func checkIPv4(h string) string {
	parts := 0
	for part := range strings.SplitSeq(h, ".") {
		parts++
		if !isDigits(part) {
			return "its host is not a valid IPv4 address (four numbers 0 to 255 with dots)"
		}
		if len(part) > 1 && part[0] == '0' {
			return "its host writes an IPv4 part with a leading zero, which browsers read as octal"
		}
		if n, err := strconv.Atoi(part); err != nil || n > 255 {
			return part + " is out of range in the IPv4 address " + h + " (each part is 0 to 255)"
		}
	}
	if parts != 4 {
		return "its host is not a valid IPv4 address (four numbers 0 to 255 with dots)"
	}
	return ""
}

// checkControls refuses invisible characters other than those the
// standard escapes: format characters (zero-width, bidi overrides) in a
// web address are a spoof.
func checkControls(s string) string {
	for _, r := range s {
		if r >= utf8.RuneSelf && !safeRune(r) && r != '\u00a0' {
			return badURL
		}
	}
	return ""
}

// Which ASCII bytes the URL Standard percent-encodes in each part of a
// special URL (its path, query and fragment percent-encode sets), besides
// C0 controls, DEL and non-ASCII, which are left to escapeURL's caller.
var (
	pathEscapes     = asciiSet(` "<>` + "`{}")
	queryEscapes    = asciiSet(` "<>'`)
	fragmentEscapes = asciiSet(` "<>` + "`")
)

func asciiSet(chars string) (t [128]bool) {
	for i := 0; i < 0x20; i++ {
		t[i] = true
	}
	t[0x7f] = true
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = true
	}
	return t
}

// escapeURL percent-encodes what the standard encodes in the part of s
// after its host (from index i): the path, the query and the fragment.
// It returns s itself when nothing needs escaping.
func escapeURL(s string, i int) string {
	var b []byte
	set := &pathEscapes
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '?' && set == &pathEscapes:
			set = &queryEscapes
		case c == '#' && set != &fragmentEscapes:
			set = &fragmentEscapes
		case c < utf8.RuneSelf && set[c]:
			if b == nil {
				b = append(make([]byte, 0, len(s)+16), s[:j]...)
			}
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			continue
		}
		if b != nil {
			b = append(b, c)
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}
