//! `tweets users …`, `tweets tweets …` and `tweets audit`: administration
//! from the command line (whoever can run `tweets` with the database's
//! credentials is trusted; every change is recorded in the audit log as
//! `cli:<operating-system user>`).

use clap::Subcommand;
use diesel::{prelude::*, PgConnection};

use crate::{
    db::{
        self,
        admin::{self, AccountFilter, Actor},
        models::NewTweet,
    },
    domain::{excerpt, TweetId, TweetText},
    media::{LocalMediaStore, MediaStore},
    schema::{tweets, users},
};

#[derive(Debug, Subcommand)]
pub enum Users {
    /// List accounts, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Administrators only.
        #[arg(long)]
        admins: bool,
        /// Deactivated accounts only.
        #[arg(long)]
        deactivated: bool,
    },
    /// One account's status.
    Show { username: String },
    /// Stop an account from signing in and end its sessions (its tweets stay).
    Deactivate {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Let a deactivated account sign in again.
    Reactivate {
        username: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Make an account an administrator.
    Promote { username: String },
    /// Take the admin flag away.
    Demote { username: String },
}

#[derive(Debug, Subcommand)]
pub enum Tweets {
    /// List tweets (reposts aside), newest first.
    List {
        /// One author's tweets only.
        #[arg(long)]
        author: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Post a tweet as an account (1–280 characters).
    Create {
        /// The author's username.
        #[arg(long = "as")]
        author: String,
        text: String,
    },
    /// Remove a tweet whoever wrote it (moderation), with its reposts and image.
    Remove {
        id: i64,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

fn reason(raw: &str) -> anyhow::Result<String> {
    let reason = raw.trim();
    anyhow::ensure!(
        reason.chars().count() <= 500,
        "--reason must be at most 500 characters"
    );
    Ok(reason.to_string())
}

fn limit(n: i64) -> anyhow::Result<i64> {
    anyhow::ensure!((1..=1000).contains(&n), "--limit must be 1–1000");
    Ok(n)
}

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "-".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn print_accounts(accounts: &[admin::Account]) {
    out!(
        "{:>8}  {:<30}  {:<24}  {:<5}  {:<16}  {:>9}  {:>7}  CREATED",
        "ID",
        "USERNAME",
        "DISPLAY NAME",
        "ADMIN",
        "DEACTIVATED",
        "FOLLOWERS",
        "TWEETS"
    );
    for a in accounts {
        out!(
            "{:>8}  {:<30}  {:<24}  {:<5}  {:<16}  {:>9}  {:>7}  {}",
            a.id,
            a.username,
            excerpt_to(&a.display_name, 24),
            if a.is_admin { "yes" } else { "no" },
            when(a.deactivated_at),
            a.followers_count,
            a.tweets_count,
            when(Some(a.created_at)),
        );
    }
}

/// `text` cut to `max` characters (with `…`), on one line.
fn excerpt_to(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(max.saturating_sub(1)) {
        Some((cut, _)) if one_line.chars().count() > max => format!("{}…", &one_line[..cut]),
        _ => one_line,
    }
}

fn db_err(e: db::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub fn users(conn: &mut PgConnection, command: Users) -> anyhow::Result<()> {
    let actor = Actor::cli();
    match command {
        Users::List {
            limit: n,
            admins,
            deactivated,
        } => {
            let filter = AccountFilter {
                admins_only: admins,
                deactivated_only: deactivated,
            };
            let accounts = admin::accounts(conn, filter, None, limit(n)?).map_err(db_err)?;
            print_accounts(&accounts);
        }
        Users::Show { username } => {
            print_accounts(&[admin::account(conn, &username).map_err(db_err)?]);
        }
        Users::Deactivate {
            username,
            reason: r,
        } => {
            let a =
                admin::set_active(conn, &actor, &username, false, &reason(&r)?).map_err(db_err)?;
            out!(
                "{} is deactivated (since {}): it cannot sign in, and its sessions have ended",
                a.username,
                when(a.deactivated_at)
            );
        }
        Users::Reactivate {
            username,
            reason: r,
        } => {
            let a =
                admin::set_active(conn, &actor, &username, true, &reason(&r)?).map_err(db_err)?;
            out!("{} is active: it can sign in again", a.username);
        }
        Users::Promote { username } => {
            let a = admin::set_admin(conn, &actor, &username, true).map_err(db_err)?;
            out!("{} is an administrator", a.username);
        }
        Users::Demote { username } => {
            let a = admin::set_admin(conn, &actor, &username, false).map_err(db_err)?;
            out!("{} is no longer an administrator", a.username);
        }
    }
    Ok(())
}

pub fn tweets(
    conn: &mut PgConnection,
    media_root: &std::path::Path,
    command: Tweets,
) -> anyhow::Result<()> {
    match command {
        Tweets::List { author, limit: n } => {
            let mut query = tweets::table
                .inner_join(users::table)
                .filter(tweets::repost_of_id.is_null())
                .select((
                    tweets::id,
                    users::username,
                    tweets::created_at,
                    tweets::like_count,
                    tweets::text,
                ))
                .order(tweets::id.desc())
                .limit(limit(n)?)
                .into_boxed();
            if let Some(author) = author {
                let id = admin::account(conn, &author).map_err(db_err)?.id;
                query = query.filter(tweets::author_id.eq(id));
            }
            let rows: Vec<(TweetId, String, chrono::DateTime<chrono::Utc>, i64, String)> =
                query.load(conn)?;
            out!(
                "{:>10}  {:<30}  {:<16}  {:>5}  TEXT",
                "ID",
                "AUTHOR",
                "CREATED",
                "LIKES"
            );
            for (id, author, at, likes, text) in rows {
                out!(
                    "{:>10}  {:<30}  {:<16}  {:>5}  {}",
                    id,
                    author,
                    when(Some(at)),
                    likes,
                    excerpt_to(&text, 60)
                );
            }
        }
        Tweets::Create { author, text } => {
            let text = TweetText::parse(&text).map_err(|e| anyhow::anyhow!("text {e}"))?;
            let account = admin::account(conn, &author).map_err(db_err)?;
            anyhow::ensure!(
                account.deactivated_at.is_none(),
                "{} is deactivated: reactivate it first",
                account.username
            );
            let new = NewTweet {
                author_id: account.id,
                text: text.as_ref(),
                image_path: None,
                image_alt: None,
                reply_to_id: None,
            };
            let (tweet, _) = conn
                .transaction(|conn| {
                    let created = db::tweets::create(conn, &new, None)?;
                    let target = admin::Target {
                        user: Some((account.id, &account.username)),
                        tweet: Some((created.0.tweet.id, text.as_ref())),
                    };
                    admin::record(conn, &Actor::cli(), admin::Action::CreateTweet, target, "")?;
                    Ok::<_, db::Error>(created)
                })
                .map_err(db_err)?;
            out!("created tweet {} as {}", tweet.tweet.id, account.username);
        }
        Tweets::Remove { id, reason: r } => {
            let id = TweetId::new(id).ok_or_else(|| anyhow::anyhow!("no tweet {id}"))?;
            let removed =
                admin::remove_tweet(conn, &Actor::cli(), id, &reason(&r)?).map_err(db_err)?;
            if let Some(image) = &removed.image {
                let store = LocalMediaStore::new(media_root);
                if let Err(e) = store.remove(image) {
                    eprintln!(
                        "warning: could not remove its image {image} under MEDIA_ROOT {}: {e}",
                        media_root.display()
                    );
                }
            }
            out!(
                "removed tweet {id} by {}: {}",
                removed.author,
                excerpt(&removed.text)
            );
        }
    }
    Ok(())
}

pub fn audit(conn: &mut PgConnection, n: i64) -> anyhow::Result<()> {
    let entries = admin::entries(conn, None, limit(n)?).map_err(db_err)?;
    out!(
        "{:>6}  {:<16}  {:<24}  {:<16}  {:<30}  DETAILS",
        "ID",
        "AT",
        "ACTOR",
        "ACTION",
        "ACCOUNT"
    );
    for e in entries {
        let mut details = Vec::new();
        if let Some(id) = e.tweet_id {
            details.push(format!("tweet {id}"));
        }
        if let Some(text) = &e.tweet_text {
            details.push(format!("{:?}", excerpt_to(text, 40)));
        }
        if !e.reason.is_empty() {
            details.push(format!("reason: {}", e.reason));
        }
        out!(
            "{:>6}  {:<16}  {:<24}  {:<16}  {:<30}  {}",
            e.id,
            when(Some(e.at)),
            e.actor,
            e.action,
            e.target_username.as_deref().unwrap_or("-"),
            details.join("; ")
        );
    }
    Ok(())
}
