package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

// Excel's grid: rows and columns past these are not a worksheet's.
const (
	maxRows    = 1 << 20 // 1,048,576
	maxColumns = 1 << 14 // 16,384: XFD
)

// sheetSource reads the rows of one worksheet part (workbook.Source),
// giving each cell its text as a person reads it: shared and inline
// strings, TRUE and FALSE, numbers as Excel shows them, numbers under a
// date or time format as ISO 8601 text.
type sheetSource struct {
	sc       *scanner
	closer   io.Closer
	sheet    string
	strings  *sharedStrings
	kinds    []workbook.Kind // cell format index → kind of its number format
	date1904 bool

	row   int      // the number of the last row read
	cells []string // the row being read, reused
	value []byte   // the text of the cell being read, reused
	done  bool

	// What was dropped, for the notices.
	missingStrings int // cells referring to shared strings the table lacks
	outside        int // cells right of column XFD

	// size is the sheet's XML as the zip directory says, read how much
	// of it the scanner has had: what estimates the rows of a sheet that
	// records no dimension.
	size int64
	read *countingReader
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// EstimatedLastRow implements workbook.Estimator: for a sheet whose
// writer recorded no dimension (or only "A1", as streaming writers do),
// the last row extrapolated from the bytes the rows read so far took.
func (s *sheetSource) EstimatedLastRow() int {
	if s.done {
		return s.row
	}
	if s.read == nil || s.size <= 0 || s.row < 20 {
		return 0
	}
	// The bytes the rows took: read, less what the scanner holds unscanned.
	used := s.read.n - int64(s.sc.end-s.sc.pos)
	if used <= 0 {
		return 0
	}
	return int(float64(s.row) * float64(s.size) / float64(used))
}

// start reads the worksheet up to its rows and returns the dimension it
// records ("A1:K200"), "" when none.
func (s *sheetSource) start() (dimension string, err error) {
	for {
		t, ok := s.sc.next()
		if !ok {
			if err := s.sc.Err(); err != nil {
				return "", fmt.Errorf("%w: sheet %q: %v", formats.ErrCorrupt, s.sheet, err)
			}
			s.done = true // no <sheetData>: no rows
			return dimension, nil
		}
		switch {
		case t.is("dimension") && t.kind != endTag:
			dimension = string(attr(t.attrs, "ref"))
		case t.is("sheetData"):
			s.done = t.kind != startTag
			return dimension, nil
		}
	}
}

// Next implements workbook.Source. A row that cannot be read is a
// *formats.ParseError, and the next call goes on with the following row;
// damage that ends the sheet (a broken stream, XML that breaks off, a row
// past Excel's last) is returned once, and io.EOF after it.
func (s *sheetSource) Next() (num int, cells []string, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.done = true
			num, cells, err = 0, nil, &formats.ParseError{Sheet: s.sheet, Row: s.row + 1, Err: panicError(p)}
		}
	}()
	for !s.done {
		t, ok := s.sc.next()
		if !ok {
			s.done = true
			if err := s.sc.Err(); err != nil {
				return 0, nil, s.broken(err)
			}
			return 0, nil, s.broken(errors.New("the worksheet breaks off before its end"))
		}
		switch {
		case t.is("row") && t.kind != endTag:
			num := s.row + 1
			if n, ok := atoi(attr(t.attrs, "r")); ok {
				num = n
			}
			switch {
			case num > maxRows:
				s.done = true
				return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: num,
					Err: fmt.Errorf("%w: row %d is past Excel's last row (%d); the rows after it are not read", formats.ErrCorrupt, num, maxRows)}
			case num <= s.row || num < 1:
				if t.kind == startTag && !s.sc.skipElement() {
					continue // the end of the input: reported next time round
				}
				if num < 1 {
					return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: s.row + 1,
						Err: fmt.Errorf("%w: a row numbered %d, after row %d (rows count from 1); it is not read", formats.ErrCorrupt, num, s.row)}
				}
				return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: num,
					Err: fmt.Errorf("%w: row %d comes after row %d in the file; it is not read", formats.ErrCorrupt, num, s.row)}
			}
			s.row = num
			if t.kind == emptyTag {
				continue // a row with a height or a style, no cells
			}
			if err := s.readRow(); err != nil {
				return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: num, Column: cellColumn(err), Err: err}
			}
			return num, s.cells, nil
		case t.is("sheetData") && t.kind == endTag:
			s.done = true
		}
	}
	return 0, nil, io.EOF
}

// broken is the error for damage that ends the sheet after the last row read.
func (s *sheetSource) broken(err error) error {
	if !errors.Is(err, formats.ErrCorrupt) && !errors.Is(err, formats.ErrTooLarge) {
		err = fmt.Errorf("%w: %v", formats.ErrCorrupt, err)
	}
	return &formats.ParseError{Sheet: s.sheet, Row: s.row + 1, Err: err}
}

// cellError is a problem with one cell, which makes its row unreadable.
type cellError struct {
	column int
	err    error
}

func (e *cellError) Error() string { return e.err.Error() }
func (e *cellError) Unwrap() error { return e.err }

func cellColumn(err error) int {
	var ce *cellError
	if errors.As(err, &ce) {
		return ce.column
	}
	return 0
}

// readRow reads the cells of the row whose start tag was just read,
// through its end tag.
func (s *sheetSource) readRow() error {
	for i := range s.cells {
		s.cells[i] = ""
	}
	s.cells = s.cells[:0]
	col := 0
	var bad error // the first cell that could not be read
	for {
		t, ok := s.sc.next()
		if !ok {
			return nil // the end of the input: Next reports it
		}
		switch {
		case t.is("c") && t.kind != endTag:
			col++
			var ref, typ, style []byte
			eachAttr(t.attrs, func(name, v []byte) bool {
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
			if ref != nil {
				if c, ok := columnOf(ref); ok {
					col = c
				}
			}
			if t.kind == emptyTag {
				continue // a styled cell without a value
			}
			// The attributes point into the scanner's buffer, which reading
			// the value may move: keep what they say first.
			kind := cellTypeOf(typ)
			format := workbook.Number
			if i, ok := atoi(style); ok && i < len(s.kinds) {
				format = s.kinds[i]
			}
			value, err := s.readCell(kind, format)
			switch {
			case err != nil:
				if bad == nil {
					bad = &cellError{column: col, err: err}
				}
			case col > maxColumns:
				s.outside++
			case value != "":
				for len(s.cells) < col {
					s.cells = append(s.cells, "")
				}
				s.cells[col-1] = value
			}
		case t.is("row"):
			if t.kind == startTag || t.kind == emptyTag {
				s.sc.unread() // the row did not end: the next one starts
			}
			return bad
		case t.is("sheetData") && t.kind == endTag:
			s.sc.unread()
			return bad
		}
	}
}

// cellType is a cell's t attribute.
type cellType uint8

const (
	typeNumber cellType = iota // "n", or no t attribute
	typeShared                 // "s": an index into the shared strings
	typeInline                 // "inlineStr"
	typeBool                   // "b"
	typeDate                   // "d": ISO 8601 text
	typeOther                  // "str" (a formula's text), "e" (an error: #N/A), others: the text as it is
)

func cellTypeOf(t []byte) cellType {
	switch string(t) {
	case "", "n":
		return typeNumber
	case "s":
		return typeShared
	case "inlineStr":
		return typeInline
	case "b":
		return typeBool
	case "d":
		return typeDate
	}
	return typeOther
}

// readCell reads the content of a cell whose start tag was just read,
// through its end tag, and returns its text.
func (s *sheetSource) readCell(typ cellType, format workbook.Kind) (string, error) {
	s.value = s.value[:0]
	hasValue, inline := false, false
	var err error
	for {
		t, ok := s.sc.next()
		if !ok {
			// The input ends: take what the cell had; Next reports the end.
			if !hasValue {
				return "", nil
			}
			return s.cellText(typ, format, inline), nil
		}
		switch {
		case t.is("v") && t.kind == startTag:
			if s.value, err = s.sc.text(s.value[:0], maxText); err != nil {
				return "", err
			}
			hasValue = true
		case t.is("is") && t.kind == startTag:
			if s.value, err = s.inlineString(s.value[:0]); err != nil {
				return "", err
			}
			hasValue, inline = true, true
		case t.is("c") && t.kind == endTag:
			if !hasValue {
				return "", nil
			}
			return s.cellText(typ, format, inline), nil
		case t.is("c") || t.is("row") || t.is("sheetData"):
			// The cell did not end: take what it had.
			s.sc.unread()
			if !hasValue {
				return "", nil
			}
			return s.cellText(typ, format, inline), nil
		}
	}
}

// inlineString appends the text of an inline string (<is>), whose start
// tag was just read: its <t> elements, rich text runs included and
// phonetic runs left out.
func (s *sheetSource) inlineString(dst []byte) ([]byte, error) {
	phonetic := 0
	for {
		t, ok := s.sc.next()
		if !ok {
			return dst, nil
		}
		switch {
		case t.is("is") && t.kind == endTag:
			return dst, nil
		case t.is("rPh"):
			switch t.kind {
			case startTag:
				phonetic++
			case endTag:
				phonetic = max(phonetic-1, 0)
			}
		case t.is("t") && t.kind == startTag && phonetic == 0:
			var err error
			if dst, err = s.sc.text(dst, maxText-len(dst)); err != nil {
				return dst, err
			}
		case t.is("c") || t.is("row"):
			s.sc.unread()
			return dst, nil
		}
	}
}

// cellText turns the value of a cell (s.value) into the text a person
// reads, by the cell's type and the number format of its style.
func (s *sheetSource) cellText(typ cellType, format workbook.Kind, inline bool) string {
	v := s.value
	switch typ {
	case typeShared:
		i, ok := atoi(bytes.TrimSpace(v))
		text, found := s.strings.get(i)
		if !ok || !found {
			s.missingStrings++
			return ""
		}
		return text
	case typeInline:
		return decodeEscapes(v)
	case typeBool:
		switch string(bytes.TrimSpace(v)) {
		case "1", "true":
			return "TRUE"
		case "0", "false":
			return "FALSE"
		}
		return string(v)
	case typeDate:
		return isoDate(string(bytes.TrimSpace(v)))
	case typeNumber:
		if inline {
			return decodeEscapes(v) // an <is> without t="inlineStr"
		}
		return numberText(v, format, s.date1904)
	}
	return string(v)
}

// numberText renders a number cell's value: as ISO 8601 text under a date
// or time format, else as Excel shows a number in a General cell, the
// shortest text that reads back as the same number once rounded to the 15
// significant digits Excel keeps ("72.0" is 72, "1.5E-3" is 0.0015, and
// 0.30000000000000004 is 0.3), so that a number reads the same from an
// XLSX and an XLS file. Text that is no number is kept as it is.
func numberText(raw []byte, kind workbook.Kind, date1904 bool) string {
	b := bytes.TrimSpace(raw)
	if kind == workbook.Number && plainInteger(b) {
		return string(b) // the common case, already as Excel shows it
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return string(raw)
	}
	if kind != workbook.Number {
		if text, ok := workbook.FormatSerial(f, date1904, kind); ok {
			return text
		}
	}
	return workbook.FormatNumber(f)
}

// plainInteger reports whether b is an integer written as FormatNumber
// writes it: an optional minus, at most 15 digits, no leading zero, and
// not "-0".
func plainInteger(b []byte) bool {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	switch {
	case len(digits) == 0 || len(digits) > 15:
		return false
	case digits[0] == '0':
		return len(b) == 1 // "0" alone
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isoDate normalises the value of a t="d" cell (ISO 8601 as the writer
// chose it) to the forms the readers use; other text is kept.
func isoDate(v string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", time.DateOnly} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format(time.DateOnly)
		}
		return t.Format("2006-01-02T15:04:05")
	}
	return v
}

// Notices reports what the sheet dropped (workbook.Noticer).
func (s *sheetSource) Notices() []formats.Notice {
	var out []formats.Notice
	switch s.missingStrings {
	case 0:
	case 1:
		out = append(out, formats.Notice{Message: "1 cell refers to a shared string the file does not hold; it is empty"})
	default:
		out = append(out, formats.Notice{Message: fmt.Sprintf("%d cells refer to shared strings the file does not hold; they are empty", s.missingStrings)})
	}
	switch s.outside {
	case 0:
	case 1:
		out = append(out, formats.Notice{Message: "1 cell right of column XFD (16,384), Excel's last, was ignored"})
	default:
		out = append(out, formats.Notice{Message: fmt.Sprintf("%d cells right of column XFD (16,384), Excel's last, were ignored", s.outside)})
	}
	return out
}

// Close implements workbook.Source.
func (s *sheetSource) Close() error {
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}
