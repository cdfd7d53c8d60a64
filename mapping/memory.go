package mapping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// HeaderFingerprint identifies a header for mapping memory: the mapping a
// user fixed for one file serves the next file with the same header.
// Headers with the same titles in the same order have the same
// fingerprint, whatever their case, accents, spaces and punctuation
// ("E-Mail" and "email", "First Name" and "first_name"); another column,
// or the same columns in another order, make another.
//
// The fingerprint is the same in every version of crmio that has it (its
// "h1:" prefix names its scheme): it depends on no vocabulary.
func HeaderFingerprint(header []string) string {
	h := sha256.New()
	var b strings.Builder
	for _, title := range header {
		b.Reset()
		for _, r := range fold(strings.TrimPrefix(strings.TrimSpace(title), "\ufeff")) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
		h.Write([]byte(b.String()))
		h.Write([]byte{0})
	}
	return "h1:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// A Recollection is a mapping remembered for a header: the mapping an
// import ran with, the import (job) it came from and when.
type Recollection struct {
	Mapping Mapping
	Job     string
	At      time.Time
}

// RecallFunc returns the mapping remembered for module and a header's
// fingerprint (HeaderFingerprint); ok is false when there is none. An
// adapter over a store's memory (storage.MappingMemory) is one: the
// importer has it (importer.MemorySuggester).
type RecallFunc func(ctx context.Context, module, fingerprint string) (r Recollection, ok bool, err error)

// Remembered returns a Suggester that suggests, for a file whose header
// has a remembered mapping, that mapping's targets, each at High with a
// reason naming the import it came from. It suggests nothing for the
// columns the mapping leaves out, nor for files whose header has no
// remembered mapping: put it first in a Chain, so that remembered,
// then known names, then near misses decide:
//
//	s := mapping.Chain(mapping.Remembered(recall), mapping.Default)
//
// A remembered column whose field the module no longer has is left out.
// The mapping's static values and options are not suggestions: a caller
// that wants them reads the Recollection itself.
func Remembered(recall RecallFunc) Suggester {
	return SuggesterFunc(func(ctx context.Context, in Input) ([]Suggestion, error) {
		out := make([]Suggestion, len(in.Header))
		for i, h := range in.Header {
			out[i] = Suggestion{Column: i, Header: h}
		}
		if in.Module == nil || len(in.Header) == 0 {
			return out, nil
		}
		r, ok, err := recall(ctx, in.Module.Name, HeaderFingerprint(in.Header))
		if err != nil {
			return out, fmt.Errorf("mapping: recalling the mapping of this header: %w", err)
		}
		if !ok {
			return out, nil
		}
		from := "an earlier import"
		if r.Job != "" {
			from = "import " + r.Job
		}
		if !r.At.IsZero() {
			from += " of " + r.At.Format("2006-01-02 15:04")
		}
		for _, c := range r.Mapping.Columns {
			if c.Column < 0 || c.Column >= len(in.Header) || in.Module.Field(c.Field) == nil ||
				c.Family != "" && in.Module.Field(c.Family) == nil {
				continue
			}
			out[c.Column] = Suggestion{Column: c.Column, Header: in.Header[c.Column], Target: c.Target, Confidence: High, Score: 1,
				Reason: fmt.Sprintf("remembered: %s mapped this header's '%s' to %s", from, strings.TrimSpace(in.Header[c.Column]),
					describeTarget(in.Module.Field(c.Field), c.Target))}
		}
		return out, nil
	})
}
