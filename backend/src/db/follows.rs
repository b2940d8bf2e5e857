//! Queries on the follow graph.

use diesel::{prelude::*, sql_types::BigInt};

use super::models::{Page, UserRow};
use super::Result;
use crate::{domain::UserId, schema::follows};

/// Follows `followee`; following twice is not an error. The caller checks self-follows.
/// `follower` follows `followee` (idempotent); refused when either blocks
/// the other.
pub fn follow(conn: &mut PgConnection, follower: UserId, followee: UserId) -> Result<()> {
    if super::blocks::between(conn, follower, followee)? {
        return Err(super::Error::Blocked(
            "you cannot follow an account that blocks you or that you block",
        ));
    }
    diesel::insert_into(follows::table)
        .values((
            follows::follower_id.eq(follower),
            follows::followee_id.eq(followee),
        ))
        .on_conflict((follows::follower_id, follows::followee_id))
        .do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn unfollow(conn: &mut PgConnection, follower: UserId, followee: UserId) -> Result<()> {
    diesel::delete(
        follows::table
            .filter(follows::follower_id.eq(follower))
            .filter(follows::followee_id.eq(followee)),
    )
    .execute(conn)?;
    Ok(())
}

/// Which side of the follow graph a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Who follows the user (served by `follows_followee_id_id_idx`).
    Followers,
    /// Whom the user follows (served by `follows_follower_id_id_idx`).
    Following,
}

impl Direction {
    /// (the column naming the listed accounts, the column naming the user).
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Direction::Followers => ("follower_id", "followee_id"),
            Direction::Following => ("followee_id", "follower_id"),
        }
    }
}

#[derive(QueryableByName)]
struct FollowRow {
    #[diesel(sql_type = BigInt)]
    follow_id: i64,
    #[diesel(embed)]
    user: UserRow,
}

/// One page of a follow list, newest follow first, keyed by the follow's
/// id: the same query for both directions, only its two columns swapped.
pub fn list(
    conn: &mut PgConnection,
    user: UserId,
    direction: Direction,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<UserRow>> {
    let (listed, owner) = direction.columns();
    // The column names are the two constants above, never input.
    let rows: Vec<FollowRow> = diesel::sql_query(format!(
        "SELECT f.id AS follow_id, u.id, u.username, u.display_name, u.bio, u.avatar_path, \
                u.followers_count, u.following_count, u.tweets_count, u.created_at, u.is_admin \
         FROM follows f JOIN users u ON u.id = f.{listed} \
         WHERE f.{owner} = $1 AND f.id < $2 \
         ORDER BY f.id DESC LIMIT $3"
    ))
    .bind::<BigInt, _>(user)
    .bind::<BigInt, _>(after.unwrap_or(i64::MAX))
    .bind::<BigInt, _>(limit + 1)
    .load(conn)?;
    let page = Page::from_rows(rows, limit, |r| r.follow_id);
    Ok(Page {
        items: page.items.into_iter().map(|r| r.user).collect(),
        next_after: page.next_after,
    })
}

/// Everyone `follower` follows.
pub fn followee_ids(
    conn: &mut PgConnection,
    follower: UserId,
) -> Result<std::collections::HashSet<UserId>> {
    Ok(follows::table
        .filter(follows::follower_id.eq(follower))
        .select(follows::followee_id)
        .load::<UserId>(conn)?
        .into_iter()
        .collect())
}
