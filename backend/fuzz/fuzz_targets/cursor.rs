//! The cursor decoder takes any string a client sends: it never panics, and
//! whatever it accepts encodes back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tweets::domain::{Cursor, CursorKind};

fuzz_target!(|input: (&str, i64)| {
    let (raw, n) = input;
    for kind in [CursorKind::Tweet, CursorKind::Follow] {
        if let Ok(cursor) = Cursor::decode(kind, raw) {
            assert!(cursor.after > 0);
            let again = Cursor::decode(kind, &cursor.encode()).expect("its own encoding decodes");
            assert_eq!(again.after, cursor.after);
        }
        if n > 0 {
            let made = Cursor::new(kind, n);
            assert_eq!(Cursor::decode(kind, &made.encode()).map(|c| c.after), Ok(n));
        }
    }
});
