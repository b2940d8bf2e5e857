//! Notifications, as the triggers of the migration `social` record them:
//! read in groups (likes and reposts of one tweet, follows of one day, each
//! reply and mention alone), newest group first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::{
    prelude::*,
    sql_types::{Array, BigInt, Text},
};

use super::models::{AuthorRow, Page, TweetWithAuthor};
use super::Result;
use crate::{
    domain::{TweetId, UserId},
    schema::{notification_groups, notifications, users},
};

/// Actors named per group (the newest first); `count` says how many in all.
pub const ACTORS_SHOWN: i64 = 3;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notification_groups, check_for_backend(diesel::pg::Pg))]
pub struct GroupRow {
    pub group_key: String,
    pub kind: String,
    pub tweet_id: Option<TweetId>,
    pub latest_id: i64,
    pub latest_at: DateTime<Utc>,
    pub count: i64,
}

/// A group as the recipient reads it.
#[derive(Debug, Clone)]
pub struct Group {
    pub group: GroupRow,
    pub actors: Vec<AuthorRow>,
    /// The liked, reposted, replying or mentioning tweet; None for follows.
    pub tweet: Option<TweetWithAuthor>,
    pub unread: bool,
}

#[derive(QueryableByName)]
struct ActorRow {
    #[diesel(sql_type = Text)]
    group_key: String,
    #[diesel(sql_type = BigInt)]
    id: UserId,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    avatar_path: Option<String>,
}

/// One page of `me`'s notification groups, newest event first: one query
/// for the groups, one for their newest actors, one for their tweets.
/// A group's position is its newest event, so a group that grows while a
/// reader pages moves to the top (where the next refresh shows it).
pub fn page(
    conn: &mut PgConnection,
    me: UserId,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<Group>> {
    let read_up_to: i64 = users::table
        .find(me)
        .select(users::notifications_read_id)
        .first(conn)
        .optional()?
        .ok_or(super::Error::AccountGone)?;
    let rows: Vec<GroupRow> = notification_groups::table
        .filter(notification_groups::recipient_id.eq(me))
        .filter(notification_groups::latest_id.lt(after.unwrap_or(i64::MAX)))
        .order(notification_groups::latest_id.desc())
        .limit(limit + 1)
        .select(GroupRow::as_select())
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |g| g.latest_id);
    if page.items.is_empty() {
        return Ok(Page {
            items: Vec::new(),
            next_after: page.next_after,
        });
    }
    let keys: Vec<&str> = page.items.iter().map(|g| g.group_key.as_str()).collect();
    let mut actors: HashMap<String, Vec<AuthorRow>> = HashMap::new();
    let actor_rows: Vec<ActorRow> = diesel::sql_query(
        "SELECT k.key AS group_key, u.id, u.username, u.display_name, u.avatar_path \
         FROM unnest($2::text[]) AS k(key) \
         CROSS JOIN LATERAL (SELECT n.actor_id, n.id FROM notifications n \
             WHERE n.recipient_id = $1 AND n.group_key = k.key ORDER BY n.id DESC LIMIT $3) a \
         JOIN users u ON u.id = a.actor_id ORDER BY k.key, a.id DESC",
    )
    .bind::<BigInt, _>(me)
    .bind::<Array<Text>, _>(&keys)
    .bind::<BigInt, _>(ACTORS_SHOWN)
    .load(conn)?;
    for a in actor_rows {
        actors.entry(a.group_key).or_default().push(AuthorRow {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            avatar_path: a.avatar_path,
        });
    }
    let tweet_ids: Vec<TweetId> = page.items.iter().filter_map(|g| g.tweet_id).collect();
    let mut tweets = super::tweets::by_ids(conn, Some(me), &tweet_ids)?;
    let items = page
        .items
        .into_iter()
        .map(|group| Group {
            actors: actors.remove(&group.group_key).unwrap_or_default(),
            tweet: group.tweet_id.and_then(|id| tweets.remove(&id)),
            unread: group.latest_id > read_up_to,
            group,
        })
        .collect();
    Ok(Page {
        items,
        next_after: page.next_after,
    })
}

/// How many groups have an event newer than what `me` has read.
pub fn unread_count(conn: &mut PgConnection, me: UserId) -> Result<i64> {
    let read_up_to = users::table
        .find(me)
        .select(users::notifications_read_id)
        .single_value()
        .assume_not_null();
    Ok(notification_groups::table
        .filter(notification_groups::recipient_id.eq(me))
        .filter(notification_groups::latest_id.gt(read_up_to))
        .count()
        .get_result(conn)?)
}

/// Marks `me`'s notifications read up to `up_to` (all of them when None);
/// the marker never moves back. Returns where it stands.
pub fn mark_read(conn: &mut PgConnection, me: UserId, up_to: Option<i64>) -> Result<i64> {
    let newest: Option<i64> = notification_groups::table
        .filter(notification_groups::recipient_id.eq(me))
        .select(diesel::dsl::max(notification_groups::latest_id))
        .first(conn)?;
    let target = match (up_to, newest) {
        (_, None) => 0,
        (Some(up_to), Some(newest)) => up_to.min(newest),
        (None, Some(newest)) => newest,
    };
    diesel::update(users::table.find(me))
        .filter(users::notifications_read_id.lt(target))
        .set(users::notifications_read_id.eq(target))
        .execute(conn)?;
    users::table
        .find(me)
        .select(users::notifications_read_id)
        .first(conn)
        .optional()?
        .ok_or(super::Error::AccountGone)
}

/// One notification event, as a live stream sends it.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub tweet_id: Option<TweetId>,
    pub created_at: DateTime<Utc>,
    pub actor: AuthorRow,
}

/// `me`'s notification events after `after`, oldest first, at most `limit`
/// (the newest ones when more came).
pub fn events_after(
    conn: &mut PgConnection,
    me: UserId,
    after: i64,
    limit: i64,
) -> Result<Vec<EventRow>> {
    type Found = (i64, String, Option<TweetId>, DateTime<Utc>, AuthorRow);
    let mut rows: Vec<Found> = notifications::table
        .inner_join(users::table.on(users::id.eq(notifications::actor_id)))
        .filter(notifications::recipient_id.eq(me))
        .filter(notifications::id.gt(after))
        .order(notifications::id.desc())
        .limit(limit)
        .select((
            notifications::id,
            notifications::kind,
            notifications::tweet_id,
            notifications::created_at,
            AuthorRow::as_select(),
        ))
        .load(conn)?;
    rows.reverse();
    Ok(rows
        .into_iter()
        .map(|(id, kind, tweet_id, created_at, actor)| EventRow {
            id,
            kind,
            tweet_id,
            created_at,
            actor,
        })
        .collect())
}

/// The newest notification of `me` (0: none): later ones are above it.
pub fn newest_id(conn: &mut PgConnection, me: UserId) -> Result<i64> {
    let newest: Option<i64> = notification_groups::table
        .filter(notification_groups::recipient_id.eq(me))
        .select(diesel::dsl::max(notification_groups::latest_id))
        .first(conn)?;
    Ok(newest.unwrap_or(0))
}
