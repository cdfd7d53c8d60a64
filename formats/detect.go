package formats

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/crmio/crmio/formats/internal/sniff"
)

// sniffLen is how much of the start of the content Detect examines, besides
// a zip archive's central directory.
const sniffLen = 8 << 10

// Detect identifies content from its bytes, never from a file name. It
// asks the registered formats (see Format and Register) in the order they
// registered, the Fallback ones last, and answers the first whose Magic
// and Match accept the content. crmio's own formats are recognised also
// when their package is not imported, so that Open can name it: "xlsx"
// for a zip archive holding xl/workbook.xml, "xls" for an OLE2 compound
// file (the xls opener itself tells a workbook from an encrypted OOXML
// file or a Word document), "vcf" for text starting BEGIN:VCARD and "csv"
// for other text in any encoding the CSV reader handles.
//
// Anything else is an error wrapping ErrUnsupportedFormat that names what
// was found: "PDF document", "ODS spreadsheet", "XLSB workbook", "Word
// document (DOCX)", "zip archive", "Excel 2003 XML spreadsheet", "HTML
// document", "PNG image", "binary data", "empty file" and so on. A zip
// archive whose directory cannot be read is ErrCorrupt.
//
// Detect reads the first 8 KiB of r and what the formats' Match functions
// read (a zip archive's central directory); size is the content's length
// in bytes.
func Detect(r io.ReaderAt, size int64) (string, error) {
	if size < 0 {
		return "", errors.New("formats: Detect needs the content's size")
	}
	head := make([]byte, min(size, sniffLen))
	n, err := r.ReadAt(head, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
		return "", fmt.Errorf("formats: reading the start of the content: %w", err)
	}
	s := &Sample{Head: head, File: r, Size: size}
	if f, _, ok := identify(s); ok {
		return f.Name, nil
	}
	return "", describe(s)
}

// unsupported names what was found in an error wrapping ErrUnsupportedFormat.
func unsupported(found string) error {
	return fmt.Errorf("%w: %s", ErrUnsupportedFormat, found)
}

// magic numbers of formats that are recognised only to be refused by name.
var signatures = []struct{ prefix, found string }{
	{"%PDF-", "PDF document"},
	{"\x89PNG\r\n\x1a\n", "PNG image"},
	{"\xff\xd8\xff", "JPEG image"},
	{"GIF87a", "GIF image"},
	{"GIF89a", "GIF image"},
	{"\x1f\x8b", "gzip-compressed file"},
	{"7z\xbc\xaf\x27\x1c", "7-Zip archive"},
	{"Rar!\x1a\x07", "RAR archive"},
	{"SQLite format 3\x00", "SQLite database"},
	{"{\\rtf", "RTF document"},
	// Checked before the UTF-16 byte order marks they start with.
	{"\xff\xfe\x00\x00", "UTF-32 text"},
	{"\x00\x00\xfe\xff", "UTF-32 text"},
}

const (
	utf8BOM    = "\xef\xbb\xbf"
	utf16LEBOM = "\xff\xfe"
	utf16BEBOM = "\xfe\xff"
)

// The kinds of content classify tells apart.
const (
	kindOLE2 = "ole2"
	kindZip  = "zip"
	kindText = "text"
)

// classify tells from its first bytes what content is: an OLE2 compound
// file, a zip archive, text, or (an error naming it) something crmio does
// not read.
func classify(head []byte) (string, error) {
	if len(head) == 0 {
		return "", unsupported("empty file")
	}
	s := string(head)
	for _, sig := range signatures {
		if strings.HasPrefix(s, sig.prefix) {
			return "", unsupported(sig.found)
		}
	}
	switch {
	case strings.HasPrefix(s, OLE2Magic):
		return kindOLE2, nil
	case isZip(head):
		return kindZip, nil
	case len(s) >= 12 && s[:4] == "RIFF" && s[8:12] == "WEBP":
		return "", unsupported("WebP image")
	case isOldBIFF(head):
		return "", unsupported("Excel 2.x-4.0 workbook (a format too old to read; save it as .xlsx)")
	}

	// Text from here on, unless it is binary. Markup is judged on the text
	// decoded from UTF-16, so that a UTF-16 web page is still named.
	var text string
	switch {
	case strings.HasPrefix(s, utf16LEBOM):
		text = decodeUTF16(head[2:], false)
	case strings.HasPrefix(s, utf16BEBOM):
		text = decodeUTF16(head[2:], true)
	default:
		if bigEndian, ok := sniff.LooksUTF16(head); ok {
			text = decodeUTF16(head, bigEndian)
		} else {
			if isBinary(head) {
				return "", unsupported("binary data (not text, nor a workbook)")
			}
			text = strings.TrimPrefix(s, utf8BOM)
		}
	}
	if found := markup(text); found != "" {
		return "", unsupported(found)
	}
	return kindText, nil
}

// describe is Detect's error for content no format claims.
func describe(s *Sample) error {
	kind, err := classify(s.Head)
	switch {
	case err != nil:
		return err
	case kind == kindZip && s.File != nil:
		return describeZip(s.File, s.Size)
	case kind == kindZip:
		return unsupported("zip archive")
	case kind == kindOLE2:
		return unsupported("OLE2 compound file (an Office document crmio does not read)")
	}
	return unsupported("text no registered format reads")
}

// LooksLikeText reports whether a Sample is text a CSV reader can read:
// UTF-8, UTF-16 or a single-byte encoding, neither binary data nor a
// markup document (HTML, XML), nor a file with a known signature (PDF,
// images, archives). It is CSV's Match.
func LooksLikeText(s *Sample) bool {
	kind, err := classify(s.Head)
	return err == nil && kind == kindText
}

// TextStartsWith returns a Match for a text format whose content starts
// with prefix (ASCII), ignoring case, blank lines and spaces before it and
// a byte order mark; the text may be UTF-8 or UTF-16 (with or without a
// byte order mark). vCard's is TextStartsWith("BEGIN:VCARD").
func TextStartsWith(prefix string) func(*Sample) bool {
	return func(s *Sample) bool {
		head := s.Head
		var text string
		switch {
		case bytes.HasPrefix(head, []byte(utf16LEBOM)):
			text = decodeUTF16(head[2:min(len(head), 2+4*len(prefix)+512)], false)
		case bytes.HasPrefix(head, []byte(utf16BEBOM)):
			text = decodeUTF16(head[2:min(len(head), 2+4*len(prefix)+512)], true)
		default:
			if bigEndian, ok := sniff.LooksUTF16(head); ok {
				text = decodeUTF16(head[:min(len(head), 4*len(prefix)+512)], bigEndian)
			} else {
				text = string(bytes.TrimPrefix(head, []byte(utf8BOM)))
			}
		}
		text = strings.TrimLeft(text, " \t\r\n")
		return len(text) >= len(prefix) && strings.EqualFold(text[:len(prefix)], prefix)
	}
}

// OLE2Magic starts an OLE2 compound file: a legacy Office document, such
// as an XLS workbook.
const OLE2Magic = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

// isZip reports whether head starts like a zip archive.
func isZip(head []byte) bool {
	s := string(head[:min(len(head), 4)])
	return s == "PK\x03\x04" || s == "PK\x05\x06" || s == "PK\x07\x08"
}

// ZipHolds returns a Match for a format stored as a zip archive holding the
// entry name (compared ignoring case, with / or \\ as separator), as an
// XLSX workbook holds xl/workbook.xml. A damaged archive whose first
// entries show name matches too, so that the format's reader can say what
// is wrong with it. Without a File (a stream's head), any zip archive may
// be the format.
func ZipHolds(name string) func(*Sample) bool {
	name = strings.ToLower(name)
	return func(s *Sample) bool {
		if !isZip(s.Head) {
			return false
		}
		if s.File == nil {
			return true
		}
		zr, err := zip.NewReader(s.File, s.Size)
		if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
			return bytes.Contains(s.Head, []byte(name))
		}
		for _, f := range zr.File {
			if strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")) == name {
				return true
			}
		}
		return false
	}
}

// isOldBIFF reports whether head starts with the BOF record of a BIFF2,
// BIFF3 or BIFF4 worksheet, which Excel wrote as a bare stream before it
// used OLE2 compound files (Excel 5.0, BIFF5).
func isOldBIFF(head []byte) bool {
	return len(head) >= 8 && head[0] == 0x09 && (head[1] == 0x00 || head[1] == 0x02 || head[1] == 0x04) &&
		(head[2] == 4 || head[2] == 6) && head[3] == 0
}

// isBinary reports whether head holds control characters that text does
// not. A stray NUL or two, as some exporters leave in a CSV file, does not
// make it binary; executables, databases and compressed data have far more.
func isBinary(head []byte) bool {
	controls := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\v' && b != '\f' && b != '\r' && b != 0x1b {
			controls++
		}
	}
	return controls >= 2 && controls*50 > len(head)
}

// decodeUTF16 decodes b as UTF-16 of the given byte order; an odd last
// byte is dropped.
func decodeUTF16(b []byte, bigEndian bool) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(units))
}

// markup names the markup document text starts with, or returns "".
func markup(text string) string {
	t := strings.TrimLeft(text, " \t\r\n\f\v")
	if !strings.HasPrefix(t, "<") {
		return ""
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "<?xml"):
		switch {
		case strings.Contains(lower, "urn:schemas-microsoft-com:office:spreadsheet"),
			strings.Contains(lower, `progid="excel.sheet"`):
			return "Excel 2003 XML spreadsheet"
		case strings.Contains(lower, "<html"):
			return "HTML document"
		}
		return "XML document"
	case strings.HasPrefix(lower, "<workbook"):
		return "Excel 2003 XML spreadsheet"
	}
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<style", "<title"} {
		if strings.HasPrefix(lower, tag) {
			return "HTML document"
		}
	}
	if strings.HasPrefix(lower, "<!--") && (strings.Contains(lower, "<html") || strings.Contains(lower, "<table")) {
		return "HTML document"
	}
	return ""
}

// describeZip names a zip archive no format claims by the names in its
// central directory.
func describeZip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return fmt.Errorf("%w: damaged zip archive: %v", ErrCorrupt, err)
	}
	var mimetype string
	var names []string // the first few files, for the message
	files := 0
	for _, f := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		switch name {
		case "xl/workbook.xml":
			return unsupported("XLSX workbook")
		case "xl/workbook.bin":
			return unsupported("XLSB workbook (Excel binary format; save it as .xlsx)")
		case "word/document.xml":
			return unsupported("Word document (DOCX)")
		case "ppt/presentation.xml":
			return unsupported("PowerPoint presentation (PPTX)")
		case "mimetype":
			mimetype = readSmall(f)
		}
		if strings.HasSuffix(name, "/") {
			continue // a folder
		}
		if files++; len(names) < 3 {
			names = append(names, f.Name)
		}
	}
	switch {
	case mimetype == "application/vnd.oasis.opendocument.spreadsheet":
		return unsupported("ODS spreadsheet (OpenDocument; save it as .xlsx or .csv)")
	case strings.HasPrefix(mimetype, "application/vnd.oasis.opendocument."):
		return unsupported("OpenDocument file (" + mimetype + ")")
	case len(names) == 0:
		return unsupported("empty zip archive")
	case files > len(names):
		return unsupported(fmt.Sprintf("zip archive of %d files (%s, ...)", files, strings.Join(names, ", ")))
	default:
		return unsupported("zip archive (holding " + strings.Join(names, ", ") + ")")
	}
}

// readSmall returns the start of a zip entry that should be a short text,
// such as an OpenDocument mimetype; "" when it cannot be read.
func readSmall(f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 128))
	return strings.TrimSpace(string(b))
}
