-- crmio schema, version 4: uploads (storage.Uploads), the files every
-- process of a CRM can read: a web wizard's uploads, the file of a
-- background job that a worker on another machine imports, the failed
-- rows a worker writes. (Version 3 is another change, numbered as it was
-- written: a database applies every version it lacks, in order.)

-- One row per upload. complete is false while its chunks are being
-- written: such an upload is invisible (the put is not done), and a later
-- put removes it once it is old (its process died). size and sha256 are
-- set when it completes.
CREATE TABLE crmio_uploads (
	seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         text    NOT NULL UNIQUE,
	name       text    NOT NULL,
	owner      text    NOT NULL,
	size       bigint  NOT NULL DEFAULT 0,
	sha256     text    NOT NULL DEFAULT '',
	created_s  bigint  NOT NULL,
	created_ns int     NOT NULL,
	complete   boolean NOT NULL DEFAULT false
);
CREATE INDEX crmio_uploads_created ON crmio_uploads (complete, created_s, created_ns, seq);

-- The content, in chunks of 512 KiB numbered from 0, each written in a
-- statement of its own, so that a large upload is no long transaction.
CREATE TABLE crmio_upload_chunks (
	upload_seq bigint NOT NULL REFERENCES crmio_uploads (seq) ON DELETE CASCADE,
	chunk      int    NOT NULL,
	data       bytea  NOT NULL,
	PRIMARY KEY (upload_seq, chunk)
);
