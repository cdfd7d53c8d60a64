package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// parser reads RFC 4180 records as encoding/csv does (the same fields, the
// same errors, ErrBareQuote and ErrQuote, on the same lines, and the same
// recovery: after an error, the next record starts on the next line), with
// two differences that matter for imports:
//
//   - A quoted field keeps its line breaks as the file has them: "\r\n"
//     stays "\r\n" (encoding/csv turns it into "\n").
//   - Memory is bounded by the record, not by four times it: a line
//     longer than the read buffer is parsed as it streams by, not copied
//     whole first, and a large record is gathered in blocks and copied
//     once into its string, instead of into buffers that grow by copying
//     and stay. A 50 MB field costs about 100 MB while it is read and
//     50 MB after, where encoding/csv holds some 250 MB.
//
// It reads from a bufio.Reader with ReadSlice, so the common record, a line
// within the buffer, is parsed where it lies.
type parser struct {
	r     *bufio.Reader
	delim []byte // the delimiter, UTF-8 encoded
	one   byte   // delim[0] when the delimiter is one byte, else 0

	line      int   // the line the chunk read last is on, 1-based
	lineStart bool  // the next chunk starts a line
	offset    int64 // bytes consumed so far

	buf     recordBuffer
	ends    []int    // the end of each field in buf
	fields  []string // the last record's fields, reused
	lastErr error    // the read error that ended the input (io.EOF at its end)
}

func newParser(r *bufio.Reader, comma rune) *parser {
	p := &parser{r: r, delim: utf8.AppendRune(nil, comma), lineStart: true}
	if len(p.delim) == 1 {
		p.one = p.delim[0]
	}
	return p
}

// parsed is one record: its fields, the lines it starts and ends on, and
// the error met in it, a *stdcsv.ParseError (with the fields before the bad
// one), or io.EOF or a read error with no fields.
type parsed struct {
	fields     []string
	start, end int
	err        error
}

// InputOffset returns the number of bytes consumed so far.
func (p *parser) InputOffset() int64 { return p.offset }

// chunk reads the next piece of a line: up to and including its '\n', or
// as much of it as the buffer holds. It returns nil at the end of the
// input (or on a read error, kept in lastErr).
func (p *parser) chunk() []byte {
	if p.lastErr != nil {
		return nil
	}
	b, err := p.r.ReadSlice('\n')
	p.offset += int64(len(b))
	if err != nil && err != bufio.ErrBufferFull {
		p.lastErr = err
	}
	if len(b) == 0 {
		return nil
	}
	if p.lineStart {
		p.line++
	}
	p.lineStart = b[len(b)-1] == '\n'
	return b
}

// readErr returns the error that ended the input: io.EOF at a clean end.
func (p *parser) readErr() error {
	if p.lastErr == nil {
		return io.EOF
	}
	return p.lastErr
}

var cr = []byte{'\r'}

// The states of the record parser.
const (
	fieldStart = iota
	unquoted
	quoted
	quote   // a '"' read inside a quoted field: what follows decides
	quoteCR // a '"' then a '\r' that ended the chunk
	pendCR  // a '\r' that ended the chunk in an unquoted field
	skip    // after an error: the rest of the line is dropped
	done    // the record is complete
)

// read parses the next record, skipping empty lines.
func (p *parser) read() parsed {
	p.buf.reset()
	p.ends = p.ends[:0]
	var b []byte
	for { // empty lines are no records
		if b = p.chunk(); b == nil {
			return parsed{err: p.readErr()}
		}
		if len(b) == 1 && (b[0] == '\n' || b[0] == '\r' && p.lastErr != nil) || len(b) == 2 && b[0] == '\r' && b[1] == '\n' {
			continue
		}
		break
	}
	start := p.line
	var perr error // the error met, if any: stdcsv.ErrBareQuote or ErrQuote
	errLine := 0
	state := fieldStart
	for state != done {
		for len(b) > 0 && state != done {
			switch state {
			case fieldStart:
				if b[0] == '"' {
					state, b = quoted, b[1:]
					continue
				}
				state = unquoted
			case unquoted:
				i := p.indexUnquoted(b)
				if i < 0 {
					p.buf.append(b)
					b = nil
					continue
				}
				p.buf.append(b[:i])
				switch c := b[i]; {
				case c == '"':
					perr, errLine = stdcsv.ErrBareQuote, p.line
					state, b = skip, nil
				case c == '\n':
					p.endField()
					state, b = done, b[i+1:]
				case c == '\r' && i+1 == len(b):
					state, b = pendCR, nil
				case c == '\r' && b[i+1] == '\n':
					p.endField()
					state, b = done, b[i+2:]
				case c == '\r':
					p.buf.append(cr) // a '\r' inside a field is data
					b = b[i+1:]
				default: // the delimiter
					p.endField()
					state, b = fieldStart, b[i+len(p.delim):]
				}
			case pendCR:
				if b[0] == '\n' {
					p.endField()
					state, b = done, b[1:]
					continue
				}
				p.buf.append(cr)
				state = unquoted
			case quoted:
				i := bytes.IndexByte(b, '"')
				if i < 0 {
					p.buf.append(b) // line breaks included, as they are
					b = nil
					continue
				}
				p.buf.append(b[:i])
				state, b = quote, b[i+1:]
			case quote:
				switch {
				case b[0] == '"':
					p.buf.append(b[:1]) // a doubled quote
					state, b = quoted, b[1:]
				case p.isDelim(b):
					p.endField()
					state, b = fieldStart, b[len(p.delim):]
				case b[0] == '\n':
					p.endField()
					state, b = done, b[1:]
				case b[0] == '\r' && len(b) == 1:
					state, b = quoteCR, nil
				case b[0] == '\r' && b[1] == '\n':
					p.endField()
					state, b = done, b[2:]
				default:
					perr, errLine = stdcsv.ErrQuote, p.line
					state, b = skip, nil
				}
			case quoteCR:
				if b[0] == '\n' {
					p.endField()
					state, b = done, b[1:]
					continue
				}
				perr, errLine = stdcsv.ErrQuote, p.line
				state, b = skip, nil
			case skip:
				b = nil
			}
		}
		if state == done || state == skip && p.lineStart {
			break // the record, or the line of the error, has ended
		}
		if b = p.chunk(); b == nil {
			// The end of the input. A '\r' before it is dropped, as
			// encoding/csv does; "a," ends with an empty field.
			switch state {
			case quoted:
				perr, errLine = stdcsv.ErrQuote, p.line
			case fieldStart, unquoted, quote, quoteCR, pendCR:
				p.endField()
			}
			break
		}
	}
	rec := parsed{fields: p.record(), start: start, end: p.line}
	if perr != nil {
		rec.err = &stdcsv.ParseError{StartLine: start, Line: errLine, Err: perr}
	}
	return rec
}

// indexUnquoted returns the index in b of the first byte that ends an
// unquoted field or is an error in one: the delimiter, '\n', '\r', '"'.
func (p *parser) indexUnquoted(b []byte) int {
	if p.one != 0 {
		for i, c := range b {
			if c == p.one || c == '\n' || c == '\r' || c == '"' {
				return i
			}
		}
		return -1
	}
	for i, c := range b {
		if c == '\n' || c == '\r' || c == '"' || c == p.delim[0] && bytes.HasPrefix(b[i:], p.delim) {
			return i
		}
	}
	return -1
}

func (p *parser) isDelim(b []byte) bool {
	if p.one != 0 {
		return b[0] == p.one
	}
	return bytes.HasPrefix(b, p.delim)
}

func (p *parser) endField() { p.ends = append(p.ends, p.buf.len()) }

// record returns the fields of the record read, which share one string.
func (p *parser) record() []string {
	s := p.buf.string()
	p.fields = p.fields[:0]
	prev := 0
	for _, end := range p.ends {
		p.fields = append(p.fields, s[prev:end])
		prev = end
	}
	return p.fields
}

// recordBuffer holds the text of a record as it is parsed: in one slice,
// reused, while the record is small; in blocks once it is large, so that
// it never grows by copying, then copied once into its string.
type recordBuffer struct {
	small  []byte   // the record while it is small, reused
	large  bool     // the record outgrew small: it is in blocks and cur
	blocks [][]byte // a large record's full blocks
	cur    []byte   // a large record's last block
	size   int      // bytes in blocks
}

const (
	smallRecord = 1 << 20 // records up to this size are parsed in small
	recordBlock = 1 << 20
)

func (b *recordBuffer) reset() {
	b.small = b.small[:0]
	b.large, b.blocks, b.cur, b.size = false, nil, nil, 0
}

func (b *recordBuffer) len() int {
	if b.large {
		return b.size + len(b.cur)
	}
	return len(b.small)
}

func (b *recordBuffer) append(p []byte) {
	if !b.large {
		if len(b.small)+len(p) <= smallRecord {
			b.small = append(b.small, p...)
			return
		}
		b.large = true
		b.blocks, b.size = append(b.blocks, b.small), len(b.small)
		b.small = nil // given to blocks; the next record gets a new one
		b.cur = make([]byte, 0, recordBlock)
	}
	for len(p) > 0 {
		if len(b.cur) == cap(b.cur) {
			b.blocks, b.size = append(b.blocks, b.cur), b.size+len(b.cur)
			b.cur = make([]byte, 0, recordBlock)
		}
		n := copy(b.cur[len(b.cur):cap(b.cur)], p)
		b.cur, p = b.cur[:len(b.cur)+n], p[n:]
	}
}

// string returns the record's text. A large record's blocks are let go:
// the string is all that remains of it.
func (b *recordBuffer) string() string {
	if !b.large {
		return string(b.small)
	}
	var s strings.Builder
	s.Grow(b.len())
	for _, block := range b.blocks {
		s.Write(block)
	}
	s.Write(b.cur)
	b.large, b.blocks, b.cur, b.size = false, nil, nil, 0
	return s.String()
}
