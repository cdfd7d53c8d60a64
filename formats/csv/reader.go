package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/formats/internal/table"
	"golang.org/x/text/transform"
)

func init() {
	formats.Register(formats.Format{
		Name: "csv", Extensions: []string{".csv", ".tsv", ".txt"},
		Match: formats.LooksLikeText, Fallback: true, Formulas: true,
		Open: func(in *formats.Input, opts *formats.Options) (formats.Reader, error) {
			return newReader(in.R, in.Name, in.Size, opts)
		},
		NewWriter: formats.Writes(NewWriter),
	})
}

const (
	// sampleSize is how much of the start of the text is examined for the
	// encoding and the delimiter.
	sampleSize = 64 << 10
	// headerWindow bounds how many records are examined for a header row
	// below a preamble of notes.
	headerWindow = 16
)

// Reader reads the rows of a CSV file. It implements formats.Reader; see
// the package documentation for what it detects and how it numbers rows.
type Reader struct {
	csv     *parser
	file    string // the file's name for errors, may be empty
	columns *table.Columns
	ragged  table.Ragged
	info    formats.Info

	// extraLines counts the line breaks inside the quoted fields of the
	// records read so far: a record's source row is the line it starts on
	// less these, since a spreadsheet shows a multi-line record as one row.
	extraLines int

	// pending holds the records read after the header while looking for
	// it; Read returns them first.
	pending []record

	// For Info.EstimatedRows: data records parsed, the decoded offset where
	// the data starts, the raw bytes before the decoded text (byte order
	// mark, sep= line) and the raw bytes per decoded byte of the sample.
	dataRecords int
	dataStart   int64
	rawPrefix   int64
	rawPerByte  float64
	parsedAll   bool // the parser reached the end: dataRecords is exact

	watch        *utf8Watch // checks text read as UTF-8; nil for other encodings
	watchNoticed bool       // the watch's finding has been reported
	err          error      // a failure that ends reading (I/O, the size limit)
	closed       bool
}

// record is one parsed record and its source row, or the parse error met
// in its place.
type record struct {
	fields []string
	row    int
	err    error
}

// NewReader returns a Reader of the CSV text r holds, having read the
// header. opts may be nil; its size limit applies to r. Use it for text
// known to be CSV; formats.Open and formats.NewReader identify the format
// first.
func NewReader(r io.Reader, opts *formats.Options) (*Reader, error) {
	return newReader(formats.LimitReader(r, opts.Limit()), "", -1, opts)
}

func newReader(src io.Reader, name string, size int64, opts *formats.Options) (*Reader, error) {
	if opts == nil {
		opts = &formats.Options{}
	}
	r := &Reader{file: name, info: formats.Info{Format: "csv", Size: size}}

	raw := bufio.NewReaderSize(src, sampleSize)
	sample, err := raw.Peek(sampleSize)
	complete := err == io.EOF
	if err != nil && !complete {
		return nil, err
	}

	// The encoding: named, or detected from a byte order mark and the sample.
	var enc textEncoding
	if opts.Encoding != "" {
		if enc, err = lookupEncoding(opts.Encoding, sample); err != nil {
			return nil, err
		}
	} else {
		enc = detectEncoding(sample, complete)
		if enc == windows1252 {
			r.notice(0, 0, "the text is not valid UTF-8; it was read as Windows-1252 (set the encoding if that is wrong)")
		}
	}
	r.info.Encoding = enc.name
	hadBOM := enc.bom != "" && bytes.HasPrefix(sample, []byte(enc.bom))
	if hadBOM {
		raw.Discard(len(enc.bom))
		sample = sample[len(enc.bom):]
		r.rawPrefix = int64(len(enc.bom))
	}
	text := io.Reader(raw)
	decoded := sample
	r.rawPerByte = 1
	if enc.enc != nil {
		text = transform.NewReader(raw, enc.enc.NewDecoder())
		decoded, _, _ = transform.Bytes(enc.enc.NewDecoder(), sample)
		if len(decoded) > 0 {
			r.rawPerByte = float64(len(sample)) / float64(len(decoded))
		}
	}

	// Excel's "sep=;" line names the delimiter and is no row of the sheet.
	delim := opts.Delimiter
	if sep, n := sepDirective(decoded); n > 0 {
		if delim == 0 {
			delim = sep
		}
		buffered := bufio.NewReaderSize(text, sampleSize)
		buffered.Discard(n)
		text, decoded = buffered, decoded[n:]
		r.rawPrefix += int64(float64(n) * r.rawPerByte)
	}
	if delim == 0 {
		delim = rune(sniffDelimiter(decoded, complete))
	}
	if !validDelimiter(delim) {
		return nil, fmt.Errorf("csv: invalid delimiter %q", delim)
	}
	r.info.Delimiter = delim

	if enc.enc == nil {
		// A byte order mark or the user's word makes it UTF-8 for certain.
		r.watch = newUTF8Watch(text, opts.Encoding == "" && !hadBOM)
		text = r.watch
	}

	// Old Mac exports end lines with a lone CR, which the parser, as
	// encoding/csv, does not take for a line end.
	if bytes.IndexByte(decoded, '\r') >= 0 && bytes.IndexByte(decoded, '\n') < 0 {
		text = crToLF{text}
	}

	// Quotes are strict: a stray quote in a quoted field would make a lazy
	// parser swallow the lines after it into one field, silently merging
	// rows. Strictly, it is a *formats.ParseError at its row, and reading
	// continues with the next row.
	r.csv = newParser(bufio.NewReaderSize(text, sampleSize), delim)

	if err := r.readHeader(opts.HeaderRow); err != nil {
		return nil, err
	}
	return r, nil
}

func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// next parses the next record and works out its source row.
func (r *Reader) next() record {
	rec := r.parse()
	if r.watch != nil && !r.watchNoticed && rec.row > 0 {
		r.reportWatch(rec.row)
	}
	return rec
}

// parse reads the next record and works out its row.
func (r *Reader) parse() record {
	rec := r.csv.read()
	row := rec.start - r.extraLines
	r.extraLines += rec.end - rec.start
	if rec.err == nil {
		return record{fields: rec.fields, row: row}
	}
	if pe, ok := rec.err.(*stdcsv.ParseError); ok {
		// The fields before the bad one were returned with the error.
		return record{row: row, err: r.parseError(pe, row, len(rec.fields)+1)}
	}
	return record{err: rec.err}
}

// parseError turns encoding/csv's error, positioned by line and byte, into
// one positioned by row and column as a spreadsheet shows them.
func (r *Reader) parseError(pe *stdcsv.ParseError, row, column int) error {
	var hint string
	switch {
	case errors.Is(pe.Err, stdcsv.ErrBareQuote):
		hint = `a field holding a " must be enclosed in quotes, with the " doubled`
	case errors.Is(pe.Err, stdcsv.ErrQuote):
		hint = `a quoted field must end with a " followed by the delimiter or a line end`
	}
	where := ""
	if pe.Line != row {
		where = "line " + strconv.Itoa(pe.Line) + " of the text"
	}
	err := pe.Err
	switch {
	case hint != "" && where != "":
		err = fmt.Errorf("%w (%s; %s)", pe.Err, hint, where)
	case hint != "":
		err = fmt.Errorf("%w (%s)", pe.Err, hint)
	case where != "":
		err = fmt.Errorf("%w (%s)", pe.Err, where)
	}
	return &formats.ParseError{File: r.file, Row: row, Column: column, Err: err}
}

// readHeader finds the header row and names the columns. With headerRow
// zero the header is the first row, unless rows of notes precede a table:
// the header is then the first row with two or more non-empty fields,
// provided most rows after it have as many (a table starts there). A
// header that reads as data is none: the file is read without one, as with
// headerRow formats.NoHeaderRow. Rows read past the header are kept for
// Read.
func (r *Reader) readHeader(headerRow int) error {
	if headerRow > 0 {
		return r.readHeaderAt(headerRow)
	}
	var window []record
	var offsets []int64 // the decoded offset after each record in window
	for len(window) < headerWindow {
		rec := r.next()
		if rec.err == io.EOF {
			r.parsedAll = true
			break
		}
		if rec.err != nil && rec.row == 0 {
			return rec.err
		}
		if rec.err == nil && table.IsBlank(rec.fields) {
			continue
		}
		rec.fields = slices.Clone(rec.fields)
		window = append(window, rec)
		offsets = append(offsets, r.csv.InputOffset())
	}
	if len(window) == 0 {
		return fmt.Errorf("%w: the file holds no rows", formats.ErrNoHeader)
	}
	if headerRow < 0 {
		r.readWithoutHeader(window)
		return nil
	}
	at := table.HeaderIndex(len(window), func(i int) []string { return window[i].fields }, func(i int) bool { return window[i].err == nil })
	if at < 0 {
		return window[0].err // every record is a bad one
	}
	for _, rec := range window[:at] {
		if rec.err != nil {
			return rec.err // the header cannot be told from a bad row above it
		}
	}
	header := window[at]
	var below [][]string
	for _, rec := range window[at+1:] {
		if rec.err == nil {
			below = append(below, rec.fields)
		}
	}
	data, why := table.ReadsAsData(header.fields, below)
	if at > 0 {
		n := table.PreambleNotice(header.row, at, data)
		r.notice(n.Row, n.Column, n.Message)
	}
	if data {
		r.readWithoutHeader(window[at:])
		n := table.DataRowNotice(header.row, why, r.columns.Names())
		r.notice(n.Row, n.Column, n.Message)
		if at > 0 {
			r.dataStart = offsets[at-1]
		}
		return nil
	}
	r.pending = window[at+1:]
	r.dataStart = offsets[at]
	r.setHeader(header)
	for _, rec := range r.pending {
		if rec.err == nil {
			r.dataRecords++
			r.columns.Extend(len(rec.fields)) // the rows read ahead name their columns now
		}
	}
	return nil
}

// readHeaderAt reads the header from the row the options name.
func (r *Reader) readHeaderAt(headerRow int) error {
	for {
		rec := r.next()
		switch {
		case rec.err == io.EOF:
			return fmt.Errorf("%w: the file ends before row %d", formats.ErrNoHeader, headerRow)
		case rec.err != nil && rec.row == 0:
			return rec.err
		case rec.row < headerRow:
			continue // above the header: not read, so not judged
		case rec.row > headerRow:
			return fmt.Errorf("%w: row %d is blank", formats.ErrNoHeader, headerRow)
		case rec.err != nil:
			return rec.err
		case table.IsBlank(rec.fields):
			return fmt.Errorf("%w: row %d is blank", formats.ErrNoHeader, headerRow)
		}
		rec.fields = slices.Clone(rec.fields)
		r.dataStart = r.csv.InputOffset()
		r.setHeader(rec)
		return nil
	}
}

// setHeader names the columns from the header record.
func (r *Reader) setHeader(header record) {
	r.info.HeaderRow = header.row
	columns, notices := table.NewColumns(header.row, header.fields)
	for _, n := range notices {
		r.notice(n.Row, n.Column, n.Message)
	}
	r.columns = columns
	r.ragged.Width = columns.Len()
}

// readWithoutHeader makes every record of window data, and names as many
// columns as the widest needs.
func (r *Reader) readWithoutHeader(window []record) {
	r.info.Headerless = true
	r.info.HeaderRow = 0
	r.columns = table.NoColumns()
	for _, rec := range window {
		if rec.err == nil {
			r.dataRecords++
			r.columns.Extend(len(rec.fields))
		}
	}
	r.columns.Extend(1) // every record failed: still one column
	r.ragged.Width = r.columns.Len()
	r.pending = window
}

// Header returns the column names, made non-empty and unique, with the
// columns that rows longer than the header have added so far.
func (r *Reader) Header() []string { return slices.Clone(r.columns.Names()) }

// Read returns the next data row, skipping blank ones, or io.EOF after the
// last. A malformed row is a *formats.ParseError with its row and column;
// the next Read continues after it. Other errors (reading the input, the
// size limit) end reading and are returned by every later Read. The Fields
// of the returned Row are reused by the next Read.
func (r *Reader) Read() (formats.Row, error) {
	if r.closed {
		return formats.Row{}, fs.ErrClosed
	}
	for r.err == nil {
		var rec record
		if len(r.pending) > 0 {
			rec, r.pending = r.pending[0], r.pending[1:]
		} else {
			rec = r.next()
			if rec.err == nil && !table.IsBlank(rec.fields) {
				r.dataRecords++
			}
		}
		switch {
		case rec.err == io.EOF:
			r.parsedAll = true
			r.err = io.EOF
		case rec.err != nil && rec.row == 0:
			r.err = rec.err
		case rec.err != nil:
			return formats.Row{Number: rec.row}, rec.err
		case table.IsBlank(rec.fields):
			continue
		default:
			if n := len(rec.fields); n != r.ragged.Width {
				r.ragged.Row(rec.row, n, true)
				r.columns.Extend(n)
			}
			return formats.Row{Number: rec.row, Fields: rec.fields}, nil
		}
	}
	return formats.Row{}, r.err
}

// Info describes the input: format "csv", the encoding, the delimiter, the
// header row, and notices so far. EstimatedRows extrapolates the rows read
// so far over the size of the input, when known; it is exact once the
// whole input has been read.
func (r *Reader) Info() formats.Info {
	info := r.info
	info.Notices = slices.Clone(r.info.Notices)
	for _, n := range r.ragged.Notices(r.columns.Names()) {
		if len(info.Notices) >= formats.MaxNotices {
			info.NoticesDropped++
			continue
		}
		info.Notices = append(info.Notices, n)
	}
	switch {
	case r.parsedAll:
		info.EstimatedRows = r.dataRecords
	case info.Size > 0 && r.dataRecords > 0:
		read := float64(r.csv.InputOffset()-r.dataStart) * r.rawPerByte
		rest := float64(info.Size-r.rawPrefix) - float64(r.dataStart)*r.rawPerByte
		if read > 0 && rest > 0 {
			info.EstimatedRows = max(int(float64(r.dataRecords)*rest/read+0.5), r.dataRecords)
		}
	}
	return info
}

// Close ends reading. The input is not closed: it belongs to the caller.
func (r *Reader) Close() error {
	r.closed = true
	r.pending = nil
	return nil
}

// notice records a finding, up to formats.MaxNotices of them.
func (r *Reader) notice(row, column int, message string) {
	if len(r.info.Notices) >= formats.MaxNotices {
		r.info.NoticesDropped++
		return
	}
	r.info.Notices = append(r.info.Notices, formats.Notice{Row: row, Column: column, Message: message})
}

// reportWatch reports what the UTF-8 watch found in the record just read,
// which is at row: text that is not UTF-8 from there on.
func (r *Reader) reportWatch(row int) {
	w := r.watch
	switch end := r.csv.InputOffset(); {
	case w.fellBackAt >= 0 && end > w.fellBackAt:
		r.info.Encoding = windows1252.name
		r.notice(row, 0, "the text is not UTF-8 from this row on; it is read as Windows-1252, like the plain ASCII text above it (set the encoding if that is wrong)")
	case w.invalidAt >= 0 && end > w.invalidAt:
		r.notice(row, 0, "the text is not valid UTF-8 from this row on; set the encoding if characters look wrong")
	default:
		return
	}
	r.watchNoticed = true
}

// crToLF turns lone carriage returns, the line ends of old Mac files, into
// line feeds.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			break
		}
		b[i] = '\n'
		b = b[i+1:]
	}
	return n, err
}
