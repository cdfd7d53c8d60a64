package xls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

// Record types of BIFF5 and BIFF8 ([MS-XLS] 2.3) that the reader uses.
const (
	recFormula    = 0x0006
	recEOF        = 0x000A
	recDateMode   = 0x0022
	recFilePass   = 0x002F
	recContinue   = 0x003C
	recCodePage   = 0x0042
	recBoundSheet = 0x0085
	recMulRK      = 0x00BD
	recRString    = 0x00D6
	recXF         = 0x00E0
	recSST        = 0x00FC
	recLabelSST   = 0x00FD
	recDimensions = 0x0200
	recNumber     = 0x0203
	recLabel      = 0x0204
	recBoolErr    = 0x0205
	recString     = 0x0207
	recRK         = 0x027E
	recFormat     = 0x041E
	recBOF        = 0x0809

	// BOF records of the BIFF versions before BIFF5, which are recognised
	// only to be refused by name.
	recBOF2 = 0x0009
	recBOF3 = 0x0209
	recBOF4 = 0x0409
)

// BIFF versions in the BOF record.
const (
	biff5 = 0x0500
	biff8 = 0x0600
)

// errCorrupt builds an error wrapping formats.ErrCorrupt.
func errCorrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", formats.ErrCorrupt, fmt.Sprintf(format, args...))
}

// record is one BIFF record; data aliases the stream. Records that may be
// continued (SST, STRING, LABEL) carry their CONTINUE records in more.
type record struct {
	typ  uint16
	data []byte
	more [][]byte
	pos  int // offset of the record header in the stream
}

// records iterates over the records of a stream from an offset.
type records struct {
	b   []byte
	off int
}

// next returns the next record, or false at the end of the stream. A
// record whose length runs past the end is truncated to the stream: a
// damaged tail yields what it holds.
func (rs *records) next() (record, bool) {
	if rs.off+4 > len(rs.b) {
		return record{}, false
	}
	typ := binary.LittleEndian.Uint16(rs.b[rs.off:])
	n := int(binary.LittleEndian.Uint16(rs.b[rs.off+2:]))
	start := rs.off + 4
	end := min(start+n, len(rs.b))
	rec := record{typ: typ, data: rs.b[start:end], pos: rs.off}
	rs.off = end
	if typ == recSST || typ == recString || typ == recLabel || typ == recFormat {
		for rs.off+4 <= len(rs.b) && binary.LittleEndian.Uint16(rs.b[rs.off:]) == recContinue {
			n := int(binary.LittleEndian.Uint16(rs.b[rs.off+2:]))
			start := rs.off + 4
			end := min(start+n, len(rs.b))
			rec.more = append(rec.more, rs.b[start:end])
			rs.off = end
		}
	}
	return rec, true
}

// segments reads a record and its CONTINUE records as one byte sequence,
// except within the characters of a string: there a CONTINUE record starts
// with a new option byte that says whether the characters that follow are
// one or two bytes wide ([MS-XLS] 2.5.294, XLUnicodeRichExtendedString).
type segments struct {
	segs [][]byte
	i    int // current segment
	off  int // offset in the current segment
}

var errShort = errors.New("record too short")

func newSegments(rec record) *segments {
	return &segments{segs: append([][]byte{rec.data}, rec.more...)}
}

// advance moves to the next segment when the current one is used up.
func (s *segments) advance() bool {
	for s.i < len(s.segs) && s.off >= len(s.segs[s.i]) {
		s.i++
		s.off = 0
	}
	return s.i < len(s.segs)
}

func (s *segments) u8() (byte, error) {
	if !s.advance() {
		return 0, errShort
	}
	b := s.segs[s.i][s.off]
	s.off++
	return b, nil
}

func (s *segments) u16() (uint16, error) {
	lo, err := s.u8()
	if err != nil {
		return 0, err
	}
	hi, err := s.u8()
	return uint16(lo) | uint16(hi)<<8, err
}

func (s *segments) u32() (uint32, error) {
	lo, err := s.u16()
	if err != nil {
		return 0, err
	}
	hi, err := s.u16()
	return uint32(lo) | uint32(hi)<<16, err
}

// skip discards n bytes across segments.
func (s *segments) skip(n int) error {
	for n > 0 {
		if !s.advance() {
			return errShort
		}
		k := min(n, len(s.segs[s.i])-s.off)
		s.off += k
		n -= k
	}
	return nil
}

// chars reads n characters of a BIFF8 string, one byte each (the low bytes
// of UTF-16, that is Latin-1) or two (UTF-16LE) as wide says. When a
// segment ends before the characters do, the next starts with an option
// byte that says how wide the rest are.
func (s *segments) chars(n int, wide bool, units []uint16) ([]uint16, error) {
	units = units[:0]
	for n > 0 {
		if s.i >= len(s.segs) {
			return units, errShort
		}
		seg := s.segs[s.i][s.off:]
		if len(seg) == 0 {
			s.i++
			s.off = 0
			if s.i >= len(s.segs) || len(s.segs[s.i]) == 0 {
				return units, errShort
			}
			wide = s.segs[s.i][0]&1 != 0
			s.off = 1
			continue
		}
		if wide {
			k := min(n, len(seg)/2)
			if k == 0 {
				return units, errShort // half a character at a segment's end
			}
			for j := range k {
				units = append(units, binary.LittleEndian.Uint16(seg[2*j:]))
			}
			s.off += 2 * k
			n -= k
			continue
		}
		k := min(n, len(seg))
		for _, c := range seg[:k] {
			units = append(units, uint16(c))
		}
		s.off += k
		n -= k
	}
	return units, nil
}

// globals is what the workbook globals substream says.
type globals struct {
	version  uint16
	codepage uint16
	date1904 bool
	encrypt  bool
	formats  map[uint16]string // FORMAT: format index → format code
	xfs      []uint16          // XF: cell format index → format index
	sheets   []boundSheet
	sst      []string
	sstErr   error // the shared strings could not all be read
	decoder  *encoding.Decoder
}

type boundSheet struct {
	name    string
	offset  int   // stream offset of the sheet's BOF record
	state   uint8 // 0 visible, 1 hidden, 2 very hidden
	typ     uint8 // 0 worksheet, 1 macro sheet, 2 chart, 6 VBA module
	rawName []byte
}

// maxSheets bounds the sheets a workbook may declare; Excel allows far fewer.
const maxSheets = 1 << 16

// parseGlobals reads the workbook globals substream at the start of b.
func parseGlobals(b []byte) (*globals, error) {
	rs := &records{b: b}
	bof, ok := rs.next()
	if !ok {
		return nil, errCorrupt("the workbook stream is empty")
	}
	g := &globals{formats: make(map[uint16]string), codepage: 1252}
	switch bof.typ {
	case recBOF:
		if len(bof.data) < 4 {
			return nil, errCorrupt("the workbook's BOF record is too short")
		}
		g.version = binary.LittleEndian.Uint16(bof.data)
		if g.version != biff8 && g.version != biff5 {
			if g.version < biff5 {
				// Excel 5 files sometimes carry 0 here; the record type
				// itself is BIFF5 and later.
				g.version = biff5
			} else {
				g.version = biff8
			}
		}
	case recBOF2, recBOF3, recBOF4:
		return nil, fmt.Errorf("%w: an Excel 2.x-4.0 workbook (BIFF%d); save it as .xlsx in a current Excel",
			formats.ErrUnsupportedFormat, bof.typ>>9+2)
	default:
		return nil, errCorrupt("the workbook stream does not start with a BOF record")
	}
	if g.version == biff8 {
		g.codepage = 1200
	}
	var sstRec *record
loop:
	for {
		rec, ok := rs.next()
		if !ok {
			break
		}
		d := rec.data
		switch rec.typ {
		case recEOF:
			break loop
		case recFilePass:
			g.encrypt = true
			return g, nil
		case recCodePage:
			if len(d) >= 2 {
				g.codepage = binary.LittleEndian.Uint16(d)
			}
		case recDateMode:
			if len(d) >= 2 {
				g.date1904 = binary.LittleEndian.Uint16(d) == 1
			}
		case recXF:
			if len(d) >= 4 && len(g.xfs) < math.MaxUint16 {
				g.xfs = append(g.xfs, binary.LittleEndian.Uint16(d[2:]))
			}
		case recFormat:
			if len(d) >= 3 {
				id := binary.LittleEndian.Uint16(d)
				if code, ok := g.formatCode(rec); ok {
					g.formats[id] = code
				}
			}
		case recBoundSheet:
			if len(g.sheets) >= maxSheets {
				continue
			}
			if s, ok := g.boundSheet(d); ok {
				g.sheets = append(g.sheets, s)
			}
		case recSST:
			r := rec
			sstRec = &r
		}
	}
	g.decoder = decoderFor(g.codepage)
	for i := range g.sheets {
		if g.sheets[i].rawName != nil {
			g.sheets[i].name = g.decode(g.sheets[i].rawName)
			g.sheets[i].rawName = nil
		}
		if g.sheets[i].name == "" {
			g.sheets[i].name = fmt.Sprintf("Sheet%d", i+1)
		}
	}
	if sstRec != nil && g.version == biff8 {
		g.sst, g.sstErr = parseSST(*sstRec)
	}
	return g, nil
}

// formatCode reads the format code of a FORMAT record.
func (g *globals) formatCode(rec record) (string, bool) {
	if g.version == biff8 {
		s := newSegments(rec)
		s.off = 2
		var units []uint16
		str, err := readString(s, &units)
		return str, err == nil
	}
	d := rec.data
	n := int(d[2])
	if 3+n > len(d) {
		return "", false
	}
	// FORMAT precedes CODEPAGE in no file we know of, but decode later to
	// be safe: formats are ASCII in practice.
	return string(latin1(d[3 : 3+n])), true
}

// boundSheet reads a BOUNDSHEET record.
func (g *globals) boundSheet(d []byte) (boundSheet, bool) {
	if len(d) < 8 {
		return boundSheet{}, false
	}
	s := boundSheet{
		offset: int(binary.LittleEndian.Uint32(d)),
		state:  d[4] & 0x03,
		typ:    d[5],
	}
	n := int(d[6])
	if g.version == biff8 {
		wide := d[7]&1 != 0
		b := d[8:]
		if wide {
			if 2*n > len(b) {
				n = len(b) / 2
			}
			units := make([]uint16, n)
			for i := range units {
				units[i] = binary.LittleEndian.Uint16(b[2*i:])
			}
			s.name = string(utf16.Decode(units))
		} else {
			s.name = string(latin1(b[:min(n, len(b))]))
		}
		return s, true
	}
	b := d[7:]
	s.rawName = slices.Clone(b[:min(n, len(b))])
	return s, true
}

// parseSST reads the shared string table. When the table is damaged it
// returns the strings read before the damage and an error.
func parseSST(rec record) ([]string, error) {
	s := newSegments(rec)
	if _, err := s.u32(); err != nil { // total references, unused
		return nil, errCorrupt("the shared string table is too short")
	}
	unique, err := s.u32()
	if err != nil {
		return nil, errCorrupt("the shared string table is too short")
	}
	size := len(rec.data)
	for _, m := range rec.more {
		size += len(m)
	}
	// Every string takes at least 3 bytes: never trust the count for an
	// allocation beyond what the records can hold.
	strs := make([]string, 0, min(int(unique), size/3))
	var units []uint16
	for i := 0; i < int(unique); i++ {
		str, err := readString(s, &units)
		if err != nil {
			return strs, errCorrupt("the shared string table breaks off after %d of %d strings", len(strs), unique)
		}
		strs = append(strs, str)
	}
	return strs, nil
}

// readString reads an XLUnicodeRichExtendedString ([MS-XLS] 2.5.293):
// the character count, an option byte, the counts of rich text runs and
// phonetic data when flagged, the characters, then the runs and phonetic
// data, which are skipped. units is a reusable buffer.
func readString(s *segments, units *[]uint16) (string, error) {
	cch, err := s.u16()
	if err != nil {
		return "", err
	}
	flags, err := s.u8()
	if err != nil {
		return "", err
	}
	var runs, ext int
	if flags&0x08 != 0 {
		n, err := s.u16()
		if err != nil {
			return "", err
		}
		runs = int(n)
	}
	if flags&0x04 != 0 {
		n, err := s.u32()
		if err != nil {
			return "", err
		}
		ext = int(int32(n))
		if ext < 0 {
			return "", errShort
		}
	}
	*units, err = s.chars(int(cch), flags&0x01 != 0, *units)
	if err != nil {
		return "", err
	}
	str := string(utf16.Decode(*units))
	if err := s.skip(4 * runs); err != nil {
		return str, err
	}
	return str, s.skip(ext)
}

// decode turns BIFF5 8-bit text into UTF-8 with the workbook's code page.
func (g *globals) decode(b []byte) string {
	if g.decoder == nil {
		return string(latin1(b))
	}
	out, err := g.decoder.Bytes(b)
	if err != nil {
		return string(latin1(b))
	}
	return string(out)
}

// latin1 converts ISO-8859-1 bytes to UTF-8.
func latin1(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return b
	}
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		out = append(out, string(rune(c))...)
	}
	return out
}

// decoderFor returns the decoder of a Windows code page number, nil for
// Latin-1 and UTF-16 (which BIFF8 decodes itself).
func decoderFor(cp uint16) *encoding.Decoder {
	var e encoding.Encoding
	switch cp {
	case 437:
		e = charmap.CodePage437
	case 850:
		e = charmap.CodePage850
	case 852:
		e = charmap.CodePage852
	case 855:
		e = charmap.CodePage855
	case 858:
		e = charmap.CodePage858
	case 860:
		e = charmap.CodePage860
	case 862:
		e = charmap.CodePage862
	case 863:
		e = charmap.CodePage863
	case 865:
		e = charmap.CodePage865
	case 866:
		e = charmap.CodePage866
	case 874:
		e = charmap.Windows874
	case 932:
		e = japanese.ShiftJIS
	case 936:
		e = simplifiedchinese.GBK
	case 949:
		e = korean.EUCKR
	case 950:
		e = traditionalchinese.Big5
	case 1250:
		e = charmap.Windows1250
	case 1251:
		e = charmap.Windows1251
	case 1252, 0x8001: // 0x8001: Windows-1252 as Excel 2.x wrote it
		e = charmap.Windows1252
	case 1253:
		e = charmap.Windows1253
	case 1254:
		e = charmap.Windows1254
	case 1255:
		e = charmap.Windows1255
	case 1256:
		e = charmap.Windows1256
	case 1257:
		e = charmap.Windows1257
	case 1258:
		e = charmap.Windows1258
	case 10000, 0x8000:
		e = charmap.Macintosh
	case 10007:
		e = charmap.MacintoshCyrillic
	default:
		return nil
	}
	return e.NewDecoder()
}

// kindOf returns the kind of number format of a cell's XF index.
func (g *globals) kindOf(xf uint16, cache map[uint16]workbook.Kind) workbook.Kind {
	if k, ok := cache[xf]; ok {
		return k
	}
	k := workbook.Number
	if int(xf) < len(g.xfs) {
		// Excel writes FORMAT records for some built-in formats too, in
		// the workbook's locale: a code, when present, decides.
		id := g.xfs[xf]
		if code, ok := g.formats[id]; ok {
			k = workbook.FormatKind(code)
		} else {
			k = workbook.BuiltinKind(int(id))
		}
	}
	cache[xf] = k
	return k
}
