package main

import (
	"errors"
	"fmt"
	"math"
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
	var size *formats.SizeError
	switch {
	case errors.As(err, &size) && size.Size > 0:
		msg += fmt.Sprintf("\n(raise the limit with --max-size: --max-size %s reads this file; --max-size -1 sets none)", sizeAbove(size.Size))
	case errors.Is(err, formats.ErrTooLarge):
		msg += "\n(raise the limit with --max-size, e.g. --max-size 1GB, or --max-size -1 for none)"
	case errors.Is(err, mapping.ErrInvalidMapping):
		msg += "\n(see the suggested mapping with 'crmio preview FILE --module M --save-mapping mapping.json', fix it and import with --mapping mapping.json)"
	case errors.Is(err, importer.ErrNoMapping):
		msg += "\n(see what each column would be with 'crmio preview FILE --module M', and map them with --mapping)"
	case errors.Is(err, formats.ErrNoSheet):
		msg += "\n(choose one with --sheet NAME, or --sheet N for the Nth; 'crmio preview FILE' lists them)"
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

// sizeAbove returns a --max-size that admits n bytes, in round decimal
// units: 5,632 bytes → "6KB", 153,000,000 → "160MB".
func sizeAbove(n int64) string {
	units := []struct {
		name string
		size float64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}}
	for _, u := range units {
		if float64(n) < u.size && u.name != "KB" {
			continue
		}
		v := float64(n) / u.size
		switch {
		case v < 10:
			v = math.Ceil(v*10) / 10
			if v == math.Trunc(v) {
				return fmt.Sprintf("%.0f%s", v, u.name)
			}
			return fmt.Sprintf("%.1f%s", v, u.name)
		default:
			return fmt.Sprintf("%.0f%s", math.Ceil(v/10)*10, u.name)
		}
	}
	return fmt.Sprint(n)
}
