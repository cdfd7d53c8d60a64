package xlsx

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/crmio/crmio/formats"
)

// sharedStrings is the shared string table of a workbook, which cells of
// type "s" refer to by index. It is held in memory, bounded by the limits
// (see limitsFor), as compactly as Go allows: the text of every string in
// one string and the end of each, so that a million short strings cost one
// allocation and four bytes each, and a cell's value is a substring that
// costs nothing.
type sharedStrings struct {
	text string
	ends []uint32 // ends[i] is where string i ends in text
}

// get returns string i, and false when the table has none such.
func (t *sharedStrings) get(i int) (string, bool) {
	if t == nil || i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]], true
}

// readSharedStrings reads the shared strings part: for each <si>, the text
// of its <t> elements, those of rich text runs (<r>) included and those of
// phonetic runs (<rPh>, the reading of East Asian text) left out, with
// Excel's _xHHHH_ escapes decoded (see decodeEscapes). sizeHint, the part's
// uncompressed size, sizes the text buffer.
func readSharedStrings(r io.Reader, sizeHint int64) (*sharedStrings, error) {
	sc := newScanner(r)
	var b strings.Builder
	b.Grow(int(min(sizeHint/2, 64<<20)))
	t := &sharedStrings{}
	var item []byte // the text of the <si> being read
	inItem, phonetic := false, 0
	for {
		tg, ok := sc.next()
		if !ok {
			break
		}
		switch {
		case tg.is("si"):
			switch tg.kind {
			case startTag:
				inItem, phonetic, item = true, 0, item[:0]
			case emptyTag:
				t.ends = append(t.ends, uint32(b.Len()))
			case endTag:
				if inItem {
					if uint64(b.Len())+uint64(len(item)) >= 1<<32 {
						return nil, fmt.Errorf("%w: the shared strings hold more than 4 GiB of text", formats.ErrTooLarge)
					}
					b.WriteString(decodeEscapes(item))
					t.ends = append(t.ends, uint32(b.Len()))
				}
				inItem = false
			}
		case tg.is("rPh"):
			switch tg.kind {
			case startTag:
				phonetic++
			case endTag:
				phonetic = max(phonetic-1, 0)
			}
		case tg.is("t") && tg.kind == startTag && inItem && phonetic == 0:
			var err error
			item, err = sc.text(item, maxText-len(item))
			if err != nil {
				return nil, fmt.Errorf("shared string %d: %w", len(t.ends)+1, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: the shared strings: %v", formats.ErrCorrupt, err)
	}
	t.text = b.String()
	return t, nil
}

// decodeEscapes decodes the escapes OOXML writes for characters XML cannot
// hold (ECMA-376 Part 1, 22.9.2.19, ST_Xstring): _x000D_ is a carriage
// return, and _x005F_ an underscore, so that "_x005F_x000D_" is the text
// "_x000D_". A malformed or unpaired escape is kept as it is, and an escape
// of half a surrogate pair becomes U+FFFD.
func decodeEscapes(b []byte) string {
	i := indexEscape(b, 0)
	if i < 0 {
		return string(b)
	}
	var out strings.Builder
	out.Grow(len(b))
	last := 0
	for ; i >= 0; i = indexEscape(b, last) {
		out.Write(b[last:i])
		r, _ := parseCodePoint(b[i+2:i+6], 16)
		switch {
		case r == '_':
			out.WriteByte('_')
		case r >= 0xD800 && r <= 0xDFFF:
			out.WriteRune('\uFFFD')
		default:
			out.WriteRune(r)
		}
		last = i + 7
	}
	out.Write(b[last:])
	return out.String()
}

// indexEscape returns the index of the first _xHHHH_ escape in b from
// from, or -1.
func indexEscape(b []byte, from int) int {
	for i := from; i+7 <= len(b); i++ {
		j := bytes.IndexByte(b[i:len(b)-6], '_')
		if j < 0 {
			return -1
		}
		i += j
		if b[i+1] != 'x' || b[i+6] != '_' {
			continue
		}
		if _, ok := parseCodePoint(b[i+2:i+6], 16); ok {
			return i
		}
	}
	return -1
}
