//! Blocks and mutes between accounts (see the migration `social` for what
//! each hides; the per-row checks are in `db::viewer`).

use std::collections::HashSet;

use diesel::prelude::*;

use super::Result;
use crate::{
    domain::UserId,
    schema::{blocks, follows, mutes, notifications},
};

/// Whether either account blocks the other.
pub fn between(conn: &mut PgConnection, a: UserId, b: UserId) -> Result<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        blocks::table.filter(
            (blocks::blocker_id.eq(a).and(blocks::blocked_id.eq(b)))
                .or(blocks::blocker_id.eq(b).and(blocks::blocked_id.eq(a))),
        ),
    ))
    .get_result(conn)?)
}

/// `blocker` blocks `blocked` (idempotent): their follows end both ways,
/// and the notifications either made for the other go.
pub fn block(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> Result<()> {
    conn.transaction(|conn| {
        diesel::insert_into(blocks::table)
            .values((
                blocks::blocker_id.eq(blocker),
                blocks::blocked_id.eq(blocked),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        diesel::delete(
            follows::table.filter(
                (follows::follower_id
                    .eq(blocker)
                    .and(follows::followee_id.eq(blocked)))
                .or(follows::follower_id
                    .eq(blocked)
                    .and(follows::followee_id.eq(blocker))),
            ),
        )
        .execute(conn)?;
        diesel::delete(
            notifications::table.filter(
                (notifications::actor_id
                    .eq(blocked)
                    .and(notifications::recipient_id.eq(blocker)))
                .or(notifications::actor_id
                    .eq(blocker)
                    .and(notifications::recipient_id.eq(blocked))),
            ),
        )
        .execute(conn)?;
        Ok(())
    })
}

pub fn unblock(conn: &mut PgConnection, blocker: UserId, blocked: UserId) -> Result<()> {
    diesel::delete(blocks::table.find((blocker, blocked))).execute(conn)?;
    Ok(())
}

/// `muter` mutes `muted` (idempotent): the muted account's notifications
/// to the muter go, and no new ones come.
pub fn mute(conn: &mut PgConnection, muter: UserId, muted: UserId) -> Result<()> {
    conn.transaction(|conn| {
        diesel::insert_into(mutes::table)
            .values((mutes::muter_id.eq(muter), mutes::muted_id.eq(muted)))
            .on_conflict_do_nothing()
            .execute(conn)?;
        diesel::delete(
            notifications::table
                .filter(notifications::actor_id.eq(muted))
                .filter(notifications::recipient_id.eq(muter)),
        )
        .execute(conn)?;
        Ok(())
    })
}

pub fn unmute(conn: &mut PgConnection, muter: UserId, muted: UserId) -> Result<()> {
    diesel::delete(mutes::table.find((muter, muted))).execute(conn)?;
    Ok(())
}

/// Which of `ids` `viewer` blocks, and which they mute: a query each, for a
/// whole page of users.
pub fn blocked_and_muted_among(
    conn: &mut PgConnection,
    viewer: UserId,
    ids: &[UserId],
) -> Result<(HashSet<UserId>, HashSet<UserId>)> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let blocked = blocks::table
        .filter(blocks::blocker_id.eq(viewer))
        .filter(blocks::blocked_id.eq_any(ids))
        .select(blocks::blocked_id)
        .load::<UserId>(conn)?;
    let muted = mutes::table
        .filter(mutes::muter_id.eq(viewer))
        .filter(mutes::muted_id.eq_any(ids))
        .select(mutes::muted_id)
        .load::<UserId>(conn)?;
    Ok((blocked.into_iter().collect(), muted.into_iter().collect()))
}
