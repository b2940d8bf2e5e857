//! Queries on the follow graph.

use diesel::prelude::*;

use super::models::{Page, UserRow};
use super::Result;
use crate::{
    domain::UserId,
    schema::{follows, users},
};

/// Follows `followee`; following twice is not an error. The caller checks self-follows.
pub fn follow(conn: &mut PgConnection, follower: UserId, followee: UserId) -> Result<()> {
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

/// Who follows `user`, newest follow first (index `follows_followee_id_id_idx`).
pub fn followers(
    conn: &mut PgConnection,
    user: UserId,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<(i64, UserRow)>> {
    let mut q = follows::table
        .inner_join(users::table.on(users::id.eq(follows::follower_id)))
        .filter(follows::followee_id.eq(user))
        .select((follows::id, UserRow::as_select()))
        .order(follows::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(follows::id.lt(after));
    }
    Ok(Page::from_rows(q.load(conn)?, limit, |(id, _)| *id))
}

/// Whom `user` follows, newest follow first (index `follows_follower_id_id_idx`).
pub fn following(
    conn: &mut PgConnection,
    user: UserId,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<(i64, UserRow)>> {
    let mut q = follows::table
        .inner_join(users::table.on(users::id.eq(follows::followee_id)))
        .filter(follows::follower_id.eq(user))
        .select((follows::id, UserRow::as_select()))
        .order(follows::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(follows::id.lt(after));
    }
    Ok(Page::from_rows(q.load(conn)?, limit, |(id, _)| *id))
}
