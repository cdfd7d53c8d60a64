package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf16"
)

// document writes a PDF file as it goes: each page is written out when it
// is complete, so memory stays flat however many pages there are. What
// the pages share is written at the end: the fonts, subset to the glyphs
// the pages used, the page tree, and the page count, which each page's
// footer shows through a form XObject ("Page 3 of " then the XObject)
// whose content is only known then.
type document struct {
	out     *bufio.Writer
	written int64
	err     error
	offsets []int64 // by object number; 0 = not yet written

	// Objects whose numbers the pages refer to before they are written.
	catalog, pages, resources, info, pageCount int
	fonts                                      []*docFont

	pageIDs []int
	content bytes.Buffer // the page being drawn
	zbuf    bytes.Buffer
	zw      *zlib.Writer
	pageW   float64 // points
	pageH   float64
}

// docFont is a font of the document: F1, F2, ...
type docFont struct {
	ttf  *ttf
	name string // resource name
	id   int    // the Type0 font object
}

func newDocument(w io.Writer) *document {
	d := &document{out: bufio.NewWriterSize(w, 64<<10), offsets: []int64{0}}
	d.zw, _ = zlib.NewWriterLevel(&d.zbuf, zlib.BestSpeed)
	d.catalog, d.pages, d.resources, d.info, d.pageCount = d.newObject(), d.newObject(), d.newObject(), d.newObject(), d.newObject()
	d.write("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	return d
}

func (d *document) addFont(t *ttf) *docFont {
	f := &docFont{ttf: t, name: "F" + strconv.Itoa(len(d.fonts)+1), id: d.newObject()}
	d.fonts = append(d.fonts, f)
	return f
}

// newObject reserves an object number.
func (d *document) newObject() int {
	d.offsets = append(d.offsets, 0)
	return len(d.offsets) - 1
}

func (d *document) write(s string) {
	if d.err != nil {
		return
	}
	n, err := d.out.WriteString(s)
	d.written += int64(n)
	d.err = err
}

func (d *document) writeBytes(b []byte) {
	if d.err != nil {
		return
	}
	n, err := d.out.Write(b)
	d.written += int64(n)
	d.err = err
}

// object writes object id with the dictionary or value body.
func (d *document) object(id int, body string) {
	d.offsets[id] = d.written
	d.write(strconv.Itoa(id) + " 0 obj\n" + body + "\nendobj\n")
}

// stream writes object id as a stream of data, compressed; dict holds the
// entries besides /Length and /Filter.
func (d *document) stream(id int, dict string, data []byte) {
	d.zbuf.Reset()
	d.zw.Reset(&d.zbuf)
	d.zw.Write(data)
	d.zw.Close()
	d.offsets[id] = d.written
	d.write(strconv.Itoa(id) + " 0 obj\n<< " + dict + " /Filter /FlateDecode /Length " + strconv.Itoa(d.zbuf.Len()) + " >>\nstream\n")
	d.writeBytes(d.zbuf.Bytes())
	d.write("\nendstream\nendobj\n")
}

// beginPage starts a page of w × h points.
func (d *document) beginPage(w, h float64) {
	d.pageW, d.pageH = w, h
	d.content.Reset()
}

// endPage writes the page drawn since beginPage.
func (d *document) endPage() {
	content, page := d.newObject(), d.newObject()
	d.stream(content, "", d.content.Bytes())
	d.object(page, "<< /Type /Page /Parent "+ref(d.pages)+" /MediaBox [0 0 "+num(d.pageW)+" "+num(d.pageH)+"] /Resources "+ref(d.resources)+" /Contents "+ref(content)+" >>")
	d.pageIDs = append(d.pageIDs, page)
}

// finish writes what the pages share, the cross-reference table and the
// trailer, and flushes.
func (d *document) finish(title string, created time.Time, pageCountFont *docFont, pageCountSize float64) error {
	// The page count, drawn by every footer.
	var pc bytes.Buffer
	pc.WriteString("BT /" + pageCountFont.name + " " + num(pageCountSize) + " Tf 0 0 Td ")
	pc.Write(appendString(nil, pageCountFont.ttf.encode(nil, strconv.Itoa(len(d.pageIDs)))))
	pc.WriteString(" Tj ET")
	fontRes := "<<"
	for _, f := range d.fonts {
		fontRes += " /" + f.name + " " + ref(f.id)
	}
	fontRes += " >>"
	d.stream(d.pageCount, "/Type /XObject /Subtype /Form /BBox [-1 -5 100 20] /Resources << /Font "+fontRes+" >>", pc.Bytes())
	d.object(d.resources, "<< /Font "+fontRes+" /XObject << /NB "+ref(d.pageCount)+" >> >>")

	for i, f := range d.fonts {
		if err := d.writeFont(f, i); err != nil {
			return err
		}
	}
	var kids bytes.Buffer
	for _, id := range d.pageIDs {
		kids.WriteString(ref(id))
		kids.WriteByte(' ')
	}
	d.object(d.pages, "<< /Type /Pages /Kids ["+kids.String()+"] /Count "+strconv.Itoa(len(d.pageIDs))+" >>")
	d.object(d.catalog, "<< /Type /Catalog /Pages "+ref(d.pages)+" >>")
	d.object(d.info, "<< /Title "+textString(title)+" /Creator (crmio) /Producer (crmio formats/pdf) /CreationDate "+dateString(created)+
		" /ModDate "+dateString(created)+" >>")

	xref := d.written
	d.write("xref\n0 " + strconv.Itoa(len(d.offsets)) + "\n0000000000 65535 f \n")
	for _, off := range d.offsets[1:] {
		d.write(fmt.Sprintf("%010d 00000 n \n", off))
	}
	d.write("trailer\n<< /Size " + strconv.Itoa(len(d.offsets)) + " /Root " + ref(d.catalog) + " /Info " + ref(d.info) +
		" >>\nstartxref\n" + strconv.FormatInt(xref, 10) + "\n%%EOF\n")
	if d.err == nil {
		d.err = d.out.Flush()
	}
	return d.err
}

// writeFont embeds a font as a Type0 font with Identity-H encoding, whose
// strings are glyph ids: a subset of its glyphs, their widths, and the
// map back to text.
func (d *document) writeFont(f *docFont, n int) error {
	t := f.ttf
	program, err := t.subset()
	if err != nil {
		return err
	}
	cid, desc, file, toUni := d.newObject(), d.newObject(), d.newObject(), d.newObject()
	name := t.tag(strconv.Itoa(n)) + "+" + t.psName
	d.stream(file, "/Length1 "+strconv.Itoa(len(program)), program)
	scale := func(v int16) string { return strconv.Itoa(t.units1000(int(v))) }
	flags := 32 // nonsymbolic
	if t.italic {
		flags |= 64
	}
	d.object(desc, "<< /Type /FontDescriptor /FontName /"+name+" /Flags "+strconv.Itoa(flags)+
		" /FontBBox ["+scale(t.bbox[0])+" "+scale(t.bbox[1])+" "+scale(t.bbox[2])+" "+scale(t.bbox[3])+"]"+
		" /ItalicAngle 0 /Ascent "+scale(t.ascent)+" /Descent "+scale(t.descent)+" /CapHeight "+scale(t.capH)+
		" /StemV 80 /FontFile2 "+ref(file)+" >>")
	d.object(cid, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /"+name+
		" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor "+ref(desc)+
		" /DW "+strconv.Itoa(t.units1000(int(t.advances[0])))+" /W "+t.widthsArray()+" /CIDToGIDMap /Identity >>")
	d.stream(toUni, "", t.toUnicode())
	d.object(f.id, "<< /Type /Font /Subtype /Type0 /BaseFont /"+name+" /Encoding /Identity-H /DescendantFonts ["+ref(cid)+"] /ToUnicode "+ref(toUni)+" >>")
	return d.err
}

func ref(id int) string { return strconv.Itoa(id) + " 0 R" }

// num formats a coordinate or size with at most two decimals.
func num(v float64) string { return string(appendNum(nil, v)) }

func appendNum(b []byte, v float64) []byte {
	n := int64(v*100 + 0.5)
	if v < 0 {
		n = int64(v*100 - 0.5)
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	if frac := n % 100; frac != 0 {
		b = append(b, '.', byte('0'+frac/10))
		if frac%10 != 0 {
			b = append(b, byte('0'+frac%10))
		}
	}
	return b
}

// appendString appends a PDF literal string of raw bytes (glyph ids).
func appendString(b, s []byte) []byte {
	b = append(b, '(')
	for _, c := range s {
		switch c {
		case '(', ')', '\\':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return append(b, ')')
}

// textString is a PDF text string (for metadata): UTF-16 with a byte
// order mark, as a hex string.
func textString(s string) string {
	var b bytes.Buffer
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// dateString is a PDF date: (D:20250102030400+01'00').
func dateString(t time.Time) string {
	_, offset := t.Zone()
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("(D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, offset/3600, offset/60%60)
}
