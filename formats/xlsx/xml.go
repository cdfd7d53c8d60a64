package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
)

// The worksheets and the shared strings of a workbook are read with a
// byte scanner instead of encoding/xml: a worksheet is a long run of tiny
// elements (<c r="B2" t="s"><v>7</v></c>), and decoding each into a Go
// value cost 70% of an import's time and gigabytes of allocations. The
// scanner finds the tags the readers need in the bytes as they are
// inflated, decodes the text of the few elements that hold values, and
// skips the rest without copying it. It reads well-formed XML as
// encoding/xml does (comments, CDATA sections, processing instructions,
// the document type, character and entity references, namespace
// prefixes) and stops at what it cannot read: an unknown entity (the
// "billion laughs" files define their own), a tag longer than maxTag.

const (
	scanBuffer = 64 << 10 // the read buffer, grown for a longer tag
	// maxTag bounds one tag, attributes included. Spreadsheet tags are
	// short; a megabyte is only met in hostile files.
	maxTag = 1 << 20
	// maxText bounds the text of one value (a <v>, a <t> or all the <t> of
	// a string): Excel holds at most 32,767 characters in a cell, 200 kB
	// even with every one written as a character reference. A longer
	// value is an error for its row, read past without holding it.
	maxText = 1 << 20
)

var (
	errLongTag  = fmt.Errorf("%w: an XML tag longer than %d bytes", formats.ErrTooLarge, maxTag)
	errLongText = fmt.Errorf("%w: a cell's text longer than %d bytes in the file (Excel holds 32,767 characters)", formats.ErrTooLarge, maxText)
	errXMLEnd   = errors.New("the XML ends inside a tag")
)

// tagKind tells a start tag, an end tag and an empty-element tag apart.
type tagKind uint8

const (
	startTag tagKind = iota // <c ...>
	endTag                  // </c>
	emptyTag                // <c .../>
)

// tag is an element tag as the scanner found it. name is the local name
// (without a namespace prefix) and attrs the raw attribute text; both
// point into the scanner's buffer and are valid until its next call.
type tag struct {
	kind  tagKind
	name  []byte
	attrs []byte
}

func (t tag) is(name string) bool { return string(t.name) == name }

// scanner reads XML from r.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int   // buf[pos:end] is read but not yet scanned
	eof      bool  // r has no more
	err      error // the read error that ended the input, or a scanning error
	last     tag   // the tag returned last, for unread
	again    bool  // next returns last again
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBuffer)}
}

// Err returns the error that stopped the scanner: a read error, a tag too
// long or XML that ends inside a tag. It is nil at a clean end.
func (s *scanner) Err() error { return s.err }

// fill reads more input after buf[pos:end], moving it to the start of the
// buffer and growing the buffer when it is full (up to maxTag). It reports
// whether anything was added.
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTag {
			s.err = errLongTag
			return false
		}
		grown := make([]byte, 2*len(s.buf))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// need makes at least n bytes available at pos, when the input holds them.
func (s *scanner) need(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// unread makes the next call to next return the tag it returned last. It
// may be called once after next, with no other call between them.
func (s *scanner) unread() { s.again = true }

// next returns the next element tag, skipping text, comments, processing
// instructions, CDATA sections and the document type. It reports false at
// the end of the input or on an error (see Err).
func (s *scanner) next() (tag, bool) {
	if s.again {
		s.again = false
		return s.last, true
	}
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.pos = s.end
			if !s.fill() {
				return tag{}, false
			}
			continue
		}
		s.pos += i
		t, ok, isTag := s.markup()
		if !ok {
			return tag{}, false
		}
		if isTag {
			s.last = t
			return t, true
		}
	}
}

// markup reads the markup at pos (a '<'): a tag, which it returns with
// isTag set, or a comment, CDATA section, processing instruction or
// document type, which it skips.
func (s *scanner) markup() (t tag, ok, isTag bool) {
	if !s.need(2) {
		s.fail(errXMLEnd)
		return tag{}, false, false
	}
	switch s.buf[s.pos+1] {
	case '!':
		s.need(9)
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			return tag{}, s.skipPast("-->", 4), false
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			return tag{}, s.skipPast("]]>", 9), false
		}
		return tag{}, s.skipDirective(), false
	case '?':
		return tag{}, s.skipPast("?>", 2), false
	}
	end, ok := s.tagEnd()
	if !ok {
		return tag{}, false, false
	}
	body := s.buf[s.pos+1 : end] // between '<' and '>'
	s.pos = end + 1
	t.kind = startTag
	if len(body) > 0 && body[0] == '/' {
		t.kind = endTag
		body = body[1:]
	} else if len(body) > 0 && body[len(body)-1] == '/' {
		t.kind = emptyTag
		body = body[:len(body)-1]
	}
	n := 0
	for n < len(body) && !isSpace(body[n]) {
		n++
	}
	t.name, t.attrs = localName(body[:n]), body[n:]
	return t, true, true
}

// tagEnd returns the index of the '>' that ends the tag at pos, with the
// whole tag in the buffer. A '>' inside a quoted attribute value does not
// end it.
func (s *scanner) tagEnd() (int, bool) {
	off := 1 // from pos: fill moves the buffer
	var quote byte
	for {
		b := s.buf[s.pos:s.end]
		for ; off < len(b); off++ {
			if quote != 0 {
				j := bytes.IndexByte(b[off:], quote)
				if j < 0 {
					off = len(b)
					break
				}
				off += j // the closing quote; the loop steps past it
				quote = 0
				continue
			}
			switch c := b[off]; c {
			case '>':
				return s.pos + off, true
			case '"', '\'':
				quote = c
			}
		}
		if !s.fill() {
			s.fail(errXMLEnd)
			return 0, false
		}
	}
}

// skipPast discards input from pos (whose first skip bytes are known)
// through the end of marker.
func (s *scanner) skipPast(marker string, skip int) bool {
	s.pos += min(skip, s.end-s.pos)
	m := []byte(marker)
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], m); i >= 0 {
			s.pos += i + len(m)
			return true
		}
		// Keep the bytes that may begin the marker.
		s.pos = max(s.pos, s.end-len(m)+1)
		if !s.fill() {
			s.fail(errXMLEnd)
			return false
		}
	}
}

// skipDirective discards a <!DOCTYPE ...> or another declaration, which
// may hold bracketed declarations and quoted text, as encoding/xml does.
func (s *scanner) skipDirective() bool {
	depth := 0
	var quote byte
	s.pos++ // '<'
	for {
		for ; s.pos < s.end; s.pos++ {
			c := s.buf[s.pos]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '<':
				depth++
			case c == '>':
				if depth == 0 {
					s.pos++
					return true
				}
				depth--
			}
		}
		if !s.fill() {
			s.fail(errXMLEnd)
			return false
		}
	}
}

func (s *scanner) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// text appends to dst the character data from pos to the next tag, with
// references decoded, CDATA sections taken as they are, comments dropped
// and line ends normalised to "\n" as XML prescribes. It stops before the
// next tag. Past limit bytes it reads on without appending and returns
// errLongText; an unknown entity or a malformed reference is an error
// wrapping formats.ErrCorrupt.
func (s *scanner) text(dst []byte, limit int) ([]byte, error) {
	start := len(dst)
	var bad error
	add := func(b []byte) {
		if bad != nil {
			return
		}
		if len(dst)-start+len(b) > limit {
			bad = errLongText
			return
		}
		dst = append(dst, b...)
	}
	for {
		chunk := s.buf[s.pos:s.end]
		i := indexMarkup(chunk)
		if i < 0 {
			add(chunk)
			s.pos = s.end
			if !s.fill() {
				return dst, bad
			}
			continue
		}
		add(chunk[:i])
		s.pos += i
		switch s.buf[s.pos] {
		case '\r':
			// "\r\n" and a lone "\r" are both "\n".
			s.pos++
			if s.need(1) && s.buf[s.pos] == '\n' {
				s.pos++
			}
			add([]byte{'\n'})
		case '&':
			r, err := s.reference()
			if err != nil {
				return dst, err
			}
			var enc [utf8.UTFMax]byte
			add(enc[:utf8.EncodeRune(enc[:], r)])
		case '<':
			s.need(9)
			rest := s.buf[s.pos:s.end]
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				s.pos += 9
				if err := s.cdata(add); err != nil {
					return dst, err
				}
			case bytes.HasPrefix(rest, []byte("<!--")):
				if !s.skipPast("-->", 4) {
					return dst, bad
				}
			case bytes.HasPrefix(rest, []byte("<?")):
				if !s.skipPast("?>", 2) {
					return dst, bad
				}
			default:
				return dst, bad // the next tag
			}
		}
	}
}

// indexMarkup returns the index of the first '<', '&' or '\r' in b, or -1.
func indexMarkup(b []byte) int {
	for i, c := range b {
		if c == '<' || c == '&' || c == '\r' {
			return i
		}
	}
	return -1
}

// cdata passes the content of a CDATA section, whose start has been read,
// to add.
func (s *scanner) cdata(add func([]byte)) error {
	for {
		chunk := s.buf[s.pos:s.end]
		if i := bytes.Index(chunk, []byte("]]>")); i >= 0 {
			add(chunk[:i])
			s.pos += i + 3
			return nil
		}
		keep := max(len(chunk)-2, 0)
		add(chunk[:keep])
		s.pos += keep
		if !s.fill() {
			s.fail(errXMLEnd)
			return s.err
		}
	}
}

// reference decodes the character or entity reference at pos.
func (s *scanner) reference() (rune, error) {
	s.need(16)
	rest := s.buf[s.pos+1 : s.end]
	semi := bytes.IndexByte(rest[:min(len(rest), 12)], ';')
	if semi < 0 {
		return 0, fmt.Errorf("%w: an '&' that starts no character reference", formats.ErrCorrupt)
	}
	name := rest[:semi]
	s.pos += semi + 2
	switch string(name) {
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "amp":
		return '&', nil
	case "apos":
		return '\'', nil
	case "quot":
		return '"', nil
	}
	if len(name) > 1 && name[0] == '#' {
		base, digits := 10, name[1:]
		if digits[0] == 'x' {
			base, digits = 16, digits[1:]
		}
		r, ok := parseCodePoint(digits, base)
		if !ok {
			return 0, fmt.Errorf("%w: invalid character reference &%s;", formats.ErrCorrupt, name)
		}
		if !utf8.ValidRune(r) || r == 0 {
			return utf8.RuneError, nil
		}
		return r, nil
	}
	return 0, fmt.Errorf("%w: unknown entity &%s; (a workbook defines no entities; this file may be an XML bomb)", formats.ErrCorrupt, name)
}

func parseCodePoint(digits []byte, base int) (rune, bool) {
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			d = rune(c|0x20-'a') + 10
		default:
			return 0, false
		}
		r = r*rune(base) + d
	}
	return r, r <= utf8.MaxRune
}

// skipElement skips the content of the element whose start tag was just
// read, through its end tag.
func (s *scanner) skipElement() bool {
	depth := 1
	for {
		t, ok := s.next()
		if !ok {
			return false
		}
		switch t.kind {
		case startTag:
			depth++
		case endTag:
			if depth--; depth == 0 {
				return true
			}
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimSpaceLeft(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// eachAttr calls fn with the local name and the raw value of each attribute
// in the attribute text of a tag, until fn returns false or the text is
// used up or malformed.
func eachAttr(attrs []byte, fn func(name, value []byte) bool) {
	for len(attrs) > 0 {
		attrs = trimSpaceLeft(attrs)
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return
		}
		name := attrs[:eq]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		rest := trimSpaceLeft(attrs[eq+1:])
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return
		}
		if !fn(localName(name), rest[1:1+end]) {
			return
		}
		attrs = rest[end+2:]
	}
}

// attr returns the raw value of the attribute named key (without prefix)
// in the attribute text of a tag, or nil.
func attr(attrs []byte, key string) []byte {
	var value []byte
	eachAttr(attrs, func(name, v []byte) bool {
		if string(name) == key {
			value = v
			return false
		}
		return true
	})
	return value
}

// unescape decodes the references in a raw attribute value; values
// without any come back as they are.
func unescape(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw), nil
	}
	s := newScanner(bytes.NewReader(raw))
	out, err := s.text(nil, len(raw))
	return string(out), err
}

// atoi parses a small non-negative decimal number.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// columnOf returns the 1-based column of a cell reference such as "AB12".
func columnOf(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > 1<<20 {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	return col, true
}
