//! Queries on users.

use std::collections::HashSet;

use diesel::{prelude::*, sql_types::Text};

use super::models::{NewUser, UserRow, UserWithRelation};
use crate::{
    error::ApiError,
    schema::{follows, users},
};

#[diesel::declare_sql_function]
extern "SQL" {
    fn lower(x: Text) -> Text;
}

pub fn insert(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<UserRow, ApiError> {
    Ok(diesel::insert_into(users::table)
        .values(new)
        .returning(UserRow::as_returning())
        .get_result(conn)?)
}

/// Case-insensitive lookup, served by the `lower(username)` unique index.
pub fn find_by_username(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<UserRow>, ApiError> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The user or a 404 that names the username.
pub fn get_by_username(conn: &mut PgConnection, username: &str) -> Result<UserRow, ApiError> {
    find_by_username(conn, username)?
        .ok_or_else(|| ApiError::NotFound(format!("no user named `{username}`")))
}

/// Id and password hash, for login.
pub fn credentials(
    conn: &mut PgConnection,
    username: &str,
) -> Result<Option<(i64, String)>, ApiError> {
    Ok(users::table
        .filter(lower(users::username).eq(username.to_lowercase()))
        .select((users::id, users::password_hash))
        .first(conn)
        .optional()?)
}

/// The account behind a token; a 401 when it no longer exists.
pub fn get_for_token(conn: &mut PgConnection, id: i64) -> Result<UserRow, ApiError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::invalid_token("the token's account no longer exists"))
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = users)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    pub bio: Option<String>,
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: i64,
    changes: &ProfileChanges,
) -> Result<UserRow, ApiError> {
    if changes.display_name.is_none() && changes.bio.is_none() {
        return get_for_token(conn, id);
    }
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| ApiError::invalid_token("the token's account no longer exists"))
}

/// Which of `ids` the viewer follows: one query for a whole page.
pub fn followed_by(
    conn: &mut PgConnection,
    viewer: i64,
    ids: &[i64],
) -> Result<HashSet<i64>, ApiError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(follows::table
        .filter(follows::follower_id.eq(viewer))
        .filter(follows::followee_id.eq_any(ids))
        .select(follows::followee_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect())
}

/// Attaches `followed_by_me` (null for anonymous readers) to users.
pub fn with_relation(
    conn: &mut PgConnection,
    viewer: Option<i64>,
    rows: Vec<UserRow>,
) -> Result<Vec<UserWithRelation>, ApiError> {
    let followed = match viewer {
        Some(v) => Some(followed_by(
            conn,
            v,
            &rows.iter().map(|u| u.id).collect::<Vec<_>>(),
        )?),
        None => None,
    };
    Ok(rows
        .into_iter()
        .map(|user| {
            let followed_by_me = followed.as_ref().map(|set| set.contains(&user.id));
            UserWithRelation {
                user,
                followed_by_me,
            }
        })
        .collect())
}

pub fn one_with_relation(
    conn: &mut PgConnection,
    viewer: Option<i64>,
    user: UserRow,
) -> Result<UserWithRelation, ApiError> {
    with_relation(conn, viewer, vec![user])?
        .pop()
        .ok_or_else(|| {
            ApiError::Unexpected(anyhow::anyhow!("user vanished while attaching relation"))
        })
}

/// Sets the user's avatar; returns the updated user and the stored name of
/// the avatar it replaced, for the caller to remove.
pub fn set_avatar(
    conn: &mut PgConnection,
    id: i64,
    stored: &str,
) -> Result<(UserRow, Option<String>), ApiError> {
    conn.transaction(|conn| {
        let old: Option<String> = users::table
            .find(id)
            .select(users::avatar_path)
            .for_update()
            .first::<Option<String>>(conn)
            .optional()?
            .ok_or_else(|| ApiError::invalid_token("the token's account no longer exists"))?;
        let user = diesel::update(users::table.find(id))
            .set(users::avatar_path.eq(stored))
            .returning(UserRow::as_returning())
            .get_result(conn)?;
        Ok((user, old))
    })
}
