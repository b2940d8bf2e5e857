//! The multipart reader on any body: never a panic, never a server error,
//! and the limits hold for whatever it accepts.
#![no_main]

use actix_web::{test::TestRequest, web, FromRequest, ResponseError};
use libfuzzer_sys::fuzz_target;
use tweets::{media::MAX_IMAGE_BYTES, routes::upload::read_form};

fuzz_target!(|body: &[u8]| {
    let body = body.to_vec();
    actix_rt::System::new().block_on(async move {
        let (req, mut payload) = TestRequest::post()
            .insert_header(("content-type", "multipart/form-data; boundary=XyZ"))
            .set_payload(body)
            .to_http_parts();
        let payload = web::Payload::from_request(&req, &mut payload)
            .await
            .expect("a payload");
        match read_form(&req, payload, &["text", "reply_to_id"]).await {
            Ok(form) => {
                assert!(form.image.as_ref().is_none_or(|i| i.len() <= MAX_IMAGE_BYTES));
                assert!(form.fields.keys().all(|k| k == "text" || k == "reply_to_id"));
            }
            Err(e) => assert!(
                e.status_code().is_client_error(),
                "{e} answered {}",
                e.status_code()
            ),
        }
    });
});
