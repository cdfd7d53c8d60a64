package formats

// SwapOpener replaces the Open of the format registered under name for a
// test (registering it with crmio's own sniffing when it is not), or with
// a nil open removes the format, and returns the function that restores
// the registry as it was.
func SwapOpener(name string, open Opener) (restore func()) {
	registryMu.Lock()
	defer registryMu.Unlock()
	saved := make([]*Format, len(registry))
	copy(saved, registry)
	for i, f := range registry {
		if f.Name == name {
			registry = append(registry[:i:i], registry[i+1:]...)
			if open != nil {
				g := *f
				g.Open = open
				registry = append(registry, &g)
			}
			return restoreTo(saved)
		}
	}
	if open != nil {
		for _, b := range builtin {
			if b.Name == name {
				b.Open = open
				registry = append(registry, &b)
			}
		}
	}
	return restoreTo(saved)
}

func restoreTo(saved []*Format) func() {
	return func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		registry = saved
	}
}

// RegisterForTest registers f until the test ends.
func RegisterForTest(t interface{ Cleanup(func()) }, f Format) {
	registryMu.RLock()
	saved := make([]*Format, len(registry))
	copy(saved, registry)
	registryMu.RUnlock()
	Register(f)
	t.Cleanup(restoreTo(saved))
}
