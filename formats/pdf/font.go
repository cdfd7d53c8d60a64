package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
)

// ttf is a TrueType font as the report uses it: glyph lookup and advance
// widths for measuring and setting text, and the tables a subset embeds.
type ttf struct {
	data       []byte
	sfnt       *sfnt.Font
	buf        sfnt.Buffer
	unitsPerEm float64
	numGlyphs  int
	tables     map[string][]byte
	advances   []uint16 // by glyph id, in font units
	locaLong   bool

	// Glyph lookup cache: the glyph and advance of each rune met so far,
	// the first 0x3000 runes (Latin, Greek, Cyrillic, punctuation...) in
	// a table, the others in a map.
	low  []glyph
	high map[rune]glyph

	used    map[uint16]rune // glyphs set in the document → the rune each shows
	psName  string
	bbox    [4]int16
	ascent  int16
	descent int16
	capH    int16
	italic  bool
}

type glyph struct {
	id      uint16
	advance uint16
	known   bool
}

const lowRunes = 0x3000

// parseTTF reads a TrueType font (glyf outlines).
func parseTTF(data []byte) (*ttf, error) {
	if err := checkTrueType(data); err != nil {
		return nil, err
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil, err
	}
	t := &ttf{data: data, sfnt: f, unitsPerEm: float64(f.UnitsPerEm()), numGlyphs: f.NumGlyphs(),
		tables: map[string][]byte{}, low: make([]glyph, lowRunes), high: map[rune]glyph{}, used: map[uint16]rune{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := range n {
		rec := data[12+16*i:]
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		t.tables[string(rec[:4])] = data[off : off+size]
	}
	head, hhea, hmtx := t.tables["head"], t.tables["hhea"], t.tables["hmtx"]
	if len(head) < 54 || len(hhea) < 36 || t.unitsPerEm <= 0 || t.numGlyphs == 0 {
		return nil, errors.New("damaged head or hhea table")
	}
	t.locaLong = binary.BigEndian.Uint16(head[50:]) == 1
	for i := range 4 {
		t.bbox[i] = int16(binary.BigEndian.Uint16(head[36+2*i:]))
	}
	t.italic = binary.BigEndian.Uint16(head[44:])&2 != 0
	t.ascent = int16(binary.BigEndian.Uint16(hhea[4:]))
	t.descent = int16(binary.BigEndian.Uint16(hhea[6:]))
	t.capH = t.ascent
	if os2 := t.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		t.capH = int16(binary.BigEndian.Uint16(os2[88:]))
	}
	metrics := int(binary.BigEndian.Uint16(hhea[34:]))
	if metrics == 0 || len(hmtx) < 4*metrics {
		return nil, errors.New("damaged hmtx table")
	}
	t.advances = make([]uint16, t.numGlyphs)
	for g := range t.advances {
		t.advances[g] = binary.BigEndian.Uint16(hmtx[4*min(g, metrics-1):])
	}
	t.psName, _ = f.Name(&t.buf, sfnt.NameIDPostScript)
	t.psName = strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f && !strings.ContainsRune("()<>[]{}/%#", r) {
			return r
		}
		return -1
	}, t.psName)
	if t.psName == "" {
		t.psName = "Font"
	}
	// What a report always shows: the digits of the page count, which is
	// set after the pages are.
	for r := '0'; r <= '9'; r++ {
		t.use(r)
	}
	return t, nil
}

// lookup returns the glyph showing r (the .notdef glyph, 0, when the font
// has none). No-break spaces are set as spaces.
func (t *ttf) lookup(r rune) glyph {
	if r == noBreakSpace || r == narrowNoBreakSpace {
		r = ' '
	}
	if r >= 0 && r < lowRunes {
		if g := t.low[r]; g.known {
			return g
		}
	} else if g, ok := t.high[r]; ok {
		return g
	}
	id, err := t.sfnt.GlyphIndex(&t.buf, r)
	if err != nil || int(id) >= t.numGlyphs {
		id = 0
	}
	g := glyph{id: uint16(id), advance: t.advances[id], known: true}
	if r >= 0 && r < lowRunes {
		t.low[r] = g
	} else {
		t.high[r] = g
	}
	return g
}

// use marks the glyph of r as set in the document and returns it.
func (t *ttf) use(r rune) glyph {
	g := t.lookup(r)
	if _, ok := t.used[g.id]; !ok {
		if r == noBreakSpace || r == narrowNoBreakSpace {
			r = ' ' // what the text reads as
		}
		t.used[g.id] = r
	}
	return g
}

// width returns the width of s in ems: its advance at a size of 1.
func (t *ttf) width(s string) float64 {
	units := 0
	for i := 0; i < len(s); {
		r := rune(s[i])
		if r < utf8.RuneSelf {
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
		units += int(t.lookup(r).advance)
	}
	return float64(units) / t.unitsPerEm
}

// encode appends the glyph ids showing s to b, two bytes each, as an
// Identity-H encoded font's strings take them, and marks them used.
func (t *ttf) encode(b []byte, s string) []byte {
	for _, r := range s {
		g := t.use(r)
		b = append(b, byte(g.id>>8), byte(g.id))
	}
	return b
}

// toPDF returns the font's glyph widths in thousandths of an em, as a
// PDF W array takes them: runs of consecutive glyphs.
func (t *ttf) widthsArray() string {
	ids := make([]int, 0, len(t.used))
	for id := range t.used {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		fmt.Fprintf(&b, "%d [", ids[i])
		for k := i; k <= j; k++ {
			if k > i {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d", t.units1000(int(t.advances[ids[k]])))
		}
		b.WriteString("] ")
		i = j + 1
	}
	b.WriteByte(']')
	return b.String()
}

func (t *ttf) units1000(u int) int { return int(float64(u)*1000/t.unitsPerEm + 0.5) }

// tag is the six-letter prefix of the subset's name, derived from the
// glyphs it holds, so that two subsets of one font are told apart and the
// same document is written the same way twice.
func (t *ttf) tag(salt string) string {
	ids := make([]int, 0, len(t.used))
	for id := range t.used {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	h := fnv.New64a()
	h.Write([]byte(salt))
	for _, id := range ids {
		h.Write([]byte{byte(id >> 8), byte(id)})
	}
	v := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = byte('A' + v%26)
		v /= 26
	}
	return string(tag)
}

// toUnicode returns the CMap that maps the used glyphs back to their
// text, for copying and searching text and for text extraction.
func (t *ttf) toUnicode() []byte {
	ids := make([]int, 0, len(t.used))
	for id := range t.used {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 100)]
		ids = ids[len(chunk):]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, id := range chunk {
			r := t.used[uint16(id)]
			if !unicode.Is(unicode.Cs, r) && r <= 0xFFFF {
				fmt.Fprintf(&b, "<%04X> <%04X>\n", id, r)
			} else {
				hi, lo := utf16Pair(r)
				fmt.Fprintf(&b, "<%04X> <%04X%04X>\n", id, hi, lo)
			}
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

func utf16Pair(r rune) (uint16, uint16) {
	r -= 0x10000
	return uint16(0xD800 + (r>>10)&0x3FF), uint16(0xDC00 + r&0x3FF)
}

// subset returns a font program holding the used glyphs (and the glyphs
// composite ones are built of) with their ids unchanged, the others empty:
// the text's glyph ids stay valid, and the program is small.
func (t *ttf) subset() ([]byte, error) {
	glyf, loca := t.tables["glyf"], t.tables["loca"]
	offset := func(g int) (int, bool) {
		if t.locaLong {
			if 4*g+4 > len(loca) {
				return 0, false
			}
			return int(binary.BigEndian.Uint32(loca[4*g:])), true
		}
		if 2*g+2 > len(loca) {
			return 0, false
		}
		return 2 * int(binary.BigEndian.Uint16(loca[2*g:])), true
	}
	outline := func(g int) []byte {
		a, ok1 := offset(g)
		b, ok2 := offset(g + 1)
		if !ok1 || !ok2 || a > b || b > len(glyf) {
			return nil
		}
		return glyf[a:b]
	}
	keep := map[int]bool{0: true}
	var visit func(g, depth int)
	visit = func(g, depth int) {
		if keep[g] && g != 0 || g >= t.numGlyphs || depth > 10 {
			return
		}
		keep[g] = true
		o := outline(g)
		if len(o) < 10 || int16(binary.BigEndian.Uint16(o)) >= 0 {
			return
		}
		// A composite glyph: keep its components.
		for p := 10; p+4 <= len(o); {
			flags := binary.BigEndian.Uint16(o[p:])
			visit(int(binary.BigEndian.Uint16(o[p+2:])), depth+1)
			p += 4
			if flags&0x0001 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x0008 != 0:
				p += 2
			case flags&0x0040 != 0:
				p += 4
			case flags&0x0080 != 0:
				p += 8
			}
			if flags&0x0020 == 0 {
				break
			}
		}
	}
	for id := range t.used {
		visit(int(id), 0)
	}

	var newGlyf bytes.Buffer
	newLoca := make([]byte, 4*(t.numGlyphs+1))
	for g := range t.numGlyphs {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(newGlyf.Len()))
		if keep[g] {
			newGlyf.Write(outline(g))
			for newGlyf.Len()%4 != 0 {
				newGlyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*t.numGlyphs:], uint32(newGlyf.Len()))
	head := slices.Clone(t.tables["head"])
	binary.BigEndian.PutUint16(head[50:], 1) // long loca offsets
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	tables := map[string][]byte{"head": head, "glyf": newGlyf.Bytes(), "loca": newLoca}
	for _, tag := range []string{"hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep", "OS/2"} {
		if data, ok := t.tables[tag]; ok {
			tables[tag] = data
		}
	}
	return buildSFNT(tables), nil
}

// buildSFNT writes a TrueType font file holding tables.
func buildSFNT(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		data := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(data []byte) uint32 {
	var sum uint32
	for i := 0; i < len(data); i += 4 {
		var word [4]byte
		copy(word[:], data[i:])
		sum += binary.BigEndian.Uint32(word[:])
	}
	return sum
}
