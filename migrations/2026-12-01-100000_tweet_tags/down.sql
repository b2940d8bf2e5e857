DROP TRIGGER tweets_tags_after_insert ON tweets;
DROP FUNCTION tweets_tags_after_insert();
DROP TABLE tweet_tags;
DROP FUNCTION tweet_hashtags(TEXT);
