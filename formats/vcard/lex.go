package vcard

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
)

// Limits that keep a hostile file from exhausting memory: a property
// longer than maxProperty is cut (with a notice), a card with more than
// maxProperties properties keeps the first ones.
const (
	maxProperty   = 1 << 20
	maxProperties = 4096
)

// property is one content line of a card, unfolded and decoded: its
// group ("item1"), name (upper case), parameters and value (the decoded
// text; vCard escapes are left for the property's reader).
type property struct {
	group  string
	name   string
	params []param
	value  string
	line   int
	cut    bool // longer than maxProperty: cut there
}

// param is one parameter: TYPE=work,voice, or a bare word (2.1's "WORK").
type param struct {
	name   string // upper case; "" for a bare word
	values []string
}

// types returns the property's types, lower case.
func (p *property) types() []string {
	var out []string
	for _, pa := range p.params {
		if pa.name == "" || pa.name == "TYPE" {
			for _, v := range pa.values {
				out = append(out, strings.ToLower(v))
			}
		}
	}
	return out
}

// param returns the first value of the parameter named name ("" when
// absent).
func (p *property) param(name string) string {
	for _, pa := range p.params {
		if pa.name == name && len(pa.values) > 0 {
			return pa.values[0]
		}
	}
	return ""
}

// skipped are the properties a row never shows: pictures, sounds, keys
// and the like, whose values can be large, and the bookkeeping ones. Their
// content lines are passed over without being kept. Every property the
// reader does not know is skipped too.
func kept(name string) bool {
	switch name {
	case "BEGIN", "END", "VERSION", "N", "FN", "NICKNAME", "ORG", "TITLE", "ROLE", "EMAIL", "TEL", "ADR", "URL",
		"BDAY", "ANNIVERSARY", "X-ANNIVERSARY", "X-EVOLUTION-ANNIVERSARY", "X-MS-ANNIVERSARY", "X-WAB-WEDDING_ANNIVERSARY",
		"NOTE", "CATEGORIES", "X-ABLABEL", "X-DEPARTMENT", columnProperty:
		return true
	}
	return false
}

// lexer reads the content lines of a vCard file: it unfolds folded lines
// (a line break followed by a space or tab continues a line), joins the
// soft line breaks of quoted-printable values, and passes over the lines
// of skipped properties without keeping them.
type lexer struct {
	r       *bufio.Reader
	line    int  // the number of the last physical line read
	version byte // '2' for 2.1, '3', '4'; set by the reader from VERSION
	err     error

	buf    []byte // the logical line being read
	last   byte   // the last byte of the last physical line read, before its line end
	notice func(line int, msg string)
}

func newLexer(r io.Reader, notice func(int, string)) *lexer {
	return &lexer{r: bufio.NewReaderSize(r, 64<<10), notice: notice}
}

// readLine reads one physical line, without its line end, appending it to
// dst up to limit bytes (the rest is read and dropped, and cut reported);
// keep false drops all of it. At the end of the input it returns io.EOF
// with what the last line held.
func (l *lexer) readLine(dst []byte, keep bool, limit int) (line []byte, cut bool, err error) {
	n := 0
	for {
		chunk, err := l.r.ReadSlice('\n')
		n += len(chunk)
		if t := bytes.TrimRight(chunk, "\r\n"); len(t) > 0 {
			l.last = t[len(t)-1]
		} else if len(chunk) > 0 && n == len(chunk) {
			l.last = 0
		}
		if keep {
			if room := limit - len(dst); len(chunk) > room {
				chunk, cut = chunk[:max(room, 0)], true
			}
			dst = append(dst, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if n > 0 {
			l.line++
		}
		dst = bytes.TrimRight(dst, "\r\n")
		return dst, cut, err
	}
}

// next returns the next property, or io.EOF.
func (l *lexer) next() (property, error) {
	for {
		if l.err != nil {
			return property{}, l.err
		}
		// Look at the start of the line before reading it: a skipped
		// property is passed over without being kept.
		head, _ := l.r.Peek(256)
		if len(head) == 0 {
			l.err = io.EOF
			return property{}, io.EOF
		}
		if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
			head = head[:nl]
		}
		name, rest := propertyName(head)
		start := l.line + 1
		switch {
		case len(bytes.TrimSpace(head)) == 0 && len(head) < 256:
			// A blank line: no content.
			if _, _, err := l.readLine(nil, false, 0); err != nil {
				l.err = err
			}
			continue
		case name == "":
			l.notice(start, "the line is not a vCard property; it was skipped")
			l.skip(false, false)
			continue
		case !kept(name):
			upper := bytes.ToUpper(rest)
			l.skip(bytes.Contains(upper, []byte("BASE64")) || bytes.Contains(upper, []byte("ENCODING=B")), quotedPrintable(rest))
			continue
		}
		var err error
		var cut bool
		l.buf, cut, err = l.readLine(l.buf[:0], true, maxProperty)
		qp := quotedPrintable(l.buf)
		for err == nil {
			if qp && bytes.HasSuffix(l.buf, []byte("=")) && !l.nextIsEnd() {
				// A quoted-printable soft line break: the value goes on on
				// the next line, whatever that starts with (a stray "="
				// before END:VCARD ends the value).
				var c bool
				l.buf, c, err = l.readLine(l.buf[:len(l.buf)-1], true, maxProperty)
				cut = cut || c
				continue
			}
			b, perr := l.r.Peek(1)
			if perr != nil || (b[0] != ' ' && b[0] != '\t') {
				break
			}
			if l.version != '2' {
				l.r.ReadByte() // 3.0 and 4.0 drop the space or tab that folds a line; 2.1 keeps it
			}
			var c bool
			l.buf, c, err = l.readLine(l.buf, true, maxProperty)
			cut = cut || c
		}
		if err != nil && err != io.EOF {
			l.err = err
			return property{}, err
		}
		if err == io.EOF {
			l.err = io.EOF
		}
		p, ok := parseProperty(l.buf)
		if !ok {
			l.notice(start, "the line is not a vCard property (no \":\" before its value); it was skipped")
			continue
		}
		p.line, p.cut = start, cut
		if cut {
			l.notice(start, "the "+p.name+" property is longer than 1 MiB; it was cut there")
		}
		return p, nil
	}
}

// nextIsEnd reports whether the next line is END:VCARD.
func (l *lexer) nextIsEnd() bool {
	b, _ := l.r.Peek(9)
	return len(b) == 9 && strings.EqualFold(string(b), "END:VCARD")
}

// skip passes over a line and its continuation lines: folded lines, the
// lines a quoted-printable soft line break continues on, the unfolded
// lines of a base64 value.
func (l *lexer) skip(base64, qp bool) {
	if _, _, err := l.readLine(nil, false, 0); err != nil {
		l.err = err
		return
	}
	for {
		if qp && l.last == '=' && !l.nextIsEnd() {
			if _, _, err := l.readLine(nil, false, 0); err != nil {
				l.err = err
				return
			}
			continue
		}
		if !l.skipContinuation(base64) {
			return
		}
	}
}

// skipContinuation reads and drops the next physical line if it continues
// a skipped property: a folded line, or (for a base64 value, which some
// writers do not fold) a line of base64 text. It reports whether it did.
func (l *lexer) skipContinuation(base64 bool) bool {
	b, err := l.r.Peek(1)
	if err != nil {
		return false
	}
	if b[0] != ' ' && b[0] != '\t' {
		if !base64 || !l.base64Line() {
			return false
		}
	}
	if _, _, err := l.readLine(nil, false, 0); err != nil {
		l.err = err
		return false
	}
	return true
}

// base64Line reports whether the next physical line holds base64 text only.
func (l *lexer) base64Line() bool {
	for n := 1; n <= 4096; n *= 4 {
		b, err := l.r.Peek(n)
		for i, c := range b {
			switch {
			case c == '\n' || c == '\r':
				return i > 0
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=', c == ' ', c == '\t':
			default:
				return false
			}
		}
		if err != nil {
			return len(b) > 0
		}
	}
	return true
}

// propertyName returns a content line's property name (upper case,
// without its group) and what follows it, or "" for a line that does not
// start with one.
func propertyName(line []byte) (string, []byte) {
	i := 0
	for i < len(line) && (isNameChar(line[i]) || line[i] == '.') {
		i++
	}
	if i == 0 || i == len(line) || (line[i] != ';' && line[i] != ':') {
		return "", nil
	}
	name := line[:i]
	if dot := bytes.LastIndexByte(name, '.'); dot >= 0 {
		name = name[dot+1:]
	}
	return strings.ToUpper(string(name)), line[i:]
}

func isNameChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// quotedPrintable reports whether the parameters (what follows the name,
// up to the value) say the value is quoted-printable.
func quotedPrintable(rest []byte) bool {
	colon := bytes.IndexByte(rest, ':')
	if colon < 0 {
		colon = len(rest)
	}
	return bytes.Contains(bytes.ToUpper(rest[:colon]), []byte("QUOTED-PRINTABLE"))
}

// parseProperty splits a logical line into group, name, parameters and
// value, and decodes the value (quoted-printable, charset).
func parseProperty(line []byte) (property, bool) {
	var p property
	i := 0
	for i < len(line) && (isNameChar(line[i]) || line[i] == '.') {
		i++
	}
	if i == 0 || i == len(line) {
		return p, false
	}
	name := string(line[:i])
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		p.group, name = strings.ToLower(name[:dot]), name[dot+1:]
	}
	p.name = strings.ToUpper(name)
	// Parameters, up to the ":" that is not inside a quoted value.
	for i < len(line) && line[i] == ';' {
		i++
		start := i
		quoted := false
		for i < len(line) && (quoted || (line[i] != ';' && line[i] != ':')) {
			if line[i] == '"' {
				quoted = !quoted
			}
			i++
		}
		if raw := strings.TrimSpace(string(line[start:i])); raw != "" {
			p.params = append(p.params, parseParam(raw))
		}
	}
	if i >= len(line) || line[i] != ':' {
		return p, false
	}
	raw := line[i+1:]
	encoding := strings.ToUpper(p.param("ENCODING"))
	qp := encoding == "QUOTED-PRINTABLE"
	for _, pa := range p.params {
		if pa.name == "" && len(pa.values) == 1 && strings.EqualFold(pa.values[0], "QUOTED-PRINTABLE") {
			qp = true
		}
	}
	if qp {
		raw = decodeQP(raw)
	}
	p.value = decodeCharset(raw, p.param("CHARSET"))
	if strings.ContainsRune(p.value, '\r') {
		p.value = strings.ReplaceAll(strings.ReplaceAll(p.value, "\r\n", "\n"), "\r", "\n")
	}
	return p, true
}

// parseParam parses "TYPE=work,voice", "TYPE=\"work,voice\"" or a bare
// word.
func parseParam(raw string) param {
	name, value, ok := strings.Cut(raw, "=")
	if !ok {
		return param{values: []string{strings.Trim(raw, `"`)}}
	}
	pa := param{name: strings.ToUpper(strings.TrimSpace(name))}
	for v := range strings.SplitSeq(value, ",") {
		if v = strings.Trim(strings.TrimSpace(v), `"`); v != "" {
			pa.values = append(pa.values, v)
		}
	}
	return pa
}

// decodeQP decodes quoted-printable text ("=C3=A9"); a "=" that starts no
// escape is kept as it is.
func decodeQP(b []byte) []byte {
	if bytes.IndexByte(b, '=') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '=' && i+2 < len(b) {
			if h, ok := unhex(b[i+1]); ok {
				if lo, ok := unhex(b[i+2]); ok {
					out = append(out, h<<4|lo)
					i += 2
					continue
				}
			}
		}
		out = append(out, b[i])
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeCharset turns a value's bytes into text: from the CHARSET the
// property names, else as UTF-8, else (bytes that are not UTF-8, as old
// 2.1 writers leave them) as Windows-1252.
func decodeCharset(b []byte, charset string) string {
	if charset != "" && !strings.EqualFold(charset, "utf-8") && !strings.EqualFold(charset, "us-ascii") {
		if enc, err := ianaindex.MIME.Encoding(charset); err == nil && enc != nil {
			if out, err := enc.NewDecoder().Bytes(b); err == nil {
				return string(out)
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// unescape undoes vCard's text escapes: "\n" is a line break (3.0, 4.0),
// "\," "\;" "\:" and "\\" the character itself.
func unescape(s string, version byte) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; {
		case (c == 'n' || c == 'N') && version != '2':
			b.WriteByte('\n')
			i++
		case c == ',' || c == ';' || c == ':' || c == '\\' || c == '"':
			b.WriteByte(c)
			i++
		default:
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// split splits a structured value at sep (';' or ','), where not escaped.
func split(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

var errNoCards = errors.New("vcard: the file holds no card (BEGIN:VCARD)")
