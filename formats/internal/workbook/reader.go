// Package workbook holds what the workbook formats (xlsx, xls) share: the
// classification of number formats into dates and times, the conversion of
// serial dates to ISO 8601 text, and a formats.Reader built on a source of
// sheet rows that finds the header, names its columns uniquely, skips blank
// rows and keeps the notices.
package workbook

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/crmio/crmio/formats"
)

// A Source yields the non-empty rows of one sheet in order.
type Source interface {
	// Next returns the next row that holds at least one cell, with its
	// 1-based row number as the spreadsheet shows it, or io.EOF after the
	// last. The cells are in column order (index 0 is column A); a missing
	// cell is "". The slice may be reused by the next call. After an error
	// other than io.EOF, Next may be called again to continue with the row
	// after the bad one.
	Next() (number int, cells []string, err error)
	// Close releases the source's resources.
	Close() error
}

// Config describes the sheet a Reader reads.
type Config struct {
	// Info is the reader's Info as the opener knows it: Format, Sheet,
	// Sheets and Size. The Reader fills HeaderRow, EstimatedRows and Notices.
	Info formats.Info
	// HeaderRow is the requested header row (formats.Options.HeaderRow);
	// zero means the first non-blank row.
	HeaderRow int
	// LastRow is the sheet's last row number as the file records it (the
	// dimension), zero when unknown. It gives Info.EstimatedRows.
	LastRow int
}

// Reader is the formats.Reader of a workbook sheet.
type Reader struct {
	src    Source
	info   formats.Info
	header []string
	fields []string
	eof    bool
}

// NewReader reads up to and including the header row of src and returns a
// reader positioned at the first data row. On error it closes src.
func NewReader(src Source, cfg Config) (*Reader, error) {
	r := &Reader{src: src, info: cfg.Info}
	if err := r.readHeader(cfg.HeaderRow); err != nil {
		src.Close()
		return nil, err
	}
	if cfg.LastRow > r.info.HeaderRow {
		r.info.EstimatedRows = cfg.LastRow - r.info.HeaderRow
	}
	return r, nil
}

func (r *Reader) readHeader(want int) error {
	skipped := 0
	for {
		num, cells, err := r.src.Next()
		if errors.Is(err, io.EOF) {
			if want > 0 {
				return fmt.Errorf("%w: sheet %q has no row %d", formats.ErrNoHeader, r.info.Sheet, want)
			}
			return fmt.Errorf("%w: sheet %q is empty", formats.ErrNoHeader, r.info.Sheet)
		}
		if err != nil {
			return err
		}
		if isBlank(cells) {
			continue
		}
		if want > 0 && num < want {
			skipped++
			continue
		}
		if want > 0 && num > want {
			return fmt.Errorf("%w: row %d of sheet %q is blank", formats.ErrNoHeader, want, r.info.Sheet)
		}
		r.info.HeaderRow = num
		if skipped > 0 {
			r.notice(formats.Notice{Message: fmt.Sprintf("skipped %d non-blank %s above the header row %d",
				skipped, plural(skipped, "row", "rows"), num)})
		}
		r.header = r.uniqueNames(num, cells)
		return nil
	}
}

// uniqueNames turns the header cells into column names that are non-empty
// and unique (compared without regard to case, as people read them), and
// reports every rename as a notice: an empty name becomes "Column 3", the
// second "Email" becomes "Email (2)".
func (r *Reader) uniqueNames(row int, cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	names := make([]string, n)
	seen := make(map[string]bool, n)
	for i := range n {
		names[i] = strings.TrimSpace(cells[i])
		if names[i] != "" {
			seen[strings.ToLower(names[i])] = true
		}
	}
	used := make(map[string]bool, n)
	for i, name := range names {
		col := i + 1
		switch {
		case name == "":
			name = uniqueName("Column "+strconv.Itoa(col), seen)
			r.notice(formats.Notice{Row: row, Column: col,
				Message: fmt.Sprintf("column %d has no name; called it %q", col, name)})
		case used[strings.ToLower(name)]:
			base := name
			name = uniqueName(base, seen)
			r.notice(formats.Notice{Row: row, Column: col,
				Message: fmt.Sprintf("column %d repeats the name %q; called it %q", col, base, name)})
		}
		used[strings.ToLower(name)] = true
		seen[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// uniqueName returns base when unseen, else the first unseen "base (k)"
// counting from 2.
func uniqueName(base string, seen map[string]bool) string {
	if !seen[strings.ToLower(base)] {
		return base
	}
	for k := 2; ; k++ {
		name := base + " (" + strconv.Itoa(k) + ")"
		if !seen[strings.ToLower(name)] {
			return name
		}
	}
}

// Header returns the column names, made unique and non-empty.
func (r *Reader) Header() []string { return r.header }

// Read returns the next non-blank data row, or io.EOF after the last. The
// fields line up with Header: a row is padded with "" to the header's width,
// and values beyond the last named column are kept and reported as notices.
func (r *Reader) Read() (formats.Row, error) {
	if r.eof {
		return formats.Row{}, io.EOF
	}
	for {
		num, cells, err := r.src.Next()
		if errors.Is(err, io.EOF) {
			r.eof = true
			return formats.Row{}, io.EOF
		}
		if err != nil {
			return formats.Row{}, err
		}
		if isBlank(cells) {
			continue
		}
		n := len(cells)
		for n > len(r.header) && cells[n-1] == "" {
			n--
		}
		if n > len(r.header) {
			r.notice(formats.Notice{Row: num, Column: len(r.header) + 1,
				Message: fmt.Sprintf("%d %s right of the last named column", n-len(r.header),
					plural(n-len(r.header), "cell", "cells"))})
		}
		r.fields = append(r.fields[:0], cells[:n]...)
		for len(r.fields) < len(r.header) {
			r.fields = append(r.fields, "")
		}
		return formats.Row{Number: num, Fields: r.fields}, nil
	}
}

// Info describes the sheet; Notices grow as rows are read.
func (r *Reader) Info() formats.Info {
	info := r.info
	info.Sheets = append([]string(nil), r.info.Sheets...)
	info.Notices = append([]formats.Notice(nil), r.info.Notices...)
	return info
}

// Close releases the source.
func (r *Reader) Close() error { return r.src.Close() }

// Notice records a non-fatal finding, keeping at most formats.MaxNotices.
func (r *Reader) notice(n formats.Notice) {
	AddNotice(&r.info, n)
}

// AddNotice appends n to info.Notices, or counts it in info.NoticesDropped
// once formats.MaxNotices are kept.
func AddNotice(info *formats.Info, n formats.Notice) {
	if len(info.Notices) >= formats.MaxNotices {
		info.NoticesDropped++
		return
	}
	info.Notices = append(info.Notices, n)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ChooseSheet picks the sheet that opts asks for among names (in workbook
// order). With neither Sheet nor SheetIndex set it picks the first sheet for
// which usable reports true (visible worksheets), else the first sheet. The
// error wraps formats.ErrNoSheet and names the sheets there are.
func ChooseSheet(names []string, opts *formats.Options, usable func(i int) bool) (int, error) {
	if len(names) == 0 {
		return -1, fmt.Errorf("%w: the workbook has no sheets", formats.ErrNoSheet)
	}
	var sheet string
	var index int
	if opts != nil {
		sheet, index = opts.Sheet, opts.SheetIndex
	}
	switch {
	case sheet != "":
		for i, n := range names {
			if n == sheet {
				return i, nil
			}
		}
		for i, n := range names {
			if strings.EqualFold(n, sheet) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("%w: %q (the workbook has %s)", formats.ErrNoSheet, sheet, quoteList(names))
	case index != 0:
		if index < 1 || index > len(names) {
			return -1, fmt.Errorf("%w: number %d (the workbook has %d: %s)", formats.ErrNoSheet,
				index, len(names), quoteList(names))
		}
		return index - 1, nil
	}
	for i := range names {
		if usable == nil || usable(i) {
			return i, nil
		}
	}
	return 0, nil
}

func quoteList(names []string) string {
	const max = 20
	var b strings.Builder
	for i, n := range names {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(names)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}
