package xlsx

import (
	"bufio"
	"bytes"
	"io"
)

// excelize's streaming Rows API returns raw cell values without the cell's
// type or style, so a 1 and a TRUE, or a number and a date, look alike. The
// cellScanner reads the same worksheet XML alongside, with a byte scanner
// that only looks at the attributes of <row> and <c> tags, and tells which
// cells of a row are booleans, numbers or ISO dates and which style they
// carry. It costs a second inflate of the part and a scan for '<', about a
// tenth of the XML decoding excelize does, and no memory beyond one row.

// cellType is what the scanner learns of a cell.
type cellType uint8

const (
	typeNumber cellType = iota // t absent or "n"
	typeBool                   // t="b"
	typeDate                   // t="d": an ISO 8601 date in the value
)

type scannedCell struct {
	col   int // 1-based
	typ   cellType
	style int // the s attribute, an index into the cell formats
}

type cellScanner struct {
	r       *bufio.Reader
	closer  io.Closer
	row     int  // number of the row whose start tag was read last
	pending bool // a row start tag was read and its cells not yet
	done    bool
	cells   []scannedCell
}

// scanBufferSize bounds the length of a tag the scanner can parse; longer
// tags (never written for rows and cells) are skipped.
const scanBufferSize = 64 << 10

func newCellScanner(rc io.ReadCloser) *cellScanner {
	return &cellScanner{r: bufio.NewReaderSize(rc, scanBufferSize), closer: rc}
}

func (s *cellScanner) Close() error {
	if s == nil || s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}

// cellsOf returns the typed cells of row n. Rows must be asked for in
// increasing order; the result is valid until the next call.
func (s *cellScanner) cellsOf(n int) []scannedCell {
	if s == nil {
		return nil
	}
	for !s.done {
		if !s.pending && !s.nextRow() {
			return nil
		}
		if s.row > n {
			return nil
		}
		row := s.row
		s.pending = false
		s.readCells() // may read the next row's start tag
		if row == n {
			return s.cells
		}
	}
	return nil
}

// nextRow advances to the next <row> start tag.
func (s *cellScanner) nextRow() bool {
	for {
		name, attrs, ok := s.nextTag()
		if !ok {
			s.done = true
			return false
		}
		switch string(name) {
		case "row":
			s.startRow(attrs)
			return true
		case "/sheetData":
			s.done = true
			return false
		}
	}
}

func (s *cellScanner) startRow(attrs []byte) {
	s.row++
	if v := attr(attrs, "r"); v != nil {
		if n, ok := atoi(v); ok && n > 0 {
			s.row = n
		}
	}
	s.pending = true
}

// readCells collects the cells of the current row, up to the next row's
// start tag (which is left pending) or the end of the sheet data.
func (s *cellScanner) readCells() {
	s.cells = s.cells[:0]
	col := 0
	for {
		name, attrs, ok := s.nextTag()
		if !ok {
			s.done = true
			return
		}
		switch string(name) {
		case "c":
			col++
			ref, t, st := cellAttrs(attrs)
			if ref != nil {
				if c, ok := columnOf(ref); ok {
					col = c
				}
			}
			typ := typeNumber
			switch string(t) {
			case "", "n":
			case "b":
				typ = typeBool
			case "d":
				typ = typeDate
			default:
				continue // strings and errors need nothing from us
			}
			style := 0
			if st != nil {
				style, _ = atoi(st)
			}
			s.cells = append(s.cells, scannedCell{col: col, typ: typ, style: style})
		case "row":
			s.startRow(attrs)
			return
		case "/sheetData":
			s.done = true
			return
		}
	}
}

// nextTag returns the local name of the next tag the scanner needs: "c",
// "row" or "/sheetData", with its attribute text. Other tags (<v>, </c>,
// ...) are passed over without being read: neither a tag nor text can hold
// a '<', so the search for the next one skips them. Comments and CDATA
// sections, which can, are skipped whole. The slices are valid until the
// next read.
func (s *cellScanner) nextTag() (name, attrs []byte, ok bool) {
	for {
		if _, err := s.r.ReadSlice('<'); err != nil {
			if err == bufio.ErrBufferFull {
				continue // text longer than the buffer
			}
			return nil, nil, false
		}
		head, _ := s.r.Peek(32)
		if len(head) == 0 {
			return nil, nil, false
		}
		switch head[0] {
		case '!':
			marker := []byte(">")
			switch {
			case bytes.HasPrefix(head, []byte("!--")):
				marker = []byte("-->")
			case bytes.HasPrefix(head, []byte("![CDATA[")):
				marker = []byte("]]>")
			}
			if !s.skipPast(marker) {
				return nil, nil, false
			}
			continue
		case '/':
			if local := localName(tagName(head[1:])); string(local) == "sheetData" {
				return []byte("/sheetData"), nil, true
			}
			continue
		}
		switch string(localName(tagName(head))) {
		case "c", "row":
		default:
			continue
		}
		tag, err := s.r.ReadSlice('>')
		if err == bufio.ErrBufferFull {
			if !s.skipPast([]byte(">")) {
				return nil, nil, false
			}
			continue
		}
		if err != nil {
			return nil, nil, false
		}
		tag = tag[:len(tag)-1] // drop '>'
		end := bytes.IndexAny(tag, " \t\r\n/")
		if end < 0 {
			end = len(tag)
		}
		return localName(tag[:end]), tag[end:], true
	}
}

// tagName returns the name at the start of b, up to a space, '/' or '>'.
func tagName(b []byte) []byte {
	if end := bytes.IndexAny(b, " \t\r\n/>"); end >= 0 {
		return b[:end]
	}
	return b
}

// skipPast discards input up to and including marker.
func (s *cellScanner) skipPast(marker []byte) bool {
	keep := len(marker) - 1
	var tail []byte // the last bytes read, for a marker split across reads
	for {
		chunk, err := s.r.ReadSlice(marker[keep])
		if err != nil && err != bufio.ErrBufferFull {
			return false
		}
		joined := append(tail, chunk...)
		if err == nil && bytes.HasSuffix(joined, marker) {
			return true
		}
		tail = append([]byte(nil), joined[max(0, len(joined)-keep):]...)
	}
}

func localName(b []byte) []byte {
	if i := bytes.LastIndexByte(b, ':'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// attr returns the value of the attribute named key (without prefix) in the
// attribute text of a tag, or nil.
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

// cellAttrs returns the r, t and s attributes of a <c> tag in one pass.
func cellAttrs(attrs []byte) (ref, typ, style []byte) {
	eachAttr(attrs, func(name, v []byte) bool {
		if len(name) == 1 {
			switch name[0] {
			case 'r':
				ref = v
			case 't':
				typ = v
			case 's':
				style = v
			}
		}
		return true
	})
	return ref, typ, style
}

// eachAttr calls fn with the local name and value of each attribute in the
// attribute text of a tag, until fn returns false or the text is used up
// or malformed.
func eachAttr(attrs []byte, fn func(name, value []byte) bool) {
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n/")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return
		}
		name := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
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
