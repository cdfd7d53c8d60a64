package csv

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/crmio/crmio/formats/internal/sniff"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// textEncoding is a text encoding the reader can decode.
type textEncoding struct {
	name string            // canonical name, as reported in Info.Encoding
	enc  encoding.Encoding // nil for UTF-8, which is read as is
	bom  string            // the byte order mark to drop when the text starts with it
}

var (
	utf8Encoding    = textEncoding{name: "utf-8", bom: "\xef\xbb\xbf"}
	utf16LEEncoding = textEncoding{name: "utf-16le", enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bom: "\xff\xfe"}
	utf16BEEncoding = textEncoding{name: "utf-16be", enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), bom: "\xfe\xff"}
	windows1252     = textEncoding{name: "windows-1252", enc: charmap.Windows1252}
)

// encodings maps normalised names (see normaliseEncodingName) to encodings.
// "utf-16" is resolved by the byte order mark in lookupEncoding.
var encodings = map[string]textEncoding{}

func init() {
	add := func(e textEncoding, aliases ...string) {
		encodings[normaliseEncodingName(e.name)] = e
		for _, a := range aliases {
			encodings[normaliseEncodingName(a)] = e
		}
	}
	add(utf8Encoding, "utf8", "ascii", "us-ascii")
	add(utf16LEEncoding, "unicode", "ucs-2le")
	add(utf16BEEncoding, "ucs-2be")
	cm := func(name string, c *charmap.Charmap, aliases ...string) {
		add(textEncoding{name: name, enc: c}, aliases...)
	}
	cm("windows-1250", charmap.Windows1250, "cp1250")
	cm("windows-1251", charmap.Windows1251, "cp1251")
	cm("windows-1252", charmap.Windows1252, "cp1252", "ansi")
	cm("windows-1253", charmap.Windows1253, "cp1253")
	cm("windows-1254", charmap.Windows1254, "cp1254")
	cm("windows-1255", charmap.Windows1255, "cp1255")
	cm("windows-1256", charmap.Windows1256, "cp1256")
	cm("windows-1257", charmap.Windows1257, "cp1257")
	cm("windows-1258", charmap.Windows1258, "cp1258")
	cm("windows-874", charmap.Windows874, "cp874")
	cm("iso-8859-1", charmap.ISO8859_1, "latin1", "l1", "iso8859-1")
	cm("iso-8859-2", charmap.ISO8859_2, "latin2", "l2")
	cm("iso-8859-3", charmap.ISO8859_3, "latin3", "l3")
	cm("iso-8859-4", charmap.ISO8859_4, "latin4", "l4")
	cm("iso-8859-5", charmap.ISO8859_5, "cyrillic")
	cm("iso-8859-6", charmap.ISO8859_6, "arabic")
	cm("iso-8859-7", charmap.ISO8859_7, "greek")
	cm("iso-8859-8", charmap.ISO8859_8, "hebrew")
	cm("iso-8859-9", charmap.ISO8859_9, "latin5", "l5")
	cm("iso-8859-10", charmap.ISO8859_10, "latin6", "l6")
	cm("iso-8859-13", charmap.ISO8859_13, "latin7", "l7")
	cm("iso-8859-14", charmap.ISO8859_14, "latin8", "l8")
	cm("iso-8859-15", charmap.ISO8859_15, "latin9", "l9", "latin0")
	cm("iso-8859-16", charmap.ISO8859_16, "latin10", "l10")
	cm("macintosh", charmap.Macintosh, "mac", "macroman", "mac-roman", "x-mac-roman")
	cm("x-mac-cyrillic", charmap.MacintoshCyrillic, "mac-cyrillic", "maccyrillic")
	cm("ibm437", charmap.CodePage437, "cp437", "437")
	cm("ibm850", charmap.CodePage850, "cp850", "850")
	cm("ibm852", charmap.CodePage852, "cp852", "852")
	cm("ibm855", charmap.CodePage855, "cp855", "855")
	cm("ibm858", charmap.CodePage858, "cp858", "858")
	cm("ibm860", charmap.CodePage860, "cp860", "860")
	cm("ibm862", charmap.CodePage862, "cp862", "862")
	cm("ibm863", charmap.CodePage863, "cp863", "863")
	cm("ibm865", charmap.CodePage865, "cp865", "865")
	cm("ibm866", charmap.CodePage866, "cp866", "866")
	cm("koi8-r", charmap.KOI8R)
	cm("koi8-u", charmap.KOI8U)
}

// normaliseEncodingName folds case and drops the separators people vary:
// "UTF-8", "utf_8" and "utf8" are one name.
func normaliseEncodingName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ', '.':
			return -1
		}
		return runeToLower(r)
	}, strings.TrimSpace(name))
}

func runeToLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// lookupEncoding resolves a name given in Options.Encoding. "utf-16" takes
// its byte order from the text's byte order mark, little-endian without one
// (as Windows writes it).
func lookupEncoding(name string, sample []byte) (textEncoding, error) {
	key := normaliseEncodingName(name)
	if key == "utf16" || key == "ucs2" {
		if strings.HasPrefix(string(sample), utf16BEEncoding.bom) {
			return utf16BEEncoding, nil
		}
		return utf16LEEncoding, nil
	}
	if e, ok := encodings[key]; ok {
		return e, nil
	}
	return textEncoding{}, fmt.Errorf("csv: unknown text encoding %q; known encodings: %s", name, strings.Join(knownEncodings(), ", "))
}

// knownEncodings lists the canonical names of the supported encodings.
func knownEncodings() []string {
	seen := map[string]bool{"utf-16": true}
	for _, e := range encodings {
		seen[e.name] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// detectEncoding identifies the encoding of text from its start: a byte
// order mark, UTF-16 without one, else UTF-8 if the sample is valid UTF-8,
// else Windows-1252 (the superset of Latin-1 that Excel writes on Western
// Windows systems). complete reports whether sample holds the whole text.
func detectEncoding(sample []byte, complete bool) textEncoding {
	s := string(sample)
	switch {
	case strings.HasPrefix(s, utf8Encoding.bom):
		return utf8Encoding
	case strings.HasPrefix(s, utf16LEEncoding.bom):
		return utf16LEEncoding
	case strings.HasPrefix(s, utf16BEEncoding.bom):
		return utf16BEEncoding
	}
	if bigEndian, ok := sniff.LooksUTF16(sample); ok {
		if bigEndian {
			return utf16BEEncoding
		}
		return utf16LEEncoding
	}
	if !complete {
		sample = trimPartialRune(sample)
	}
	if utf8.Valid(sample) {
		return utf8Encoding
	}
	return windows1252
}

// trimPartialRune drops an incomplete UTF-8 sequence cut at the end of a
// sample, so that cutting a sample does not make valid text look invalid.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}
