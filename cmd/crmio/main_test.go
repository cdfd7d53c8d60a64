package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/crmio/crmio/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// binary is the crmio command, built once for every test by TestMain.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "crmio-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "crmio")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building crmio:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := testenv.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// runTimeout bounds one run of the binary.
const runTimeout = 2 * time.Minute

// result is what one run of the binary did.
type result struct {
	stdout, stderr string
	code           int
	cpu            time.Duration // user + system time
}

// exe runs the binary with args in a fresh working directory, with
// CRMIO_DB unset unless env sets it. It fails the test when the process
// cannot run at all.
func exe(t testing.TB, env []string, stdin string, args ...string) result {
	t.Helper()
	return exeIn(t, t.TempDir(), env, stdin, args...)
}

// exeIn runs the binary as exe does, in the working directory dir.
func exeIn(t testing.TB, dir string, env []string, stdin string, args ...string) result {
	t.Helper()
	// A hung process fails its test, not the whole package at the
	// go test timeout.
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutVar(os.Environ(), "CRMIO_DB"), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("crmio %s did not end within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), runTimeout, stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running crmio %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode(),
		cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// cli runs crmio with no extra environment and no input.
func cli(t testing.TB, args ...string) result {
	t.Helper()
	return exe(t, nil, "", args...)
}

func withoutVar(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// want checks the exit status and that stdout and stderr contain the given
// texts; it prints the whole output when they do not.
func (r result) want(t testing.TB, code int, stdout, stderr []string) {
	t.Helper()
	ok := r.code == code
	for _, s := range stdout {
		ok = ok && strings.Contains(r.stdout, s)
	}
	for _, s := range stderr {
		ok = ok && strings.Contains(r.stderr, s)
	}
	if !ok {
		t.Errorf("exit status %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout to contain %q\nwant stderr to contain %q",
			r.code, code, r.stdout, r.stderr, stdout, stderr)
	}
}

// decodeStrict decodes JSON into v, refusing keys v does not declare: the
// JSON shapes are part of the tool's contract.
func decodeStrict(t testing.TB, data string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, data)
	}
}

func testdata(name string) string {
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return p
}

// sqliteDB returns a --db flag value for a fresh SQLite file.
func sqliteDB(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "crm.db")
}

func TestHelp(t *testing.T) {
	r := cli(t)
	r.want(t, exitError, nil, []string{"Usage:", "preview", "import", "export", "template", "history", "status", "rollback"})

	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r = cli(t, args...)
		r.want(t, exitOK, []string{"Usage:", "crmio [--db DB] [--schema FILE] COMMAND", "--db DB", "CRMIO_DB"}, nil)
	}
	for _, c := range commands {
		r = cli(t, "help", c.name)
		r.want(t, exitOK, []string{"Usage: crmio " + c.name, "Global flags:"}, nil)
		r2 := cli(t, c.name, "-h")
		r2.want(t, exitOK, nil, nil)
		if r2.stdout != r.stdout {
			t.Errorf("crmio %s -h and crmio help %s differ:\n%s\n---\n%s", c.name, c.name, r2.stdout, r.stdout)
		}
		if strings.Contains(r.stdout, "cpuprofile") {
			t.Errorf("crmio help %s shows the hidden flag -cpuprofile", c.name)
		}
	}
	r = cli(t, "help", "import")
	r.want(t, exitOK, []string{"--duplicates STRATEGY", "--merge MODE", "--auto-create-refs", "--dry-run", "--errors OUT.csv", "Exit status"}, nil)
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args   []string
		stderr []string
	}{
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "crmio help"}},
		{[]string{"help", "frobnicate"}, []string{`unknown command "frobnicate"`}},
		{[]string{"import", "--bogus"}, []string{"crmio import: flag provided but not defined: -bogus", "Run 'crmio import -h' for usage."}},
		{[]string{"--db", "memory:", "import"}, []string{"which file?"}},
		{[]string{"--db", "memory:", "import", testdata("people.csv")}, []string{"--module is required", "accounts, people, leads, tasks"}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "persons"}, []string{`unknown module "persons"`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "extra", "--module", "people"}, []string{`unexpected argument "extra"`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--duplicates", "merge"}, []string{`--duplicates "merge": want skip, update or create`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--merge", "fill"}, []string{`--merge "fill"`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--match", "email,phone_number"}, []string{`--match: module people has no field "phone_number"`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--set", "status"}, []string{`--set "status": want field=value`}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--set", "status=maybe"}, []string{`--set "status=maybe"`, "not one of the choices"}},
		{[]string{"--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--max-size", "lots"}, []string{`--max-size: bad size "lots"`}},
		{[]string{"--db", "nosql:x", "history"}, []string{`unknown store "nosql:x": want sqlite:PATH, postgres://... or memory:`}},
		{[]string{"--db", "sqlite:", "history"}, []string{"needs a file name"}},
		{[]string{"--db", "memory:", "export", "--module", "people"}, []string{"-o FILE is required"}},
		{[]string{"--db", "memory:", "export", "--module", "people", "--format", "docx", "-o", "x"}, []string{`--format "docx": want csv, xlsx, pdf`}},
		{[]string{"--db", "memory:", "template", "--module", "people", "--format", "pdf", "-o", "x"}, []string{`--format "pdf": want csv, xlsx`}},
		{[]string{"--db", "memory:", "status"}, []string{"which job?"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := cli(t, tt.args...)
			r.want(t, exitError, nil, tt.stderr)
			if r.stdout != "" {
				t.Errorf("stdout should be empty on a usage error:\n%s", r.stdout)
			}
		})
	}
}

// Errors of the system name the file and say what is wrong, exit status 2.
func TestSystemErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.csv")
	r := cli(t, "--db", "memory:", "import", missing, "--module", "people")
	r.want(t, exitError, nil, []string{"crmio import: " + missing + ": no such file or directory"})

	pdf := filepath.Join(dir, "report.csv")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, "--db", "memory:", "import", pdf, "--module", "people")
	r.want(t, exitError, nil, []string{"report.csv: unsupported format"})

	nothing := filepath.Join(dir, "nothing.csv")
	os.WriteFile(nothing, []byte("Zzyzx,Qwfp\n1,2\n"), 0o644)
	r = cli(t, "--db", "memory:", "import", nothing, "--module", "people")
	r.want(t, exitError, nil, []string{"crmio import: no column is mapped to a field", "crmio preview FILE --module M"})

	r = cli(t, "--db", "memory:", "import", testdata("people.csv"), "--module", "people", "--max-size", "100B")
	r.want(t, exitError, nil, []string{"people.csv", "too large", "--max-size"})

	badSchema := filepath.Join(dir, "schema.json")
	os.WriteFile(badSchema, []byte(`{"modules":[{"name":"x","fields":[{"name":"a","type":"colour"},{"name":"b","type":"reference"}]}]}`), 0o644)
	r = cli(t, "--db", "memory:", "--schema", badSchema, "history")
	r.want(t, exitError, nil, []string{"the schema " + badSchema + " is not valid", `field "a": unknown type "colour"`, `field "b": a reference field needs a target module`})

	r = cli(t, "--db", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "history")
	r.want(t, exitError, nil, []string{"crmio history: postgres:"})
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args       []string
		positional []string
		module     string
		json       bool
	}{
		{[]string{"a.csv", "--module", "people"}, []string{"a.csv"}, "people", false},
		{[]string{"--module", "people", "a.csv", "--json"}, []string{"a.csv"}, "people", true},
		{[]string{"--json", "a.csv", "b.csv"}, []string{"a.csv", "b.csv"}, "", true},
		{[]string{"--module=people", "--", "--json"}, []string{"--json"}, "people", false},
		{nil, nil, "", false},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		module := fs.String("module", "", "")
		js := fs.Bool("json", false, "")
		got, err := parseInterspersed(fs, tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.positional) || *module != tt.module || *js != tt.json {
			t.Errorf("%q: positional %q, module %q, json %v; want %q, %q, %v", tt.args, got, *module, *js, tt.positional, tt.module, tt.json)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"100": 100, "100B": 100, "2KiB": 2048, "1.5MB": 1_500_000, "1GB": 1e9, "2GiB": 2 << 30, "-1": -1, "10m": 10 << 20} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "0", "-5", "1TB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}
