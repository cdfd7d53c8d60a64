package table

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind is what a cell's text looks like, for telling a header from data.
type kind uint8

const (
	empty   kind = iota
	text         // words: what headers are made of
	number       // 42, -1.5, 1,234.50, 12%
	phone        // +44 20 7946 0000, (555) 010-0100
	date         // 2024-01-31, 31/01/2024, 1.2.24, 08:30
	email        // ada@example.com
	link         // https://example.com, www.example.com
	boolean      // TRUE, FALSE
)

// strong reports whether a kind never names a column: a header may hold a
// number ("2024"), but not an email address or a date.
func (k kind) strong() bool { return k >= phone }

// classify tells what s looks like. It is quick and conservative: text
// unless s is plainly one of the data kinds.
func classify(s string) kind {
	s = strings.TrimFunc(s, unicode.IsSpace)
	switch {
	case s == "":
		return empty
	case len(s) > 254:
		return text
	case isEmail(s):
		return email
	case isLink(s):
		return link
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return boolean
	case isDate(s):
		return date
	}
	return numberOrPhone(s)
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || strings.IndexByte(s[at+1:], '@') >= 0 || strings.ContainsAny(s, " \t,;<>\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}

func isLink(s string) bool {
	if strings.ContainsAny(s, " \t") {
		return false
	}
	lower := strings.ToLower(s)
	for _, p := range []string{"https://", "http://", "www."} {
		if strings.HasPrefix(lower, p) && len(lower) > len(p)+2 {
			return true
		}
	}
	return false
}

// isDate recognises numeric dates and times: three groups of digits with
// one separator (2024-01-31, 31/01/2024, 1.2.24), optionally followed by a
// time, or a time alone (08:30, 8:30:15).
func isDate(s string) bool {
	d, rest := numericDate(s)
	if d {
		if rest == "" {
			return true
		}
		if rest[0] == 'T' || rest[0] == ' ' {
			return isTime(strings.TrimLeft(rest[1:], " "))
		}
		return false
	}
	return isTime(s)
}

func numericDate(s string) (ok bool, rest string) {
	var groups [3]int // digits in each group
	var sep byte
	g, i := 0, 0
	for ; i < len(s) && g < 3; g++ {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n++
			i++
		}
		if n == 0 || n > 4 {
			return false, ""
		}
		groups[g] = n
		if g == 2 {
			break
		}
		if i >= len(s) {
			return false, ""
		}
		c := s[i]
		if c != '-' && c != '/' && c != '.' || sep != 0 && c != sep {
			return false, ""
		}
		sep = c
		i++
	}
	if g != 2 {
		return false, ""
	}
	yearFirst := groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2
	yearLast := groups[0] <= 2 && groups[1] <= 2 && (groups[2] == 2 || groups[2] == 4)
	if !yearFirst && !yearLast {
		return false, ""
	}
	return true, s[i:]
}

// isTime recognises hh:mm and hh:mm:ss, with fractions of a second, a
// zone or AM/PM after them.
func isTime(s string) bool {
	parts := 0
	i := 0
	for parts < 3 {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n++
			i++
		}
		if n == 0 || n > 2 || parts > 0 && n != 2 {
			return false
		}
		parts++
		if i < len(s) && s[i] == ':' && parts < 3 {
			i++
			continue
		}
		break
	}
	if parts < 2 {
		return false
	}
	rest := strings.ToLower(strings.TrimSpace(s[i:]))
	switch {
	case rest == "", rest == "am", rest == "pm", rest == "z":
		return true
	case rest[0] == '.' || rest[0] == '+' || rest[0] == '-':
		for _, r := range rest[1:] {
			if !(r >= '0' && r <= '9' || r == ':' || r == 'z') {
				return false
			}
		}
		return true
	}
	return false
}

// numberOrPhone tells numbers and phone numbers from text: digits with
// the separators numbers and phone numbers use, and nothing else but a
// sign, a currency or a percent sign.
func numberOrPhone(s string) kind {
	digits, phoneMarks, numberMarks, other := 0, 0, 0, 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' && i == 0:
			numberMarks++ // a sign
		case r == ' ' || r == '(' || r == ')' || r == '-':
			phoneMarks++
		case r == '+':
			if i == 0 {
				phoneMarks++
			} else {
				other++
			}
		case r == '.' || r == ',' || r == '\'':
			numberMarks++
		case r == '%' && i == len(s)-1, (r == '$' || r == '€' || r == '£' || r == '¥') && (i == 0 || i == len(s)-utf8.RuneLen(r)):
			numberMarks++
		default:
			other++
		}
	}
	switch {
	case digits == 0 || other > 0:
		return text
	case phoneMarks > 0 && digits >= 7 && digits <= 15 && numberMarks <= 1:
		return phone
	case phoneMarks == 0:
		return number
	}
	return text
}

// compatible reports whether a cell of kind a sits well in a column of
// kind b: phone numbers are often typed as plain digits.
func compatible(a, b kind) bool {
	return a == b || a == number && b == phone || a == phone && b == number
}

// ReadsAsData reports whether first, the row a reader would take for the
// header, holds data instead: values of the kinds the rows below hold in
// its columns (email addresses, phone numbers, dates, numbers, links,
// booleans), where a header holds words. below are the rows that follow
// it (a few suffice; none is fine).
//
// It is conservative, since reading a header as data turns the column
// names into a bad row: any word over a column of data (a header's
// "Email" over addresses), or two words over columns the rows below leave
// empty, make first a header. Otherwise first is data
// when one of its cells is of a kind no header holds (an email address, a
// phone number, a date, a link, TRUE) over a column of that kind, or over
// nothing; or when it holds nothing but numbers, over columns of numbers
// or over nothing. A header of years over columns of figures stays a
// header, since it has a word too ("Region", "2023", "2024").
//
// When first is data, why says what gave it away, for a notice: `column 2
// holds an email address, like the rows below it ("ada@example.com")`.
func ReadsAsData(first []string, below [][]string) (data bool, why string) {
	weakVotes, headerVotes, words, wordsOverNothing := 0, 0, 0, 0
	for j, cell := range first {
		f := classify(cell)
		if f == empty {
			continue
		}
		col, typed, values := columnKind(below, j)
		if f == text {
			words++
			if values == 0 && len(below) > 0 {
				wordsOverNothing++
			}
		}
		switch {
		case values == 0 && f.strong(), typed && f.strong() && compatible(f, col),
			typed && f == number && col.strong() && compatible(f, col): // plain digits among phone numbers
			if why == "" {
				why = fmt.Sprintf("column %d holds %s (%q)", j+1, col.describe(f, values == 0), strings.TrimSpace(cell))
			}
		case values == 0 && f == number, typed && f == number && col == number:
			weakVotes++
		case typed && f == text:
			headerVotes++
		}
	}
	switch {
	case headerVotes > 0, wordsOverNothing >= 2:
		// Words over columns of data, or naming columns the rows below
		// leave empty: a header.
		return false, ""
	case why != "":
		return true, why
	case weakVotes > 0 && words == 0:
		return true, "it holds only numbers"
	}
	return false, ""
}

// describe names what a first-row cell of kind f holds, in a column of
// kind k (alone: no values below).
func (k kind) describe(f kind, alone bool) string {
	what := map[kind]string{number: "a number", phone: "a phone number", date: "a date",
		email: "an email address", link: "a link", boolean: "a boolean"}
	if alone {
		return what[f]
	}
	if f == number {
		return what[k] + " in plain digits, like the rows below it"
	}
	return what[f] + ", like the rows below it"
}

// columnKind returns the data kind most of the non-empty cells of column
// j of rows hold, whether at least 60% of them hold it (phone numbers and
// plain numbers counting together), and how many non-empty cells there are.
func columnKind(rows [][]string, j int) (_ kind, typed bool, values int) {
	var counts [boolean + 1]int
	total := 0
	for _, row := range rows {
		if j >= len(row) {
			continue
		}
		if c := classify(row[j]); c != empty {
			counts[c]++
			total++
		}
	}
	best, share := text, 0
	for _, c := range []kind{email, link, boolean, date} {
		if counts[c] > share {
			best, share = c, counts[c]
		}
	}
	if numeric := counts[number] + counts[phone]; numeric > share {
		best, share = number, numeric
		if counts[phone] >= counts[number] {
			best = phone
		}
	}
	return best, share > 0 && share*5 >= total*3, total
}
