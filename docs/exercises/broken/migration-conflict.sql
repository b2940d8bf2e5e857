-- Exercise 05 (05-migration-conflict.md), run by the manual-hotfix service of
-- migration-conflict.yaml: a `blocks` table made by hand "to try a query"
-- ahead of the release whose migration (2026-12-01-140000_social) creates
-- the real one. IF NOT EXISTS: running it again, or after that migration, is
-- a no-op, so `up -d` with the overlay can be repeated.
CREATE TABLE IF NOT EXISTS blocks (
    blocker_id BIGINT NOT NULL,
    blocked_id BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
