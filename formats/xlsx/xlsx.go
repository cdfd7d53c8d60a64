package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/richardlehane/mscfb"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/units"
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
	return open(in.Path, in.Name, opts)
}

// Open opens the XLSX workbook at path and returns a reader of one of its
// sheets, chosen by opts (nil means the first visible worksheet). Errors wrap
// the formats sentinels: ErrTooLarge, ErrEncrypted, ErrCorrupt,
// ErrUnsupportedFormat, ErrNoSheet, ErrNoHeader. The reader must be closed:
// it holds the file open.
func Open(path string, opts *formats.Options) (formats.Reader, error) {
	return open(path, filepath.Base(path), opts)
}

// open implements Open; name is the file's name for errors.
func open(path, name string, opts *formats.Options) (r formats.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, panicError(p)
		}
	}()
	return openFile(path, name, opts)
}

// panicError turns a panic into an error: a malformed file must not bring
// down the host.
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

func openFile(path, name string, opts *formats.Options) (formats.Reader, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	r, err := openPackage(file, st.Size(), file, name, opts)
	if err != nil {
		file.Close()
		return nil, err
	}
	return r, nil
}

// openPackage reads the workbook in ra, of size bytes, up to the header of
// the chosen sheet. The reader it returns closes closer.
func openPackage(ra io.ReaderAt, size int64, closer io.Closer, name string, opts *formats.Options) (formats.Reader, error) {
	if limit := opts.Limit(); limit >= 0 && size > limit {
		return nil, fmt.Errorf("%w: %s (limit %s)", formats.ErrTooLarge, units.Size(size), units.Size(limit))
	}
	head := make([]byte, 8)
	n, _ := ra.ReadAt(head, 0)
	head = head[:n]
	if bytes.Equal(head, oleMagic) {
		return nil, describeOLE(ra)
	}
	if !bytes.HasPrefix(head, zipMagic) {
		return nil, fmt.Errorf("%w: not an XLSX file (no zip signature)", formats.ErrUnsupportedFormat)
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a valid zip package: %v", formats.ErrCorrupt, err)
	}
	if err := checkPackage(zr); err != nil {
		return nil, err
	}
	b, err := readBook(zr)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = s.name
	}
	i, err := workbook.ChooseSheet(names, opts, func(i int) bool {
		s := b.sheets[i]
		return s.part != nil && s.visible() && (s.relType == "" || s.isWorksheet())
	})
	if err != nil {
		return nil, err
	}
	sheet := b.sheets[i]
	if sheet.part == nil {
		return nil, fmt.Errorf("%w: the package has no worksheet for sheet %q", formats.ErrCorrupt, sheet.name)
	}
	if sheet.relType != "" && !sheet.isWorksheet() {
		return nil, fmt.Errorf("%w: %q is a chart or dialog sheet, which holds no table", formats.ErrNoHeader, sheet.name)
	}
	lim := limitsFor(opts.Limit(), size)
	parts := append(b.parts, b.styles, b.strings, sheet.part)
	what := make([]string, len(parts))
	for i := range what {
		what[i] = "a part"
	}
	what[len(what)-3], what[len(what)-2], what[len(what)-1] = "the styles", "the shared strings", fmt.Sprintf("sheet %q", sheet.name)
	if err := checkExpansion(lim, parts, what); err != nil {
		return nil, err
	}
	if f := b.strings; f != nil && f.UncompressedSize64 > uint64(lim.sharedStrings) {
		return nil, fmt.Errorf("%w: its shared strings expand to %s, over %s (eight times the file's size)",
			formats.ErrTooLarge, units.Size(int64(min(f.UncompressedSize64, 1<<62))), units.Size(lim.sharedStrings))
	}

	info := formats.Info{Format: "xlsx", Sheet: sheet.name, Sheets: names, Size: size}
	src := &sheetSource{sheet: sheet.name, date1904: b.date1904}
	if b.strings != nil {
		if src.strings, err = readPart(b.strings, readSharedStrings); err != nil {
			return nil, err
		}
	}
	if b.styles != nil {
		if src.kinds, err = readPart(b.styles, func(r io.Reader, _ int64) ([]workbook.Kind, error) { return readStyles(r) }); err != nil {
			src.kinds = nil
			workbook.AddNotice(&info, formats.Notice{Message: "the cell formats could not be read (" + err.Error() +
				"): dates are shown as serial numbers"})
		}
	}
	rc, err := sheet.part.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %q: %v", formats.ErrCorrupt, sheet.name, err)
	}
	src.read = &countingReader{r: rc}
	src.size = int64(min(sheet.part.UncompressedSize64, 1<<62))
	src.sc, src.closer = newScanner(src.read), partCloser{rc, closer}
	dimension, err := src.start()
	if err != nil {
		rc.Close()
		return nil, err
	}
	var headerRow int
	if opts != nil {
		headerRow = opts.HeaderRow
	}
	return workbook.NewReader(src, workbook.Config{Info: info, File: name, HeaderRow: headerRow, LastRow: lastRowOf(dimension)})
}

// readPart inflates a part and reads it with read, given its size.
func readPart[T any](f *zip.File, read func(io.Reader, int64) (T, error)) (T, error) {
	var zero T
	rc, err := f.Open()
	if err != nil {
		return zero, fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	return read(rc, int64(min(f.UncompressedSize64, 1<<62)))
}

// partCloser closes a sheet's stream, then the file. The stream's Close
// repeats the error that ended reading it (a damaged deflate stream, a
// checksum), which Read has reported: only the file's error counts.
type partCloser struct{ part, file io.Closer }

func (c partCloser) Close() error {
	c.part.Close()
	return c.file.Close()
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

// lastRowOf returns the last row of a dimension reference such as "A1:K200".
func lastRowOf(ref string) int {
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	i := 0
	for i < len(ref) && (ref[i]|0x20 >= 'a' && ref[i]|0x20 <= 'z' || ref[i] == '$') {
		i++
	}
	n, ok := atoi([]byte(strings.TrimPrefix(ref[i:], "$")))
	if !ok || i == 0 || n > maxRows {
		return 0
	}
	return n
}
