//! Sessions and their rotating refresh tokens (see the `sessions` migration).

use std::time::Duration;

use diesel::{prelude::*, sql_types::BigInt};
use sha2::{Digest, Sha256};

use super::Result;
use crate::{
    domain::UserId,
    schema::{refresh_tokens, sessions, users},
};

/// A new refresh token: 256 bits from the operating system's generator
/// (through `uuid`'s v4, which draws on `getrandom`), URL-safe.
fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// What is stored in place of a token.
fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn expiry(ttl: Duration) -> chrono::DateTime<chrono::Utc> {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(30));
    chrono::Utc::now() + ttl
}

/// A session and the refresh token that continues it.
#[derive(Debug)]
pub struct Issued {
    pub session_id: i64,
    pub refresh_token: String,
}

/// Opens a session for `user_id` (a sign-in) with its first refresh token.
/// Refused for a deactivated account: the account's row is share-locked
/// first, so a deactivation (which locks it to update) either waits for
/// this session and then ends it, or commits first and is seen here.
pub fn open(conn: &mut PgConnection, user_id: UserId, ttl: Duration) -> Result<Issued> {
    conn.transaction(|conn| {
        let deactivated: Option<chrono::DateTime<chrono::Utc>> = users::table
            .find(user_id)
            .select(users::deactivated_at)
            .for_share()
            .first(conn)
            .optional()?
            .ok_or(super::Error::AccountGone)?;
        if deactivated.is_some() {
            return Err(super::Error::Deactivated);
        }
        let session_id: i64 = diesel::insert_into(sessions::table)
            .values((
                sessions::user_id.eq(user_id),
                sessions::expires_at.eq(expiry(ttl)),
            ))
            .returning(sessions::id)
            .get_result(conn)?;
        let refresh_token = new_token();
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(digest(&refresh_token)),
                refresh_tokens::session_id.eq(session_id),
            ))
            .execute(conn)?;
        Ok(Issued {
            session_id,
            refresh_token,
        })
    })
}

/// What presenting a refresh token did.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was current: here is its successor.
    Rotated { user_id: UserId, issued: Issued },
    /// Unknown, expired, or its session is over.
    Invalid,
    /// It had been used before: the session has now been revoked.
    Reused,
}

#[derive(QueryableByName)]
struct Presented {
    #[diesel(sql_type = BigInt)]
    session_id: i64,
    #[diesel(sql_type = BigInt)]
    user_id: UserId,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    used: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    open: bool,
}

/// Exchanges a refresh token for the next one (rotation). The token row is
/// locked, so two requests presenting the same token cannot both rotate it:
/// the second one sees it used and revokes the session.
pub fn rotate(conn: &mut PgConnection, token: &str, ttl: Duration) -> Result<Refreshed> {
    conn.transaction(|conn| {
        let found: Option<Presented> = diesel::sql_query(
            "SELECT r.session_id, s.user_id, r.used_at IS NOT NULL AS used, \
                    (s.revoked_at IS NULL AND s.expires_at > now()) AS open \
             FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id \
             WHERE r.token_hash = $1 FOR UPDATE OF r, s",
        )
        .bind::<diesel::sql_types::Text, _>(digest(token))
        .get_result(conn)
        .optional()?;
        let Some(found) = found else {
            return Ok(Refreshed::Invalid);
        };
        if !found.open {
            return Ok(Refreshed::Invalid);
        }
        if found.used {
            revoke(conn, found.session_id, "refresh token reused")?;
            tracing::warn!(
                session_id = found.session_id,
                user_id = found.user_id.get(),
                "a rotated refresh token was presented again: session revoked"
            );
            return Ok(Refreshed::Reused);
        }
        diesel::update(refresh_tokens::table.find(digest(token)))
            .set(refresh_tokens::used_at.eq(diesel::dsl::now))
            .execute(conn)?;
        let refresh_token = new_token();
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(digest(&refresh_token)),
                refresh_tokens::session_id.eq(found.session_id),
            ))
            .execute(conn)?;
        diesel::update(sessions::table.find(found.session_id))
            .set((
                sessions::last_used_at.eq(diesel::dsl::now),
                sessions::expires_at.eq(expiry(ttl)),
            ))
            .execute(conn)?;
        Ok(Refreshed::Rotated {
            user_id: found.user_id,
            issued: Issued {
                session_id: found.session_id,
                refresh_token,
            },
        })
    })
}

/// The open session a current refresh token belongs to, without using it:
/// `(session id, user id)`.
pub fn holder(conn: &mut PgConnection, token: &str) -> Result<Option<(i64, UserId)>> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(digest(token)))
        .filter(refresh_tokens::used_at.is_null())
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .select((sessions::id, sessions::user_id))
        .first(conn)
        .optional()?)
}

/// The expression "session `session_id` is open for `user_id`": an
/// uncorrelated `EXISTS`, which PostgreSQL evaluates once per statement, so a
/// query can carry its own session check ([`super::tweets::home_page`]).
pub fn still_open(session_id: i64, user_id: UserId) -> StillOpen {
    diesel::dsl::exists(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(diesel::dsl::now)),
    )
}

/// What [`still_open`] returns.
pub type StillOpen = diesel::dsl::exists<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            diesel::dsl::Filter<
                diesel::dsl::Filter<sessions::table, diesel::dsl::Eq<sessions::id, i64>>,
                diesel::dsl::Eq<sessions::user_id, UserId>,
            >,
            diesel::dsl::IsNull<sessions::revoked_at>,
        >,
        diesel::dsl::Gt<sessions::expires_at, diesel::dsl::now>,
    >,
>;

/// Whether an access token's session is still open for its user (and so
/// whether the account still exists): one primary-key lookup per request.
pub fn is_open(conn: &mut PgConnection, session_id: i64, user_id: UserId) -> Result<bool> {
    Ok(diesel::select(still_open(session_id, user_id)).get_result(conn)?)
}

/// Ends one session: its access and refresh tokens stop working at once.
pub fn revoke(conn: &mut PgConnection, session_id: i64, reason: &str) -> Result<()> {
    diesel::update(sessions::table.find(session_id))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(diesel::dsl::now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of `user_id`; returns how many ended.
pub fn revoke_all(conn: &mut PgConnection, user_id: UserId, reason: &str) -> Result<usize> {
    revoke_all_but(conn, user_id, None, reason)
}

/// Ends every session of `user_id` but `keep`; returns how many ended.
pub fn revoke_others(
    conn: &mut PgConnection,
    user_id: UserId,
    keep: i64,
    reason: &str,
) -> Result<usize> {
    revoke_all_but(conn, user_id, Some(keep), reason)
}

fn revoke_all_but(
    conn: &mut PgConnection,
    user_id: UserId,
    keep: Option<i64>,
    reason: &str,
) -> Result<usize> {
    Ok(diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::id.ne(keep.unwrap_or(0)))
        .filter(sessions::revoked_at.is_null())
        .set((
            sessions::revoked_at.eq(diesel::dsl::now),
            sessions::revoked_reason.eq(reason),
        ))
        .execute(conn)?)
}

/// Deletes sessions that ended (expired or revoked) more than `keep` ago,
/// with their tokens; returns how many.
pub fn purge(conn: &mut PgConnection, keep: Duration) -> Result<usize> {
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(keep).unwrap_or_default();
    Ok(diesel::delete(sessions::table)
        .filter(
            sessions::expires_at
                .lt(cutoff)
                .or(sessions::revoked_at.lt(cutoff)),
        )
        .execute(conn)?)
}
