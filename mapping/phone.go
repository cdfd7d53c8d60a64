package mapping

import (
	"github.com/crmio/crmio"
	"github.com/nyaruka/phonenumbers"
)

// normalizePhone returns s in E.164 form ("+14155550102", with
// ";ext=12" for an extension) and whether the number is valid for its
// country. An invalid number comes back as s. A number the fast path
// rewrites gets its string from arena (nil: an allocation of its own).
//
// phonenumbers costs several microseconds a number, too much for an
// import of millions of rows, so the common North American forms take a
// fast path: "+1 415 555 0102", "(415) 555-0102", "415.555.0102",
// "1-415-555-0102" (the last three when the default region is a member
// of the North American Numbering Plan). The fast path knows which area
// codes phonenumbers accepts (nanpAreaCodes, generated from it), so both
// paths agree on every number; area codes whose validity depends on the
// exchange take the slow path.
func normalizePhone(arena *crmio.Arena, s string, st *settings) (string, bool) {
	var digits [16]byte
	n, plus := 0, false
	fast := true
	for i := 0; i < len(s) && fast; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(digits) {
				fast = false
				break
			}
			digits[n] = c
			n++
		case c == '+':
			if n > 0 || plus {
				fast = false
			}
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			fast = false // letters, extensions, other scripts: the slow path
		}
	}
	if fast {
		var national []byte
		switch {
		case plus && n == 11 && digits[0] == '1':
			national = digits[1:11]
		case !plus && st.nanp && n == 10:
			national = digits[:10]
		case !plus && st.nanp && n == 11 && digits[0] == '1':
			national = digits[1:11]
		}
		if national != nil {
			switch nanpValid(national) {
			case nanpInvalid:
				return s, false
			case nanpValidNumber:
				if len(s) == 12 && s[0] == '+' && s[1] == '1' && s[2:] == string(national) {
					return s, true // already E.164: keep the string
				}
				var buf [12]byte
				buf[0], buf[1] = '+', '1'
				copy(buf[2:], national)
				return arena.String(buf[:]), true
			}
		}
	}
	return slowPhone(s, st.region)
}

type nanpResult uint8

const (
	nanpInvalid nanpResult = iota
	nanpValidNumber
	nanpAsk // validity depends on the exchange: ask phonenumbers
)

// nanpValid checks a ten-digit North American number NXX-NXX-XXXX: an area
// code phonenumbers knows and an exchange starting with 2-9.
func nanpValid(d []byte) nanpResult {
	npa := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	if npa < 200 || d[3] < '2' {
		return nanpInvalid
	}
	switch nanpAreaCodes[npa-200] {
	case '1':
		return nanpValidNumber
	case '2':
		return nanpAsk
	}
	return nanpInvalid
}

// maxPhoneLength bounds the text handed to phonenumbers.
const maxPhoneLength = 64

// slowPhone asks phonenumbers. A panic inside it (untrusted input) makes
// the number invalid instead of crashing the import.
func slowPhone(s, region string) (out string, valid bool) {
	if len(s) > maxPhoneLength {
		return s, false
	}
	defer func() {
		if recover() != nil {
			out, valid = s, false
		}
	}()
	num, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return s, false
	}
	e164 := phonenumbers.Format(num, phonenumbers.E164)
	if ext := num.GetExtension(); ext != "" {
		e164 += ";ext=" + ext
	}
	return e164, true
}

// phoneLike reports whether s looks like a phone number, for reading
// samples: 7 to 15 digits with the punctuation phone numbers use, and, if
// strict, some punctuation or a leading "+" (a bare run of digits may as
// well be an id).
func phoneLike(s string, strict bool) bool {
	digits, punct := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && digits == 0:
			punct = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
			punct = true
		case c == 'x' || c == 'X' || c == '#' || c == 'e' || c == 't' || c == ':':
			// "x12", "ext. 12"
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15 && (punct || !strict)
}
