//! Any upload: checking and stripping never panics, only ever answers a
//! client error, and what it accepts is a clean image of the same kind that
//! strips to itself (nothing was left to remove).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tweets::{error::ApiError, media::check_image};

fuzz_target!(|data: &[u8]| {
    match check_image(data.to_vec()) {
        Ok(image) => {
            let again = check_image(image.bytes.to_vec()).expect("a stripped image checks again");
            assert_eq!(again.kind, image.kind);
            assert_eq!(again.bytes, image.bytes, "stripping is idempotent");
        }
        Err(ApiError::Unexpected(e)) => panic!("unexpected error: {e}"),
        Err(_) => {}
    }
});
