package mapping

import (
	"encoding/json"
	"fmt"
)

// Confidence says how sure a Suggester is of a suggestion. The levels are
// ordered: None < Low < Medium < High, so "at least Medium" is
// c >= Medium.
type Confidence int

// The confidence levels. See the package documentation for what each
// means to a user.
const (
	None   Confidence = iota // no suggestion
	Low                      // a guess worth showing, not worth applying unasked
	Medium                   // probably right; apply it, but let the user see it
	High                     // the header is a known name of the field and no sample contradicts it
)

var confidenceNames = [...]string{None: "none", Low: "low", Medium: "medium", High: "high"}

// String returns "none", "low", "medium" or "high".
func (c Confidence) String() string {
	if c >= None && int(c) < len(confidenceNames) {
		return confidenceNames[c]
	}
	return fmt.Sprintf("Confidence(%d)", int(c))
}

// ParseConfidence parses the String form of a Confidence.
func ParseConfidence(s string) (Confidence, error) {
	for c, name := range confidenceNames {
		if s == name {
			return Confidence(c), nil
		}
	}
	return None, fmt.Errorf("mapping: unknown confidence %q (want none, low, medium or high)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (c Confidence) MarshalText() ([]byte, error) {
	if c < None || int(c) >= len(confidenceNames) {
		return nil, fmt.Errorf("mapping: invalid confidence %d", int(c))
	}
	return []byte(confidenceNames[c]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalJSON writes the confidence as a lower-case string: "high".
func (c Confidence) MarshalJSON() ([]byte, error) {
	b, err := c.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(b))
}

// UnmarshalJSON reads the lower-case string form.
func (c *Confidence) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("mapping: a confidence is a string: %w", err)
	}
	return c.UnmarshalText([]byte(s))
}

// confidenceOf turns a score in [0, 1] into a Confidence.
func confidenceOf(score float64) Confidence {
	switch {
	case score >= highScore:
		return High
	case score >= mediumScore:
		return Medium
	case score >= lowScore:
		return Low
	}
	return None
}

// The score thresholds of the confidence levels.
const (
	highScore   = 0.9
	mediumScore = 0.7
	lowScore    = 0.45
)
