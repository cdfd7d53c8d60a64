package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/crmio/crmio"
	_ "github.com/crmio/crmio/formats/all" // the formats it reads: CSV, XLSX, XLS
	"github.com/crmio/crmio/schemas"
	"github.com/crmio/crmio/storage"
)

// The exit statuses.
const (
	exitOK         = 0
	exitRowsFailed = 1 // some rows failed, or a rollback was refused
	exitError      = 2 // a usage error or a failure of the system
)

func main() {
	// The collector is left at its defaults (GOGC and GOMEMLIMIT decide,
	// when set), but with the in-memory store, which collects sooner (see
	// memoryGCPercent). GOGC=400, which this command once set, bought
	// nothing on a 500,000-row import and cost memory: into memory:, 637 MB
	// peak RSS against 386 MB at the default (its live data is 196 MB) for
	// the same CPU (4.0 s against 3.7 s); into sqlite:, 262 MB against
	// 200 MB, CPU 16.8 s against 16.6 s.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of the tool.
type command struct {
	name    string
	args    string // the synopsis after the name: "FILE [--module M] ..."
	summary string // one line for the command list
	help    string // what it does, in a paragraph or two
	// flags declares the command's own flags on fs.
	flags func(fs *flag.FlagSet)
	// positional is the number of positional arguments the command takes.
	positional int
	run        func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands, in the order help shows them.
var commands []*command

func init() {
	commands = []*command{previewCmd, importCmd, resumeCmd, exportCmd, templateCmd, historyCmd, statusCmd, rollbackCmd, cancelCmd, serveCmd, workerCmd}
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// env is what a command runs with: its output streams and the global
// options, with the schema and the store opened on first use.
type env struct {
	cmd    *command
	stdout *bufio.Writer
	stderr io.Writer
	// errTTY says whether stderr is a terminal (the progress bar's place).
	errTTY bool

	db         string
	schemaFile string

	schema *crmio.Schema
	store  storage.Store
	close  func() error
}

// usageError is a mistake in the command line: the message is printed
// with a pointer to the command's help, and the exit status is 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitStatus is an outcome already reported to the user that ends the
// process with a status other than 0: failed rows, a refused rollback.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run runs the tool with args (without the program name) and returns the
// exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	e := &env{stdout: out, stderr: stderr, errTTY: isTerminal(stderr)}
	e.db = os.Getenv("CRMIO_DB")
	if e.db == "" {
		e.db = "sqlite:crmio.db"
	}

	// Global flags may come before the command, and after it too: each
	// command's flag set declares them as well.
	global := flag.NewFlagSet("crmio", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	var cpuProfile string
	declareGlobal(global, e, &cpuProfile)
	help := global.Bool("h", false, "")
	global.BoolVar(help, "help", false, "")
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "crmio: %v\nRun 'crmio help' for usage.\n", err)
		return exitError
	}
	rest := global.Args()
	if *help || len(rest) == 0 {
		if len(rest) == 0 && !*help {
			writeOverview(stderr)
			return exitError
		}
		writeOverview(out)
		return exitOK
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return runHelp(out, stderr, rest)
	}
	cmd := lookupCommand(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "crmio: unknown command %q\nRun 'crmio help' for the list of commands.\n", name)
		return exitError
	}
	e.cmd = cmd

	fs := flag.NewFlagSet("crmio "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	declareGlobal(fs, e, &cpuProfile)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	positional, err := parseInterspersed(fs, rest)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeCommandHelp(out, cmd, fs)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "crmio %s: %v\nRun 'crmio %s -h' for usage.\n", cmd.name, err, cmd.name)
		return exitError
	case len(positional) > cmd.positional:
		fmt.Fprintf(stderr, "crmio %s: unexpected argument %q\nRun 'crmio %s -h' for usage.\n", cmd.name, positional[cmd.positional], cmd.name)
		return exitError
	}

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "crmio: %v\n", err)
			return exitError
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "crmio: %v\n", err)
			return exitError
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}

	err = cmd.run(ctx, e, positional)
	if e.close != nil {
		if cerr := e.close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the store: %w", cerr)
		}
	}
	var status exitStatus
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &usage):
		out.Flush()
		fmt.Fprintf(stderr, "crmio %s: %s\nRun 'crmio %s -h' for usage.\n", cmd.name, usage.msg, cmd.name)
		return exitError
	default:
		out.Flush()
		fmt.Fprintf(stderr, "crmio %s: %s\n", cmd.name, describeError(err))
		return exitError
	}
}

// declareGlobal declares the flags every command accepts.
func declareGlobal(fs *flag.FlagSet, e *env, cpuProfile *string) {
	fs.StringVar(&e.db, "db", e.db, "the store: sqlite:PATH, postgres://... or memory: (default $CRMIO_DB, else sqlite:crmio.db)")
	fs.StringVar(&e.schemaFile, "schema", e.schemaFile, "a JSON file of module definitions (default: the built-in CRM schema)")
	// A hidden flag for measuring the tool itself.
	fs.StringVar(cpuProfile, "cpuprofile", *cpuProfile, "")
}

var hiddenFlags = map[string]bool{"cpuprofile": true, "h": true, "help": true}

// parseInterspersed parses fs from args, allowing flags after the
// positional arguments ("import contacts.csv --module people"), and returns
// the positional arguments. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// loadSchema returns the schema of --schema, or the built-in one.
func (e *env) loadSchema() (*crmio.Schema, error) {
	if e.schema != nil {
		return e.schema, nil
	}
	if e.schemaFile == "" {
		e.schema = schemas.Default()
		return e.schema, nil
	}
	data, err := os.ReadFile(e.schemaFile)
	if err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	s, err := schemas.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("the schema %s is not valid:\n  %s", e.schemaFile, indentLines(err.Error(), "  "))
	}
	e.schema = s
	return s, nil
}

// module returns the schema's module name, or a usage error listing the
// modules there are.
func (e *env) module(name string) (*crmio.Module, error) {
	s, err := e.loadSchema()
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, usagef("--module is required (the schema's modules: %s)", moduleNames(s))
	}
	if m := s.Module(name); m != nil {
		return m, nil
	}
	return nil, usagef("unknown module %q (the schema's modules: %s)", name, moduleNames(s))
}

func moduleNames(s *crmio.Schema) string {
	names := make([]string, len(s.Modules))
	for i, m := range s.Modules {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

func fieldNames(m *crmio.Module) string {
	names := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// openStore opens the store of --db, once.
func (e *env) openStore(ctx context.Context) (storage.Store, error) {
	if e.store != nil {
		return e.store, nil
	}
	s, closeFn, err := openStore(ctx, e.db)
	if err != nil {
		return nil, err
	}
	e.store, e.close = s, closeFn
	return s, nil
}

// inMemory reports whether the store is the memory store, whose history
// ends with the command.
func (e *env) inMemory() bool { return strings.HasPrefix(e.db, "memory") }

// isTerminal reports whether w is a character device (a terminal), without
// a dependency: golang.org/x/term would also tell a serial line from a
// terminal, which does not matter here.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func indentLines(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// checkFields returns a usage error for the first name that is not a
// field of m.
func checkFields(m *crmio.Module, names []string, what string) error {
	for _, n := range names {
		if m.Field(n) == nil {
			return usagef("%s: module %s has no field %q (its fields: %s)", what, m.Name, n, fieldNames(m))
		}
	}
	if i := firstDuplicate(names); i >= 0 {
		return usagef("%s: field %q is listed twice", what, names[i])
	}
	return nil
}

func firstDuplicate(names []string) int {
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			return i
		}
	}
	return -1
}

// listFlag is a flag that may be repeated: --set a=1 --set b=2.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
