package crmio

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxDecimalExponent and maxDecimalDigits bound what ParseDecimal accepts,
// so that an input such as "1e999999999" cannot make it allocate a billion
// digits, and sort keys (package storage) stay in a fixed exponent range.
const (
	maxDecimalExponent = 1000
	maxDecimalDigits   = 1000
)

// ErrInvalidNumber is returned by ParseDecimal for text that is not a number.
var ErrInvalidNumber = errors.New("crmio: not a number")

// Decimal is an exact decimal number. It keeps the digits it was given:
// ParseDecimal("1234.50").String() is "1234.50", and 0.1 + 0.2 is exactly
// 0.3. The zero Decimal is 0. Decimals are immutable values; compare them
// numerically with Cmp (== compares representations: 1.5 and 1.50 differ).
type Decimal struct {
	// s is the canonical text: an optional "-", integer digits without
	// leading zeros (at least one), and an optional "." followed by the
	// fraction digits exactly as given. "" stands for "0".
	s string
}

// ParseDecimal parses a plain decimal number: an optional sign, digits, an
// optional fraction and an optional exponent ("1.5E-3", as spreadsheets
// write raw values). Thousands separators and decimal commas are the
// caller's to remove (package mapping does that per column).
func ParseDecimal(text string) (Decimal, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return Decimal{}, fmt.Errorf("%w: empty", ErrInvalidNumber)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxDecimalExponent || e < -maxDecimalExponent {
			return Decimal{}, fmt.Errorf("%w: %q", ErrInvalidNumber, text)
		}
		exp = e
	}
	intPart, fracPart, hasDot := strings.Cut(mant, ".")
	if len(strings.TrimLeft(intPart, "0"))+len(fracPart) > maxDecimalDigits {
		return Decimal{}, fmt.Errorf("%w: more than %d digits", ErrInvalidNumber, maxDecimalDigits)
	}
	if (intPart == "" && fracPart == "") || !allDigits(intPart) || !allDigits(fracPart) || (hasDot && fracPart == "" && intPart == "") {
		return Decimal{}, fmt.Errorf("%w: %q", ErrInvalidNumber, text)
	}
	// Apply the exponent by moving the decimal point.
	digits := intPart + fracPart
	point := len(intPart) + exp // position of the decimal point within digits
	switch {
	case point <= 0:
		digits = strings.Repeat("0", -point+1) + digits
		point = 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	intPart, fracPart = digits[:point], digits[point:]
	intPart = strings.TrimLeft(intPart, "0")
	if exp != 0 {
		// An exponent form carries no meaningful trailing zeros.
		fracPart = strings.TrimRight(fracPart, "0")
	}
	if len(intPart)+len(fracPart) > maxDecimalDigits {
		return Decimal{}, fmt.Errorf("%w: more than %d digits", ErrInvalidNumber, maxDecimalDigits)
	}
	if intPart == "" {
		intPart = "0"
	}
	return newDecimal(neg, intPart, fracPart), nil
}

// MustDecimal is ParseDecimal for constants in code and tests; it panics on
// invalid input.
func MustDecimal(text string) Decimal {
	d, err := ParseDecimal(text)
	if err != nil {
		panic(err)
	}
	return d
}

// DecimalFromInt returns n as a Decimal.
func DecimalFromInt(n int64) Decimal {
	if n == 0 {
		return Decimal{} // the canonical zero, as ParseDecimal("0") gives
	}
	return Decimal{s: strconv.FormatInt(n, 10)}
}

func newDecimal(neg bool, intPart, fracPart string) Decimal {
	s := intPart
	if fracPart != "" {
		s += "." + fracPart
	}
	if neg && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	if s == "0" {
		s = ""
	}
	return Decimal{s: s}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the number with the digits it was given ("1234.50").
func (d Decimal) String() string {
	if d.s == "" {
		return "0"
	}
	return d.s
}

// Scale returns the number of fraction digits.
func (d Decimal) Scale() int {
	_, frac, _ := strings.Cut(d.s, ".")
	return len(frac)
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case strings.HasPrefix(d.s, "-"):
		return -1
	case strings.Trim(d.s, "0.") == "":
		return 0
	default:
		return 1
	}
}

// unscaled returns the digits as an integer and the scale.
func (d Decimal) unscaled() (*big.Int, int) {
	s := d.String()
	intPart, frac, _ := strings.Cut(s, ".")
	n, _ := new(big.Int).SetString(intPart+frac, 10)
	return n, len(frac)
}

func align(a, b Decimal) (x, y *big.Int, scale int) {
	x, sa := a.unscaled()
	y, sb := b.unscaled()
	scale = max(sa, sb)
	ten := big.NewInt(10)
	if sa < scale {
		x.Mul(x, new(big.Int).Exp(ten, big.NewInt(int64(scale-sa)), nil))
	}
	if sb < scale {
		y.Mul(y, new(big.Int).Exp(ten, big.NewInt(int64(scale-sb)), nil))
	}
	return x, y, scale
}

func fromUnscaled(n *big.Int, scale int) Decimal {
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-scale], digits[len(digits)-scale:]
	return newDecimal(neg, intPart, frac)
}

// Cmp compares d and e numerically: -1 if d < e, 0 if equal, +1 if d > e.
func (d Decimal) Cmp(e Decimal) int {
	x, y, _ := align(d, e)
	return x.Cmp(y)
}

// Add returns d + e exactly, at the larger of the two scales.
func (d Decimal) Add(e Decimal) Decimal {
	x, y, scale := align(d, e)
	return fromUnscaled(x.Add(x, y), scale)
}

// Sub returns d - e exactly, at the larger of the two scales.
func (d Decimal) Sub(e Decimal) Decimal {
	x, y, scale := align(d, e)
	return fromUnscaled(x.Sub(x, y), scale)
}

// Normalize returns d without trailing fraction zeros: 1234.50 becomes 1234.5
// and 2.00 becomes 2. Numerically equal decimals normalize to the same text.
func (d Decimal) Normalize() Decimal {
	if !strings.Contains(d.s, ".") {
		return d
	}
	s := strings.TrimRight(d.s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "0" {
		s = ""
	}
	return Decimal{s: s}
}

// Float64 returns the nearest float64 (for display and charts, not for sums).
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// Int64 returns d as an int64 when it is a whole number in range.
func (d Decimal) Int64() (int64, bool) {
	n := d.Normalize()
	if strings.Contains(n.s, ".") {
		return 0, false
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	return v, err == nil
}

// Rat returns d as an exact rational number.
func (d Decimal) Rat() *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}
