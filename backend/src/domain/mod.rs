//! Validated domain types: parse, don't validate. Once a value of one of
//! these types exists it satisfies the rules of `docs/api.md`; the parsers
//! return the message shown to clients under the field's name.

mod id;
mod idempotency;
mod page;
mod text;
mod user;

pub use id::{TweetId, UserId};
pub use idempotency::{Idempotency, IdempotencyKey};
pub use page::{Cursor, CursorKind, PageLimit, RankCursor};
pub use text::TweetText;
pub use user::{Bio, DisplayName, Password, Username};

/// Number of Unicode scalar values, the unit every length rule counts in.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// At most 40 characters of something a client sent, for echoing it back
/// in an error without reflecting kilobytes.
pub fn excerpt(raw: &str) -> String {
    const MAX: usize = 40;
    match raw.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &raw[..cut]),
        None => raw.to_string(),
    }
}

/// PostgreSQL text cannot hold U+0000, so no stored string may contain it.
fn check_no_nul(s: &str) -> Result<(), String> {
    if s.contains('\0') {
        Err("must not contain the NUL character".into())
    } else {
        Ok(())
    }
}
