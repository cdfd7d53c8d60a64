package mapping

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crmio/crmio"
)

// Input is what a Suggester reads: the header, a few sample rows (nil
// when there are none) and the module the file is imported into.
type Input struct {
	Header []string
	Rows   [][]string
	Module *crmio.Module
}

// A Suggester proposes a target for each column of a file. Suggest returns
// one Suggestion per column of in.Header, in column order, with the zero
// Target for the columns it has nothing for. Implementations must not
// suggest one single-value field for two columns.
//
// Heuristic is the built-in Suggester. Others (a large language model, the
// mappings a user saved for files from the same source) plug in with
// Chain, in front of it.
type Suggester interface {
	Suggest(ctx context.Context, in Input) ([]Suggestion, error)
}

// SuggesterFunc adapts a function to the Suggester interface.
type SuggesterFunc func(ctx context.Context, in Input) ([]Suggestion, error)

// Suggest calls f.
func (f SuggesterFunc) Suggest(ctx context.Context, in Input) ([]Suggestion, error) {
	return f(ctx, in)
}

// Heuristic is the built-in Suggester: it reads column titles against the
// module's field names and a dictionary of the titles common exports use,
// and weighs them against the sample values. It never fails and needs no
// network. See the package documentation for how it decides.
type Heuristic struct{}

// Suggest implements Suggester.
func (Heuristic) Suggest(ctx context.Context, in Input) ([]Suggestion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return suggest(in.Header, in.Rows, in.Module), nil
}

// Default is the built-in Suggester.
var Default Suggester = Heuristic{}

// Suggest runs the built-in suggester: one Suggestion per column of
// header, in order. rows are sample rows and may be nil.
func Suggest(header []string, rows [][]string, module *crmio.Module) []Suggestion {
	return suggest(header, rows, module)
}

// Chain returns a Suggester that asks each of suggesters in turn and
// keeps, for each column, the first suggestion of at least Medium
// confidence, or failing that the first Low one, unless an earlier
// suggester's suggestion already claims the same single-value field,
// address part or labelled item (then the column is left to the next
// suggester). Suggestions of fields the module does not have are dropped.
// Put the most trusted first: a user's saved mapping, then a language
// model, then Default for whatever they leave.
//
// A failing suggester does not fail the chain: its error is joined into
// the error Chain returns alongside the suggestions of the others, so a
// caller may log it and go on. A cancelled context stops the chain.
func Chain(suggesters ...Suggester) Suggester {
	return chain(suggesters)
}

type chain []Suggester

func (c chain) Suggest(ctx context.Context, in Input) ([]Suggestion, error) {
	out := make([]Suggestion, len(in.Header))
	for i, h := range in.Header {
		out[i] = Suggestion{Column: i, Header: h}
	}
	answers := make([][]Suggestion, len(c))
	var errs []error
	for n, s := range c {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		got, err := s.Suggest(ctx, in)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			errs = append(errs, fmt.Errorf("mapping: suggester %d of %d: %w", n+1, len(c), err))
		}
		answers[n] = got
	}
	// First the suggestions worth applying (Medium or High), in the
	// suggesters' order; then the guesses, for the columns still empty.
	claimed := map[string]bool{}
	for _, guesses := range []bool{false, true} {
		for _, got := range answers {
			// A suggester is trusted to be consistent with itself (two
			// street lines of one address are one target on purpose); only
			// the claims of the suggesters before it are checked.
			mine := map[string]bool{}
			for _, sg := range got {
				if sg.Column < 0 || sg.Column >= len(out) || sg.Target.IsZero() || !out[sg.Column].Target.IsZero() ||
					(sg.Confidence < Medium) != guesses {
					continue
				}
				keys := []string{sg.Target.Field}
				if in.Module != nil {
					f := in.Module.Field(sg.Target.Field)
					if f == nil || sg.Target.Family != "" && in.Module.Field(sg.Target.Family) == nil {
						continue // a suggester made up a field
					}
					if f.Multi && f.Type != crmio.TypeAddress && sg.Target.Role == RoleValue {
						keys = nil // a multi-value field takes any number of value columns
					} else {
						keys = claimKeys(in.Module, f, sg.Target, 0)
					}
				}
				if slices.ContainsFunc(keys, func(k string) bool { return claimed[k] }) {
					continue
				}
				for _, k := range keys {
					mine[k] = true
				}
				sg.Header = in.Header[sg.Column]
				out[sg.Column] = sg
			}
			for k := range mine {
				claimed[k] = true
			}
		}
	}
	return out, errors.Join(errs...)
}
