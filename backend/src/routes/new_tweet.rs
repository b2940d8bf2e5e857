//! The body of `POST /tweets`: JSON, or `multipart/form-data` when an image
//! comes along. Both parse into one [`NewTweetInput`], validated once, with
//! every invalid field reported together.

use actix_web::{web, FromRequest, HttpRequest};
use serde::Deserialize;

use super::{
    json::JsonBody,
    upload::{is_multipart, read_form},
};
use crate::{
    domain::{Idempotency, IdempotencyKey, TweetId, TweetText},
    error::{ApiError, Validator},
};

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"text": "Hello, world! #first", "reply_to_id": null}))]
pub struct NewTweetRequest {
    /// Trimmed, then 1–280 Unicode scalar values; stored verbatim.
    #[schema(min_length = 1, max_length = 280)]
    text: String,
    /// The tweet this replies to; it must exist.
    #[schema(minimum = 1)]
    reply_to_id: Option<i64>,
    /// Alt text describes an image, so it comes with one (the multipart
    /// form); here it can only be absent or null.
    #[schema(max_length = 1500)]
    image_alt: Option<String>,
}

/// The multipart form of `POST /tweets`, for a tweet with an image.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the parts are read by `upload::read_form`
pub struct NewTweetForm {
    /// Trimmed, then 1–280 Unicode scalar values.
    #[schema(min_length = 1, max_length = 280)]
    text: String,
    /// The tweet this replies to. Leave the part out for a top-level tweet
    /// (optional, not nullable: a form part is text, never null).
    #[schema(minimum = 1, value_type = i64, required = false)]
    reply_to_id: Option<i64>,
    /// PNG, JPEG, GIF or WebP, at most 5 MiB and 40 megapixels; recognised by its bytes.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream", required = false)]
    image: Option<Vec<u8>>,
    /// The image described for readers who cannot see it: trimmed, then
    /// 1–1500 Unicode scalar values; blank for none. Needs `image`.
    #[schema(max_length = 1500, required = false)]
    image_alt: Option<String>,
}

/// A new tweet, valid as far as can be told without the database (whether
/// `reply_to` exists is the insert's answer).
#[derive(Debug)]
pub struct NewTweetInput {
    pub text: TweetText,
    pub reply_to: Option<TweetId>,
    /// The image's bytes as sent; `media` checks and stores them.
    pub image: Option<Vec<u8>>,
    /// The image's alt text, trimmed.
    pub image_alt: Option<String>,
}

/// Most Unicode scalar values in an image's alt text.
pub const MAX_IMAGE_ALT: usize = 1500;

/// Alt text as sent (blank for none), valid only with an image.
fn image_alt(raw: Option<String>, has_image: bool) -> Result<Option<String>, String> {
    let Some(alt) = raw.map(|a| a.trim().to_string()).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if !has_image {
        return Err("describes an image: send it with one (multipart/form-data)".into());
    }
    let length = alt.chars().count();
    if length > MAX_IMAGE_ALT {
        return Err(format!(
            "must be at most {MAX_IMAGE_ALT} characters (got {length})"
        ));
    }
    Ok(Some(alt))
}

/// `reply_to_id` as a form part sends it: absent or blank for none.
fn form_reply_to(raw: Option<&str>) -> Result<Option<i64>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| "must be a tweet id".into()),
    }
}

impl NewTweetInput {
    /// Reads the body in whichever form it came (actix's error type: the
    /// JSON extractor's problems are already rendered by `JsonConfig`).
    pub async fn read(req: &HttpRequest, payload: web::Payload) -> actix_web::Result<Self> {
        let mut v = Validator::default();
        let (text, reply_to, image, alt) = if is_multipart(req) {
            let mut form = read_form(req, payload, &["text", "reply_to_id", "image_alt"]).await?;
            let text = form.fields.remove("text");
            let reply_to = v
                .check(
                    "reply_to_id",
                    form_reply_to(form.fields.get("reply_to_id").map(String::as_str)),
                )
                .flatten();
            let alt = form.fields.remove("image_alt");
            (text, reply_to, form.image, alt)
        } else {
            let body = JsonBody::<NewTweetRequest>::from_request(req, &mut payload.into_inner())
                .await?
                .into_inner();
            (Some(body.text), body.reply_to_id, None, body.image_alt)
        };
        let image_alt = v.check("image_alt", image_alt(alt, image.is_some()));
        let text = v.check(
            "text",
            text.ok_or_else(|| "is required".to_string())
                .and_then(|t| TweetText::parse(&t)),
        );
        let reply_to = v.check(
            "reply_to_id",
            reply_to
                .map(|id| TweetId::new(id).ok_or("refers to a tweet that does not exist".into()))
                .transpose(),
        );
        v.finish()?;
        match (text, reply_to, image_alt) {
            (Some(text), Some(reply_to), Some(image_alt)) => Ok(Self {
                text,
                reply_to,
                image,
                image_alt,
            }),
            _ => Err(
                ApiError::Unexpected(anyhow::anyhow!("a field failed without a message")).into(),
            ),
        }
    }

    /// With the request's `Idempotency-Key`, if it sent one: the key and a
    /// digest of this tweet, so a retry is recognised.
    pub fn idempotency(&self, req: &HttpRequest) -> Result<Option<Idempotency>, ApiError> {
        let Some(header) = req.headers().get("idempotency-key") else {
            return Ok(None);
        };
        let key = header
            .to_str()
            .map_err(|_| "Idempotency-Key must be 1 to 255 visible ASCII characters".to_string())
            .and_then(IdempotencyKey::parse)
            .map_err(ApiError::BadRequest)?;
        let reply_to = self.reply_to.map(|id| id.to_string()).unwrap_or_default();
        let mut parts = vec![
            self.text.as_ref().as_bytes(),
            reply_to.as_bytes(),
            self.image.as_deref().unwrap_or_default(),
        ];
        // Only when sent: a request without alt text hashes as it did
        // before alt text existed, so its stored keys still replay.
        if let Some(alt) = &self.image_alt {
            parts.push(alt.as_bytes());
        }
        Ok(Some(Idempotency::new(key, &parts)))
    }
}
