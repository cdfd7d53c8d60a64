package mapping

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmio/crmio"
)

// expectation is what a column of a corpus file should map to, written in
// testdata/accuracy as field[/label][.part][#group][!label]:
//
//	first_name            address/work.city      phone#1!label (the label column of group 1)
//	-  no field of the test module fits: any High suggestion is wrong
//	?  several answers are defensible: not scored
type expectation struct {
	header   string
	target   Target
	none     bool
	unscored bool
	group    bool // the group is checked
}

func parseExpectation(header, s string) (expectation, error) {
	e := expectation{header: header}
	switch s {
	case "-":
		e.none = true
		return e, nil
	case "?":
		e.unscored = true
		return e, nil
	}
	if given, family, ok := strings.Cut(s, "+"); ok {
		e.target = Target{Field: given, Family: family, Role: RoleWholeName}
		return e, nil
	}
	if rest, ok := strings.CutSuffix(s, "!label"); ok {
		e.target.Role, s = RoleLabel, rest
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		e.target.Group, e.group, s = s[i+1:], true, s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		e.target.Part, s = crmio.AddressPart(s[i+1:]), s[:i]
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		e.target.Label, s = s[i+1:], s[:i]
	}
	e.target.Field = s
	if s == "" {
		return e, fmt.Errorf("bad expectation %q", s)
	}
	return e, nil
}

func (e expectation) matches(t Target) bool {
	if !e.group {
		t.Group = ""
	}
	return t == e.target
}

type accuracyFile struct {
	module  string
	lang    string
	each    bool // a mapping table, not an export: each title is suggested on its own
	columns []expectation
}

func readAccuracyFile(t *testing.T, path string) accuracyFile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var af accuracyFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# module: "); ok {
			af.module = v
			continue
		}
		if v, ok := strings.CutPrefix(line, "# lang: "); ok {
			af.lang = v
			continue
		}
		if v, ok := strings.CutPrefix(line, "# mode: "); ok {
			af.each = v == "each"
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		header, exp, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: line %q has no tab", path, line)
		}
		e, err := parseExpectation(header, exp)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		af.columns = append(af.columns, e)
	}
	return af
}

// corpusHeader reads the header of a corpus file: one title a line, or
// for a ".preamble" file the CSV header line after the preamble.
func corpusHeader(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if strings.HasSuffix(path, ".preamble.txt") {
		rec, err := csv.NewReader(strings.NewReader(lines[len(lines)-1])).Read()
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	return lines
}

// TestSuggestAccuracy runs the suggester over every header file of the
// corpus (real exports of Salesforce, HubSpot, Pipedrive, Zoho, Google
// Contacts, Outlook in English and German, Thunderbird, Mailchimp and
// LinkedIn) with no sample rows, and checks it against the expected
// targets in testdata/accuracy: at least 95% right with High or Medium
// confidence, and no wrong High at all.
func TestSuggestAccuracy(t *testing.T) {
	dir := corpusDir(t, "headers")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Skipf("no header files in %s", dir)
	}
	modules := map[string]*crmio.Module{"people": peopleModule(), "accounts": accountsModule(), "deals": dealsModule()}
	var scored, right int
	for _, path := range files {
		name := filepath.Base(path)
		expPath := filepath.Join("testdata", "accuracy", name)
		if _, err := os.Stat(expPath); err != nil {
			t.Errorf("%s: no expectations in %s: every corpus file must have them", name, expPath)
			continue
		}
		af := readAccuracyFile(t, expPath)
		header := corpusHeader(t, path)
		if len(header) != len(af.columns) {
			t.Errorf("%s: the corpus has %d columns, the expectations %d", name, len(header), len(af.columns))
			continue
		}
		m := modules[af.module]
		if m == nil {
			t.Fatalf("%s: unknown module %q", expPath, af.module)
		}
		got := suggestFile(header, af.each, m)
		fileScored, fileRight, wrongMedium := 0, 0, 0
		for i, e := range af.columns {
			if e.header != header[i] {
				t.Errorf("%s: column %d is %q in the corpus, %q in the expectations", name, i+1, header[i], e.header)
				continue
			}
			s := got[i]
			if e.unscored {
				continue
			}
			good := !e.none && e.matches(s.Target)
			if !good && s.Confidence == High {
				want := "nothing"
				if !e.none {
					want = formatExpectation(e)
				}
				t.Errorf("%s: wrong High: %q → %s, want %s (%s)", name, s.Header, s.Target, want, s.Reason)
			}
			if !good && s.Confidence == Medium {
				wrongMedium++
				t.Logf("%s: wrong Medium: %q → %s (%s)", name, s.Header, s.Target, s.Reason)
			}
			if e.none {
				continue
			}
			fileScored++
			if good && s.Confidence >= Medium {
				fileRight++
			} else {
				t.Logf("%s: missed %q: got %s (%s, %s), want %s", name, s.Header, s.Target, s.Confidence, s.Reason, formatExpectation(e))
			}
		}
		scored += fileScored
		right += fileRight
		t.Logf("%-58s %3d/%3d right (%5.1f%%), %d wrong Medium", name, fileRight, fileScored, pct(fileRight, fileScored), wrongMedium)
	}
	t.Logf("all files: %d/%d right (%.1f%%)", right, scored, pct(right, scored))
	if pct(right, scored) < 95 {
		t.Errorf("accuracy %.1f%% is below 95%%", pct(right, scored))
	}
}

// suggestFile suggests a corpus file's header: as a whole, or for a
// mapping table (each), title by title.
func suggestFile(header []string, each bool, m *crmio.Module) []Suggestion {
	if !each {
		return Suggest(header, nil, m)
	}
	var got []Suggestion
	for i, h := range header {
		s := Suggest([]string{h}, nil, m)[0]
		s.Column = i
		got = append(got, s)
	}
	return got
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func formatExpectation(e expectation) string {
	if e.target.Role == RoleWholeName {
		return e.target.Field + "+" + e.target.Family
	}
	s := e.target.Field
	if e.target.Label != "" {
		s += "/" + e.target.Label
	}
	if e.target.Part != "" {
		s += "." + string(e.target.Part)
	}
	if e.group {
		s += "#" + e.target.Group
	}
	if e.target.Role == RoleLabel {
		s += "!label"
	}
	return s
}
