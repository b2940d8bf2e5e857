ALTER TABLE users
    DROP COLUMN login_blocked_until,
    DROP COLUMN last_failed_login_at,
    DROP COLUMN failed_logins;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
