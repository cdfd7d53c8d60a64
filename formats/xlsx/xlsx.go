package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/richardlehane/mscfb"
	"github.com/xuri/excelize/v2"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/workbook"
)

func init() {
	formats.Register(formats.Format{Name: "xlsx", Extensions: []string{".xlsx"}, Match: formats.ZipHolds("xl/workbook.xml"), NeedsFile: true,
		Open: openInput, NewWriter: formats.Writes(NewWriter)})
}

func openInput(in *formats.Input, opts *formats.Options) (formats.Reader, error) {
	if in.Path == "" {
		return nil, errors.New("xlsx: the input has no file path (formats.Open spools workbooks to a file)")
	}
	return Open(in.Path, opts)
}

// Open opens the XLSX workbook at path and returns a reader of one of its
// sheets, chosen by opts (nil means the first visible worksheet). Errors wrap
// the formats sentinels: ErrTooLarge, ErrEncrypted, ErrCorrupt,
// ErrUnsupportedFormat, ErrNoSheet, ErrNoHeader. The reader must be closed:
// it holds temporary files.
func Open(path string, opts *formats.Options) (r formats.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, panicError(p)
		}
	}()
	return open(path, opts)
}

// panicError turns a panic in a dependency into an error: a malformed file
// must not bring down the host.
func panicError(p any) error {
	return fmt.Errorf("%w: the XLSX decoder failed: %v\n%s", formats.ErrCorrupt, p, firstFrames(debug.Stack()))
}

// firstFrames keeps the top of a stack trace, enough to locate a bug.
func firstFrames(stack []byte) []byte {
	const keep = 2048
	if len(stack) > keep {
		return stack[:keep]
	}
	return stack
}

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagic = []byte("PK")
)

func open(path string, opts *formats.Options) (formats.Reader, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	size := st.Size()
	if limit := opts.Limit(); limit >= 0 && size > limit {
		file.Close()
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", formats.ErrTooLarge, size, limit)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	if bytes.Equal(head, oleMagic) {
		err := describeOLE(file)
		file.Close()
		return nil, err
	}
	if !bytes.HasPrefix(head, zipMagic) {
		file.Close()
		return nil, fmt.Errorf("%w: not an XLSX file (no zip signature)", formats.ErrUnsupportedFormat)
	}
	zr, err := zip.NewReader(file, size)
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("%w: not a valid zip package: %v", formats.ErrCorrupt, err)
	}
	lim := limitsFor(opts.Limit(), size)
	if err := checkPackage(zr, lim); err != nil {
		file.Close()
		return nil, err
	}
	parts, err := sheetParts(zr)
	if err != nil {
		file.Close()
		return nil, err
	}
	if err := checkPart(findPart(zr, "xl/sharedStrings.xml")); err != nil {
		file.Close()
		return nil, err
	}

	f, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit:    lim.unzip,
		UnzipXMLSizeLimit: xmlPartLimit,
	})
	if err != nil {
		if f != nil {
			f.Close() // temporary files made before the failure
		}
		file.Close()
		return nil, openError(err)
	}
	src := &rowSource{file: file, zr: zr, f: f}
	r, err := src.init(parts, size, opts)
	if err != nil {
		src.Close()
		return nil, err
	}
	return r, nil
}

// describeOLE explains an OLE2 compound file given to the XLSX reader: an
// encrypted XLSX is one, and so is a legacy .xls.
func describeOLE(ra io.ReaderAt) error {
	doc, err := mscfb.New(ra)
	if err != nil {
		return fmt.Errorf("%w: an OLE2 compound file, not an XLSX zip package", formats.ErrUnsupportedFormat)
	}
	for _, f := range doc.File {
		if f.Name == "EncryptedPackage" || f.Name == "EncryptionInfo" {
			return fmt.Errorf("%w: the XLSX workbook is encrypted with a password; remove the password in Excel and try again",
				formats.ErrEncrypted)
		}
	}
	return fmt.Errorf("%w: an OLE2 compound file (a legacy .xls?), not an XLSX zip package", formats.ErrUnsupportedFormat)
}

func openError(err error) error {
	switch {
	case errors.Is(err, excelize.ErrWorkbookPassword):
		return fmt.Errorf("%w: %v", formats.ErrEncrypted, err)
	case strings.Contains(err.Error(), "unzip size exceeds"):
		// checkPackage refuses these first; excelize's error has no type.
		return fmt.Errorf("%w: %v", formats.ErrTooLarge, err)
	}
	return fmt.Errorf("%w: %v", formats.ErrCorrupt, err)
}

// rowSource streams the rows of one sheet through excelize and gives the
// cells their types with a cellScanner over the same part.
type rowSource struct {
	file     *os.File
	zr       *zip.Reader
	f        *excelize.File
	rows     *excelize.Rows
	scan     *cellScanner
	sheet    string
	row      int  // number of the row excelize is on
	done     bool // the sheet has ended, or cannot be read further
	date1904 bool
	kinds    map[int]workbook.Kind // style index → kind of its number format
}

func (s *rowSource) init(parts []sheetPart, size int64, opts *formats.Options) (formats.Reader, error) {
	names := s.f.GetSheetList()
	partOf := make(map[string]sheetPart, len(parts))
	for _, p := range parts {
		partOf[p.name] = p
	}
	i, err := workbook.ChooseSheet(names, opts, func(i int) bool {
		p, ok := partOf[names[i]]
		return ok && p.visible() && (p.relType == "" || p.isWorksheet())
	})
	if err != nil {
		return nil, err
	}
	s.sheet = names[i]
	part := partOf[s.sheet]
	// Before excelize decodes the sheet, make sure no token in it would
	// cost more memory than the file is worth.
	if part.part != nil {
		err = checkPart(part.part)
	} else {
		for _, f := range s.zr.File {
			if err == nil && strings.HasPrefix(strings.ToLower(f.Name), "xl/worksheets/") {
				err = checkPart(f)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", s.sheet, err)
	}

	if props, err := s.f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	s.kinds = make(map[int]workbook.Kind)

	info := formats.Info{Format: "xlsx", Sheet: s.sheet, Sheets: names, Size: size}
	var lastRow int
	if dim, err := s.f.GetSheetDimension(s.sheet); err == nil {
		lastRow = lastRowOf(dim)
	}
	if s.rows, err = s.f.Rows(s.sheet); err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %v", formats.ErrCorrupt, s.sheet, err)
	}
	if part.part != nil {
		if rc, err := part.part.Open(); err == nil {
			s.scan = newCellScanner(rc)
		}
	}
	if s.scan == nil {
		workbook.AddNotice(&info, formats.Notice{Message: "the cell types of this sheet could not be read: " +
			"dates are shown as serial numbers and booleans as 1 and 0"})
	}
	var headerRow int
	if opts != nil {
		headerRow = opts.HeaderRow
	}
	return workbook.NewReader(s, workbook.Config{Info: info, HeaderRow: headerRow, LastRow: lastRow})
}

// lastRowOf returns the last row of a dimension reference such as "A1:K200".
func lastRowOf(ref string) int {
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	_, row, err := excelize.SplitCellName(ref)
	if err != nil {
		return 0
	}
	return row
}

// Next implements workbook.Source. A row excelize cannot decode is a
// *formats.ParseError and the next call goes on with the following row; an
// error that ends the sheet (a contained panic, the row limit) is returned
// once, and io.EOF after it.
func (s *rowSource) Next() (num int, cells []string, err error) {
	if s.done {
		return 0, nil, io.EOF
	}
	defer func() {
		if p := recover(); p != nil {
			s.done = true
			num, cells, err = 0, nil, &formats.ParseError{Sheet: s.sheet, Row: s.row, Err: panicError(p)}
		}
	}()
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: s.row,
				Err: fmt.Errorf("%w: %v", formats.ErrCorrupt, err)}
		}
		if len(cells) == 0 {
			continue
		}
		s.typeCells(cells)
		return s.row, cells, nil
	}
	s.done = true
	if err := s.rows.Error(); err != nil {
		return 0, nil, &formats.ParseError{Sheet: s.sheet, Row: s.row + 1,
			Err: fmt.Errorf("%w: %v", formats.ErrCorrupt, err)}
	}
	return 0, nil, io.EOF
}

// typeCells rewrites the raw values that need their type: booleans become
// TRUE and FALSE, numbers with a date format ISO 8601 dates, and numbers
// carrying binary noise are rounded to the 15 digits Excel shows.
func (s *rowSource) typeCells(cells []string) {
	for _, c := range s.scan.cellsOf(s.row) {
		if c.col < 1 || c.col > len(cells) || cells[c.col-1] == "" {
			continue
		}
		v := &cells[c.col-1]
		switch c.typ {
		case typeBool:
			switch *v {
			case "1":
				*v = "TRUE"
			case "0":
				*v = "FALSE"
			}
		case typeDate:
			*v = isoDate(*v)
		case typeNumber:
			if kind := s.kind(c.style); kind != workbook.Number {
				if f, err := strconv.ParseFloat(strings.TrimSpace(*v), 64); err == nil {
					if text, ok := workbook.FormatSerial(f, s.date1904, kind); ok {
						*v = text
						continue
					}
				}
			}
			*v = workbook.CleanNumber(*v)
		}
	}
}

// kind returns the kind of the number format of a cell style, looked up
// once per style.
func (s *rowSource) kind(style int) workbook.Kind {
	if style <= 0 {
		return workbook.Number
	}
	if k, ok := s.kinds[style]; ok {
		return k
	}
	k := workbook.Number
	if st, err := s.f.GetStyle(style); err == nil && st != nil {
		switch {
		case st.CustomNumFmt != nil:
			k = workbook.FormatKind(*st.CustomNumFmt)
		default:
			k = workbook.BuiltinKind(st.NumFmt)
		}
	}
	if len(s.kinds) < 1<<16 {
		s.kinds[style] = k
	}
	return k
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

// Close implements workbook.Source: it closes the row iterator, the
// scanner, the package and removes excelize's temporary files.
func (s *rowSource) Close() error {
	var errs []error
	if s.rows != nil {
		// Rows.Close repeats an iteration error, which Next has reported.
		if err := s.rows.Close(); err != nil && err != s.rows.Error() {
			errs = append(errs, err)
		}
		s.rows = nil
	}
	errs = append(errs, s.scan.Close())
	s.scan = nil
	if s.f != nil {
		errs = append(errs, s.f.Close())
		s.f = nil
	}
	if s.file != nil {
		errs = append(errs, s.file.Close())
		s.file = nil
	}
	return errors.Join(errs...)
}
