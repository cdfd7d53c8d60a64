package formats

// SwapOpener replaces the opener registered under name (nil removes it)
// for a test, returning the function that restores the previous one.
func SwapOpener(name string, open Opener) (restore func()) {
	registryMu.Lock()
	defer registryMu.Unlock()
	old, had := registry[name]
	if open == nil {
		delete(registry, name)
	} else {
		registry[name] = open
	}
	return func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		if had {
			registry[name] = old
		} else {
			delete(registry, name)
		}
	}
}
