package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func writeOverview(w io.Writer) {
	fmt.Fprint(w, `crmio imports CSV, XLSX, XLS and vCard files into the modules of a CRM and exports
them to CSV, XLSX, vCard and PDF.

Usage:

  crmio [--db DB] [--schema FILE] COMMAND [arguments]

Commands:

`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	fmt.Fprintf(tw, "  help\tthe usage of the tool, or of a command: crmio help COMMAND\n")
	tw.Flush()
	fmt.Fprint(w, `
Global flags (before or after the command):

`)
	writeGlobalFlags(w)
	fmt.Fprint(w, `
Run 'crmio help COMMAND' or 'crmio COMMAND -h' for a command's flags.
`)
}

func writeGlobalFlags(w io.Writer) {
	fmt.Fprint(w, `  --db DB        the store: sqlite:PATH (default sqlite:crmio.db),
                 postgres://...[?schema=NAME] or memory:; the variable CRMIO_DB
                 sets the default
  --schema FILE  module definitions in JSON (default: the built-in CRM schema:
                 accounts, people, leads, tasks)
`)
}

// runHelp implements "crmio help [COMMAND]".
func runHelp(stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 {
		writeOverview(stdout)
		return exitOK
	}
	cmd := lookupCommand(args[0])
	if cmd == nil {
		fmt.Fprintf(stderr, "crmio help: unknown command %q\nRun 'crmio help' for the list of commands.\n", args[0])
		return exitError
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	writeCommandHelp(stdout, cmd, fs)
	return exitOK
}

// writeCommandHelp writes a command's usage: its synopsis, what it does,
// its flags (without the global ones) and the global flags.
func writeCommandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: crmio %s %s\n\n%s\n", cmd.name, cmd.args, strings.TrimSpace(cmd.help))
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if !hiddenFlags[f.Name] && f.Name != "db" && f.Name != "schema" {
			flags = append(flags, f)
		}
	})
	if len(flags) > 0 {
		fmt.Fprint(w, "\nFlags:\n\n")
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, f := range flags {
			name, usage := flag.UnquoteUsage(f)
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			arg := dash + f.Name
			if name != "" {
				arg += " " + name
			}
			if def := f.DefValue; def != "" && def != "false" && def != "0" && def != "[]" {
				usage += fmt.Sprintf(" (default %s)", def)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", arg, usage)
		}
		tw.Flush()
	}
	fmt.Fprint(w, "\nGlobal flags:\n\n")
	writeGlobalFlags(w)
}
