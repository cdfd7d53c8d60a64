package vcard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/sniff"
)

func init() {
	formats.Register(formats.Format{
		Name: "vcf", Extensions: []string{".vcf", ".vcard"},
		Match: formats.TextStartsWith("BEGIN:VCARD"), NeedsFile: true,
		Open: func(in *formats.Input, opts *formats.Options) (formats.Reader, error) {
			return Open(in.Path, opts)
		},
		NewWriter: formats.Writes(NewWriter),
	})
}

// Reader reads a vCard file as a table: one row per card, one column per
// kind of value the cards hold (see the package documentation). It reads
// the file twice, once to find the columns and count the cards, then row
// by row, so that it never holds more than a card. It implements
// formats.Reader.
type Reader struct {
	src     io.ReadSeeker
	release func() error
	limit   int64
	header  []string
	index   map[string]int
	lex     *lexer
	info    formats.Info
	row     []string
	seen    int
	closed  bool
	err     error
}

// Open reads the vCard file at path. A nil opts means defaults; only
// MaxSize applies. The Reader must be closed.
func Open(path string, opts *formats.Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newReader(f, opts, f.Close)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads a vCard file from r, which it reads twice (see Reader);
// closing the Reader does not close r. A nil opts means defaults.
func NewReader(r io.ReadSeeker, opts *formats.Options) (*Reader, error) {
	return newReader(r, opts, nil)
}

func newReader(src io.ReadSeeker, opts *formats.Options, release func() error) (*Reader, error) {
	r := &Reader{src: src, release: release, limit: opts.Limit(), index: map[string]int{}}
	r.info = formats.Info{Format: "vcf", Size: -1}
	if size, err := src.Seek(0, io.SeekEnd); err == nil {
		r.info.Size = size
		if r.limit >= 0 && size > r.limit {
			return nil, fmt.Errorf("vcard: %w: %d bytes, over the limit of %d", formats.ErrTooLarge, size, r.limit)
		}
	}
	// The first pass: which columns the cards fill, and how many cards.
	lex, err := r.rewind(func(int, string) {})
	if err != nil {
		return nil, err
	}
	columns := map[string]bool{}
	var extra []string // X-CRMIO-FIELD columns, in the order met
	cards := 0
	for {
		c, err := readCard(lex, func(int, string) {})
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("vcard: %w", err)
		}
		cards++
		for _, cl := range c.cells(func(int, string) {}) {
			if !columns[cl.column] {
				columns[cl.column] = true
				if _, known := columnRank(cl.column); !known {
					extra = append(extra, cl.column)
				}
			}
		}
	}
	if cards == 0 {
		return nil, fmt.Errorf("%w: %w", formats.ErrNoHeader, errNoCards)
	}
	for name := range columns {
		if _, known := columnRank(name); known {
			r.header = append(r.header, name)
		}
	}
	rank := func(name string) int { n, _ := columnRank(name); return n }
	slices.SortFunc(r.header, func(a, b string) int { return rank(a) - rank(b) })
	r.header = append(r.header, extra...)
	if len(r.header) == 0 {
		r.header = []string{colFirst} // cards that hold nothing the table shows
	}
	for i, name := range r.header {
		r.index[name] = i
	}
	r.info.EstimatedRows = cards
	r.row = make([]string, len(r.header))
	if r.lex, err = r.rewind(r.notice); err != nil {
		return nil, err
	}
	return r, nil
}

// rewind starts reading the file from its beginning, decoding UTF-16.
func (r *Reader) rewind(notice func(int, string)) (*lexer, error) {
	if _, err := r.src.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var in io.Reader = formats.LimitReader(r.src, r.limit)
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(512)
	encoding := "utf-8"
	switch {
	case len(head) >= 2 && head[0] == 0xff && head[1] == 0xfe:
		encoding = "utf-16le"
	case len(head) >= 2 && head[0] == 0xfe && head[1] == 0xff:
		encoding = "utf-16be"
	default:
		if bigEndian, ok := sniff.LooksUTF16(head); ok {
			encoding = "utf-16le"
			if bigEndian {
				encoding = "utf-16be"
			}
		}
	}
	var text io.Reader = br
	switch encoding {
	case "utf-16le":
		text = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case "utf-16be":
		text = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	default:
		if b, _ := br.Peek(3); string(b) == "\xef\xbb\xbf" {
			br.Discard(3)
		}
	}
	r.info.Encoding = encoding
	return newLexer(text, notice), nil
}

// notice records a finding, at most formats.MaxNotices of them.
func (r *Reader) notice(line int, msg string) {
	if len(r.info.Notices) < formats.MaxNotices {
		r.info.Notices = append(r.info.Notices, formats.Notice{Row: line, Message: msg})
	} else {
		r.info.NoticesDropped++
	}
}

// readCard reads the next card. Content outside a card is passed over,
// cards nested in a card (2.1's AGENT) are skipped, a card the file ends
// inside is returned as it is.
func readCard(lex *lexer, notice func(int, string)) (*card, error) {
	var c *card
	depth := 0
	for {
		p, err := lex.next()
		if err == io.EOF {
			if c != nil {
				notice(c.line, "the card has no END:VCARD; it ends with the file")
				return c, nil
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		value := strings.ToUpper(strings.TrimSpace(p.value))
		switch {
		case p.name == "BEGIN" && value == "VCARD":
			if c == nil {
				c = &card{line: p.line, version: '3'}
				lex.version = '3'
				continue
			}
			depth++ // a card inside a card: 2.1's AGENT
			continue
		case p.name == "END" && value == "VCARD":
			if c == nil {
				notice(p.line, "END:VCARD without BEGIN:VCARD; skipped")
				continue
			}
			if depth > 0 {
				depth--
				continue
			}
			return c, nil
		case c == nil:
			notice(p.line, "a line outside a card was skipped")
			continue
		case depth > 0:
			continue
		case p.name == "VERSION":
			if v := strings.TrimSpace(p.value); v != "" {
				c.version = v[0]
				lex.version = v[0]
			}
			continue
		}
		if len(c.props) >= maxProperties {
			c.dropped++
			continue
		}
		c.props = append(c.props, p)
	}
}

// Header returns the columns the cards fill, in a fixed order.
func (r *Reader) Header() []string { return r.header }

// Read returns the next card as a row; its number is the line of its
// BEGIN:VCARD.
func (r *Reader) Read() (formats.Row, error) {
	if r.err != nil {
		return formats.Row{}, r.err
	}
	if r.closed {
		return formats.Row{}, errors.New("vcard: Read after Close")
	}
	c, err := readCard(r.lex, r.notice)
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("vcard: %w", err)
		}
		r.err = err
		return formats.Row{}, err
	}
	r.seen++
	clear(r.row)
	for _, cl := range c.cells(r.notice) {
		i, ok := r.index[cl.column]
		if !ok {
			continue // the file changed between the passes
		}
		if r.row[i] == "" {
			r.row[i] = cl.value
			continue
		}
		r.row[i] += joiner(cl.column) + cl.value
	}
	return formats.Row{Number: c.line, Fields: r.row}, nil
}

// joiner joins several values of a column: " ::: " for the other
// websites (which package mapping splits into several values), a line
// break for notes, "; " for other text (two TITLEs).
func joiner(column string) string {
	switch column {
	case colWebsites:
		return listSep
	case colNotes:
		return "\n"
	}
	return "; "
}

// Info describes the file: its format ("vcf"), text encoding, size, the
// number of cards, and notices.
func (r *Reader) Info() formats.Info {
	info := r.info
	info.Notices = slices.Clone(r.info.Notices)
	return info
}

// Close releases the file when the Reader opened it.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.release != nil {
		return r.release()
	}
	return nil
}

var _ formats.Reader = (*Reader)(nil)
