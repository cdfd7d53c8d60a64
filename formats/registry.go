package formats

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Format describes a file format to the registry: its name, how its
// content is recognised, and its reader, its writer or both. A format
// package registers its Format from init, as image.RegisterFormat does,
// and importing github.com/crmio/crmio/formats/all registers every format
// crmio ships.
//
// Detection never looks at a file's name, only at its content: Magic and
// Match decide. Detect asks the registered formats in the order they
// registered, the Fallback ones last.
type Format struct {
	// Name is the format's short name ("csv", "xlsx", "vcf"): what Detect
	// returns, what Info.Format says and what an export names.
	Name string
	// Extensions are the file name extensions the format is saved under,
	// with their dot (".vcf", ".vcard"), the first the usual one. A tool
	// picks a writer from an output file's name with ForExtension; reading
	// never looks at them.
	Extensions []string

	// Magic lists the byte prefixes the format's content starts with; a
	// "?" matches any one byte, as in image.RegisterFormat. Content that
	// starts with none of them is not the format. Empty: Match alone
	// decides.
	Magic []string
	// Match, when set, decides whether a Sample is the format, after a
	// Magic prefix matched (when Magic is set). Match must not keep the
	// Sample, and must answer from Head alone when File is nil: a format
	// with NeedsFile may answer "maybe" (true) then, and is asked again
	// once the stream is in a file.
	Match func(s *Sample) bool
	// NeedsFile says the Opener reads the content at random, as a workbook
	// is read: it is given Input.Path, a stream being copied to a
	// temporary file first.
	NeedsFile bool
	// Fallback formats are asked after all the others: CSV, which claims
	// any text, is one, so that a text format with a signature of its own
	// (vCard's BEGIN:VCARD) is found first.
	Fallback bool
	// Formulas says that a spreadsheet may run the format's text cells as
	// formulas, as it does with CSV: exports guard such cells against CSV
	// injection (exporter.Neutralize), and Open strips that guard again
	// unless Options.KeepFormulaGuard is set.
	Formulas bool

	// Open reads the format; nil for a format that is only written (PDF).
	Open Opener
	// NewWriter writes the format; nil for a format that is only read.
	NewWriter NewWriterFunc
}

// Sample is what a Format's Match examines.
type Sample struct {
	// Head is the start of the content: its first 8 KiB, or all of it when
	// it is shorter.
	Head []byte
	// File reads the whole content at random, when it is known: a file on
	// disk, a stream copied to one. Nil while only a stream's Head is.
	File io.ReaderAt
	// Size is the content's length in bytes, -1 when unknown.
	Size int64
}

// NewWriterFunc returns a Writer of a format writing to w. opts are the
// format's own options (*csv.WriterOptions for CSV, ...), or nil for its
// defaults; options of another type are an error. Writes adapts a typed
// constructor.
type NewWriterFunc func(w io.Writer, opts any) (Writer, error)

// Writes adapts a writer constructor that takes its own options type to a
// NewWriterFunc:
//
//	formats.Register(formats.Format{Name: "csv", NewWriter: formats.Writes(csv.NewWriter), ...})
//
// The NewWriterFunc accepts nil and *O, and fails for options of any other
// type.
func Writes[O any, W Writer](newWriter func(io.Writer, *O) (W, error)) NewWriterFunc {
	return func(w io.Writer, opts any) (Writer, error) {
		var o *O
		switch v := opts.(type) {
		case nil:
		case *O:
			o = v
		default:
			return nil, fmt.Errorf("formats: writer options of type %T given to a writer that takes %T", opts, o)
		}
		fw, err := newWriter(w, o)
		if err != nil {
			return nil, err
		}
		return fw, nil
	}
}

var (
	registryMu sync.RWMutex
	registry   []*Format // in registration order
)

// Register makes a format available: Detect recognises it, Open and
// NewReader read it when it has an Open, NewWriter writes it when it has a
// NewWriter. Format packages call it from init. Register panics, as
// database/sql.Register does, for a name registered twice, a format with
// neither Open nor NewWriter, and a readable format with neither Magic
// nor Match (it could never be recognised).
func Register(f Format) {
	switch {
	case strings.TrimSpace(f.Name) == "":
		panic("formats: Register of a format without a name")
	case f.Open == nil && f.NewWriter == nil:
		panic("formats: Register " + f.Name + ": the format has neither Open nor NewWriter")
	case f.Open != nil && len(f.Magic) == 0 && f.Match == nil:
		panic("formats: Register " + f.Name + ": a readable format needs Magic or Match to be recognised")
	}
	f.Extensions = slices.Clone(f.Extensions)
	f.Magic = slices.Clone(f.Magic)
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, g := range registry {
		if g.Name == f.Name {
			panic("formats: Register called twice for " + f.Name)
		}
	}
	registry = append(registry, &f)
}

// Registered returns the names of the registered formats, sorted.
func Registered() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, len(registry))
	for i, f := range registry {
		names[i] = f.Name
	}
	slices.Sort(names)
	return names
}

// Lookup returns the registered format named name.
func Lookup(name string) (Format, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	for _, f := range registry {
		if f.Name == name {
			return *f, true
		}
	}
	return Format{}, false
}

// ForExtension returns the registered format saved under the file name
// extension ext (".vcf"; the dot is optional, case is ignored): the one
// that lists it, or else the one named like it.
func ForExtension(ext string) (Format, bool) {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	if ext == "" {
		return Format{}, false
	}
	registryMu.RLock()
	defer registryMu.RUnlock()
	for _, f := range registry {
		for _, e := range f.Extensions {
			if strings.ToLower(strings.TrimPrefix(e, ".")) == ext {
				return *f, true
			}
		}
	}
	for _, f := range registry {
		if f.Name == ext {
			return *f, true
		}
	}
	return Format{}, false
}

// NewWriter returns a Writer of the registered format named name, writing
// to w; opts are the format's own options or nil (see NewWriterFunc). A
// format that is not registered, or is only read, is an error wrapping
// ErrUnsupportedFormat.
func NewWriter(name string, w io.Writer, opts any) (Writer, error) {
	f, ok := Lookup(name)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: no format %q is registered (registered: %s)", ErrUnsupportedFormat, name, strings.Join(Registered(), ", "))
	case f.NewWriter == nil:
		return nil, fmt.Errorf("%w: format %q is read, not written", ErrUnsupportedFormat, name)
	}
	return f.NewWriter(w, opts)
}

// matches reports whether s is format f.
func (f *Format) matches(s *Sample) bool {
	if len(f.Magic) > 0 && !slices.ContainsFunc(f.Magic, func(m string) bool { return hasMagic(s.Head, m) }) {
		return false
	}
	return f.Match == nil || f.Match(s)
}

// hasMagic reports whether head starts with magic, "?" matching any byte.
func hasMagic(head []byte, magic string) bool {
	if len(head) < len(magic) {
		return false
	}
	for i := 0; i < len(magic); i++ {
		if magic[i] != '?' && magic[i] != head[i] {
			return false
		}
	}
	return true
}

// identify returns the format s is: a registered readable format (in
// registration order, the Fallback ones last), or else one of crmio's own
// formats whose package is not imported, so that opening it can say which
// to import. registered is false for the latter.
func identify(s *Sample) (f Format, registered, ok bool) {
	registryMu.RLock()
	formats := make([]*Format, 0, len(registry))
	for _, g := range registry {
		if g.Open != nil {
			formats = append(formats, g)
		}
	}
	registryMu.RUnlock()
	isRegistered := func(name string) bool {
		return slices.ContainsFunc(formats, func(g *Format) bool { return g.Name == name })
	}
	for _, fallback := range []bool{false, true} {
		for _, g := range formats {
			if g.Fallback == fallback && g.matches(s) {
				return *g, true, true
			}
		}
		for i := range builtin {
			if g := &builtin[i]; g.Fallback == fallback && !isRegistered(g.Name) && g.matches(s) {
				return *g, false, true
			}
		}
	}
	return Format{}, false, false
}

// builtin are the formats crmio ships, as formats knows them to recognise
// them when their package is not imported: Open then says which to import.
// The packages register the same sniffing, with their reader and writer.
var builtin = []Format{
	{Name: "xls", Magic: []string{OLE2Magic}, NeedsFile: true},
	{Name: "xlsx", Match: ZipHolds("xl/workbook.xml"), NeedsFile: true},
	{Name: "vcf", Match: TextStartsWith("BEGIN:VCARD"), NeedsFile: true},
	{Name: "csv", Match: LooksLikeText, Fallback: true},
}

// importHint is the error for a format recognised but not registered.
func importHint(name string) error {
	pkg := name
	if name == "vcf" {
		pkg = "vcard"
	}
	return fmt.Errorf("formats: %s recognised but not registered: import _ \"github.com/crmio/crmio/formats/%s\" (or formats/all)", name, pkg)
}
