// Crmio imports CSV, XLSX, XLS and vCard files into the modules of a CRM,
// and exports them to CSV, XLSX, vCard and PDF: the command-line face of
// the crmio library.
//
// Install it with
//
//	go install github.com/crmio/crmio/cmd/crmio@latest
//
// Usage:
//
//	crmio [--db DB] [--schema FILE] COMMAND [arguments]
//
// The commands:
//
//	preview FILE [--module M] [--sheet S] [--rows N] [--json] [--save-mapping OUT.json]
//		the detected format, encoding, delimiter and header row; each column
//		with the field it would be imported into, the confidence and the
//		reason; the first rows
//	import FILE --module M [--mapping FILE.json] [--set field=value]...
//		[--scope 'field op value']... [--duplicates skip|update|create]
//		[--merge fill-empty|overwrite|prefer-import] [--match field,...]
//		[--auto-create-refs] [--sheet S] [--dry-run] [--errors OUT.csv]
//		[--background] [--json]
//		import a file, with a progress bar on a terminal and a summary
//		(--background: keep the file in the store, queue the job for a
//		worker, print it and exit); more
//		flags read odd files (--encoding, --delimiter, --header-row N|none,
//		--max-size) and tune the run (--mode, --match-all, --max-errors,
//		--batch-size, --no-memory, --quiet)
//	resume JOB [FILE] [--errors OUT.csv] [--json] [--quiet]
//		finish an import that was interrupted, cancelled or failed, from
//		its last committed batch
//	export --module M --format csv|xlsx|pdf|vcf [--where 'field op value']...
//		[--scope 'field op value']... [--fields a,b/label,...] [--order a,-b]
//		[--limit N] [--bom] -o FILE
//		export a module's records
//	template --module M --format csv|xlsx [--fields a,b,...] -o FILE
//		write an import template: the header and an example row
//	history [--limit N] [--json]
//		the import jobs, newest first
//	status JOB [--json] [--watch]
//		one job: its state, counts, checkpoint and problems
//	rollback JOB [--force]
//		undo an import
//	cancel JOB
//		stop an import, whichever process runs it
//	serve [--addr HOST:PORT] [--user NAME] [--uploads DIR]
//		the web import wizard over --db, for a browser
//	worker [--concurrency N] [--queue NAME]
//		run the queued background imports until SIGTERM, then finish the
//		batch in hand and leave the job queued for the next worker
//	help [COMMAND]
//		the usage of the tool or of a command (as does COMMAND -h)
//
// Flags may come before or after a command's FILE argument.
//
// # The store and the schema
//
// --db picks the store: sqlite:PATH, an SQLite database file created when
// absent (the default is sqlite:crmio.db); postgres://user@host/db, a
// PostgreSQL database (add ?schema=NAME to keep crmio's tables in a schema
// of their own, created when absent); or memory:, a store that lives as
// long as the command (for trying an import, or measuring one). The
// variable CRMIO_DB sets the default.
//
// --schema loads the module definitions from a JSON file (a crmio.Schema:
// see examples/schemas/ for the default and a Pivor-shaped one). Without
// it, the built-in CRM schema is used: accounts, people, leads and tasks
// (see schemas.Default).
//
// # Examples
//
//	crmio preview contacts.csv
//	crmio preview contacts.csv --module people --save-mapping mapping.json
//	crmio import contacts.csv --module people --duplicates update --auto-create-refs --errors failed.csv
//	crmio import contacts.csv --module people --mapping mapping.json --set status=new --dry-run
//	crmio export --module people --where 'status = qualified' --where 'birthday < 1990-01-01' -o qualified.xlsx
//	crmio template --module people -o people.xlsx
//	crmio --db postgres://crm@db/crm import big.csv --module people --background
//	crmio --db postgres://crm@db/crm worker --concurrency 2
//	crmio history
//	crmio rollback 000000000001
//	crmio --schema pivor.json import contacts.csv --module contacts
//
// # Output and exit status
//
// Results go to the standard output; errors, each naming the file, row and
// column where there is one, and the progress bar go to the standard error.
// --json prints results as JSON (see each command's -h for the shape).
//
// The exit status is 0 on success; 1 when an import left rows out (failed
// rows) or a rollback was refused because records changed since the
// import; 2 for a usage error or a failure (a file that cannot be read, a
// store that fails, an import cancelled with Ctrl-C).
package main
