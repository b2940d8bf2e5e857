//! Queries on users.

use std::collections::HashSet;

use diesel::{prelude::*, sql_types::Text};

use super::models::{NewUser, UserRow, UserWithRelation};
use super::{Error, Result};
use crate::{
    domain::{UserId, Username},
    schema::{follows, users},
};

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: Text) -> Text;
}

pub fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<UserRow> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .returning(UserRow::as_returning())
        .get_result(conn)?)
}

/// Creates an account and opens its first session, in one transaction.
pub fn register(
    conn: &mut PgConnection,
    new: &NewUser<'_>,
    ttl: std::time::Duration,
) -> Result<(UserRow, super::sessions::Issued)> {
    conn.transaction(|conn| {
        let user = insert(conn, new)?;
        let issued = super::sessions::open(conn, user.id, ttl)?;
        Ok((user, issued))
    })
}

/// Stores a new password hash, forgets failed sign-ins and ends every other
/// session (`keep` is the one changing it); returns how many ended.
pub fn change_password(
    conn: &mut PgConnection,
    id: UserId,
    hash: &str,
    keep: i64,
) -> Result<usize> {
    conn.transaction(|conn| {
        set_password_hash(conn, id, hash)?;
        clear_failed_logins(conn, id)?;
        super::sessions::revoke_others(conn, id, keep, "password changed")
    })
}

/// Case-insensitive lookup, served by the `lower(username)` unique index.
pub fn find_by_username(conn: &mut PgConnection, username: &str) -> Result<Option<UserRow>> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user or a 404 that names the username.
pub fn get_by_username(conn: &mut PgConnection, username: &str) -> Result<UserRow> {
    find_by_username(conn, username)?.ok_or_else(|| {
        Error::NotFound(format!(
            "no user named `{}`",
            crate::domain::excerpt(username)
        ))
    })
}

/// What a sign-in needs to know about an account.
#[derive(Debug, Queryable)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    /// Set while failed sign-ins hold the account back.
    pub blocked_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// The account a sign-in names (usernames are ASCII, compared
/// case-insensitively exactly as the unique index does).
pub fn credentials(conn: &mut PgConnection, username: &Username) -> Result<Option<Credentials>> {
    Ok(users::table
        .filter(lower(users::username).eq(username.as_ref().to_ascii_lowercase()))
        .select((users::id, users::password_hash, users::login_blocked_until))
        .first(conn)
        .optional()?)
}

/// Failed sign-ins allowed before the back-off starts.
pub const FREE_LOGIN_FAILURES: i32 = 5;
/// Longest back-off: an attacker can slow an account's sign-ins down, never
/// lock its owner out for longer (and a device with a session skips it).
pub const MAX_LOGIN_BACKOFF_SECS: i32 = 900;

/// Counts a failed sign-in: after [`FREE_LOGIN_FAILURES`], each one holds
/// the account back for 1, 2, 4 … seconds, at most [`MAX_LOGIN_BACKOFF_SECS`].
/// The count starts again an hour after the last failure.
pub fn record_failed_login(conn: &mut PgConnection, id: UserId) -> Result<()> {
    diesel::sql_query(
        "UPDATE users SET \
           failed_logins = f.n, \
           last_failed_login_at = now(), \
           login_blocked_until = CASE WHEN f.n > $2 \
             THEN now() + make_interval(secs => LEAST(power(2, LEAST(f.n - $2 - 1, 20)), $3)) END \
         FROM (SELECT CASE WHEN last_failed_login_at > now() - interval '1 hour' \
                      THEN failed_logins + 1 ELSE 1 END AS n \
               FROM users WHERE id = $1) f \
         WHERE id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(id)
    .bind::<diesel::sql_types::Integer, _>(FREE_LOGIN_FAILURES)
    .bind::<diesel::sql_types::Integer, _>(MAX_LOGIN_BACKOFF_SECS)
    .execute(conn)?;
    Ok(())
}

/// A successful sign-in forgets earlier failures.
pub fn clear_failed_logins(conn: &mut PgConnection, id: UserId) -> Result<()> {
    diesel::update(users::table.find(id))
        .filter(
            users::failed_logins
                .ne(0)
                .or(users::login_blocked_until.is_not_null()),
        )
        .set((
            users::failed_logins.eq(0),
            users::login_blocked_until.eq(None::<chrono::DateTime<chrono::Utc>>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The stored password hash of an account.
pub fn password_hash(conn: &mut PgConnection, id: UserId) -> Result<String> {
    users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::AccountGone)
}

pub fn set_password_hash(conn: &mut PgConnection, id: UserId, hash: &str) -> Result<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

/// Deletes an account with its tweets, likes, follows, sessions and keys
/// (all by cascade; the counters of others follow through their triggers).
/// Returns the stored media the account owned, for the caller to remove.
pub fn delete_account(conn: &mut PgConnection, id: UserId) -> Result<Vec<String>> {
    conn.transaction(|conn| {
        let avatar: Option<String> = users::table
            .find(id)
            .select(users::avatar_path)
            .for_update()
            .first::<Option<String>>(conn)
            .optional()?
            .ok_or_else(|| Error::AccountGone)?;
        let mut media: Vec<String> = crate::schema::tweets::table
            .filter(crate::schema::tweets::author_id.eq(id))
            .filter(crate::schema::tweets::image_path.is_not_null())
            .select(crate::schema::tweets::image_path.assume_not_null())
            .load(conn)?;
        media.extend(avatar);
        diesel::delete(users::table.find(id)).execute(conn)?;
        Ok(media)
    })
}

/// The account behind a token; a 401 when it no longer exists.
pub fn get_for_token(conn: &mut PgConnection, id: UserId) -> Result<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::AccountGone)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub bio: Option<String>,
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: UserId,
    changes: &ProfileChanges,
) -> Result<UserRow> {
    if changes.display_name.is_none() && changes.bio.is_none() {
        return get_for_token(conn, id);
    }
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::AccountGone)
}

/// Which of `ids` the viewer follows: one query for a whole page.
pub fn followed_by(
    conn: &mut PgConnection,
    viewer: UserId,
    ids: &[UserId],
) -> Result<HashSet<UserId>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(follows::table
        .filter(follows::follower_id.eq(viewer))
        .filter(follows::followee_id.eq_any(ids))
        .select(follows::followee_id)
        .load::<UserId>(conn)?
        .into_iter()
        .collect())
}

/// Attaches `followed_by_me` (null for anonymous readers) to users.
/// Whom the reader follows, blocks and mutes, among a page of users.
type Relations = (HashSet<UserId>, HashSet<UserId>, HashSet<UserId>);

pub fn with_relation(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    rows: Vec<UserRow>,
) -> Result<Vec<UserWithRelation>> {
    let relations = match viewer {
        Some(v) => {
            let ids = rows.iter().map(|u| u.id).collect::<Vec<_>>();
            let followed = followed_by(conn, v, &ids)?;
            let (blocked, muted) = super::blocks::blocked_and_muted_among(conn, v, &ids)?;
            Some((followed, blocked, muted))
        }
        None => None,
    };
    Ok(rows
        .into_iter()
        .map(|user| {
            let has = |pick: fn(&Relations) -> &HashSet<UserId>| {
                relations.as_ref().map(|r| pick(r).contains(&user.id))
            };
            UserWithRelation {
                followed_by_me: has(|r| &r.0),
                blocked_by_me: has(|r| &r.1),
                muted_by_me: has(|r| &r.2),
                user,
            }
        })
        .collect())
}

pub fn one_with_relation(
    conn: &mut PgConnection,
    viewer: Option<UserId>,
    user: UserRow,
) -> Result<UserWithRelation> {
    with_relation(conn, viewer, vec![user])?
        .pop()
        .ok_or_else(|| Error::other("user vanished while attaching relation"))
}

/// Sets the user's avatar; returns the updated user and the stored name of
/// the avatar it replaced, for the caller to remove.
pub fn set_avatar(
    conn: &mut PgConnection,
    id: UserId,
    stored: &str,
) -> Result<(UserRow, Option<String>)> {
    conn.transaction(|conn| {
        let old: Option<String> = users::table
            .find(id)
            .select(users::avatar_path)
            .for_update()
            .first::<Option<String>>(conn)
            .optional()?
            .ok_or_else(|| Error::AccountGone)?;
        let user = diesel::update(users::table.find(id))
            .set(users::avatar_path.eq(stored))
            .returning(UserRow::as_returning())
            .get_result(conn)?;
        Ok((user, old))
    })
}
