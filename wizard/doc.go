// Package wizard is crmio's import wizard for the web: an http.Handler a
// CRM mounts in one line, serving a JSON API, live progress by
// Server-Sent Events and a web UI (plain HTML, CSS and JavaScript,
// embedded: no build step) that walks a person through an import:
// upload → map the columns (each suggestion's confidence and reason
// shown, every one changeable) → preview with options → import with live
// progress → summary, with the history, rollback and exports beside it.
//
//	mux.Handle("/admin/import/", wizard.Handler(store, schema, &wizard.Options{
//		Authorize: func(r *http.Request) (wizard.Caller, error) {
//			u := currentUser(r) // the CRM's own session
//			if u == nil {
//				return wizard.Caller{}, errors.New("sign in first")
//			}
//			return wizard.Caller{ID: u.ID, Name: u.Name, Scope: u.Scope()}, nil
//		},
//		Importer: &importer.Options{Runner: riverRunner}, // optional: Background imports go to it
//	}))
//
// It works under any path, with or without http.StripPrefix: the API is
// found by the last "/api/v1/" of a request's path, the UI's assets by
// "/assets/", and every link of the UI is relative. Serve the UI at a path
// ending in "/" (a ServeMux pattern "/x/" redirects "/x" there).
//
// # The CRM in charge
//
// Options.Authorize is called on every request, the UI's included: it
// says who the caller is (Caller.ID) and what they may see
// (Caller.Scope, a storage.Scope), or refuses (401; 403 when its error
// wraps ErrForbidden). A caller sees and touches only:
//
//   - their own uploads (storage.Upload.Owner is the caller's ID);
//   - their own jobs (storage.Job.StartedBy is the caller's ID): another
//     caller's job answers 404, as one that does not exist;
//   - the records inside their scope: it is the Plan.Scope of their
//     imports and the exporter's Options.Scope of their exports, and the
//     references a filter names are resolved inside it. A caller with a
//     scope may not force a rollback (a forced rollback changes records
//     outside the job, which may lie outside the scope), and the ids of
//     records outside it are left out of a refused rollback's answer.
//   - the modules of Caller.Modules, when set.
//
// State-changing requests (POST, DELETE) are checked twice against
// cross-site request forgery: by http.CrossOriginProtection (the
// browser's Sec-Fetch-Site and Origin headers; Options.TrustedOrigins adds
// origins), and by the X-CSRF-Token header, which must carry the token GET
// api/v1/session returns (an HMAC of the caller's ID under
// Options.CSRFKey: give every process behind one address the same key).
// JSON bodies are limited to Options.MaxRequestSize, uploads to
// Options.MaxUploadSize; a caller has at most Options.MaxRequests
// requests in flight, Options.MaxStreams progress streams open and
// Options.MaxImports imports running in this process (429 beyond, with
// Retry-After). Each request is logged to Options.Logger (log/slog) with
// its caller, status and duration; each upload, import start and end,
// cancel, rollback and export with what it did.
//
// # Where things are kept
//
// Uploads go to the store's upload storage (storage.Uploads), or
// Options.Uploads (DirUploads keeps them in a directory): every process
// of the CRM can read them. Jobs are the store's history (storage.History):
// status, counts, summary and rollback work from any process. An import
// runs in the process that started it (Instant and Streaming, outliving
// the request that started it), or, in Background mode with
// Options.Importer.Runner set, in the runner's workers, followed through
// the history. The summary of an import this process ran, with its failed
// rows, is kept in memory for the last Options.KeepSummaries imports;
// after that, or for a job that ran elsewhere, the summary is the
// history's and the failed rows are Options.FailedRows's (a durable
// runner keeps them).
//
// # The JSON API, version 1
//
// Paths are relative to where the wizard is mounted. Within v1, fields are
// added, never renamed or removed; a change that would break a client
// comes as /api/v2/. Every error is JSON with the status that fits:
//
//	{"code": "not_found", "error": "no import job “12”"}
//
// codes: unauthorized (401, 403), forbidden (403), csrf (403), not_found
// (404), method_not_allowed (405), bad_request (400: a body that is not
// the JSON asked for), unsupported_media_type (415: a body of the wrong
// Content-Type), unsupported_format (415: a file that is no CSV, XLSX or
// XLS; the message names what it is), too_large (413), invalid (422: a
// value that cannot apply), invalid_mapping (422, with "column",
// "header", "field" and "problem"), unreadable_file (422), double_submit
// (409, with "job"), running (409), ended (409), conflict and referenced
// (409: a refused rollback), too_many_requests (429), not_supported (501:
// the store lacks a capability), internal (500).
//
//	GET    api/v1/session
//	    → {"api_version": 1, "caller": {"id", "name", "scope"}, "csrf_token", "csrf_header",
//	       "limits": {"max_upload_size", "max_request_size", "max_imports", "preview_rows", "max_preview_rows"},
//	       "formats": {"import": [...], "export": ["csv","xlsx","pdf"], "template": ["csv","xlsx"]},
//	       "background_runner", "title"}
//	GET    api/v1/modules
//	    → {"modules": [{"name", "label", "key", "fields": [crmio.Field], "targets": [{"field", "label", "part", "title", "required"}]}]}
//	POST   api/v1/uploads      multipart/form-data with a "file" part, or the file as the body
//	                           (application/octet-stream, text/csv, …; its name in ?name=)
//	    → 201 {"id", "name", "size", "sha256", "created",
//	           "info": {"format", "encoding", "delimiter", "header_row", "sheet", "sheets", "estimated_rows", "notices"}}
//	GET    api/v1/uploads/{id} → the same; DELETE → 204
//	POST   api/v1/uploads/{id}/suggestions   {"module", "format": {"sheet", "sheet_index", "header_row", "encoding", "delimiter"}, "rows"}
//	    → {"upload", "info", "header": [...], "rows": [{"row", "fields"}],
//	       "suggestions": [{"column", "header", "target": {"field", "label", "part", "group", "role"}, "confidence", "score", "reason"}],
//	       "mapping": {"columns": [{"column", "header", "field", "label", "part", …}], "static": [...]}}
//	POST   api/v1/uploads/{id}/validation    a plan (below), with "rows"
//	    → {"header", "rows": [{"row", "status": "ok"|"warning"|"error", "cells": [{"value", "errors", "warnings"}], "errors", "warnings"}],
//	       "counts": {"read", "created", "updated", "skipped", "failed", "references_created"}, "problems", "warnings", "mapping"}
//	POST   api/v1/imports      a plan with "upload"; optional header Idempotency-Key
//	    → 202 {"job": job}
//	GET    api/v1/imports?limit=N → {"jobs": [job]}, the caller's, newest first
//	GET    api/v1/imports/{id} → {"job": job}
//	GET    api/v1/imports/{id}/events    text/event-stream: "progress" events
//	       {"job", "status", "mode", "counts", "elapsed_ms", "done"}, then one "done" event, and the stream ends
//	GET    api/v1/imports/{id}/summary   → importer.Summary's JSON, each problem with its "text",
//	       "failed_rows_kept" (-1: not kept here) and "duration_ms"
//	GET    api/v1/imports/{id}/failed-rows?format=csv|xlsx   the failed rows plus an Error column
//	POST   api/v1/imports/{id}/cancel    {} → 202 {"job"}
//	POST   api/v1/imports/{id}/rollback  {"force": false} → {"job", "result": {"deleted", "restored", "already", "cleared"}},
//	       or 409 {"code": "conflict", "conflict": {"count", "records"}, "can_force"}
//	       or 409 {"code": "referenced", "references": [{"module", "field", "target", "count", "ids"}], "can_force"}
//	GET    api/v1/exports/{module}?format=csv|xlsx|pdf&q={"where": [{"field", "op", "value"}], "order": [{"field", "desc"}], "limit", "fields"}
//	       the file (check=1: only check the query, {"ok": true}); filter values are text, coerced to each field's type;
//	       a reference is named by its target's key
//	GET    api/v1/templates/{module}?format=csv|xlsx|json   an import template, or its columns described
//
// A plan is {"module", "format", "mapping" (absent: the suggestions of at
// least medium confidence), "static": {"field": "value"},
// "mapping_options", "duplicates": "skip"|"update"|"create", "merge":
// "fill-empty"|"overwrite"|"prefer-import", "match_fields", "match_all",
// "ambiguous", "auto_create_references", "max_errors", "mode":
// "auto"|"streaming"|"background"}. A job is {"id", "module", "file",
// "status", "mode", "started_by", "counts", "error", "cancel_requested",
// "created", "started", "finished", "done", "can_cancel",
// "can_rollback"}.
//
// An import of a file into a module is refused (409 double_submit, naming
// the job) while an import of the same content into the same module by
// the same caller is under way, and when its Idempotency-Key was seen
// before (the UI sends one per draft, so a second click never imports
// twice).
//
// # Theming
//
// The UI's look comes from CSS variables; set them in Options.CSS to fit
// the CRM's page:
//
//	:root { --wz-accent: #7b1fa2; --wz-font: "Inter", sans-serif; --wz-radius: 2px; }
//
// The variables: --wz-font, --wz-font-size, --wz-fg, --wz-muted, --wz-bg,
// --wz-surface, --wz-border, --wz-accent, --wz-accent-fg, --wz-focus,
// --wz-error, --wz-error-bg, --wz-warning, --wz-warning-bg, --wz-success,
// --wz-success-bg, --wz-high, --wz-medium, --wz-low (the confidence
// badges), --wz-radius, --wz-space, --wz-max-width. A dark scheme follows
// prefers-color-scheme. Every control has a label, every step is reached
// with the keyboard, focus moves to each step's heading, and status
// changes are announced to screen readers.
package wizard
