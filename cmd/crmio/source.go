package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
)

// sourceFlags are the flags that say how to read an input file, shared by
// preview and import.
type sourceFlags struct {
	sheet     string
	headerRow string
	encoding  string
	delimiter string
	maxSize   string
}

func (s *sourceFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&s.sheet, "sheet", "", "the `SHEET` of a workbook to read, by name or 1-based number (default: the first)")
	fs.StringVar(&s.headerRow, "header-row", "", "the `ROW` holding the column names, or none: every row is data, the columns are \"Column 1\"... (default: detected)")
	fs.StringVar(&s.encoding, "encoding", "", "the text `ENCODING` of a CSV file: utf-8, windows-1252, utf-16le... (default: detected)")
	fs.StringVar(&s.delimiter, "delimiter", "", "the field `DELIMITER` of a CSV file: , ; tab | (default: detected)")
	fs.StringVar(&s.maxSize, "max-size", "", "the largest `SIZE` of file read, e.g. 500MB, 2GB, -1 for no limit (default 100MiB)")
}

// source returns the importer.Source for the file argument: a path, or
// "-" for the standard input.
func (s *sourceFlags) source(file string) (importer.Source, error) {
	headerRow, err := parseHeaderRow(s.headerRow)
	if err != nil {
		return importer.Source{}, err
	}
	opts := &formats.Options{HeaderRow: headerRow, Encoding: s.encoding}
	if s.sheet != "" {
		if n, err := strconv.Atoi(s.sheet); err == nil && n > 0 {
			opts.SheetIndex = n
		} else {
			opts.Sheet = s.sheet
		}
	}
	switch d := s.delimiter; {
	case d == "":
	case strings.EqualFold(d, "tab") || d == `\t`:
		opts.Delimiter = '\t'
	case utf8.RuneCountInString(d) == 1:
		opts.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return importer.Source{}, usagef("--delimiter %q: want one character, or tab", d)
	}
	if s.maxSize != "" {
		n, err := parseSize(s.maxSize)
		if err != nil {
			return importer.Source{}, usagef("--max-size: %v", err)
		}
		opts.MaxSize = n
	}
	if file == "-" {
		return importer.Source{Reader: os.Stdin, Name: "stdin", Format: opts}, nil
	}
	if _, err := os.Stat(file); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", file, pe.Err)
		}
		return importer.Source{}, err
	}
	return importer.Source{Path: file, Name: filepath.Base(file), Format: opts}, nil
}

// parseHeaderRow parses --header-row: a row number, 1 or more, or "none"
// for a file without a header; "" means detect.
func parseHeaderRow(s string) (int, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return 0, nil
	case strings.EqualFold(t, "none"):
		return formats.NoHeaderRow, nil
	}
	n, err := strconv.Atoi(t)
	switch {
	case err == nil && n >= 1:
		return n, nil
	case err == nil && n == 0:
		return 0, usagef("--header-row 0: rows count from 1, as a spreadsheet shows them; use --header-row none for a file without a header")
	}
	return 0, usagef("--header-row %q: want a row number, 1 or more, or none for a file without a header", s)
}

// parseSize parses a size in bytes: "1048576", "500KB", "100MB", "2GiB";
// "-1" means no limit. KB, MB and GB are powers of 1000, KiB, MiB and GiB
// of 1024.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "-1" {
		return -1, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}}
	lower := strings.ToLower(t)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			lower, mult = strings.TrimSpace(strings.TrimSuffix(lower, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(lower, 64)
	if err != nil || n <= 0 || n*float64(mult) > 1<<62 {
		return 0, &usageError{msg: "bad size " + strconv.Quote(s) + " (want e.g. 500MB, 2GB or -1)"}
	}
	return int64(n * float64(mult)), nil
}

// readAllLimited reads r to its end, failing with formats.ErrTooLarge past
// limit bytes (-1: no limit).
func readAllLimited(r io.Reader, limit int64) (string, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, formats.LimitReader(r, limit)); err != nil {
		return "", err
	}
	return b.String(), nil
}
