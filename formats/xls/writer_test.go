package xls

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// This file builds XLS workbooks for the tests: BIFF records, a workbook
// stream with its sheets, and the OLE2 compound file around it. No Go
// library writes XLS, and hand-made records let the tests reach every
// record type and every way of splitting a string across CONTINUE records.

func u16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// rec encodes one record.
func rec(typ int, data ...[]byte) []byte {
	body := cat(data...)
	if len(body) > 0xFFFF {
		panic("record too long for the test writer")
	}
	return cat(u16(typ), u16(len(body)), body)
}

// ustr encodes an XLUnicodeString: compressed (Latin-1) when it can be,
// else UTF-16LE.
func ustr(s string) []byte {
	if latin, ok := latin1Bytes(s); ok {
		return cat(u16(len(latin)), []byte{0}, latin)
	}
	units := utf16.Encode([]rune(s))
	b := cat(u16(len(units)), []byte{1})
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func latin1Bytes(s string) ([]byte, bool) {
	var b []byte
	for _, r := range s {
		if r > 0xFF {
			return nil, false
		}
		b = append(b, byte(r))
	}
	return b, true
}

func bof(version, kind int) []byte {
	return rec(recBOF, u16(version), u16(kind), u16(0), u16(0), u32(0), u32(0))
}

func eof() []byte { return rec(recEOF) }

// Cell records. xf is the index of the cell's XF record.
func number(r, c, xf int, v float64) []byte {
	return rec(recNumber, u16(r), u16(c), u16(xf), binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}

func rkRec(r, c, xf int, rkValue uint32) []byte {
	return rec(recRK, u16(r), u16(c), u16(xf), u32(int(rkValue)))
}

// rkInt encodes an integer as an RK value; rkCents an integer divided by 100.
func rkInt(v int) uint32   { return uint32(int32(v)<<2) | 0x02 }
func rkCents(v int) uint32 { return uint32(int32(v)<<2) | 0x03 }

// rkFloat encodes a double whose low 34 bits are zero.
func rkFloat(v float64) uint32 { return uint32(math.Float64bits(v) >> 32) }

func mulRK(r, first, xf int, values ...uint32) []byte {
	body := cat(u16(r), u16(first))
	for _, v := range values {
		body = cat(body, u16(xf), u32(int(v)))
	}
	return rec(recMulRK, body, u16(first+len(values)-1))
}

func labelSST(r, c, xf, idx int) []byte {
	return rec(recLabelSST, u16(r), u16(c), u16(xf), u32(idx))
}

func label(r, c, xf int, s string) []byte {
	return rec(recLabel, u16(r), u16(c), u16(xf), ustr(s))
}

// label5 is a BIFF5 LABEL: 8-bit text in the workbook's code page.
func label5(r, c, xf int, raw []byte) []byte {
	return rec(recLabel, u16(r), u16(c), u16(xf), u16(len(raw)), raw)
}

func boolErr(r, c, xf int, v byte, isError bool) []byte {
	e := byte(0)
	if isError {
		e = 1
	}
	return rec(recBoolErr, u16(r), u16(c), u16(xf), []byte{v, e})
}

// formulaNum is a FORMULA record with a numeric result.
func formulaNum(r, c, xf int, v float64) []byte {
	return rec(recFormula, u16(r), u16(c), u16(xf), binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)),
		u16(0), u32(0), u16(0))
}

// formulaSpecial is a FORMULA record with a string (kind 0, the text in the
// following STRING record), boolean (1), error (2) or empty (3) result.
func formulaSpecial(r, c, xf int, kind, value byte) []byte {
	return rec(recFormula, u16(r), u16(c), u16(xf), []byte{kind, 0, value, 0, 0, 0, 0xFF, 0xFF},
		u16(0), u32(0), u16(0))
}

func stringRec(s string) []byte { return rec(recString, ustr(s)) }

func blank(r, c, xf int) []byte { return rec(0x0201, u16(r), u16(c), u16(xf)) }

// xfRec is an XF record whose number format is numFmt.
func xfRec(numFmt int) []byte {
	return rec(recXF, u16(0), u16(numFmt), make([]byte, 16))
}

func formatRec(id int, code string) []byte { return rec(recFormat, u16(id), ustr(code)) }

// sstRec encodes a shared string table whose data is split into one SST
// and CONTINUE records at the given byte offsets of the string data (after
// the two counts). A split inside a string's characters starts the next
// record with an option byte, as Excel does; with wideAfter the characters
// after such a split are written as UTF-16 even if they were Latin-1
// before, which readers must follow. Strings listed in rich carry one rich
// text run after their characters.
func sstRec(strs []string, splits []int, wideAfter bool, rich ...int) []byte {
	type piece struct {
		data  []byte
		unit  uint16 // a character, when chars
		chars bool
		wide  bool // the string starts wide
	}
	var pieces []piece
	for i, s := range strs {
		units := utf16.Encode([]rune(s))
		_, compressed := latin1Bytes(s)
		flags := byte(0)
		if !compressed {
			flags = 1
		}
		isRich := false
		for _, r := range rich {
			isRich = isRich || r == i
		}
		head := u16(len(units))
		if isRich {
			head = cat(head, []byte{flags | 0x08}, u16(1))
		} else {
			head = cat(head, []byte{flags})
		}
		pieces = append(pieces, piece{data: head})
		for _, u := range units {
			pieces = append(pieces, piece{unit: u, chars: true, wide: !compressed})
		}
		if isRich {
			pieces = append(pieces, piece{data: cat(u16(0), u16(0))})
		}
	}
	splitAt := map[int]bool{}
	for _, s := range splits {
		splitAt[s] = true
	}
	var out []byte
	body := cat(u32(len(strs)), u32(len(strs)))
	typ := recSST
	pos := 0
	wideNow := false
	for _, p := range pieces {
		if splitAt[pos] {
			out = append(out, rec(typ, body)...)
			typ, body = recContinue, nil
			if p.chars {
				wideNow = p.wide || wideAfter
				flag := byte(0)
				if wideNow {
					flag = 1
				}
				body = []byte{flag}
			}
		}
		if !p.chars {
			wideNow = false
			body = append(body, p.data...)
			pos += len(p.data)
			continue
		}
		if p.wide {
			wideNow = true
		}
		if wideNow {
			body = append(body, u16(int(p.unit))...)
			pos += 2
		} else {
			body = append(body, byte(p.unit))
			pos++
		}
	}
	return append(out, rec(typ, body)...)
}

// sheetSpec is one sheet of a test workbook.
type sheetSpec struct {
	name  string
	state int // 0 visible, 1 hidden
	kind  int // BOUNDSHEET type: 0 worksheet, 2 chart
	cells [][]byte
}

// bookSpec is a test workbook.
type bookSpec struct {
	biff5    bool
	codepage int
	date1904 bool
	filePass bool
	formats  [][]byte // FORMAT records
	xfs      []int    // number format of each XF; XF 0 is General when empty
	sst      []byte   // SST record(s), BIFF8 only
	sheets   []sheetSpec
	// rawNames holds BIFF5 sheet names in the code page, by sheet index.
	rawNames map[int][]byte
}

// stream builds the workbook stream: the globals substream, then each
// sheet's substream, with the BOUNDSHEET offsets filled in.
func (b bookSpec) stream() []byte {
	version := biff8
	if b.biff5 {
		version = biff5
	}
	boundSheet := func(i int, offset int) []byte {
		s := b.sheets[i]
		head := cat(u32(offset), []byte{byte(s.state), byte(s.kind)})
		if b.biff5 {
			name := []byte(s.name)
			if raw, ok := b.rawNames[i]; ok {
				name = raw
			}
			return rec(recBoundSheet, head, []byte{byte(len(name))}, name)
		}
		str := ustr(s.name)
		return rec(recBoundSheet, head, []byte{str[0]}, str[2:]) // cch is one byte here
	}
	globals := func(offsets []int) []byte {
		g := bof(int(version), 0x0005)
		if b.filePass {
			g = cat(g, rec(recFilePass, u16(0), u16(0x1234), u16(0x5678)))
		}
		if b.codepage != 0 {
			g = cat(g, rec(recCodePage, u16(b.codepage)))
		}
		if b.date1904 {
			g = cat(g, rec(recDateMode, u16(1)))
		}
		for _, f := range b.formats {
			g = cat(g, f)
		}
		xfs := b.xfs
		if len(xfs) == 0 {
			xfs = []int{0}
		}
		for _, x := range xfs {
			g = cat(g, xfRec(x))
		}
		for i := range b.sheets {
			g = cat(g, boundSheet(i, offsets[i]))
		}
		g = cat(g, b.sst)
		return cat(g, eof())
	}
	offsets := make([]int, len(b.sheets))
	pos := len(globals(offsets))
	var subs []byte
	for i, s := range b.sheets {
		offsets[i] = pos
		kind := 0x0010
		if s.kind == 2 {
			kind = 0x0020
		}
		sub := bof(int(version), kind)
		for _, c := range s.cells {
			sub = append(sub, c...)
		}
		sub = append(sub, eof()...)
		subs = append(subs, sub...)
		pos += len(sub)
	}
	return cat(globals(offsets), subs)
}

// xlsFile wraps a workbook stream in a compound file.
func (b bookSpec) xlsFile() []byte {
	name := "Workbook"
	if b.biff5 {
		name = "Book"
	}
	return compoundFile(map[string][]byte{name: b.stream()})
}

// compoundFile builds a version 3 OLE2 compound file ([MS-CFB]) holding the
// given streams at its root. Streams are padded to 4096 bytes so that none
// lives in the mini stream, which keeps the writer small.
func compoundFile(streams map[string][]byte) []byte {
	const (
		sector     = 512
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	names := make([]string, 0, len(streams))
	for n := range streams {
		names = append(names, n)
	}
	// A stable order: the order of the directory does not matter to
	// readers, but a fixed one keeps the seeds reproducible.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	data := make([][]byte, len(names))
	dataSectors := 0
	for i, n := range names {
		d := streams[n]
		if len(d) < 4096 {
			d = append(append([]byte(nil), d...), make([]byte, 4096-len(d))...)
		}
		data[i] = d
		dataSectors += (len(d) + sector - 1) / sector
	}
	dirSectors := (len(names) + 1 + 3) / 4
	fatSectors := 1
	for (fatSectors+dirSectors+dataSectors+127)/128 > fatSectors {
		fatSectors++
	}
	fat := make([]uint32, fatSectors*128)
	for i := range fat {
		fat[i] = freeSect
	}
	for i := range fatSectors {
		fat[i] = fatSect
	}
	chain := func(start, n int) {
		for i := range n - 1 {
			fat[start+i] = uint32(start + i + 1)
		}
		fat[start+n-1] = endOfChain
	}
	dirStart := fatSectors
	chain(dirStart, dirSectors)
	starts := make([]int, len(names))
	next := dirStart + dirSectors
	for i, d := range data {
		n := (len(d) + sector - 1) / sector
		starts[i] = next
		chain(next, n)
		next += n
	}

	header := make([]byte, sector)
	copy(header, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le := binary.LittleEndian
	le.PutUint16(header[24:], 0x003E)
	le.PutUint16(header[26:], 3)
	le.PutUint16(header[28:], 0xFFFE)
	le.PutUint16(header[30:], 9)
	le.PutUint16(header[32:], 6)
	le.PutUint32(header[44:], uint32(fatSectors))
	le.PutUint32(header[48:], uint32(dirStart))
	le.PutUint32(header[56:], 4096)
	le.PutUint32(header[60:], endOfChain)
	le.PutUint32(header[68:], endOfChain)
	for i := range 109 {
		v := uint32(freeSect)
		if i < fatSectors {
			v = uint32(i)
		}
		le.PutUint32(header[76+4*i:], v)
	}

	entry := func(name string, typ byte, child, right uint32, start uint32, size int) []byte {
		e := make([]byte, 128)
		units := utf16.Encode([]rune(name))
		for i, u := range units {
			le.PutUint16(e[2*i:], u)
		}
		le.PutUint16(e[64:], uint16(2*len(units)+2))
		e[66] = typ
		e[67] = 1 // black
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint32(e[120:], uint32(size))
		return e
	}
	var dir []byte
	rootChild := uint32(noStream)
	if len(names) > 0 {
		rootChild = 1
	}
	dir = append(dir, entry("Root Entry", 5, rootChild, noStream, endOfChain, 0)...)
	for i, n := range names {
		right := uint32(noStream)
		if i+1 < len(names) {
			right = uint32(i + 2)
		}
		dir = append(dir, entry(n, 2, noStream, right, uint32(starts[i]), len(data[i]))...)
	}
	for len(dir) < dirSectors*sector {
		e := make([]byte, 128)
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
		dir = append(dir, e...)
	}

	out := append([]byte(nil), header...)
	for _, v := range fat {
		out = le.AppendUint32(out, v)
	}
	out = append(out, dir...)
	for _, d := range data {
		out = append(out, d...)
		if pad := len(d) % sector; pad != 0 {
			out = append(out, make([]byte, sector-pad)...)
		}
	}
	return out
}
