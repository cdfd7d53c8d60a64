package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/crmio/crmio/exporter"
)

var templateFlags struct {
	module string
	format string
	fields string
	output string
}

var templateCmd = &command{
	name:    "template",
	args:    "--module M --format csv|xlsx [--fields a,b,...] -o FILE",
	summary: "write an import template for a module",
	help: `Template writes FILE ("-" is the standard output): the header an import of
module M expects and one example row that imports cleanly. The format
defaults to FILE's extension. An XLSX template colours the required columns
and adds an Instructions sheet; for either format the columns are listed
with what each takes.`,
	flags: func(fs *flag.FlagSet) {
		f := &templateFlags
		fs.StringVar(&f.module, "module", "", "the `MODULE` (required)")
		fs.StringVar(&f.format, "format", "", "the file `FORMAT`: csv or xlsx (default: from the file's extension, else csv)")
		fs.StringVar(&f.fields, "fields", "", "the `fields` to include, comma-separated (default: all; required fields always)")
		fs.StringVar(&f.output, "o", "", "the `FILE` to write; - for the standard output")
	},
	run: runTemplate,
}

func runTemplate(_ context.Context, e *env, _ []string) error {
	f := &templateFlags
	m, err := e.module(f.module)
	if err != nil {
		return err
	}
	if f.output == "" {
		return usagef("-o FILE is required (- for the standard output)")
	}
	format, err := fileFormat(f.format, f.output, []exporter.Format{exporter.CSV, exporter.XLSX})
	if err != nil {
		return err
	}
	opts := &exporter.TemplateOptions{Format: format, Schema: e.schema}
	if f.fields != "" {
		opts.Fields = splitList(f.fields)
		if err := checkFields(m, opts.Fields, "--fields"); err != nil {
			return err
		}
	}
	var cols []exporter.TemplateColumn
	err = writeOutput(f.output, e.stdout, func(w io.Writer) error {
		var err error
		cols, err = exporter.Template(w, m, opts)
		return err
	})
	if err != nil || f.output == "-" {
		return err
	}
	required := 0
	for _, c := range cols {
		if c.Required {
			required++
		}
	}
	fmt.Fprintf(e.stdout, "Wrote %s: the %s template, %d columns (%d required).\n\n", f.output, m.Name, len(cols), required)
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  column\trequired\texample\twhat it takes")
	for _, c := range cols {
		req := ""
		if c.Required {
			req = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Name, req, clip(c.Example, 30), c.Hint)
	}
	return tw.Flush()
}
