// Package sniff holds the content tests that both formats.Detect and the
// CSV reader make, so that they agree on what a file is.
package sniff

// LooksUTF16 reports whether head, which has no byte order mark, looks like
// UTF-16 text: ASCII characters (delimiters, digits, line ends) put a zero
// byte on one side of many byte pairs and never on the other, and some of
// them are line ends or delimiters.
func LooksUTF16(head []byte) (bigEndian, ok bool) {
	pairs := len(head) / 2
	if pairs < 2 {
		return false, false
	}
	zeroEven, zeroOdd := 0, 0
	structureLE, structureBE := false, false // a line end or delimiter seen as a code unit
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			zeroEven++
			structureBE = structureBE || isStructural(head[i+1])
		}
		if head[i+1] == 0 {
			zeroOdd++
			structureLE = structureLE || isStructural(head[i])
		}
	}
	switch {
	case zeroOdd >= 2 && zeroOdd*4 >= pairs && zeroEven == 0 && structureLE:
		return false, true
	case zeroEven >= 2 && zeroEven*4 >= pairs && zeroOdd == 0 && structureBE:
		return true, true
	}
	return false, false
}

// isStructural reports whether c is a character every table has: a line
// end or a delimiter.
func isStructural(c byte) bool {
	return c == '\n' || c == '\r' || c == ',' || c == ';' || c == '\t' || c == '|'
}
