use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

pub const DEFAULT_PAGE_LIMIT: i64 = 20;
pub const MAX_PAGE_LIMIT: i64 = 100;

/// `?limit=`: 1–100, 20 when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(i64);

impl PageLimit {
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw {
            None => Ok(Self(DEFAULT_PAGE_LIMIT)),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => Ok(Self(n)),
                _ => Err(format!(
                    "limit must be a whole number from 1 to {MAX_PAGE_LIMIT}"
                )),
            },
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// What a cursor points into; a cursor of one kind is refused by another list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorKind {
    /// Tweets ordered by id (timelines, profiles, replies).
    Tweet,
    /// Follow relations ordered by id (followers, following).
    Follow,
    /// Notification groups ordered by their newest event.
    Notification,
    /// Audit-log entries ordered by id.
    Audit,
}

impl CursorKind {
    fn tag(self) -> &'static str {
        match self {
            CursorKind::Tweet => "t",
            CursorKind::Follow => "f",
            CursorKind::Notification => "n",
            CursorKind::Audit => "a",
        }
    }
}

/// An opaque keyset cursor: the sort key of the last item of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub kind: CursorKind,
    pub after: i64,
}

impl Cursor {
    pub fn new(kind: CursorKind, after: i64) -> Self {
        Self { kind, after }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1:{}:{}", self.kind.tag(), self.after))
    }

    pub fn decode(kind: CursorKind, raw: &str) -> Result<Self, String> {
        const BAD: &str = "cursor is not valid: use the next_cursor of a previous page";
        let bytes = URL_SAFE_NO_PAD
            .decode(raw.as_bytes())
            .map_err(|_| BAD.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| BAD.to_string())?;
        let mut parts = text.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(tag), Some(n)) if tag == kind.tag() => match n.parse::<i64>() {
                Ok(after) if after > 0 => Ok(Self { kind, after }),
                _ => Err(BAD.into()),
            },
            _ => Err(BAD.into()),
        }
    }
}

/// A keyset cursor for a ranked list (search results): the rank and id of
/// the last item, compared together (`(rank, id) < (…)`), so ties in rank
/// are ordered by id and a walk never repeats or skips a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankCursor {
    pub rank: i64,
    pub after: i64,
}

/// The tag of every ranked cursor: one list kind, searches of one query.
const RANK_TAG: &str = "r";

impl RankCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1:{RANK_TAG}:{}:{}", self.rank, self.after))
    }

    pub fn decode(raw: &str) -> Result<Self, String> {
        const BAD: &str = "cursor is not valid: use the next_cursor of a previous page";
        let bytes = URL_SAFE_NO_PAD
            .decode(raw.as_bytes())
            .map_err(|_| BAD.to_string())?;
        let text = String::from_utf8(bytes).map_err(|_| BAD.to_string())?;
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            ["v1", RANK_TAG, rank, after] => match (rank.parse::<i64>(), after.parse::<i64>()) {
                (Ok(rank), Ok(after)) if rank >= 0 && after > 0 => Ok(Self { rank, after }),
                _ => Err(BAD.into()),
            },
            _ => Err(BAD.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranked_cursors_round_trip_and_refuse_other_lists() {
        let c = RankCursor {
            rank: 1234,
            after: 42,
        };
        assert_eq!(RankCursor::decode(&c.encode()).unwrap(), c);
        assert!(RankCursor::decode(&Cursor::new(CursorKind::Tweet, 42).encode()).is_err());
        assert!(Cursor::decode(CursorKind::Tweet, &c.encode()).is_err());
        for bad in [
            "",
            "x",
            &URL_SAFE_NO_PAD.encode("v1:r:-1:3"),
            &URL_SAFE_NO_PAD.encode("v1:r:1:0"),
        ] {
            assert!(RankCursor::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(PageLimit::parse(None).unwrap().get(), 20);
        assert_eq!(PageLimit::parse(Some("1")).unwrap().get(), 1);
        assert_eq!(PageLimit::parse(Some("100")).unwrap().get(), 100);
        for bad in ["0", "101", "-1", "abc", "", "1.5", "99999999999999999999"] {
            assert!(PageLimit::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_do_not_cross_lists() {
        let c = Cursor::new(CursorKind::Tweet, 42).encode();
        assert_eq!(Cursor::decode(CursorKind::Tweet, &c).unwrap().after, 42);
        assert!(Cursor::decode(CursorKind::Follow, &c).is_err());
        assert!(Cursor::decode(CursorKind::Tweet, "not a cursor").is_err());
        assert!(Cursor::decode(CursorKind::Tweet, &URL_SAFE_NO_PAD.encode("v1:t:-3")).is_err());
    }

    proptest! {
        #[test]
        fn cursors_round_trip(after in 1i64..i64::MAX) {
            let c = Cursor::new(CursorKind::Follow, after);
            prop_assert_eq!(Cursor::decode(CursorKind::Follow, &c.encode()).unwrap(), c);
        }

        #[test]
        fn garbage_cursors_never_panic(raw in ".{0,64}") {
            let _ = Cursor::decode(CursorKind::Tweet, &raw);
        }
    }
}
