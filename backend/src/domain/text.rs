use super::{char_len, check_no_nul};

pub const TWEET_MAX_CHARS: usize = 280;

/// The text of a tweet: trimmed, 1–280 Unicode scalar values, kept verbatim otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TweetText(String);

impl TweetText {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim();
        if text.is_empty() {
            return Err("must not be empty".into());
        }
        let len = char_len(text);
        if len > TWEET_MAX_CHARS {
            return Err(format!(
                "must be at most {TWEET_MAX_CHARS} characters (it has {len})"
            ));
        }
        check_no_nul(text)?;
        Ok(Self(text.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl AsRef<str> for TweetText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_keeps_the_rest_verbatim() {
        let t = TweetText::parse("  <b>hi</b> & \"you\"\n ").unwrap();
        assert_eq!(t.as_ref(), "<b>hi</b> & \"you\"");
    }

    #[test]
    fn rejects_blank_and_nul() {
        assert!(TweetText::parse("").is_err());
        assert!(TweetText::parse(" \t\n\u{3000} ").is_err());
        assert!(TweetText::parse("a\0b").is_err());
    }

    #[test]
    fn counts_scalar_values_not_bytes_or_graphemes() {
        // 280 emoji are 1120 bytes and still one tweet.
        assert!(TweetText::parse(&"😀".repeat(280)).is_ok());
        assert!(TweetText::parse(&"😀".repeat(281)).is_err());
        // A family emoji is one grapheme but five scalar values.
        let family = "👨‍👩‍👧";
        assert_eq!(char_len(family), 5);
        assert!(TweetText::parse(&family.repeat(56)).is_ok());
        assert!(TweetText::parse(&format!("{}x", family.repeat(56))).is_err());
    }

    fn non_space_char() -> impl Strategy<Value = char> {
        any::<char>().prop_filter("visible", |c| !c.is_whitespace() && *c != '\0')
    }

    proptest! {
        #[test]
        fn any_1_to_280_scalar_values_are_accepted(chars in prop::collection::vec(non_space_char(), 1..=280)) {
            let s: String = chars.into_iter().collect();
            let t = TweetText::parse(&s).unwrap();
            prop_assert_eq!(t.as_ref(), s.as_str());
        }

        #[test]
        fn any_281_or_more_scalar_values_are_rejected(chars in prop::collection::vec(non_space_char(), 281..=400)) {
            let s: String = chars.into_iter().collect();
            prop_assert!(TweetText::parse(&s).is_err());
        }

        #[test]
        fn surrounding_whitespace_never_counts(
            chars in prop::collection::vec(non_space_char(), 1..=280),
            pad in "[ \t\n\r]{0,50}",
        ) {
            let s: String = chars.into_iter().collect();
            let padded = format!("{pad}{s}{pad}");
            let parsed = TweetText::parse(&padded).unwrap();
            prop_assert_eq!(parsed.as_ref(), s.as_str());
        }
    }
}
