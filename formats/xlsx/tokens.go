package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/crmio/crmio/formats"
)

// maxToken bounds the bytes of one XML token (a tag, a text, a comment) in
// the large parts excelize decodes. encoding/xml holds a whole token in
// memory, in a buffer that grows by doubling: a worksheet holding one
// gigabyte of spaces, which compresses into one megabyte, would cost two
// gigabytes. No legitimate token comes near the limit: a cell holds at most
// 32,767 characters, 330 kB even with every one escaped.
const maxToken = 1 << 20

var errLongToken = errors.New("an XML token longer than 1 MiB")

// checkTokens reads an XML part to its end and fails with an error wrapping
// formats.ErrTooLarge when a token is longer than limit bytes. It is a
// scanner, not a parser: it only finds where tokens begin and end, the way
// encoding/xml delimits them, quickly and in constant memory.
func checkTokens(r io.Reader, limit int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		// Text: up to the next '<'.
		err := skipUntil(br, '<', limit)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		head, _ := br.Peek(8)
		switch {
		case bytes.HasPrefix(head, []byte("!--")):
			err = skipPast(br, []byte("-->"), limit)
		case bytes.HasPrefix(head, []byte("![CDATA[")):
			err = skipPast(br, []byte("]]>"), limit)
		case bytes.HasPrefix(head, []byte("?")):
			err = skipPast(br, []byte("?>"), limit)
		case bytes.HasPrefix(head, []byte("!")):
			err = skipDirective(br, limit)
		default:
			// A tag cannot hold '<': the next one, or the text after the
			// tag, is bounded by the text rule.
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func tooLong() error {
	return fmt.Errorf("%w: %v", formats.ErrTooLarge, errLongToken)
}

// skipUntil discards bytes up to and including c, failing when more than
// limit precede it.
func skipUntil(br *bufio.Reader, c byte, limit int) error {
	n := 0
	for {
		chunk, err := br.ReadSlice(c)
		n += len(chunk)
		if n > limit+1 {
			return tooLong()
		}
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// skipPast discards bytes up to and including marker, failing when it does
// not come within limit bytes.
func skipPast(br *bufio.Reader, marker []byte, limit int) error {
	last := marker[len(marker)-1]
	var tail []byte
	n := 0
	for {
		chunk, err := br.ReadSlice(last)
		n += len(chunk)
		if n > limit {
			return tooLong()
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
		joined := append(tail, chunk...)
		if err == nil && bytes.HasSuffix(joined, marker) {
			return nil
		}
		tail = append([]byte(nil), joined[max(len(joined)-len(marker), 0):]...)
	}
}

// skipDirective discards a <!DOCTYPE ...> or other directive, which may
// nest angle brackets, as encoding/xml reads it.
func skipDirective(br *bufio.Reader, limit int) error {
	depth := 1
	var quote byte
	for n := 0; n <= limit; n++ {
		c, err := br.ReadByte()
		if err != nil {
			return err
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			depth++
		case c == '>':
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return tooLong()
}

// checkPart applies checkTokens to a part of the package when it is large
// enough for a token to matter (smaller parts bound their tokens
// themselves).
func checkPart(f *zip.File) error {
	if f == nil || f.UncompressedSize64 <= xmlPartLimit {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	if err := checkTokens(rc, maxToken); err != nil {
		if errors.Is(err, formats.ErrTooLarge) {
			return fmt.Errorf("part %s: %w", f.Name, err)
		}
		return fmt.Errorf("%w: part %s: %v", formats.ErrCorrupt, f.Name, err)
	}
	return nil
}
