package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/crmio/crmio/importer"
	crmioriver "github.com/crmio/crmio/river"
	"github.com/crmio/crmio/storage"
	"github.com/crmio/crmio/wizard"
)

var serveFlags struct {
	addr       string
	user       string
	uploads    string
	background bool
	workers    int
}

var serveCmd = &command{
	name:    "serve",
	args:    "[--addr HOST:PORT] [--user NAME] [--uploads DIR] [--background [--workers N]]",
	summary: "serve the import wizard (web UI and JSON API) over the store",
	help: `Serve runs the web import wizard over the store of --db: open the address
it prints in a browser to upload a file, map its columns, preview, import
with live progress, read the summary, download the failed rows, roll
imports back and export. The JSON API it serves is documented in
'go doc github.com/crmio/crmio/wizard'.

It has no sign-in: every request is --user's (default $USER, as 'crmio
import' records it, so the history shows both), with no scope. It listens
on 127.0.0.1 by default; an address others can reach lets them import as
--user. To embed the wizard in a CRM behind its own authentication, mount
wizard.Handler (see examples/wizard-admin).

Uploads are kept in the store when it keeps them (storage.Uploads), else
in --uploads DIR, else in a temporary directory removed at exit.

With --background (sqlite:PATH or postgres://... stores), large imports
are queued as durable jobs for 'crmio worker' processes, on this machine
or others; --workers N runs N of them in the server too. The wizard follows
them through the history, failed rows included.
Ctrl-C (SIGINT, SIGTERM) stops the server; imports still running stop
after the batch in hand, cancelled, and can be resumed ('crmio resume').`,
	flags: func(fs *flag.FlagSet) {
		fs.StringVar(&serveFlags.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port)")
		fs.StringVar(&serveFlags.user, "user", "", "the `NAME` every request is made as (default $USER)")
		fs.StringVar(&serveFlags.uploads, "uploads", "", "keep uploads in `DIR` when the store keeps none")
		fs.BoolVar(&serveFlags.background, "background", false, "queue large imports as durable jobs for 'crmio worker' (SQL stores)")
		fs.IntVar(&serveFlags.workers, "workers", 0, "with --background, run `N` workers in the server too")
	},
	run: runServe,
}

func runServe(ctx context.Context, e *env, _ []string) error {
	schema, err := e.loadSchema()
	if err != nil {
		return err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	user := serveFlags.user
	if user == "" {
		user = startedBy()
	}
	opts := &wizard.Options{
		Authorize: wizard.SingleCaller(user),
		Logger:    slog.New(slog.NewTextHandler(e.stderr, nil)),
		Title:     "crmio import",
	}
	if _, ok := store.(storage.Uploads); !ok {
		dir := serveFlags.uploads
		if dir == "" {
			tmp, err := os.MkdirTemp("", "crmio-uploads-*")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
		}
		opts.Uploads = wizard.DirUploads(dir)
	}
	if serveFlags.workers < 0 || serveFlags.workers > 0 && !serveFlags.background {
		return usagef("--workers N (N ≥ 0) goes with --background")
	}
	if serveFlags.background {
		if e.inMemory() {
			return usagef("--background needs a store that keeps a queue: sqlite:PATH or postgres://...")
		}
		runner, err := newRunner(ctx, store, &crmioriver.Config{Concurrency: max(serveFlags.workers, 1), Logger: opts.Logger})
		if err != nil {
			return err
		}
		im := &importer.Options{Runner: runner}
		opts.Importer = im
		uploads, _ := store.(storage.Uploads)
		opts.FailedRows = func(ctx context.Context, jobID string) (io.ReadCloser, error) {
			return crmioriver.FailedRows(ctx, uploads, jobID)
		}
		if serveFlags.workers > 0 {
			wim, err := importer.New(store, schema, &importer.Options{Runner: runner, Worker: "crmio serve"})
			if err != nil {
				return err
			}
			if err := runner.Start(ctx, wim); err != nil {
				return err
			}
			defer runner.Stop(context.Background())
		}
	}
	wiz, err := wizard.New(store, schema, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", serveFlags.addr)
	if err != nil {
		return usagef("--addr %s: %v", serveFlags.addr, err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	fmt.Fprintf(e.stdout, "crmio: the import wizard is at http://%s/ (store %s); Ctrl-C stops it\n", addr, e.db)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(e.stdout, "crmio: warning: %s can be reached from other machines, and serve has no sign-in: anyone there imports as %s\n", addr, user)
	}
	e.stdout.Flush()

	srv := &http.Server{Handler: wiz, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	werr := wiz.Shutdown(stop) // ends the progress streams, stops the imports
	if err := srv.Shutdown(stop); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(e.stdout, "crmio: stopped")
	return werr
}
