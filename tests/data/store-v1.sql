-- SPDX-License-Identifier: GPL-2.0-or-later
-- A switchboard database at schema version 1, as relais-switchboard 1 left it:
-- the fixture of tests/unit/test-store.c's migration test. The CREATE
-- statements are MIGRATION_1 of firmware/switchboard/store.c verbatim; never
-- edit them (the test checks that the migrated schema equals a fresh one).
-- alice's password is "correct horse battery", hashed by the openssl CLI:
--   openssl kdf -keylen 32 -kdfopt pass:"correct horse battery" \
--     -kdfopt hexsalt:000102030405060708090a0b0c0d0e0f -kdfopt n:1024 \
--     -kdfopt r:8 -kdfopt p:1 SCRYPT
-- bob's session token is "v1-session-token-for-tests" (its SHA-256 below).
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

INSERT INTO sites (id, name, timezone) VALUES (1, 'Médiathèque Centre', 'Europe/Paris');
INSERT INTO sites (id, name, timezone) VALUES (2, 'Bibliothèque ''Nord''; DROP TABLE sites;--', 'America/Montreal');
INSERT INTO booths (id, site_id, name, last_seen, state, reason) VALUES ('sim-1', 1, 'Entrée', 1700000000, 'idle', NULL);
INSERT INTO booths (id, site_id, name, last_seen, state, reason) VALUES ('sim-2', 2, '', 1700000100, 'out_of_order', 'camera missing');
INSERT INTO users (id, login, display_name, role, languages, topics, password_hash, created)
	VALUES (1, 'alice', 'Alice Admin', 'admin', 'fr,en', '', 'scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=', 1690000000);
INSERT INTO users (id, login, display_name, role, languages, topics, password_hash, created)
	VALUES (2, 'bob', 'Bob Conseil', 'adviser', 'fr', 'job-search,housing', 'scrypt$1024$8$1$AAECAwQFBgcICQoLDA0ODw==$hKGWL22WtdGfIbxEPAZ06BS2bWyYKuZIKvypfAlYOWk=', 1690000001);
INSERT INTO sessions (token_hash, user_id, created, expires, last_used, remote_addr)
	VALUES ('1689f4ec0078bfcf24cda6171bdc31952601a8f1b549235966d96010dd4b2c4e', 2, 1700000000, 1700043200, 1700000500, '192.0.2.7');
INSERT INTO sign_in_attempts (login_key, address_key, at) VALUES ('x', 'y', 1700000000);
INSERT INTO call_records (call_id, site_id, booth_id, topic, language, queued_at, answered_at, ended_at, end_reason, satisfaction)
	VALUES ('c-1', 1, 'sim-1', 'job-search', 'fr', 1700000000, 1700000060, 1700000660, 'hangup', 5);
INSERT INTO call_records (call_id, site_id, booth_id, topic, language, queued_at, answered_at, ended_at, end_reason, satisfaction)
	VALUES ('c-2', 1, 'sim-1', 'job-search', 'fr', 1700001800, NULL, 1700001900, 'cancelled', NULL);
PRAGMA application_id = 1380729177;
PRAGMA user_version = 1;
COMMIT;
