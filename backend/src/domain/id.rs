//! Typed ids: a tweet's id and a user's id are different types from the path
//! extractor down to the queries, so `like(conn, user, tweet)` cannot be
//! called with its arguments swapped.

use std::fmt;

use diesel_derive_newtype::DieselNewType;
use serde::{de, Deserialize, Deserializer, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, DieselNewType, Serialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Ids are positive: anything else names nothing.
            pub fn new(raw: i64) -> Option<Self> {
                (raw > 0).then_some(Self(raw))
            }

            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// From a path segment (a string) or a JSON number; the message of a
        /// refusal is the 404's detail ("no tweet with id `abc`").
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IdVisitor($what)).map(Self)
            }
        }
    };
}

id_type!(
    /// `tweets.id`.
    TweetId,
    "tweet"
);
id_type!(
    /// `users.id`.
    UserId,
    "user"
);

struct IdVisitor(&'static str);

impl IdVisitor {
    fn refuse<E: de::Error>(&self, shown: &str) -> E {
        E::custom(format!("no {} with id `{}`", self.0, super::excerpt(shown)))
    }
}

impl de::Visitor<'_> for IdVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a positive {} id", self.0)
    }

    fn visit_str<E: de::Error>(self, raw: &str) -> Result<i64, E> {
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(self.refuse(raw)),
        }
    }

    fn visit_i64<E: de::Error>(self, raw: i64) -> Result<i64, E> {
        if raw > 0 {
            Ok(raw)
        } else {
            Err(self.refuse(&raw.to_string()))
        }
    }

    fn visit_u64<E: de::Error>(self, raw: u64) -> Result<i64, E> {
        match i64::try_from(raw) {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(self.refuse(&raw.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_path_segments_and_json_numbers_and_refuse_the_rest() {
        let json: TweetId = serde_json::from_str("42").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(json.get(), 42);
        let text: UserId = serde_json::from_str("\"7\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.get(), 7);
        for bad in ["0", "-3", "\"abc\"", "\"1.5\"", "9223372036854775808"] {
            let err = serde_json::from_str::<TweetId>(bad).err();
            assert!(
                err.as_ref()
                    .is_some_and(|e| e.to_string().starts_with("no tweet with id `")),
                "{bad}: {err:?}"
            );
        }
        assert_eq!(TweetId::new(0), None);
        assert_eq!(
            serde_json::to_string(&TweetId(5)).ok().as_deref(),
            Some("5")
        );
    }
}
