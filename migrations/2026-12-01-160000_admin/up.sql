-- Administrators and moderation: an `is_admin` flag (granted only from the
-- command line, `tweets create-user --admin` or `tweets users promote`),
-- deactivated accounts (they cannot sign in; their content stays until it
-- is removed), and the audit log of every administrative action, whoever
-- took it and however (the API or the command line).
ALTER TABLE users
    ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN deactivated_at TIMESTAMPTZ;

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- An administrator through the API (their account and username), or
    -- the command line (no account; `cli:<operating-system user>`).
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN (
        'create_user', 'deactivate_user', 'reactivate_user',
        'grant_admin', 'revoke_admin', 'create_tweet', 'remove_tweet')),
    -- The account acted on, by id while it exists and by name for ever.
    target_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    target_username TEXT,
    -- A removed tweet is gone: its id and text are kept here as evidence.
    tweet_id BIGINT,
    tweet_text TEXT,
    reason TEXT NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500)
);
CREATE INDEX audit_log_target_user_idx ON audit_log (target_user_id, id);
