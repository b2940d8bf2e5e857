//! Reading `multipart/form-data` bodies with hard limits: the image part is
//! read chunk by chunk and refused (413) as soon as it passes 5 MiB, so an
//! oversized upload is never buffered whole.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::{http::header, web, HttpRequest};
use futures_util::StreamExt;

use crate::{error::ApiError, media::MAX_IMAGE_BYTES};

/// Largest text part (far above any valid field: a tweet is 280 characters).
const MAX_TEXT_PART: usize = 16 * 1024;
/// Room for part headers and text fields on top of the image.
const MAX_BODY: usize = MAX_IMAGE_BYTES + 64 * 1024;

/// Whether the request carries `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The parts of a form: the named text fields and the `image` part.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: HashMap<String, String>,
    pub image: Option<Vec<u8>>,
}

fn malformed(err: actix_multipart::MultipartError) -> ApiError {
    match err {
        actix_multipart::MultipartError::Payload(e) => crate::error::payload_error(&e),
        _ => ApiError::BadRequest("the multipart body is malformed".into()),
    }
}

/// Reads a form whose text parts are `text_fields` and whose file part is
/// `image`; other parts are read and discarded within the same limits.
pub async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    text_fields: &[&str],
) -> Result<Form, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::PayloadTooLarge(
            "the upload is larger than 5 MiB".into(),
        ));
    }
    let mut multipart = Multipart::new(req.headers(), payload.into_inner());
    let mut form = Form::default();
    let mut total = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(malformed)?;
        let name = field.name().unwrap_or_default().to_string();
        let is_image = name == "image";
        let is_text = text_fields.contains(&name.as_str());
        if is_image && form.image.is_some() {
            return Err(ApiError::field("image", "only one image may be attached"));
        }
        let limit = if is_image {
            MAX_IMAGE_BYTES
        } else {
            MAX_TEXT_PART
        };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(malformed)?;
            total += chunk.len();
            if buf.len() + chunk.len() > limit || total > MAX_BODY {
                return Err(if is_image {
                    ApiError::PayloadTooLarge("the image is larger than 5 MiB".into())
                } else {
                    ApiError::PayloadTooLarge(format!("the form field `{name}` is too large"))
                });
            }
            if is_image || is_text {
                buf.extend_from_slice(&chunk);
            }
        }
        if is_image {
            // Browsers send an empty file part when no file was chosen.
            if !buf.is_empty() {
                form.image = Some(buf);
            }
        } else if is_text {
            let value =
                String::from_utf8(buf).map_err(|_| ApiError::field(&name, "must be UTF-8 text"))?;
            form.fields.insert(name, value);
        }
    }
    Ok(form)
}
