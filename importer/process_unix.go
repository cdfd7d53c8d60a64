//go:build unix

package importer

import (
	"errors"
	"syscall"
)

// processExists reports whether a process with the pid exists, and whether
// that could be known.
func processExists(pid int) (alive, known bool) {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true // EPERM: it exists, owned by someone else
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
