//! Authentication: JWT access tokens, the request extractors that check them,
//! and Argon2id password hashing.

mod extract;
mod jwt;
mod password;

pub use extract::{AuthUser, OptionalAuth, OptionalUnconfirmed, Unconfirmed};
pub use jwt::{Claims, JwtKeys, TokenSubject};
pub use password::{hash_password, verify_password, PasswordHasher};
