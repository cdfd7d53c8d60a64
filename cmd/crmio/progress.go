package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/crmio/crmio/importer"
)

// progressBar draws an import's progress on one terminal line, redrawn in
// place. The importer calls update at most every ProgressInterval, so the
// bar costs nothing per row.
type progressBar struct {
	w     io.Writer
	label string
	width int // of the bar itself, in cells
	drawn bool
}

func newProgressBar(w io.Writer, label string) *progressBar {
	return &progressBar{w: w, label: clip(label, 24), width: 28}
}

// update redraws the bar for p.
func (b *progressBar) update(p importer.Progress) {
	b.drawn = true
	io.WriteString(b.w, "\r"+b.line(p)+"\x1b[K")
}

// clear erases the bar, leaving the cursor at the start of its line.
func (b *progressBar) clear() {
	if b.drawn {
		io.WriteString(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

// line renders p: "contacts.csv [=======>     ]  45%  22,500/50,000 rows  12,345 rows/s  ETA 3s".
// Without an estimate the bar is left out.
func (b *progressBar) line(p importer.Progress) string {
	var s strings.Builder
	s.WriteString(b.label)
	s.WriteByte(' ')
	if p.Estimated > 0 {
		frac := float64(p.Read) / float64(p.Estimated)
		// An estimate extrapolated from the bytes read may fall short:
		// never claim 100% before the end.
		frac = min(frac, 0.99)
		filled := int(frac * float64(b.width))
		s.WriteByte('[')
		s.WriteString(strings.Repeat("=", filled))
		if filled < b.width {
			s.WriteByte('>')
			s.WriteString(strings.Repeat(" ", b.width-filled-1))
		}
		fmt.Fprintf(&s, "] %3d%%  %s/%s rows", int(frac*100), thousands(p.Read), thousands(p.Estimated))
	} else {
		fmt.Fprintf(&s, "%s rows", thousands(p.Read))
	}
	if secs := p.Elapsed.Seconds(); secs > 0.2 && p.Read > 0 {
		rate := float64(p.Read) / secs
		fmt.Fprintf(&s, "  %s rows/s", thousands(int(rate)))
		if p.Estimated > p.Read {
			eta := time.Duration(float64(p.Estimated-p.Read) / rate * float64(time.Second))
			fmt.Fprintf(&s, "  ETA %s", eta.Round(time.Second))
		}
	}
	if p.Failed > 0 {
		fmt.Fprintf(&s, "  %s failed", thousands(p.Failed))
	}
	return s.String()
}

// thousands writes n with thousands separators: 1234567 → "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
