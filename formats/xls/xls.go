package xls

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/richardlehane/mscfb"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

func init() {
	formats.Register(formats.Format{Name: "xls", Extensions: []string{".xls"}, Magic: []string{formats.OLE2Magic}, NeedsFile: true, Open: openInput})
}

func openInput(in *formats.Input, opts *formats.Options) (formats.Reader, error) {
	if in.Path != "" {
		return open(in.Path, in.Name, opts)
	}
	return newReader(in.R, in.Name, opts)
}

// Open reads the XLS workbook at path and returns a reader of one of its
// sheets, chosen by opts (nil means the first visible worksheet). The
// workbook is read whole, within the size limit. Errors wrap the formats
// sentinels: ErrTooLarge, ErrEncrypted, ErrCorrupt, ErrUnsupportedFormat,
// ErrNoSheet, ErrNoHeader.
func Open(path string, opts *formats.Options) (formats.Reader, error) {
	return open(path, filepath.Base(path), opts)
}

// open implements Open; name is the file's name for errors.
func open(path, name string, opts *formats.Options) (formats.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return newReader(f, name, opts)
}

// NewReader reads an XLS workbook from r, whole and within the size limit,
// and returns a reader of one of its sheets (see Open).
func NewReader(r io.Reader, opts *formats.Options) (formats.Reader, error) {
	return newReader(r, "", opts)
}

func newReader(r io.Reader, name string, opts *formats.Options) (formats.Reader, error) {
	limit := opts.Limit()
	var data []byte
	var err error
	if limit < 0 {
		data, err = io.ReadAll(r)
	} else {
		data, err = io.ReadAll(io.LimitReader(r, limit+1))
		if err == nil && int64(len(data)) > limit {
			return nil, fmt.Errorf("%w: more than %d bytes", formats.ErrTooLarge, limit)
		}
	}
	if err != nil {
		return nil, err
	}
	return parseNamed(data, name, opts)
}

// Parse reads an XLS workbook held in memory and returns a reader of one of
// its sheets (see Open). The reader keeps references into data.
func Parse(data []byte, opts *formats.Options) (formats.Reader, error) {
	return parseNamed(data, "", opts)
}

// parseNamed implements Parse; name is the file's name for errors.
func parseNamed(data []byte, name string, opts *formats.Options) (r formats.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%w: the XLS decoder failed: %v\n%s", formats.ErrCorrupt, p, firstFrames(debug.Stack()))
		}
	}()
	return parse(data, name, opts)
}

// parse implements Parse without containing panics, so that the fuzz test
// sees them.
func parse(data []byte, name string, opts *formats.Options) (formats.Reader, error) {
	if limit := opts.Limit(); limit >= 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", formats.ErrTooLarge, len(data), limit)
	}
	stream, err := workbookStream(data)
	if err != nil {
		return nil, err
	}
	return parseWorkbook(stream, name, int64(len(data)), opts)
}

func firstFrames(stack []byte) []byte {
	const keep = 2048
	if len(stack) > keep {
		return stack[:keep]
	}
	return stack
}

var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// workbookStream returns the BIFF stream of an OLE2 compound file, or
// explains why there is none.
func workbookStream(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, oleMagic) {
		if len(data) >= 4 {
			switch binary.LittleEndian.Uint16(data) {
			case recBOF2, recBOF3, recBOF4:
				return nil, fmt.Errorf("%w: an Excel 2.x-4.0 workbook; save it as .xlsx in a current Excel",
					formats.ErrUnsupportedFormat)
			}
		}
		return nil, fmt.Errorf("%w: not an XLS file (no OLE2 signature)", formats.ErrUnsupportedFormat)
	}
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid OLE2 compound file: %v", formats.ErrCorrupt, err)
	}
	var book, workbookEntry *mscfb.File
	var names []string
	for _, f := range doc.File {
		if len(f.Path) != 0 || f.Name == "" {
			continue
		}
		switch {
		case f.Name == "EncryptionInfo" || f.Name == "EncryptedPackage":
			return nil, fmt.Errorf("%w: the workbook is encrypted with a password (an encrypted .xlsx); remove the password in Excel and try again",
				formats.ErrEncrypted)
		case strings.EqualFold(f.Name, "Workbook"):
			workbookEntry = f
		case strings.EqualFold(f.Name, "Book"):
			book = f
		}
		if f.Name != "Root Entry" && len(names) < 8 {
			names = append(names, f.Name)
		}
	}
	entry := workbookEntry
	if entry == nil {
		entry = book
	}
	if entry == nil {
		return nil, fmt.Errorf("%w: %s", formats.ErrUnsupportedFormat, describeCompound(names))
	}
	// A stream is part of the file: a larger size can only come from a
	// damaged directory (or a sector chain in a loop).
	if entry.Size <= 0 || entry.Size > int64(len(data)) {
		return nil, fmt.Errorf("%w: the workbook stream claims %d bytes in a file of %d", formats.ErrCorrupt, entry.Size, len(data))
	}
	stream := make([]byte, entry.Size)
	n, err := io.ReadFull(entry, stream)
	if err != nil && n == 0 {
		return nil, fmt.Errorf("%w: reading the workbook stream: %v", formats.ErrCorrupt, err)
	}
	return stream[:n], nil
}

// describeCompound names an OLE2 compound file that holds no workbook.
func describeCompound(names []string) string {
	has := func(name string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
	}
	switch {
	case has("WordDocument"):
		return "a Word document (.doc), not a spreadsheet"
	case has("PowerPoint Document"):
		return "a PowerPoint presentation (.ppt), not a spreadsheet"
	case has("VisioDocument"):
		return "a Visio drawing, not a spreadsheet"
	case has("__properties_version1.0"):
		return "an Outlook message (.msg), not a spreadsheet"
	case len(names) == 0:
		return "an empty OLE2 compound file"
	}
	return fmt.Sprintf("an OLE2 compound file without a workbook (it holds %s)", strings.Join(quoteAll(names), ", "))
}

func quoteAll(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return q
}

func parseWorkbook(stream []byte, name string, size int64, opts *formats.Options) (formats.Reader, error) {
	g, err := parseGlobals(stream)
	if err != nil {
		return nil, err
	}
	if g.encrypt {
		return nil, fmt.Errorf("%w: the workbook is encrypted with a password; remove the password in Excel and try again",
			formats.ErrEncrypted)
	}
	names := make([]string, len(g.sheets))
	for i, s := range g.sheets {
		names[i] = s.name
	}
	i, err := workbook.ChooseSheet(names, opts, func(i int) bool {
		return g.sheets[i].state == 0 && g.sheets[i].typ == 0
	})
	if err != nil {
		return nil, err
	}
	info := formats.Info{Format: "xls", Sheet: names[i], Sheets: names, Size: size}
	if g.version == biff5 {
		info.Encoding = codepageName(g.codepage)
	}
	if g.sstErr != nil {
		workbook.AddNotice(&info, formats.Notice{Message: g.sstErr.Error() + "; cells using the missing strings are empty"})
	}
	sh, err := parseSheet(stream, g.sheets[i], g)
	if err != nil {
		return nil, err
	}
	for _, n := range sh.notices {
		workbook.AddNotice(&info, n)
	}
	src := &cellSource{g: g, sheet: sh, kinds: make(map[uint16]workbook.Kind)}
	var headerRow int
	if opts != nil {
		headerRow = opts.HeaderRow
	}
	return workbook.NewReader(src, workbook.Config{Info: info, File: name, HeaderRow: headerRow, LastRow: sh.lastRow, Width: sh.width})
}

func codepageName(cp uint16) string {
	switch cp {
	case 1200:
		return "utf-16le"
	case 0x8000, 10000:
		return "macintosh"
	case 932:
		return "shift_jis"
	case 936:
		return "gbk"
	case 949:
		return "euc-kr"
	case 950:
		return "big5"
	case 0x8001:
		return "windows-1252"
	}
	if cp >= 1250 && cp <= 1258 || cp == 874 {
		return fmt.Sprintf("windows-%d", cp)
	}
	return fmt.Sprintf("cp%d", cp)
}

// cellKind says what a cell holds.
type cellKind uint8

const (
	cellNumber cellKind = iota // num
	cellShared                 // idx into the shared strings
	cellText                   // idx into sheet.texts
	cellBool                   // num is 0 or 1
	cellError                  // num is the error code
)

// cell is one value cell of a sheet, kept compact: a sheet is read whole.
type cell struct {
	row  uint32 // 0-based
	col  uint16 // 0-based
	kind cellKind
	xf   uint16
	idx  uint32
	num  float64
}

type sheet struct {
	name    string
	cells   []cell
	texts   []string
	lastRow int
	width   int // columns up to the last that holds a cell
	notices []formats.Notice
}

// maxColumns is the width of a BIFF5 or BIFF8 sheet (A to IV); cells
// beyond it are dropped, as Excel would not show them.
const maxColumns = 256

// parseSheet reads the cells of a worksheet substream.
func parseSheet(stream []byte, bs boundSheet, g *globals) (*sheet, error) {
	sh := &sheet{name: bs.name}
	if bs.offset < 0 || bs.offset+4 > len(stream) {
		return nil, errCorrupt("sheet %q starts at offset %d, past the end of the workbook stream", bs.name, bs.offset)
	}
	rs := &records{b: stream, off: bs.offset}
	bof, _ := rs.next()
	if bof.typ != recBOF {
		return nil, errCorrupt("sheet %q does not start with a BOF record", bs.name)
	}
	if bs.typ != 0 && len(bof.data) >= 4 && binary.LittleEndian.Uint16(bof.data[2:]) != 0x0010 {
		return nil, fmt.Errorf("%w: %q is a chart or macro sheet, which holds no table", formats.ErrNoHeader, bs.name)
	}
	var (
		depth         = 1
		pendingString = -1 // index in cells of a formula whose text follows
		dropped       int
		missingShared int
		units         []uint16
	)
	add := func(c cell) {
		if c.col >= maxColumns {
			dropped++
			return
		}
		sh.cells = append(sh.cells, c)
	}
	for depth > 0 {
		rec, ok := rs.next()
		if !ok {
			sh.notices = append(sh.notices, formats.Notice{Message: fmt.Sprintf("sheet %q breaks off before its end; its remaining rows are missing", bs.name)})
			break
		}
		d := rec.data
		switch rec.typ {
		case recBOF:
			depth++ // an embedded chart
			continue
		case recEOF:
			depth--
			continue
		}
		if depth > 1 {
			continue
		}
		if rec.typ != recString && rec.typ != recContinue {
			// SHRFMLA, ARRAY and TABLE may stand between a FORMULA and its
			// STRING; a cell record ends the wait.
			switch rec.typ {
			case recFormula, recNumber, recRK, recMulRK, recLabel, recLabelSST, recBoolErr, recRString:
				pendingString = -1
			}
		}
		switch rec.typ {
		case recLabelSST:
			if len(d) < 10 {
				continue
			}
			idx := binary.LittleEndian.Uint32(d[6:])
			if int(idx) >= len(g.sst) {
				missingShared++
			}
			add(cell{row: row(d), col: col(d), kind: cellShared, xf: xf(d), idx: idx})
		case recLabel, recRString:
			if len(d) < 8 {
				continue
			}
			var text string
			if g.version == biff8 {
				s := newSegments(rec)
				s.off = 6
				var err error
				if text, err = readString(s, &units); err != nil && text == "" {
					continue
				}
			} else {
				n := int(binary.LittleEndian.Uint16(d[6:]))
				text = g.decode(d[8:min(8+n, len(d))])
			}
			add(cell{row: row(d), col: col(d), kind: cellText, xf: xf(d), idx: uint32(len(sh.texts))})
			sh.texts = append(sh.texts, text)
		case recNumber:
			if len(d) < 14 {
				continue
			}
			add(cell{row: row(d), col: col(d), xf: xf(d), num: math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))})
		case recRK:
			if len(d) < 10 {
				continue
			}
			add(cell{row: row(d), col: col(d), xf: xf(d), num: rk(binary.LittleEndian.Uint32(d[6:]))})
		case recMulRK:
			if len(d) < 6 {
				continue
			}
			r, first := row(d), int(col(d))
			for i := 0; 4+6*i+6 <= len(d)-2; i++ {
				e := d[4+6*i:]
				c := first + i
				if c > math.MaxUint16 {
					break
				}
				add(cell{row: r, col: uint16(c), xf: binary.LittleEndian.Uint16(e), num: rk(binary.LittleEndian.Uint32(e[2:]))})
			}
		case recBoolErr:
			if len(d) < 8 {
				continue
			}
			k := cellBool
			if d[7] != 0 {
				k = cellError
			}
			add(cell{row: row(d), col: col(d), kind: k, xf: xf(d), num: float64(d[6])})
		case recFormula:
			if len(d) < 14 {
				continue
			}
			c := cell{row: row(d), col: col(d), xf: xf(d)}
			if d[12] == 0xFF && d[13] == 0xFF {
				switch d[6] {
				case 0: // the text is in the STRING record that follows
					c.kind = cellText
					c.idx = uint32(len(sh.texts))
					sh.texts = append(sh.texts, "")
					add(c)
					if c.col < maxColumns {
						pendingString = len(sh.cells) - 1
					}
				case 1:
					c.kind, c.num = cellBool, float64(d[8])
					add(c)
				case 2:
					c.kind, c.num = cellError, float64(d[8])
					add(c)
				}
				// 3: an empty string, nothing to keep
				continue
			}
			c.num = math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))
			add(c)
		case recString:
			if pendingString < 0 {
				continue
			}
			var text string
			if g.version == biff8 {
				text, _ = readString(newSegments(rec), &units)
			} else if len(d) >= 2 {
				n := int(binary.LittleEndian.Uint16(d))
				text = g.decode(d[2:min(2+n, len(d))])
			}
			sh.texts[sh.cells[pendingString].idx] = text
			pendingString = -1
		}
	}
	if dropped > 0 {
		sh.notices = append(sh.notices, formats.Notice{Message: fmt.Sprintf("%d cells right of column IV (256) were ignored", dropped)})
	}
	if missingShared > 0 {
		sh.notices = append(sh.notices, formats.Notice{Message: fmt.Sprintf("%d cells refer to shared strings the file does not hold; they are empty", missingShared)})
	}
	// Cells come row by row in practice, but the format does not promise
	// it; a stable sort keeps the last of two records for one cell last.
	slices.SortStableFunc(sh.cells, func(a, b cell) int {
		if a.row != b.row {
			return int(a.row) - int(b.row)
		}
		return int(a.col) - int(b.col)
	})
	if n := len(sh.cells); n > 0 {
		sh.lastRow = int(sh.cells[n-1].row) + 1
	}
	for _, c := range sh.cells {
		if c.kind != cellText || sh.texts[c.idx] != "" {
			sh.width = max(sh.width, int(c.col)+1)
		}
	}
	return sh, nil
}

func row(d []byte) uint32 { return uint32(binary.LittleEndian.Uint16(d)) }
func col(d []byte) uint16 { return binary.LittleEndian.Uint16(d[2:]) }
func xf(d []byte) uint16  { return binary.LittleEndian.Uint16(d[4:]) }

// rk decodes an RK number ([MS-XLS] 2.5.217): a 30-bit integer or the top
// 30 bits of a double, optionally divided by 100.
func rk(v uint32) float64 {
	var f float64
	if v&0x02 != 0 {
		f = float64(int32(v) >> 2)
	} else {
		f = math.Float64frombits(uint64(v&0xFFFFFFFC) << 32)
	}
	if v&0x01 != 0 {
		f /= 100
	}
	return f
}

// errorText is the text Excel shows for an error code of a BOOLERR or
// FORMULA record.
func errorText(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	case 0x2B:
		return "#GETTING_DATA"
	}
	return "#ERROR!"
}

// cellSource yields the rows of a parsed sheet.
type cellSource struct {
	g     *globals
	sheet *sheet
	next  int // index of the next cell
	row   []string
	kinds map[uint16]workbook.Kind
}

// Next implements workbook.Source.
func (s *cellSource) Next() (int, []string, error) {
	cells := s.sheet.cells
	if s.next >= len(cells) {
		return 0, nil, io.EOF
	}
	r := cells[s.next].row
	end := s.next
	for end < len(cells) && cells[end].row == r {
		end++
	}
	width := int(cells[end-1].col) + 1
	s.row = s.row[:0]
	for range width {
		s.row = append(s.row, "")
	}
	for _, c := range cells[s.next:end] {
		s.row[c.col] = s.value(c)
	}
	s.next = end
	return int(r) + 1, s.row, nil
}

func (s *cellSource) value(c cell) string {
	switch c.kind {
	case cellShared:
		if int(c.idx) < len(s.g.sst) {
			return s.g.sst[c.idx]
		}
		return ""
	case cellText:
		return s.sheet.texts[c.idx]
	case cellBool:
		if c.num != 0 {
			return "TRUE"
		}
		return "FALSE"
	case cellError:
		return errorText(byte(c.num))
	}
	if kind := s.g.kindOf(c.xf, s.kinds); kind != workbook.Number {
		if text, ok := workbook.FormatSerial(c.num, s.g.date1904, kind); ok {
			return text
		}
	}
	return workbook.FormatNumber(c.num)
}

// Close implements workbook.Source.
func (s *cellSource) Close() error {
	s.sheet = &sheet{}
	return nil
}
