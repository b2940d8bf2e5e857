//! Administration: the admin flag, deactivated accounts, moderation
//! removals, and the audit log every one of them writes to (the migration
//! `admin`). Each action and its audit entry commit together.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{sessions, Error, Result};
use crate::{
    domain::{TweetId, UserId},
    schema::{audit_log, tweets, users},
};

/// Who takes an administrative action.
#[derive(Debug, Clone)]
pub enum Actor {
    /// An administrator through the API.
    Admin { id: UserId, username: String },
    /// The `tweets` command line, as this operating-system user.
    Cli(String),
}

impl Actor {
    /// The command line, named after the operating-system user running it.
    pub fn cli() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(os_user);
        Actor::Cli(user)
    }

    fn id(&self) -> Option<UserId> {
        match self {
            Actor::Admin { id, .. } => Some(*id),
            Actor::Cli(_) => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Actor::Admin { username, .. } => username.clone(),
            Actor::Cli(user) => format!("cli:{user}"),
        }
    }
}

/// The operating-system user running this process when the environment
/// does not say (containers often set no `USER`): its name from
/// `/etc/passwd`, else `uid <n>`. (The passwd format is one line per user,
/// `name:x:uid:…`: split, not parsed by a crate.)
fn os_user() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// The audit log's actions (the migration's `CHECK` lists the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateUser,
    DeactivateUser,
    ReactivateUser,
    GrantAdmin,
    RevokeAdmin,
    CreateTweet,
    RemoveTweet,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CreateUser => "create_user",
            Action::DeactivateUser => "deactivate_user",
            Action::ReactivateUser => "reactivate_user",
            Action::GrantAdmin => "grant_admin",
            Action::RevokeAdmin => "revoke_admin",
            Action::CreateTweet => "create_tweet",
            Action::RemoveTweet => "remove_tweet",
        }
    }
}

/// An account as administration sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct Account {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub followers_count: i64,
    pub tweets_count: i64,
}

/// One entry of the audit log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target_username: Option<String>,
    pub tweet_id: Option<i64>,
    pub tweet_text: Option<String>,
    pub reason: String,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    actor_id: Option<UserId>,
    actor: &'a str,
    action: &'a str,
    target_user_id: Option<UserId>,
    target_username: Option<&'a str>,
    tweet_id: Option<i64>,
    tweet_text: Option<&'a str>,
    reason: &'a str,
}

/// What an audit entry concerns besides its action.
#[derive(Debug, Default)]
pub struct Target<'a> {
    pub user: Option<(UserId, &'a str)>,
    pub tweet: Option<(TweetId, &'a str)>,
}

/// Writes an audit entry (in the caller's transaction).
pub fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: Action,
    target: Target<'_>,
    reason: &str,
) -> Result<()> {
    let actor_name = actor.name();
    diesel::insert_into(audit_log::table)
        .values(NewEntry {
            actor_id: actor.id(),
            actor: &actor_name,
            action: action.as_str(),
            target_user_id: target.user.map(|(id, _)| id),
            target_username: target.user.map(|(_, name)| name),
            tweet_id: target.tweet.map(|(id, _)| id.get()),
            tweet_text: target.tweet.map(|(_, text)| text),
            reason,
        })
        .execute(conn)?;
    Ok(())
}

/// The account's username when it is an administrator (read per request:
/// revoking the flag takes effect at once, whatever tokens are out).
pub fn admin_name(conn: &mut PgConnection, id: UserId) -> Result<Option<String>> {
    Ok(users::table
        .find(id)
        .filter(users::is_admin)
        .select(users::username)
        .first(conn)
        .optional()?)
}

fn no_such_user(username: &str) -> Error {
    Error::NotFound(format!("no user `{}`", crate::domain::excerpt(username)))
}

/// An account by username (case-insensitively), locked for the change the
/// caller is about to make.
fn lock_account(conn: &mut PgConnection, username: &str) -> Result<Account> {
    let id = account(conn, username)?.id;
    users::table
        .find(id)
        .select(Account::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .ok_or_else(|| no_such_user(username))
}

/// An account by username (case-insensitively), as administration sees it.
pub fn account(conn: &mut PgConnection, username: &str) -> Result<Account> {
    let id = super::users::find_by_username(conn, username)?
        .ok_or_else(|| no_such_user(username))?
        .id;
    users::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| no_such_user(username))
}

/// Which accounts [`accounts`] lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountFilter {
    pub admins_only: bool,
    pub deactivated_only: bool,
}

/// Accounts, newest first, `limit` of them from below `before` (an id).
pub fn accounts(
    conn: &mut PgConnection,
    filter: AccountFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Account>> {
    let mut query = users::table
        .filter(users::id.lt(before.unwrap_or(i64::MAX)))
        .select(Account::as_select())
        .order(users::id.desc())
        .limit(limit)
        .into_boxed();
    if filter.admins_only {
        query = query.filter(users::is_admin);
    }
    if filter.deactivated_only {
        query = query.filter(users::deactivated_at.is_not_null());
    }
    Ok(query.load(conn)?)
}

/// Deactivates an account (`active: false`) or lets it sign in again.
///
/// A deactivated account can no longer sign in, and every session it has
/// ends at once (its tokens stop working); its tweets stay until they are
/// removed. Reactivation leaves the ended sessions ended. Either is
/// idempotent: no change, no audit entry. An administrator cannot be
/// deactivated (the command line revokes the flag first), so no admin can
/// lock out another, or themselves, through the API.
pub fn set_active(
    conn: &mut PgConnection,
    actor: &Actor,
    username: &str,
    active: bool,
    reason: &str,
) -> Result<Account> {
    conn.transaction(|conn| {
        let account = lock_account(conn, username)?;
        if !active && account.is_admin {
            return Err(Error::Conflict(
                "an administrator cannot be deactivated: revoke the admin flag first (`tweets users demote`)",
            ));
        }
        if account.deactivated_at.is_none() == active {
            return Ok(account);
        }
        let since = (!active).then(Utc::now);
        let account: Account = diesel::update(users::table.find(account.id))
            .set(users::deactivated_at.eq(since))
            .returning(Account::as_returning())
            .get_result(conn)?;
        let action = if active {
            Action::ReactivateUser
        } else {
            sessions::revoke_all(conn, account.id, "deactivated")?;
            Action::DeactivateUser
        };
        let target = Target {
            user: Some((account.id, &account.username)),
            tweet: None,
        };
        record(conn, actor, action, target, reason)?;
        Ok(account)
    })
}

/// Grants or revokes the admin flag (the command line only).
pub fn set_admin(
    conn: &mut PgConnection,
    actor: &Actor,
    username: &str,
    admin: bool,
) -> Result<Account> {
    conn.transaction(|conn| {
        let account = lock_account(conn, username)?;
        if account.is_admin == admin {
            return Ok(account);
        }
        let account: Account = diesel::update(users::table.find(account.id))
            .set(users::is_admin.eq(admin))
            .returning(Account::as_returning())
            .get_result(conn)?;
        let action = if admin {
            Action::GrantAdmin
        } else {
            Action::RevokeAdmin
        };
        let target = Target {
            user: Some((account.id, &account.username)),
            tweet: None,
        };
        record(conn, actor, action, target, "")?;
        Ok(account)
    })
}

/// A removed tweet: what the audit log kept, and the stored image the
/// caller removes after the commit.
#[derive(Debug)]
pub struct Removed {
    pub author: String,
    pub text: String,
    pub image: Option<String>,
}

/// Removes a tweet whoever wrote it (moderation), with its reposts, as its
/// author's delete does; the audit entry keeps its text. A repost cannot be
/// removed on its own (remove the original, or the reposter's account).
pub fn remove_tweet(
    conn: &mut PgConnection,
    actor: &Actor,
    id: TweetId,
    reason: &str,
) -> Result<Removed> {
    conn.transaction(|conn| {
        let (author_id, author, text): (UserId, String, String) = tweets::table
            .inner_join(users::table)
            .filter(tweets::id.eq(id))
            .filter(tweets::repost_of_id.is_null())
            .select((tweets::author_id, users::username, tweets::text))
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no tweet {id}")))?;
        let image = super::tweets::delete(conn, id, author_id)?;
        let target = Target {
            user: Some((author_id, &author)),
            tweet: Some((id, &text)),
        };
        record(conn, actor, Action::RemoveTweet, target, reason)?;
        Ok(Removed {
            author,
            text,
            image,
        })
    })
}

/// The audit log, newest first: `limit` entries below `before` (an id).
pub fn entries(conn: &mut PgConnection, before: Option<i64>, limit: i64) -> Result<Vec<Entry>> {
    Ok(audit_log::table
        .filter(audit_log::id.lt(before.unwrap_or(i64::MAX)))
        .select(Entry::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .load(conn)?)
}
