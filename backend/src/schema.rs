// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Int8>,
        actor -> Text,
        action -> Text,
        target_user_id -> Nullable<Int8>,
        target_username -> Nullable<Text>,
        tweet_id -> Nullable<Int8>,
        tweet_text -> Nullable<Text>,
        reason -> Text,
    }
}

diesel::table! {
    blocks (blocker_id, blocked_id) {
        blocker_id -> Int8,
        blocked_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    follows (id) {
        id -> Int8,
        follower_id -> Int8,
        followee_id -> Int8,
        created_at -> Timestamptz,
        backfilled -> Bool,
    }
}

diesel::table! {
    fanout_queue (tweet_id) {
        tweet_id -> Int8,
        author_id -> Int8,
    }
}

diesel::table! {
    home_timeline (user_id, tweet_id) {
        user_id -> Int8,
        tweet_id -> Int8,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Int8,
        key -> Text,
        request_hash -> Text,
        tweet_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    likes (user_id, tweet_id) {
        user_id -> Int8,
        tweet_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mutes (muter_id, muted_id) {
        muter_id -> Int8,
        muted_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    notification_groups (recipient_id, group_key) {
        recipient_id -> Int8,
        group_key -> Text,
        kind -> Text,
        tweet_id -> Nullable<Int8>,
        latest_id -> Int8,
        latest_at -> Timestamptz,
        count -> Int8,
    }
}

diesel::table! {
    notifications (id) {
        id -> Int8,
        recipient_id -> Int8,
        actor_id -> Int8,
        kind -> Text,
        tweet_id -> Nullable<Int8>,
        group_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Int8,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Int8,
        user_id -> Int8,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    tweet_tags (tag, tweet_id) {
        tag -> Text,
        tweet_id -> Int8,
    }
}

diesel::table! {
    tweets (id) {
        id -> Int8,
        author_id -> Int8,
        text -> Text,
        image_path -> Nullable<Text>,
        reply_to_id -> Nullable<Int8>,
        like_count -> Int8,
        reply_count -> Int8,
        created_at -> Timestamptz,
        image_alt -> Nullable<Text>,
        repost_of_id -> Nullable<Int8>,
        repost_of_author_id -> Nullable<Int8>,
        repost_count -> Int8,
        mentions -> Array<Nullable<Text>>,
        reply_to_username -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Int8,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        bio -> Text,
        avatar_path -> Nullable<Text>,
        followers_count -> Int8,
        following_count -> Int8,
        tweets_count -> Int8,
        created_at -> Timestamptz,
        failed_logins -> Int4,
        last_failed_login_at -> Nullable<Timestamptz>,
        login_blocked_until -> Nullable<Timestamptz>,
        fanout_on_read -> Bool,
        notifications_read_id -> Int8,
        is_admin -> Bool,
        deactivated_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(fanout_queue -> tweets (tweet_id));
diesel::joinable!(home_timeline -> users (user_id));
diesel::joinable!(idempotency_keys -> tweets (tweet_id));
diesel::joinable!(idempotency_keys -> users (user_id));
diesel::joinable!(likes -> tweets (tweet_id));
diesel::joinable!(likes -> users (user_id));
diesel::joinable!(notification_groups -> tweets (tweet_id));
diesel::joinable!(notification_groups -> users (recipient_id));
diesel::joinable!(notifications -> tweets (tweet_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(tweet_tags -> tweets (tweet_id));
diesel::joinable!(tweets -> users (author_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    blocks,
    fanout_queue,
    follows,
    home_timeline,
    idempotency_keys,
    likes,
    mutes,
    notification_groups,
    notifications,
    refresh_tokens,
    sessions,
    tweet_tags,
    tweets,
    users,
);
