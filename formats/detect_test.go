package formats_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio/formats"
)

// zipOf builds a zip archive holding the named entries (stored, so that a
// mimetype entry comes first and uncompressed, as OpenDocument requires).
func zipOf(t testing.TB, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(entries[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func detect(data []byte) (string, error) {
	return formats.Detect(bytes.NewReader(data), int64(len(data)))
}

func TestDetect(t *testing.T) {
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	utf16le := func(s string) []byte {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return b
	}
	ole2 := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...)

	for _, c := range []struct {
		name   string
		data   []byte
		format string // "" when an error naming found is expected
		found  string
	}{
		{"csv", []byte("Name,Email\nAnn,a@example.com\n"), "csv", ""},
		{"csv with UTF-8 BOM", []byte("\xef\xbb\xbfName;Email\n"), "csv", ""},
		{"csv in UTF-16 with BOM (NUL bytes)", utf16le("Name\tEmail\r\nAnn\ta@example.com\r\n"), "csv", ""},
		{"csv in UTF-16 without BOM", utf16le("Name,Email\nAnn,a@example.com\n")[2:], "csv", ""},
		{"csv in Windows-1252", []byte("Name\nM\xfcller\n"), "csv", ""},
		{"csv with a stray NUL", []byte("a,b,c\n\x00,2,3\n"), "csv", ""},
		{"one line without line end", []byte("Email"), "csv", ""},
		{"xlsx", zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.xml", "<workbook/>"), "xlsx", ""},
		{"xlsx, workbook not first", zipOf(t, "xl/worksheets/sheet1.xml", "<worksheet/>", "xl/workbook.xml", "<workbook/>"), "xlsx", ""},
		{"xls (OLE2)", ole2, "xls", ""},
		{"empty", nil, "", "empty file"},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "", "PDF document"},
		{"ODS", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<office:document-content/>"), "", "ODS spreadsheet"},
		{"ODT", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<x/>"), "", "OpenDocument file (application/vnd.oasis.opendocument.text)"},
		{"XLSB", zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.bin", "\x83\x01"), "", "XLSB workbook"},
		{"DOCX", zipOf(t, "[Content_Types].xml", "<Types/>", "word/document.xml", "<w:document/>"), "", "Word document (DOCX)"},
		{"PPTX", zipOf(t, "ppt/presentation.xml", "<p/>"), "", "PowerPoint presentation"},
		{"zip of a CSV", zipOf(t, "contacts.csv", "a,b\n"), "", "zip archive (holding contacts.csv)"},
		{"empty zip", zipOf(t), "", "empty zip archive"},
		{"zip of many files", zipOf(t, "export/", "", "export/a.csv", "", "export/b.csv", "", "export/c.csv", "", "export/d.csv", ""), "", "zip archive of 4 files (export/a.csv, export/b.csv, export/c.csv, ...)"},
		{"Excel 2003 XML", []byte("<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"), "", "Excel 2003 XML spreadsheet"},
		{"other XML", []byte("<?xml version=\"1.0\"?><contacts/>"), "", "XML document"},
		{"HTML", []byte("\n<!DOCTYPE html>\n<html><body><table>"), "", "HTML document"},
		{"HTML saved as .xls by Excel", []byte("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">"), "", "HTML document"},
		{"HTML in UTF-16", utf16le("<html><table><tr><td>a</td></tr></table></html>"), "", "HTML document"},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "", "PNG image"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "", "JPEG image"},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), "", "GIF image"},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "", "gzip-compressed file"},
		{"SQLite", append([]byte("SQLite format 3\x00"), make([]byte, 84)...), "", "SQLite database"},
		{"Excel 4.0 (BIFF4)", []byte("\x09\x04\x06\x00\x00\x00\x10\x00\xd3\x10"), "", "Excel 2.x-4.0 workbook"},
		{"random binary data", random, "", "binary data"},
		{"NULs", make([]byte, 100), "", "binary data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			format, err := detect(c.data)
			if c.format != "" {
				if err != nil || format != c.format {
					t.Errorf("Detect = %q, %v; want %q", format, err, c.format)
				}
				return
			}
			if !errors.Is(err, formats.ErrUnsupportedFormat) || !strings.Contains(err.Error(), c.found) {
				t.Errorf("Detect = %q, %v; want ErrUnsupportedFormat naming %q", format, err, c.found)
			}
		})
	}

	t.Run("damaged zip", func(t *testing.T) {
		_, err := detect([]byte("PK\x03\x04 truncated"))
		if !errors.Is(err, formats.ErrCorrupt) {
			t.Errorf("err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("truncated xlsx goes to the xlsx opener", func(t *testing.T) {
		data := zipOf(t, "xl/workbook.xml", "<workbook/>", "xl/worksheets/sheet1.xml", strings.Repeat("<row/>", 100))
		if format, err := detect(data[:len(data)-30]); format != "xlsx" {
			t.Errorf("Detect = %q, %v", format, err)
		}
	})
}

// TestDetectCorpus identifies the real workbooks and text files of the
// shared corpus: each extension has its expected answer, and the files
// that are not what their name says are listed with theirs.
func TestDetectCorpus(t *testing.T) {
	root := corpusDir(t)
	exceptions := map[string]string{
		// Encrypted OOXML workbooks are OLE2 containers: the xls opener
		// reports them as encrypted.
		"apache-poi/poifs/60320-protected.xlsx":                                      "xls",
		"apache-poi/poifs/extenxls_pwd123.xlsx":                                      "xls",
		"apache-poi/poifs/protect.xlsx":                                              "xls",
		"apache-poi/poifs/protected_sha512.xlsx":                                     "xls",
		"apache-poi/spreadsheet/protected_passtika.xlsx":                             "xls",
		"apache-poi/spreadsheet/protected_passtika.xlsb":                             "xls",
		"excelize/test/encryptAES.xlsx":                                              "xls",
		"excelize/test/encryptSHA1.xlsx":                                             "xls",
		"apache-poi/spreadsheet/crash-9bf3cd4bd6f50a8a9339d363c2c7af14b536865c.xlsx": "xls",
		// Broken or foreign content under a workbook's name.
		"apache-poi/openxml4j/invalid.xlsx":                                                          "empty zip archive",
		"apache-poi/spreadsheet/clusterfuzz-testcase-minimized-POIFuzzer-5040805309710336.xlsx":      "Word document",
		"apache-poi/spreadsheet/clusterfuzz-testcase-minimized-XLSX2CSVFuzzer-5636439151607808.xlsx": "damaged zip archive",
		"apache-poi/spreadsheet/testEXCEL_3.xls":                                                     "Excel 2.x-4.0 workbook",
		"apache-poi/spreadsheet/testEXCEL_4.xls":                                                     "Excel 2.x-4.0 workbook",
	}
	byExtension := map[string]string{
		".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xls": "xls",
		".xlsb": "XLSB workbook", ".ods": "ODS spreadsheet", ".xml": "Excel 2003 XML spreadsheet",
		".csv": "csv", ".tsv": "csv", ".txt": "csv",
	}
	counts := map[string]int{}
	for _, sub := range []string{"apache-poi", "excelize", "extrame-xls", "csvkit-examples", "csv-spectrum", "thunderbird-import", "roundcube-csv2vcard", "salesforce-dataloader", "w3c-csvw-tests", "vcard2csv-nbeaver"} {
		filepath.WalkDir(filepath.Join(root, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			want, ok := exceptions[rel]
			if !ok {
				want, ok = byExtension[strings.ToLower(filepath.Ext(path))]
			}
			if !ok {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			format, err := formats.Detect(f, fi.Size())
			got := format
			if err != nil {
				got = err.Error()
			}
			if got != want && !(format == "" && strings.Contains(got, want)) {
				t.Errorf("%s: %s, want %s", rel, got, want)
			}
			counts[want]++
			return nil
		})
	}
	t.Logf("detected: %v", counts)
	if counts["xlsx"] == 0 || counts["xls"] == 0 || counts["csv"] == 0 {
		t.Errorf("too few files found: %v", counts)
	}
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
	f.Add([]byte("\xff\xfea\x00,\x00b\x00"))
	f.Add([]byte("<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"))
	f.Add(zipOf(f, "xl/workbook.xml", "<workbook/>"))
	f.Add(zipOf(f, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"))
	f.Add(zipOf(f, "a.csv", "x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		format, err := detect(data)
		switch {
		case err == nil:
			if format != "csv" && format != "xlsx" && format != "xls" {
				t.Fatalf("Detect = %q without error", format)
			}
		case format != "":
			t.Fatalf("Detect = %q with error %v", format, err)
		case !errors.Is(err, formats.ErrUnsupportedFormat) && !errors.Is(err, formats.ErrCorrupt):
			t.Fatalf("error %v is neither ErrUnsupportedFormat nor ErrCorrupt", err)
		}
	})
}
