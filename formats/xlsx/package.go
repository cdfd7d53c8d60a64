package xlsx

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/crmio/crmio/formats"
)

// Unzip limits. excelize keeps every part of the package in memory except
// worksheets and the shared strings larger than xmlPartLimit, which it
// extracts to temporary files; the total limit bounds that disk use and the
// time spent inflating, the memory limit bounds the parts held in memory.
const (
	xmlPartLimit   = 16 << 20  // parts above this go to temporary files
	minUnzipLimit  = 256 << 20 // even a tiny file may expand this much
	maxUnzipLimit  = 4 << 30   // no file may expand more, whatever its size
	unzipPerByte   = 16        // expansion allowed per byte of input
	minMemoryLimit = 64 << 20
	memoryPerByte  = 2
	// sharedStringsPerByte bounds the shared strings relative to the input:
	// excelize indexes each string with ~48 bytes of memory, and a shared
	// strings part of tiny strings compresses a thousandfold.
	sharedStringsPerByte = 8
)

// limits are the unzip limits derived from the input size limit.
type limits struct {
	unzip         int64 // total uncompressed bytes
	memory        int64 // uncompressed bytes of the parts held in memory
	sharedStrings int64 // uncompressed bytes of the shared strings part
}

func limitsFor(sizeLimit, size int64) limits {
	if sizeLimit < 0 {
		sizeLimit = maxUnzipLimit / unzipPerByte
	}
	l := limits{
		unzip:         clamp(sizeLimit*unzipPerByte, minUnzipLimit, maxUnzipLimit),
		memory:        clamp(sizeLimit*memoryPerByte, minMemoryLimit, maxUnzipLimit),
		sharedStrings: clamp(size*sharedStringsPerByte, minMemoryLimit, maxUnzipLimit),
	}
	return l
}

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(v, hi))
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

// checkPackage inspects the zip directory before excelize inflates anything:
// it refuses packages that would expand beyond the limits and zips that are
// not spreadsheets, naming what they are.
func checkPackage(zr *zip.Reader, lim limits) error {
	var total, inMemory uint64
	names := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		size := f.UncompressedSize64
		total += size
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		names[name] = true
		switch {
		case name == "xl/sharedstrings.xml":
			if size > uint64(lim.sharedStrings) {
				return fmt.Errorf("%w: its shared strings expand to %d bytes (limit %d)",
					formats.ErrTooLarge, size, lim.sharedStrings)
			}
			if size <= xmlPartLimit {
				inMemory += size
			}
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
			if size <= xmlPartLimit {
				inMemory += size
			}
		default:
			inMemory += size
		}
		if total > uint64(lim.unzip) {
			return fmt.Errorf("%w: it expands to more than %d bytes", formats.ErrTooLarge, lim.unzip)
		}
		if inMemory > uint64(lim.memory) {
			return fmt.Errorf("%w: its parts other than worksheets expand to more than %d bytes",
				formats.ErrTooLarge, lim.memory)
		}
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

// decodePart decodes a small XML part, bounded by xmlPartLimit.
func decodePart(zr *zip.Reader, name string, v any) error {
	f := findPart(zr, name)
	if f == nil {
		return fmt.Errorf("%w: the package has no part %s", formats.ErrCorrupt, name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, name, err)
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, xmlPartLimit))
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

// sheetParts lists the sheets of the package's workbook with their parts,
// in workbook order.
func sheetParts(zr *zip.Reader) ([]sheetPart, error) {
	workbookPath := "xl/workbook.xml"
	if rels, err := readRels(zr, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				workbookPath = resolveTarget("", r.Target)
				break
			}
		}
	}
	var wb struct {
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
	dir := path.Dir(workbookPath)
	if dir == "." {
		dir = ""
	}
	relsPath := strings.TrimPrefix(dir+"/_rels/"+path.Base(workbookPath)+".rels", "/")
	rels, err := readRels(zr, relsPath)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]relationship, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
	}
	sheets := make([]sheetPart, 0, len(wb.Sheets))
	for _, s := range wb.Sheets {
		id := s.RID
		if id == "" {
			id = s.StrictRID
		}
		sp := sheetPart{name: s.Name, state: s.State}
		if r, ok := byID[id]; ok {
			sp.relType = r.Type
			sp.part = findPart(zr, resolveTarget(dir, r.Target))
		}
		sheets = append(sheets, sp)
	}
	return sheets, nil
}
