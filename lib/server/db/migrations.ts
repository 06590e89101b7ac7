/**
 * The schema, as ordered migrations (Postgres dialect, run by PGlite and PostgreSQL alike).
 * Never edit a migration that has shipped; append a new one.
 */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "users_sessions_messages",
    sql: `
CREATE TABLE users (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('guest', 'member')),
  email text UNIQUE,
  password_hash text,
  display_name text,
  merged_into text REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_active_at timestamptz NOT NULL DEFAULT now()
);

-- One row per guest or member session. A guest session's durable credential is the
-- cookie value; only HMAC-SHA256(pepper, value) is stored in secret_hash.
CREATE TABLE sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  kind text NOT NULL CHECK (kind IN ('guest', 'member')),
  secret_hash text UNIQUE,
  generation integer NOT NULL DEFAULT 1,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE channels (
  name text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  agent_id text NOT NULL,
  last_seq bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, agent_id)
);

CREATE TABLE messages (
  id text PRIMARY KEY,
  channel text NOT NULL REFERENCES channels(name) ON UPDATE CASCADE,
  seq bigint NOT NULL,
  client_message_id text,
  author_id text NOT NULL,
  author_kind text NOT NULL CHECK (author_kind IN ('user', 'agent')),
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel, seq),
  UNIQUE (channel, author_id, client_message_id)
);
`,
  },
  {
    id: 2,
    name: "members_stars_preferences",
    sql: `
-- Members sign in with an email (stored lower-cased) and an argon2id password hash.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
ALTER TABLE users ADD COLUMN preferences jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE users ADD COLUMN merged_at timestamptz;
CREATE INDEX users_guest_activity ON users (last_active_at) WHERE kind = 'guest';

-- A member session has an absolute expiry; every ended session says why it ended.
ALTER TABLE sessions ADD COLUMN expires_at timestamptz;
ALTER TABLE sessions ADD COLUMN ended_reason text;

CREATE TABLE stars (
  user_id text NOT NULL REFERENCES users(id),
  agent_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, agent_id)
);
`,
  },
  {
    id: 3,
    name: "channel_read_state",
    sql: `
-- How far the channel's user has read (seq): agent messages after it are unread, on every tab.
ALTER TABLE channels ADD COLUMN read_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX channels_user_id ON channels (user_id);
`,
  },
  {
    id: 4,
    name: "gateway_nodes",
    sql: `
-- Gateway nodes that hear every session change over the bus and answer for it from memory:
-- a revoke is confirmed only when each of them (seen within the liveness window) acknowledged.
CREATE TABLE gateway_nodes (
  id text PRIMARY KEY,
  last_seen timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    id: 5,
    name: "message_bounds",
    sql: `
-- A user's messages of the day (the daily cap) and the oldest messages (retention) are
-- found without a scan.
CREATE INDEX messages_author_created ON messages (author_id, created_at);
CREATE INDEX messages_created ON messages (created_at);
`,
  },
  {
    id: 6,
    name: "generations",
    sql: `
-- An agent answer is stored once, when it ends, with how it ended; a regenerated answer
-- shares the user message it answers.
ALTER TABLE messages ADD COLUMN status text;
ALTER TABLE messages ADD COLUMN note text;
ALTER TABLE messages ADD COLUMN reply_to text;

-- One row per answer being written or written (its id is the answer's message id): who
-- owns it (node_id, held while lease_until is ahead), the text so far as of the last
-- renewal, and how it ended. Rows of the day count against the agents' allowances.
CREATE TABLE generations (
  id text PRIMARY KEY,
  channel text NOT NULL,
  user_id text NOT NULL,
  user_kind text NOT NULL,
  address_key text,
  agent_id text NOT NULL,
  reply_to text NOT NULL,
  status text NOT NULL DEFAULT 'streaming',
  body text NOT NULL DEFAULT '',
  finish_reason text,
  failure_code text,
  prompt_tokens integer,
  completion_tokens integer,
  usage_estimated boolean,
  node_id text NOT NULL,
  lease_until timestamptz NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX generations_streaming ON generations (lease_until) WHERE status = 'streaming';
CREATE INDEX generations_channel_streaming ON generations (channel) WHERE status = 'streaming';
CREATE INDEX generations_user_day ON generations (user_id, agent_id, started_at);
CREATE INDEX generations_address_day ON generations (address_key, agent_id, started_at);
CREATE INDEX generations_started ON generations (started_at);
`,
  },
];
