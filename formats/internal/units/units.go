// Package units writes quantities for the messages of the formats
// packages, so that every reader states sizes the same way.
package units

import "fmt"

// Size formats a byte count with a binary unit, keeping the exact count
// when the unit rounds it: "100 MiB", "1.5 KiB (1536 bytes)".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	suffix := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}[exp]
	if n%div == 0 {
		return fmt.Sprintf("%d %s", n/div, suffix)
	}
	return fmt.Sprintf("%.1f %s (%d bytes)", float64(n)/float64(div), suffix, n)
}
