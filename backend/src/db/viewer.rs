//! What a reader may see of a tweet, and what they did to it, as SQL
//! expressions evaluated per row of a `tweets` query.
//!
//! These are correlated subqueries (`… WHERE b.blocker_id =
//! tweets.author_id …`), which diesel's DSL cannot express, and its
//! escape hatch (`dsl::sql`) makes every query using it unpreparable, so the
//! hottest queries (the timelines) would be planned on every request. So
//! each expression is a fixed SQL text with the reader's id bound, and a
//! marker type of its own as its static query id: a query using it is
//! prepared once per connection like any other static diesel query.
//! They may only be used in queries over the `tweets` table, unaliased.
//! Each starts by testing the reader's id against 0 (anonymous), which
//! PostgreSQL evaluates before the subqueries it guards (it keeps the order
//! of an expression's `AND`/`OR` arguments and stops at the first that
//! decides): an anonymous page costs no probes at all.

use std::marker::PhantomData;

use diesel::{
    expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping},
    pg::Pg,
    query_builder::{AstPass, QueryFragment, QueryId},
    sql_types::{BigInt, Bool},
    QueryResult,
};

use crate::domain::UserId;

/// A SQL text with the reader's id bound between its parts.
pub trait ViewerSql: Send + Sync + 'static {
    const PARTS: &'static [&'static str];
}

/// A boolean SQL expression about the row of `tweets` and a reader.
#[derive(Debug, Clone, Copy)]
pub struct ForViewer<M> {
    viewer: i64,
    _sql: PhantomData<M>,
}

/// The expression `M` for `viewer` (`None`: an anonymous reader, whom no
/// block, mute, like or repost concerns).
pub fn for_viewer<M: ViewerSql>(viewer: Option<UserId>) -> ForViewer<M> {
    ForViewer {
        viewer: viewer.map_or(0, UserId::get),
        _sql: PhantomData,
    }
}

impl<M: ViewerSql> Expression for ForViewer<M> {
    type SqlType = Bool;
}

impl<M: ViewerSql> QueryFragment<Pg> for ForViewer<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let (last, rest) = M::PARTS.split_last().unwrap_or((&"", &[]));
        for part in rest {
            out.push_sql(part);
            out.push_bind_param::<BigInt, _>(&self.viewer)?;
        }
        out.push_sql(last);
        Ok(())
    }
}

impl<M: ViewerSql> QueryId for ForViewer<M> {
    type QueryId = M;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<M: ViewerSql, QS> SelectableExpression<QS> for ForViewer<M> {}
impl<M: ViewerSql, QS> AppearsOnTable<QS> for ForViewer<M> {}
impl<M: ViewerSql, GB> ValidGrouping<GB> for ForViewer<M> {
    type IsAggregate = is_aggregate::Never;
}

/// Neither the author nor, for a repost, the original's author blocks the
/// reader or is blocked or muted by them: what a timeline, a thread and a
/// search show.
#[derive(Debug, Clone, Copy)]
pub struct Visible;
impl ViewerSql for Visible {
    const PARTS: &'static [&'static str] = &[
        "(",
        " = 0 OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = tweets.author_id AND b.blocked_id = ",
        ") OR (b.blocker_id = ",
        " AND b.blocked_id = tweets.author_id)) \
         AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = ",
        " AND m.muted_id = tweets.author_id) \
         AND (tweets.repost_of_author_id IS NULL OR (\
           NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = tweets.repost_of_author_id AND b.blocked_id = ",
        ") OR (b.blocker_id = ",
        " AND b.blocked_id = tweets.repost_of_author_id)) \
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = ",
        " AND m.muted_id = tweets.repost_of_author_id)))))",
    ];
}

/// No block stands between the reader and the author (or, for a repost,
/// the original's author), either way: what a tweet opened by its id and a
/// profile need (a mute hides an account from timelines, not from its own
/// profile or its tweets' pages).
#[derive(Debug, Clone, Copy)]
pub struct NotBlocked;
impl ViewerSql for NotBlocked {
    const PARTS: &'static [&'static str] = &[
        "(",
        " = 0 OR (NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = tweets.author_id AND b.blocked_id = ",
        ") OR (b.blocker_id = ",
        " AND b.blocked_id = tweets.author_id)) \
         AND (tweets.repost_of_author_id IS NULL OR \
           NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = tweets.repost_of_author_id AND b.blocked_id = ",
        ") OR (b.blocker_id = ",
        " AND b.blocked_id = tweets.repost_of_author_id)))))",
    ];
}

/// The reader likes the tweet.
#[derive(Debug, Clone, Copy)]
pub struct Liked;
impl ViewerSql for Liked {
    const PARTS: &'static [&'static str] = &[
        "(",
        " <> 0 AND EXISTS (SELECT 1 FROM likes l WHERE l.user_id = ",
        " AND l.tweet_id = tweets.id))",
    ];
}

/// The reader has reposted the tweet.
#[derive(Debug, Clone, Copy)]
pub struct Reposted;
impl ViewerSql for Reposted {
    const PARTS: &'static [&'static str] = &[
        "(",
        " <> 0 AND EXISTS (SELECT 1 FROM tweets r WHERE r.repost_of_id = tweets.id AND r.author_id = ",
        "))",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each bind sits between two parts, and every part is plain SQL: the
    /// number of `$n` placeholders is the number of parts minus one.
    #[test]
    fn every_expression_binds_the_reader_between_its_parts() {
        fn sql<M: ViewerSql>() -> String {
            diesel::debug_query::<Pg, _>(&for_viewer::<M>(UserId::new(7))).to_string()
        }
        for (text, parts) in [
            (sql::<Visible>(), Visible::PARTS.len()),
            (sql::<NotBlocked>(), NotBlocked::PARTS.len()),
            (sql::<Liked>(), Liked::PARTS.len()),
            (sql::<Reposted>(), Reposted::PARTS.len()),
        ] {
            assert_eq!(text.matches('$').count(), parts - 1, "{text}");
            assert!(!text.contains("$0"), "{text}");
            assert_eq!(
                text.matches('(').count(),
                text.matches(')').count(),
                "{text}"
            );
        }
    }
}
