package csv

import (
	"bytes"
	"io"
	"strings"
)

// lineEnds records, as the text streams into encoding/csv, which physical
// lines end with CRLF. encoding/csv turns a CRLF into "\n" everywhere,
// inside quoted fields too; with this record the reader puts back the CRLF
// a multi-line field held, so that nothing of a field is lost. It parses
// nothing (it only looks at line ends), so a malformed file cannot lead it
// astray: the j-th line break of a field that starts on line L is the end
// of line L+j, whatever the quotes around it.
type lineEnds struct {
	r      io.Reader
	base   int    // the line number of crlf[0]
	crlf   []bool // whether line base+i ended with CRLF
	prevCR bool   // the last byte read was '\r'
	any    bool   // some line ended with CRLF
}

func newLineEnds(r io.Reader) *lineEnds { return &lineEnds{r: r, base: 1} }

func (l *lineEnds) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.prevCR = b[len(b)-1] == '\r'
			break
		}
		crlf := (i > 0 && b[i-1] == '\r') || (i == 0 && l.prevCR)
		l.any = l.any || crlf
		l.crlf = append(l.crlf, crlf)
		l.prevCR = false
		b = b[i+1:]
	}
	return n, err
}

// restore returns field, which starts on line, with "\r\n" for each of its
// line breaks that was a CRLF in the file.
func (l *lineEnds) restore(field string, line int) string {
	if !l.any || strings.IndexByte(field, '\n') < 0 {
		return field
	}
	var b strings.Builder
	b.Grow(len(field) + 8)
	for {
		i := strings.IndexByte(field, '\n')
		if i < 0 {
			b.WriteString(field)
			return b.String()
		}
		b.WriteString(field[:i])
		if k := line - l.base; k >= 0 && k < len(l.crlf) && l.crlf[k] {
			b.WriteString("\r\n")
		} else {
			b.WriteByte('\n')
		}
		field = field[i+1:]
		line++
	}
}

// forget drops what is known of the lines before line: the parser is past
// them. It keeps the record bounded by the read-ahead, not the file.
func (l *lineEnds) forget(line int) {
	drop := line - l.base
	if drop <= 0 {
		return
	}
	if drop >= len(l.crlf) {
		l.crlf = l.crlf[:0]
	} else {
		l.crlf = append(l.crlf[:0], l.crlf[drop:]...)
	}
	l.base = line
}
