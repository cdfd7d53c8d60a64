package importer

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/crmio/crmio/storage"
)

// newRunner returns the identity of one attempt of this process at running
// a job: unique, and enough for another process to tell whether this one
// is still alive (see runnerGone).
func newRunner(worker string) *storage.Runner {
	self := processIdentity()
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	return &storage.Runner{ID: hex.EncodeToString(id), Host: self.Host, Boot: self.Boot, PID: self.PID, Start: self.Start, Worker: worker}
}

var (
	selfOnce sync.Once
	self     storage.Runner
)

// processIdentity is this process as a Runner records it.
func processIdentity() storage.Runner {
	selfOnce.Do(func() {
		self.Host, _ = os.Hostname()
		self.Boot = bootID()
		self.PID = os.Getpid()
		self.Start = processStart(self.PID)
	})
	return self
}

// runnerGone reports whether the process that runs a job is known to be
// gone: it ran on this machine, since its last boot, and no process with
// its pid and start time exists any more. A runner on another machine is
// never known to be gone this way: its heartbeat tells (Options.StaleAfter).
func runnerGone(r *storage.Runner) bool {
	if r == nil || r.PID <= 0 {
		return false
	}
	me := processIdentity()
	if r.Host == "" || r.Host != me.Host || r.Boot != me.Boot {
		return false
	}
	if r.PID == me.PID {
		return r.Start != 0 && r.Start != me.Start // an earlier process with our pid
	}
	alive, known := processExists(r.PID)
	if !known {
		return false
	}
	if !alive {
		return true
	}
	// A process of that pid exists: it is the runner only if it started
	// when the runner did, and is not a zombie waiting to be reaped.
	state, start := processStat(r.PID)
	return state == "Z" || state == "X" || r.Start != 0 && start != 0 && start != r.Start
}

// bootID returns the kernel's boot id (Linux), or "".
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// processStart returns when process pid started, in clock ticks since
// boot, as /proc/PID/stat says (Linux); 0 when unknown.
func processStart(pid int) uint64 {
	_, start := processStat(pid)
	return start
}

// processStat returns the state of process pid ("R", "S", "Z"…) and when
// it started, from /proc/PID/stat (Linux); "" and 0 when unknown.
func processStat(pid int) (state string, start uint64) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0
	}
	// The command name, in parentheses, may hold spaces and parentheses:
	// the fields after it start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0
	}
	fields := strings.Fields(s[i+1:])
	// After the name: state (field 3) … starttime (field 22).
	const startField = 22 - 3
	if len(fields) <= startField {
		return "", 0
	}
	n, err := strconv.ParseUint(fields[startField], 10, 64)
	if err != nil {
		return fields[0], 0
	}
	return fields[0], n
}
