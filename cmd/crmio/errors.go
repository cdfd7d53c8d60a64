package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/crmio/crmio/formats"
	"github.com/crmio/crmio/importer"
	"github.com/crmio/crmio/mapping"
	"github.com/crmio/crmio/storage"
)

// describeError turns an error into text for a person: every problem of a
// joined error on its own line, the library's package prefixes dropped
// ("formats: ", "importer: "), and a hint where there is something to do.
func describeError(err error) string {
	var lines []string
	for _, e := range leaves(err) {
		lines = append(lines, plain(e.Error()))
	}
	msg := strings.Join(lines, "\n  ")
	if len(lines) > 1 {
		msg = fmt.Sprintf("%d problems:\n  %s", len(lines), msg)
	}
	switch {
	case errors.Is(err, formats.ErrTooLarge):
		msg += "\n(raise the limit with --max-size, e.g. --max-size 1GB, or --max-size -1 for none)"
	case errors.Is(err, mapping.ErrInvalidMapping):
		msg += "\n(see the suggested mapping with 'crmio preview FILE --module M --save-mapping mapping.json', fix it and import with --mapping mapping.json)"
	case errors.Is(err, importer.ErrNoMapping):
		msg += "\n(see what each column would be with 'crmio preview FILE --module M', and map them with --mapping)"
	case errors.Is(err, formats.ErrNoSheet):
		msg += "\n(see the sheets with 'crmio preview FILE')"
	case errors.Is(err, storage.ErrInvalidQuery):
		msg += "\n(a filter is 'FIELD OP VALUE', OP one of = != contains < <= > >=)"
	}
	return msg
}

// leaves returns the errors joined in err (errors.Join), recursively, or
// err itself.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// prefixes are the package prefixes the library puts on its errors, for
// programs; a person reading the tool's messages does not need them.
var prefixes = strings.NewReplacer(
	"crmio: ", "",
	"formats: ", "",
	"importer: ", "",
	"exporter: ", "",
	"mapping: ", "",
	"storage: ", "",
	"schemas: ", "",
)

func plain(s string) string { return prefixes.Replace(s) }
