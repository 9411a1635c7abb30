-- SPDX-License-Identifier: GPL-2.0-or-later
-- A switchboard database at schema version 8, as relais-switchboard left it
-- before call records counted warm transfers: the fixture of
-- tests/unit/test-store.c's /store/migrate-v8. The schema statements are
-- MIGRATION_1 to MIGRATION_8 of firmware/switchboard/store.c verbatim; never
-- edit them (the test checks that the migrated schema equals a fresh one).
-- The data are store-v7.sql's (2024-03-04, a Monday, Europe/Paris), with a
-- site's address.
BEGIN;
CREATE TABLE sites (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
	timezone TEXT NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64)
) STRICT;
CREATE TABLE booths (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
	site_id INTEGER REFERENCES sites(id),
	name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 100),
	last_seen INTEGER,
	state TEXT NOT NULL DEFAULT 'offline' CHECK (length(state) BETWEEN 1 AND 32),
	reason TEXT CHECK (length(reason) <= 200)
) STRICT;
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 64),
	display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
	role TEXT NOT NULL CHECK (role IN ('adviser', 'admin')),
	languages TEXT NOT NULL DEFAULT '',
	topics TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
	created INTEGER NOT NULL
) STRICT;
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	last_used INTEGER NOT NULL,
	remote_addr TEXT NOT NULL DEFAULT '' CHECK (length(remote_addr) <= 64)
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires);
CREATE TABLE sign_in_attempts (
	id INTEGER PRIMARY KEY,
	login_key TEXT NOT NULL,
	address_key TEXT NOT NULL,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX attempts_login ON sign_in_attempts(login_key, at);
CREATE INDEX attempts_address ON sign_in_attempts(address_key, at);
CREATE TABLE call_records (
	id INTEGER PRIMARY KEY,
	call_id TEXT NOT NULL UNIQUE CHECK (length(call_id) BETWEEN 1 AND 64),
	site_id INTEGER REFERENCES sites(id),
	booth_id TEXT,
	topic TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	queued_at INTEGER NOT NULL,
	answered_at INTEGER,
	ended_at INTEGER NOT NULL,
	end_reason TEXT NOT NULL DEFAULT '',
	satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5)
) STRICT;
CREATE INDEX calls_queued ON call_records(queued_at);
CREATE TABLE users_new (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 64),
	display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
	role TEXT NOT NULL CHECK (role IN ('adviser', 'admin', 'staff')),
	site_id INTEGER REFERENCES sites(id),
	languages TEXT NOT NULL DEFAULT '',
	topics TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
	created INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	CHECK ((role = 'staff') = (site_id IS NOT NULL))
) STRICT;
CREATE TABLE bundles (
	id TEXT PRIMARY KEY CHECK (length(id) = 64),
	size INTEGER NOT NULL CHECK (size > 0),
	version TEXT CHECK (length(version) BETWEEN 1 AND 64),
	compatible TEXT CHECK (length(compatible) BETWEEN 1 AND 64),
	uploaded_at INTEGER NOT NULL,
	uploaded_by TEXT NOT NULL DEFAULT '' CHECK (length(uploaded_by) <= 64)
) STRICT;
CREATE TABLE update_jobs (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,
	bundle_id TEXT NOT NULL CHECK (length(bundle_id) = 64),
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'downloading', 'installing', 'installed', 'kept', 'rolled-back', 'failed', 'cancelled')),
	progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
	message TEXT CHECK (length(message) <= 2000),
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
) STRICT;
CREATE INDEX update_jobs_booth ON update_jobs(booth_id, created);
CREATE UNIQUE INDEX update_jobs_one_active ON update_jobs(booth_id)
	WHERE state IN ('pending', 'downloading', 'installing', 'installed');
ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 200);
INSERT INTO users_new (id, login, display_name, role, languages, topics, password_hash, created)
	SELECT id, login, display_name, role, languages, topics, password_hash, created FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_site ON users(site_id);
ALTER TABLE call_records ADD COLUMN outcome TEXT CHECK (length(outcome) BETWEEN 1 AND 32);
ALTER TABLE call_records ADD COLUMN outcome_note TEXT CHECK (length(outcome_note) <= 500);
ALTER TABLE call_records ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1));
CREATE INDEX calls_site ON call_records(site_id);
CREATE TABLE opening_slots (
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	half TEXT NOT NULL CHECK (half IN ('am', 'pm')),
	start_min INTEGER NOT NULL,
	end_min INTEGER NOT NULL,
	capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
	PRIMARY KEY (site_id, weekday, half),
	CHECK (start_min >= 0 AND start_min < end_min AND end_min <= 1440),
	CHECK (half = 'pm' OR end_min <= 840),
	CHECK (half = 'am' OR start_min >= 720)
) STRICT;
CREATE TABLE closures (
	id INTEGER PRIMARY KEY,
	site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
	date_from TEXT NOT NULL CHECK (date_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	date_to TEXT NOT NULL CHECK (date_to GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	reason TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
	CHECK (date_from <= date_to)
) STRICT;
CREATE INDEX closures_site ON closures(site_id, date_from);
CREATE TABLE bookings (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE CHECK (length(code) = 6),
	site_id INTEGER NOT NULL REFERENCES sites(id),
	start_at INTEGER NOT NULL,
	end_at INTEGER NOT NULL,
	language TEXT NOT NULL DEFAULT '',
	topic TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'booked'
		CHECK (state IN ('booked', 'checked_in', 'no_show', 'cancelled')),
	created INTEGER NOT NULL,
	checked_in_at INTEGER,
	CHECK (end_at > start_at)
) STRICT;
CREATE INDEX bookings_site_start ON bookings(site_id, start_at);
CREATE INDEX bookings_state_start ON bookings(state, start_at);
ALTER TABLE bookings ADD COLUMN used_at INTEGER;
ALTER TABLE bookings ADD COLUMN used_call_id TEXT CHECK (length(used_call_id) BETWEEN 1 AND 64);

CREATE TABLE enrol_tokens (
	token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL,
	used_at INTEGER,
	used_serial TEXT CHECK (length(used_serial) BETWEEN 1 AND 64),
	CHECK (expires > created),
	CHECK ((used_at IS NULL) = (used_serial IS NULL))
) STRICT;
CREATE INDEX enrol_tokens_booth ON enrol_tokens(booth_id);
CREATE TABLE booth_certs (
	serial TEXT PRIMARY KEY CHECK (length(serial) BETWEEN 1 AND 64),
	booth_id TEXT NOT NULL REFERENCES booths(id) ON DELETE CASCADE,
	not_before INTEGER NOT NULL,
	not_after INTEGER NOT NULL,
	issued INTEGER NOT NULL,
	revoked_at INTEGER,
	CHECK (not_after > not_before)
) STRICT;
CREATE INDEX booth_certs_booth ON booth_certs(booth_id);
ALTER TABLE booths ADD COLUMN software TEXT CHECK (length(software) BETWEEN 1 AND 64);
ALTER TABLE booths ADD COLUMN slot TEXT CHECK (slot IN ('A', 'B'));
CREATE TABLE update_reports (
	booth_id TEXT PRIMARY KEY REFERENCES booths(id) ON DELETE CASCADE,
	result TEXT NOT NULL CHECK (result IN ('kept', 'rolled-back', 'install-failed')),
	version TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 64),
	from_version TEXT CHECK (length(from_version) BETWEEN 1 AND 64),
	slot TEXT NOT NULL CHECK (slot IN ('A', 'B')),
	at TEXT NOT NULL CHECK (length(at) BETWEEN 1 AND 40),
	detail TEXT CHECK (length(detail) <= 2000),
	received_at INTEGER NOT NULL
) STRICT;
CREATE TABLE live_calls (
	call_id TEXT PRIMARY KEY CHECK (length(call_id) BETWEEN 1 AND 64),
	booth_id TEXT NOT NULL CHECK (length(booth_id) BETWEEN 1 AND 64),
	adviser TEXT NOT NULL CHECK (length(adviser) BETWEEN 1 AND 64),
	ticket TEXT NOT NULL CHECK (length(ticket) BETWEEN 1 AND 64),
	site TEXT CHECK (length(site) BETWEEN 1 AND 100),
	topic TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 64),
	language TEXT NOT NULL CHECK (length(language) BETWEEN 2 AND 8),
	queued_at INTEGER NOT NULL,
	answered_at INTEGER NOT NULL CHECK (answered_at >= queued_at)
) STRICT;
INSERT INTO sites (id, name, timezone) VALUES (1, 'Médiathèque Centre', 'Europe/Paris');
INSERT INTO sites (id, name, timezone) VALUES (2, 'Gare', 'Europe/Paris');
INSERT INTO users (id, login, display_name, role, site_id, languages, topics, password_hash, created, disabled)
	VALUES (1, 'sam', 'Sam Accueil', 'staff', 1, 'fr', '', 'scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=', 1700000000, 0);
INSERT INTO booths (id, site_id, name, last_seen, state, reason, software, slot) VALUES ('hall-1', 1, 'Hall', 1709542000, 'idle', NULL, '0.10-abc1234', 'B');
INSERT INTO booths (id, site_id, name, last_seen, state, reason) VALUES ('annexe-2', 1, '', NULL, 'offline', NULL);
INSERT INTO opening_slots (site_id, weekday, half, start_min, end_min, capacity) VALUES (1, 0, 'am', 540, 750, 2);
INSERT INTO closures (id, site_id, date_from, date_to, reason) VALUES (1, 1, '2024-03-05', '2024-03-05', 'inventaire');
INSERT INTO bookings (id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at, used_at, used_call_id)
	VALUES (1, '7KQ2MZ', 1, 1709542800, 1709544600, 'fr', 'job-search', 'checked_in', 1709535600, 1709542200, 1709542300, 'c-2');
INSERT INTO bookings (id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at)
	VALUES (2, 'H3W9PX', 1, 1709544600, 1709546400, '', '', 'booked', 1709535600, NULL);
INSERT INTO bookings (id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at)
	VALUES (3, 'R5TB4N', 1, 1709539200, 1709541000, 'en', 'training', 'no_show', 1709500000, NULL);
INSERT INTO bookings (id, code, site_id, start_at, end_at, language, topic, state, created, checked_in_at)
	VALUES (4, 'V8CD6E', 1, 1709546400, 1709548200, 'fr', '', 'cancelled', 1709500000, NULL);
INSERT INTO call_records (call_id, site_id, booth_id, topic, language, queued_at, answered_at, ended_at, end_reason, satisfaction, outcome, outcome_note, follow_up)
	VALUES ('c-2', 1, NULL, 'job-search', 'fr', 1709542300, 1709542400, 1709543000, 'adviser-hangup', 4, 'referred', 'atelier CV', 1);
INSERT INTO enrol_tokens (token_hash, booth_id, created, expires, used_at, used_serial)
	VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'hall-1', 1709500000, 1709586400, 1709500100, '0A1B');
INSERT INTO enrol_tokens (token_hash, booth_id, created, expires)
	VALUES ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'hall-1', 1709540000, 1709626400);
INSERT INTO booth_certs (serial, booth_id, not_before, not_after, issued, revoked_at)
	VALUES ('0A1B', 'hall-1', 1709500000, 1741036000, 1709500100, NULL);
INSERT INTO booth_certs (serial, booth_id, not_before, not_after, issued, revoked_at)
	VALUES ('0C2D', 'annexe-2', 1709400000, 1740936000, 1709400100, 1709450000);
INSERT INTO update_reports (booth_id, result, version, from_version, slot, at, detail, received_at)
	VALUES ('hall-1', 'kept', '0.10-abc1234', '0.10-0ff1ce5', 'B', '2024-03-04T07:00:00Z', NULL, 1709535700);
INSERT INTO update_reports (booth_id, result, version, from_version, slot, at, detail, received_at)
	VALUES ('annexe-2', 'rolled-back', '0.10-abc1234', '0.10-0ff1ce5', 'A', '2024-03-03T22:10:00Z', 'not healthy within 300 s: link down', 1709504000);
INSERT INTO bundles (id, size, version, compatible, uploaded_at, uploaded_by)
	VALUES ('dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', 123456, '0.11-1', 'relais-sim', 1709540000, 'boss');
INSERT INTO update_jobs (id, booth_id, bundle_id, state, progress, message, created, updated)
	VALUES ('u-1', 'hall-1', 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', 'downloading', 40, NULL, 1709540100, 1709540200);
INSERT INTO live_calls (call_id, booth_id, adviser, ticket, site, topic, language, queued_at, answered_at)
	VALUES ('c-9', 'hall-1', 'sam', 't-9', 'Médiathèque Centre', 'job-search', 'fr', 1709542300, 1709542400);
PRAGMA application_id = 1380729177;
UPDATE sites SET address = '4 rue Jean-Macé, 69007 Lyon' WHERE id = 1;
PRAGMA user_version = 8;
COMMIT;
