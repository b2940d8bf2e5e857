DROP INDEX users_fanout_on_read_idx;
ALTER TABLE users DROP COLUMN fanout_on_read;
DROP INDEX follows_pending_backfill_id_idx;
DROP INDEX follows_pending_backfill_idx;
ALTER TABLE follows DROP COLUMN backfilled;
DROP TRIGGER tweets_queue_fanout ON tweets;
DROP FUNCTION tweets_queue_fanout();
DROP TABLE fanout_queue;
DROP TABLE home_timeline;
