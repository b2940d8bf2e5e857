//! What the store reports, in storage terms. The HTTP layer decides what each
//! case means to a client (`impl From<db::Error> for ApiError` in `error.rs`);
//! only this module knows the schema's constraint names.

use diesel::result::{DatabaseErrorKind as Kind, Error as Diesel};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What was asked for does not exist; the message names it.
    #[error("{0}")]
    NotFound(String),
    /// Another account has this username (compared case-insensitively).
    #[error("username is already taken")]
    UsernameTaken,
    /// The account acting no longer exists (deleted while its token lived).
    #[error("the token's account no longer exists")]
    AccountGone,
    /// Only the author may do this.
    #[error("{0}")]
    NotAuthor(&'static str),
    /// A block between the two accounts forbids it.
    #[error("{0}")]
    Blocked(&'static str),
    /// The request contradicts the state of what it names; the message says how.
    #[error("{0}")]
    Conflict(&'static str),
    /// The account has been deactivated by an administrator.
    #[error("this account has been deactivated by an administrator")]
    Deactivated,
    /// A field of the request contradicts what is stored: it names a row that
    /// does not exist, or reuses a key for something else.
    #[error("{field} {message}")]
    InvalidField {
        field: &'static str,
        message: &'static str,
    },
    /// The database cannot be reached or did not answer in time: worth a retry.
    #[error("{0}")]
    Unavailable(&'static str),
    /// Anything else: a bug or an unexpected state, logged in full.
    #[error(transparent)]
    Other(anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn other(message: &'static str) -> Self {
        Error::Other(anyhow::anyhow!(message))
    }
}

impl From<Diesel> for Error {
    fn from(err: Diesel) -> Self {
        match &err {
            Diesel::NotFound => Error::NotFound("not found".into()),
            Diesel::DatabaseError(kind, info) => match (kind, info.constraint_name()) {
                (Kind::UniqueViolation, Some("users_username_lower_key")) => Error::UsernameTaken,
                (Kind::ForeignKeyViolation, Some("tweets_reply_to_id_fkey")) => {
                    Error::InvalidField {
                        field: "reply_to_id",
                        message: "refers to a tweet that does not exist",
                    }
                }
                (Kind::ForeignKeyViolation, Some("likes_tweet_id_fkey")) => {
                    Error::NotFound("no such tweet".into())
                }
                (
                    Kind::ForeignKeyViolation,
                    Some(
                        "tweets_author_id_fkey"
                        | "likes_user_id_fkey"
                        | "follows_follower_id_fkey"
                        | "idempotency_keys_user_id_fkey",
                    ),
                ) => Error::AccountGone,
                // The connection went away mid-request (a restart), or the
                // statement ran past DB_STATEMENT_TIMEOUT (a held lock, a
                // stalled server). PostgreSQL's messages are matched in
                // English: diesel exposes no SQLSTATE, and the pooled
                // connections run with the server's default lc_messages.
                (Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                    Error::Unavailable("the database is unavailable")
                }
                (_, _) if is_timeout_message(info.message()) => {
                    Error::Unavailable("the database did not answer in time")
                }
                _ => Error::Other(anyhow::Error::new(err)),
            },
            // A transaction whose connection died cannot be rolled back.
            Diesel::BrokenTransactionManager => Error::Unavailable("the database is unavailable"),
            _ => Error::Other(anyhow::Error::new(err)),
        }
    }
}

fn is_timeout_message(message: &str) -> bool {
    message.starts_with("canceling statement due to statement timeout")
        || message.starts_with("canceling statement due to lock timeout")
        || message.starts_with("terminating connection due to idle-in-transaction timeout")
        || message.contains("server closed the connection unexpectedly")
        || message.contains("no connection to the server")
}

impl From<actix_web::error::BlockingError> for Error {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Error::Other(anyhow::anyhow!("blocking task failed: {err}"))
    }
}
