package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/units"
)

// Expansion limits. A workbook is a zip archive: a few megabytes can
// inflate to gigabytes. The reader inflates only the parts it reads (the
// workbook, its relationships, the styles, the shared strings and the one
// sheet), streams the sheet and holds the rest in memory, and checks the
// sizes the zip directory declares before it inflates any (archive/zip
// then fails a part that inflates to more than it declared).
const (
	// expandPerByte bounds what the parts read may expand to: ten times
	// the size limit (Options.MaxSize), 1000 MiB for the default 100 MiB.
	expandPerByte = 10
	// maxExpand is the bound without a size limit.
	maxExpand = 4 << 30
	// maxRatio bounds how many times a part larger than ratioFloor may
	// expand. Real workbooks' parts expand 5 to 50 times (the corpus'
	// most: 51 for a table of repeated strings); the "zip bomb" workbooks
	// made to exhaust readers expand hundreds of times.
	maxRatio   = 100
	ratioFloor = 16 << 20
	// smallPartLimit bounds the workbook, relationships and styles parts,
	// which are decoded whole.
	smallPartLimit = 16 << 20
	// sharedStringsPerByte bounds the shared strings, held in memory,
	// relative to the file: eight times its size, at least minSharedStrings.
	sharedStringsPerByte = 8
	minSharedStrings     = 64 << 20
)

// limits are the expansion limits derived from the input's size limit and
// size.
type limits struct {
	expand        int64 // total uncompressed bytes of the parts read
	sharedStrings int64 // uncompressed bytes of the shared strings part
}

func limitsFor(sizeLimit, size int64) limits {
	l := limits{expand: maxExpand}
	if sizeLimit >= 0 {
		l.expand = min(sizeLimit*expandPerByte, maxExpand)
	}
	l.sharedStrings = min(max(size*sharedStringsPerByte, minSharedStrings), l.expand)
	return l
}

// checkExpansion refuses, from the zip directory alone, parts that would
// expand beyond the limits. what names each part for the message.
func checkExpansion(lim limits, parts []*zip.File, what []string) error {
	var total uint64
	for i, f := range parts {
		if f == nil {
			continue
		}
		size := f.UncompressedSize64
		if size > ratioFloor && size > maxRatio*max(f.CompressedSize64, 1) {
			return fmt.Errorf("%w: %s (%s) expands to %s from %s, %d times; no spreadsheet expands more than %d times, this is a zip bomb",
				formats.ErrTooLarge, what[i], f.Name, units.Size(int64(min(size, 1<<62))), units.Size(int64(f.CompressedSize64)),
				size/max(f.CompressedSize64, 1), maxRatio)
		}
		total += size
		if total > uint64(lim.expand) {
			return fmt.Errorf("%w: its parts expand to more than %s (ten times the size limit; a larger limit admits it)",
				formats.ErrTooLarge, units.Size(lim.expand))
		}
	}
	return nil
}

// sheetPart is a sheet as the package's workbook part declares it.
type sheetPart struct {
	name    string
	state   string // "", "visible", "hidden", "veryHidden"
	relType string // ".../worksheet", ".../chartsheet", ...
	part    *zip.File
}

func (s sheetPart) isWorksheet() bool {
	return strings.HasSuffix(s.relType, "/worksheet")
}

func (s sheetPart) visible() bool {
	return s.state == "" || s.state == "visible"
}

// checkPackage refuses zips that are not spreadsheets, naming what they
// are.
func checkPackage(zr *zip.Reader) error {
	names := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		names[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = true
	}
	switch {
	case names["xl/workbook.xml"] || names["_rels/.rels"] && officeDocumentIsWorkbook(zr):
		return nil
	case names["xl/workbook.bin"]:
		return fmt.Errorf("%w: an Excel binary workbook (.xlsb); save it as .xlsx", formats.ErrUnsupportedFormat)
	case names["word/document.xml"]:
		return fmt.Errorf("%w: a Word document (.docx), not a spreadsheet", formats.ErrUnsupportedFormat)
	case names["ppt/presentation.xml"]:
		return fmt.Errorf("%w: a PowerPoint presentation (.pptx), not a spreadsheet", formats.ErrUnsupportedFormat)
	case names["mimetype"] && names["content.xml"]:
		return fmt.Errorf("%w: an OpenDocument file (.ods); save it as .xlsx", formats.ErrUnsupportedFormat)
	}
	return fmt.Errorf("%w: a zip archive without an Excel workbook", formats.ErrUnsupportedFormat)
}

// officeDocumentIsWorkbook reports whether the package's main part is a
// workbook stored somewhere other than xl/workbook.xml.
func officeDocumentIsWorkbook(zr *zip.Reader) bool {
	rels, err := readRels(zr, "_rels/.rels")
	if err != nil {
		return false
	}
	for _, r := range rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			return strings.HasSuffix(strings.ToLower(r.Target), ".xml") && findPart(zr, resolveTarget("", r.Target)) != nil
		}
	}
	return false
}

var errNoPart = errors.New("the package has no part")

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// readRels parses a relationships part.
func readRels(zr *zip.Reader, name string) ([]relationship, error) {
	var doc struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := decodePart(zr, name, &doc); err != nil {
		return nil, err
	}
	return doc.Rels, nil
}

// decodePart decodes a small XML part, bounded by smallPartLimit.
func decodePart(zr *zip.Reader, name string, v any) error {
	f := findPart(zr, name)
	if f == nil {
		return fmt.Errorf("%w: %w %s", formats.ErrCorrupt, errNoPart, name)
	}
	if f.UncompressedSize64 > smallPartLimit {
		return fmt.Errorf("%w: part %s expands to %s; no workbook's is over %s",
			formats.ErrTooLarge, name, units.Size(int64(min(f.UncompressedSize64, 1<<62))), units.Size(smallPartLimit))
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, name, err)
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, name, err)
	}
	return nil
}

// findPart finds a part by name as excelize does: exactly, else without
// regard to case and with backslashes read as slashes.
func findPart(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			return f
		}
	}
	return nil
}

// resolveTarget resolves a relationship target against the directory of
// the part that holds the relationship.
func resolveTarget(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(dir+"/"+target), "/")
}

// book is what the package's workbook part says: its sheets, in
// workbook order, its date system, and the parts the cells need.
type book struct {
	sheets   []sheetPart
	date1904 bool
	parts    []*zip.File // the workbook part and the relationships read
	styles   *zip.File   // nil when the workbook has none
	strings  *zip.File   // nil when the workbook has none
}

// readBook reads the package's workbook part and its relationships.
func readBook(zr *zip.Reader) (*book, error) {
	b := &book{}
	workbookPath := "xl/workbook.xml"
	if rels, err := readRels(zr, "_rels/.rels"); err == nil {
		b.parts = append(b.parts, findPart(zr, "_rels/.rels"))
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				workbookPath = resolveTarget("", r.Target)
				break
			}
		}
	}
	var wb struct {
		Props struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
			// Strict OOXML uses another namespace for r:id.
			StrictRID string `xml:"http://purl.oclc.org/ooxml/officeDocument/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(zr, workbookPath, &wb); err != nil {
		return nil, err
	}
	b.parts = append(b.parts, findPart(zr, workbookPath))
	b.date1904 = wb.Props.Date1904 == "1" || strings.EqualFold(wb.Props.Date1904, "true")
	dir := path.Dir(workbookPath)
	if dir == "." {
		dir = ""
	}
	relsPath := strings.TrimPrefix(dir+"/_rels/"+path.Base(workbookPath)+".rels", "/")
	rels, err := readRels(zr, relsPath)
	if err != nil && !errors.Is(err, errNoPart) {
		return nil, err
	}
	b.parts = append(b.parts, findPart(zr, relsPath))
	byID := make(map[string]relationship, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
		switch {
		case strings.HasSuffix(r.Type, "/styles"):
			b.styles = findPart(zr, resolveTarget(dir, r.Target))
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			b.strings = findPart(zr, resolveTarget(dir, r.Target))
		}
	}
	if b.styles == nil {
		b.styles = findPart(zr, strings.TrimPrefix(dir+"/styles.xml", "/"))
	}
	if b.strings == nil {
		b.strings = findPart(zr, strings.TrimPrefix(dir+"/sharedStrings.xml", "/"))
	}
	b.sheets = make([]sheetPart, 0, len(wb.Sheets))
	for i, s := range wb.Sheets {
		id := s.RID
		if id == "" {
			id = s.StrictRID
		}
		sp := sheetPart{name: s.Name, state: s.State}
		if r, ok := byID[id]; ok {
			sp.relType = r.Type
			sp.part = findPart(zr, resolveTarget(dir, r.Target))
		} else {
			// No relationship: where Excel puts the n-th worksheet.
			sp.part = findPart(zr, strings.TrimPrefix(fmt.Sprintf("%s/worksheets/sheet%d.xml", dir, i+1), "/"))
		}
		b.sheets = append(b.sheets, sp)
	}
	return b, nil
}
