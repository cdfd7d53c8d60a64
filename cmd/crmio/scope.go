package main

import (
	"context"
	"flag"

	"github.com/crmio/crmio"
	"github.com/crmio/crmio/storage"
)

// scopeFlag declares --scope on fs: the caller's visibility rule, in the
// syntax of --where, repeatable. Import, export and preview take it.
func scopeFlag(fs *flag.FlagSet, into *listFlag) {
	fs.Var(into, "scope", "work only among the records where `'field op value'` holds, exactly (repeatable): a role's visibility rule")
}

// parseScope returns the scope the --scope flags describe (nil for none).
// Unlike --where, a scope compares exactly: "owner = alice" does not see
// Alice's records.
func parseScope(ctx context.Context, e *env, m *crmio.Module, flags []string) (*storage.Scope, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	sc := &storage.Scope{Name: "--scope"}
	for _, s := range flags {
		f, err := parseFilter("--scope", m, s)
		if err != nil {
			return nil, err
		}
		sc.Where = append(sc.Where, f)
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return nil, err
	}
	if err := resolveRefs(ctx, "--scope", store, e.schema, m, sc.Where); err != nil {
		return nil, err
	}
	return sc, nil
}
