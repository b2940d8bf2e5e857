-- Revocable sessions and per-account login back-off.
--
-- A session is what one sign-in on one device holds: its access tokens
-- (short-lived JWTs naming the session in `sid`) are refused as soon as the
-- session is revoked or its account is gone, and its refresh tokens rotate on
-- every use. A refresh token presented a second time means it was copied:
-- the whole session (every token descended from the same sign-in) is revoked.

CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Sliding: every refresh moves it REFRESH_TOKEN_TTL ahead.
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    revoked_reason TEXT
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    -- SHA-256 of the token (hex): the token itself is never stored.
    token_hash TEXT        PRIMARY KEY,
    session_id BIGINT      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set when the token is exchanged for the next one.
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- Failed sign-ins against an account, for exponential back-off whatever
-- address they come from; reset by a successful sign-in.
ALTER TABLE users
    ADD COLUMN failed_logins        INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN last_failed_login_at TIMESTAMPTZ,
    ADD COLUMN login_blocked_until  TIMESTAMPTZ;
