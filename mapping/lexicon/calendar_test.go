package lexicon

import (
	"strings"
	"testing"
)

// TestCalendars checks the shape of the data: every language has twelve
// months and seven weekdays, and no spelling names two months or two
// weekdays of one language.
func TestCalendars(t *testing.T) {
	languages := map[string]bool{}
	for _, c := range Calendars {
		if strings.Contains(c.Lang, "-") {
			base := c.Lang[:strings.IndexByte(c.Lang, '-')]
			if !languages[base] {
				t.Errorf("%s comes before its language %s", c.Lang, base)
			}
			continue // a regional variant lists only what differs
		}
		languages[c.Lang] = true
		months := map[string]int{}
		for m, names := range c.Months {
			if len(names) == 0 {
				t.Errorf("%s: month %d has no name", c.Lang, m+1)
			}
			for _, n := range names {
				k := strings.ToLower(strings.TrimSuffix(n, "."))
				if prev, dup := months[k]; dup && prev != m {
					t.Errorf("%s: %q names months %d and %d", c.Lang, n, prev+1, m+1)
				}
				months[k] = m
			}
		}
		days := map[string]int{}
		for d, names := range c.Weekdays {
			if len(names) == 0 {
				t.Errorf("%s: weekday %d has no name", c.Lang, d)
			}
			for _, n := range names {
				k := strings.ToLower(strings.TrimSuffix(n, "."))
				if prev, dup := days[k]; dup && prev != d {
					t.Errorf("%s: %q names weekdays %d and %d", c.Lang, n, prev, d)
				}
				days[k] = d
			}
		}
		if len(c.AM) == 0 || len(c.PM) == 0 || len(c.Eras) == 0 {
			t.Errorf("%s: no AM, PM or era names", c.Lang)
		}
	}
	for _, lang := range []string{"en", "de", "fr", "es", "pt", "it", "nl"} {
		if !languages[lang] {
			t.Errorf("no calendar for %s", lang)
		}
	}
}
