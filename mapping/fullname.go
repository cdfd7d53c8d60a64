package mapping

import (
	"strings"
	"unicode"

	"github.com/crmio/crmio"
)

// SplitName splits a whole name into the given names and the family name,
// the way a RoleWholeName column is split:
//
//   - "Ana García" → "Ana", "García"; "Mary Ann Smith" → "Mary Ann", "Smith"
//   - "García, Ana" (family name first, with a comma) → "Ana", "García"
//   - a family name's particles stay with it: "Ludwig van Beethoven" →
//     "Ludwig", "van Beethoven"; "María de la Cruz" → "María", "de la Cruz";
//     "Jan van der Berg" → "Jan", "van der Berg"
//   - honorifics are dropped ("Dr. Ana García", "Herr Jan Berg", "Mme
//     Claire Dubois") and generational suffixes kept with the family name
//     ("Martin Luther King Jr." → "Martin Luther", "King Jr.")
//   - one word is a family name: "Cher" → "", "Cher"
//
// Without a comma, a name's last word (with its particles) is taken for
// the family name: "María José García López", with two Spanish family
// names, splits as "María José García", "López". Map such files to a
// field of their own if that matters.
func SplitName(s string) (given, family string) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", ""
	}
	if before, after, ok := strings.Cut(s, ","); ok {
		after = strings.TrimSpace(after)
		before = strings.TrimSpace(before)
		switch {
		case after == "":
			s = before
		case isNameSuffix(after):
			s = before + " " + after // "Martin Luther King, Jr."
		default:
			// "García, Ana" or "King, Martin Luther, Jr.": the family name
			// first, then the given names, then a suffix.
			parts := strings.Split(after, ",")
			suffix := ""
			if n := len(parts); n > 1 && isNameSuffix(parts[n-1]) {
				suffix, parts = strings.TrimSpace(parts[n-1]), parts[:n-1]
			}
			g := strings.Join(dropHonorifics(strings.Fields(strings.Join(parts, " "))), " ")
			family = before
			if suffix != "" {
				family += " " + suffix
			}
			return g, family
		}
	}
	words := dropHonorifics(strings.Fields(s))
	var suffix []string
	for len(words) > 1 && isNameSuffix(words[len(words)-1]) {
		suffix = append([]string{words[len(words)-1]}, suffix...)
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return "", strings.Join(suffix, " ")
	}
	start := len(words) - 1
	// Particles before the last word belong to the family name, but the
	// first word is always a given name ("De Witt Clinton" stays whole).
	for start > 1 && nameParticles[strings.ToLower(words[start-1])] {
		start--
	}
	family = strings.Join(append(words[start:len(words):len(words)], suffix...), " ")
	return strings.Join(words[:start], " "), family
}

// nameParticles are the lower-case words that start a family name in the
// languages the lexicon covers (and a few beyond).
var nameParticles = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "del": true, "della": true, "delle": true,
	"di": true, "da": true, "das": true, "dos": true, "do": true, "du": true, "des": true, "la": true, "le": true,
	"lo": true, "los": true, "las": true, "ter": true, "ten": true, "te": true, "zu": true, "zum": true, "zur": true,
	"vom": true, "op": true, "'t": true, "y": true, "e": true, "bin": true, "ibn": true, "al": true, "el": true,
	"st.": true, "saint": true, "san": true, "santa": true, "mac": false,
}

// honorifics are dropped from the front of a whole name.
var honorifics = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true, "dame": true,
	"herr": true, "frau": true, "m": true, "mme": true, "mlle": true, "me": true, "sr": true, "sra": true, "srta": true,
	"don": true, "doña": true, "dona": true, "sig": true, "sig.ra": true, "dott": true, "dhr": true, "mevr": true,
	"mw": true, "ing": true, "mag": true,
}

// nameSuffixes stay with the family name.
var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true, "phd": true,
	"md": true, "esq": true, "jun": true, "sen": true}

func dropHonorifics(words []string) []string {
	for len(words) > 1 && honorifics[strings.ToLower(strings.TrimSuffix(words[0], "."))] {
		words = words[1:]
	}
	return words
}

func isNameSuffix(w string) bool {
	w = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(w), "."))
	return nameSuffixes[strings.ReplaceAll(w, ".", "")]
}

// namePart says which half of a whole name a column plan takes.
type namePart uint8

const (
	wholeCell  namePart = iota // the cell as it is
	givenNames                 // the given names of a whole name
	familyName                 // the family name of a whole name
)

// nameCell returns the half of a whole-name cell the plan takes, or the
// cell as it is for any other column.
func nameCell(cp *colPlan, s string) string {
	switch cp.name {
	case givenNames:
		s, _ = SplitName(s)
	case familyName:
		_, s = SplitName(s)
	}
	return s
}

// checkWholeName checks a RoleWholeName column: it splits into two
// different single-value text fields.
func checkWholeName(m *crmio.Module, cm ColumnMapping, f *crmio.Field, bad func(format string, args ...any)) bool {
	fam := m.Field(cm.Family)
	switch {
	case cm.Family == "":
		bad("a whole-name column needs the field of the family name (family)")
	case fam == nil:
		bad("module %q has no field %q for the family name", m.Name, cm.Family)
	case fam == f:
		bad("a whole name splits into two fields, not %s twice", f.DisplayLabel())
	case f.Multi || fam.Multi || !isNameType(f) || !isNameType(fam):
		bad("a whole name splits into single-value text fields")
	case cm.Label != "" || cm.Part != "":
		bad("a whole-name column has no label or part")
	default:
		return true
	}
	return false
}

func isNameType(f *crmio.Field) bool {
	return f.Type == crmio.TypeText || f.Type == crmio.TypeChoice && len(f.Choices) == 0
}

// planWholeName adds a whole-name column to the plans of its two fields,
// one taking the given names, the other the family name.
func planWholeName(m *crmio.Module, cm ColumnMapping, col int, head string, planOf func(*crmio.Field) *fieldPlan,
	bad func(col int, head, field, format string, args ...any), coercerFor func(*crmio.Field) *coercer) {
	for _, half := range []struct {
		f    *crmio.Field
		part namePart
	}{{m.Field(cm.Field), givenNames}, {m.Field(cm.Family), familyName}} {
		p := planOf(half.f)
		if len(p.cols) > 0 {
			bad(col, head, half.f.Name, "%s holds one value, and column %q is mapped to it already", half.f.DisplayLabel(), p.cols[0].header)
			continue
		}
		if p.header == "" {
			p.header = head
		}
		p.cols = append(p.cols, colPlan{index: col, header: head, labelCol: -1, name: half.part, c: coercerFor(half.f)})
	}
}

// looksLikeName reports whether s reads as a person's name: letters,
// spaces, hyphens, apostrophes, dots and commas only.
func looksLikeName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',':
		default:
			return false
		}
	}
	return letters >= 2
}
