use super::{char_len, check_no_nul};

/// 3–30 characters of `[A-Za-z0-9_]`. Kept as typed; compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = char_len(raw);
        if !(3..=30).contains(&len) {
            return Err("must be 3 to 30 characters long".into());
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err("may contain only letters A-Z, digits and underscores".into());
        }
        Ok(Self(raw.to_string()))
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// 8–128 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = char_len(raw);
        if len < 8 {
            return Err("must be at least 8 characters long".into());
        }
        if len > 128 {
            return Err("must be at most 128 characters long".into());
        }
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(**redacted**)")
    }
}

/// 0–50 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let v = raw.trim();
        if char_len(v) > 50 {
            return Err("must be at most 50 characters".into());
        }
        if v.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(v.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// 0–160 characters after trimming; line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let v = raw.trim();
        if char_len(v) > 160 {
            return Err("must be at most 160 characters".into());
        }
        check_no_nul(v)?;
        Ok(Self(v.to_string()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn username_rules() {
        assert!(Username::parse("bob").is_ok());
        assert!(Username::parse("Alice_99").is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(31)).is_err());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("alïce").is_err());
        assert!(Username::parse("al-ice").is_err());
    }

    #[test]
    fn password_rules_and_redaction() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(128)).is_ok());
        assert!(Password::parse(&"é".repeat(129)).is_err());
        assert!(!format!("{:?}", Password::parse("hunter2hunter2").unwrap()).contains("hunter2"));
    }

    #[test]
    fn profile_fields() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().into_inner(), "Ada");
        assert!(DisplayName::parse(&"x".repeat(51)).is_err());
        assert!(DisplayName::parse("a\nb").is_err());
        assert!(Bio::parse("line one\nline two").is_ok());
        assert!(Bio::parse(&"x".repeat(161)).is_err());
        assert!(Bio::parse("a\0").is_err());
    }

    proptest! {
        #[test]
        fn valid_usernames_are_accepted(name in "[A-Za-z0-9_]{3,30}") {
            let parsed = Username::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_ref(), name.as_str());
        }

        #[test]
        fn usernames_with_any_other_character_are_rejected(
            prefix in "[A-Za-z0-9_]{1,14}",
            bad in any::<char>().prop_filter("not allowed", |c| !(c.is_ascii_alphanumeric() || *c == '_')),
            suffix in "[A-Za-z0-9_]{1,14}",
        ) {
            let name = format!("{prefix}{bad}{suffix}");
            prop_assert!(Username::parse(&name).is_err());
        }

        #[test]
        fn usernames_of_the_wrong_length_are_rejected(name in "[a-z]{0,2}|[a-z]{31,60}") {
            prop_assert!(Username::parse(&name).is_err());
        }
    }
}
