//! Image uploads: tweets with an image, avatars, and every rule on the way in.

use std::io::Cursor;

use image::{ImageFormat, RgbImage};
use reqwest::{
    multipart::{Form, Part},
    Method,
};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Res, TestApp, User};

pub(crate) fn encode(format: ImageFormat, w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// A real PNG with location metadata in `tEXt` and `eXIf` chunks after IHDR.
fn png_with_metadata() -> Vec<u8> {
    let png = encode(ImageFormat::Png, 16, 16);
    let ihdr_end = 8 + 12 + 13;
    let mut out = png[..ihdr_end].to_vec();
    out.extend(png_chunk(b"tEXt", b"Comment\0GPSLatitude 48.8584 N"));
    out.extend(png_chunk(b"eXIf", b"MM\0*GPSLongitude 2.2945 E"));
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

/// A real JPEG with an Exif APP1 segment carrying camera and GPS data.
fn jpeg_with_exif() -> Vec<u8> {
    let jpeg = encode(ImageFormat::Jpeg, 16, 16);
    let payload = b"Exif\0\0MM\0*Canon EOS GPSLatitude 48.8584";
    let len = (payload.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// A real (lossless) WebP in the extended format, whose VP8X flags announce
/// the EXIF and XMP chunks it carries, as a phone's camera writes them.
fn webp_with_metadata() -> Vec<u8> {
    let simple = encode(ImageFormat::WebP, 16, 16);
    let image_chunk = &simple[12..]; // after "RIFF" size "WEBP"
    let mut vp8x = vec![0x08 | 0x04, 0, 0, 0];
    vp8x.extend_from_slice(&15u32.to_le_bytes()[..3]);
    vp8x.extend_from_slice(&15u32.to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(image_chunk);
    body.extend(riff_chunk(b"EXIF", b"MM\0*Canon EOS GPSLatitude 48.8584"));
    body.extend(riff_chunk(
        b"XMP ",
        b"<x:xmpmeta>GPSLongitude 2.2945</x:xmpmeta>",
    ));
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A real two-frame animated GIF with a comment and an XMP application
/// extension.
fn gif_with_metadata() -> Vec<u8> {
    let palette = [0u8, 0, 0, 255, 255, 255, 200, 30, 30, 30, 30, 200];
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, 16, 16, &palette).unwrap();
        encoder.set_repeat(gif::Repeat::Infinite).unwrap();
        encoder
            .write_raw_extension(gif::Extension::Comment.into(), &[b"GPSLatitude 48.8584 N"])
            .unwrap();
        encoder
            .write_raw_extension(
                gif::Extension::Application.into(),
                &[b"XMP DataXMP", b"<x:xmpmeta>Canon GPSLongitude</x:xmpmeta>"],
            )
            .unwrap();
        for colour in [2u8, 3] {
            let frame = gif::Frame {
                width: 16,
                height: 16,
                delay: 10,
                buffer: std::borrow::Cow::Owned(vec![colour; 256]),
                ..gif::Frame::default()
            };
            encoder.write_frame(&frame).unwrap();
        }
    }
    out
}

/// A multi-picture JPEG (MPO, as phones write for depth or HDR): a clean
/// first picture followed by a second one carrying Exif GPS data.
fn mpo_with_metadata() -> Vec<u8> {
    let mut out = encode(ImageFormat::Jpeg, 16, 16);
    out.extend(jpeg_with_exif());
    out
}

/// A tiny PNG whose header claims 100000×100000 pixels.
fn png_bomb() -> Vec<u8> {
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// One field of a form, as a browser's `FormData` sends it.
pub(crate) type Field = (&'static str, Part);

pub(crate) fn text(name: &'static str, value: &'static str) -> Field {
    (name, Part::text(value))
}

/// The `image` field: a file with its name and declared type.
pub(crate) fn file(data: &[u8], filename: &str, content_type: &str) -> Field {
    let part = Part::bytes(data.to_vec())
        .file_name(filename.to_string())
        .mime_str(content_type)
        .unwrap();
    ("image", part)
}

/// Sends `fields` as `multipart/form-data`. Every part is made of bytes, so
/// reqwest knows the length and sends a `Content-Length` (no chunking).
async fn send_form(
    app: &TestApp,
    method: Method,
    path: &str,
    user: &User,
    fields: impl IntoIterator<Item = Field>,
    key: Option<&str>,
) -> Res {
    let form = fields
        .into_iter()
        .fold(Form::new(), |form, (name, part)| form.part(name, part));
    let mut req = app.request(method, path, Some(&user.token)).multipart(form);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    app.send(req).await
}

pub(crate) async fn post_with_image(
    app: &TestApp,
    user: &User,
    fields: impl IntoIterator<Item = Field>,
) -> Res {
    send_form(app, Method::POST, "/api/v1/tweets", user, fields, None).await
}

async fn fetch_image(app: &TestApp, url: &str) -> (Res, Vec<u8>) {
    let res = app.client.get(app.url(url)).send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap().to_vec();
    (
        Res {
            status,
            headers,
            text: String::new(),
        },
        bytes,
    )
}

#[actix_web::test]
async fn a_tweet_can_carry_an_image_of_each_supported_type() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for (format, ext, mime) in [
        (ImageFormat::Png, "png", "image/png"),
        (ImageFormat::Jpeg, "jpg", "image/jpeg"),
        (ImageFormat::Gif, "gif", "image/gif"),
        (ImageFormat::WebP, "webp", "image/webp"),
    ] {
        let bytes = encode(format, 40, 30);
        let res = post_with_image(
            &app,
            &alice,
            [
                text("text", "look at this"),
                file(&bytes, "pic", "application/octet-stream"),
            ],
        )
        .await;
        let tweet = res.expect(201);
        let url = tweet["image_url"].as_str().unwrap();
        // /media/<2 chars>/<32 hex>.<ext>, under a random name.
        let name = url.strip_prefix("/media/").unwrap();
        let (shard, file) = name.split_once('/').unwrap();
        assert_eq!(shard.len(), 2);
        assert!(file.starts_with(shard));
        assert!(file.ends_with(&format!(".{ext}")), "{url}");
        let (res, served) = fetch_image(&app, url).await;
        assert_eq!(res.status.as_u16(), 200);
        assert_eq!(res.header("content-type"), Some(mime));
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert!(res.header("cache-control").unwrap().contains("immutable"));
        let decoded = image::load_from_memory(&served).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (40, 30));
        // The tweet reads back with its image everywhere.
        let fetched = app
            .get(&format!("/api/v1/tweets/{}", tweet["id"]), None)
            .await
            .expect(200);
        assert_eq!(fetched["image_url"], url);
    }
    assert_eq!(app.media_files().len(), 4);
}

#[actix_web::test]
async fn the_type_comes_from_the_bytes_not_the_name_or_declared_type() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let png = encode(ImageFormat::Png, 8, 8);
    let tweet = post_with_image(
        &app,
        &alice,
        [
            text("text", "lying name"),
            file(&png, "photo.jpg", "image/jpeg"),
        ],
    )
    .await
    .expect(201);
    assert!(tweet["image_url"].as_str().unwrap().ends_with(".png"));

    for (bytes, name, ct) in [
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            "x.png",
            "image/png",
        ),
        (
            b"<html><script>alert(1)</script></html>".to_vec(),
            "x.gif",
            "image/gif",
        ),
        (b"%PDF-1.4 not an image".to_vec(), "x.jpg", "image/jpeg"),
        (b"BM\x36\x00\x00\x00bitmap".to_vec(), "x.bmp", "image/bmp"),
    ] {
        let res =
            post_with_image(&app, &alice, [text("text", "bad"), file(&bytes, name, ct)]).await;
        res.problem(415);
    }
    assert_eq!(app.media_files().len(), 1);
}

#[actix_web::test]
async fn location_and_camera_metadata_is_stripped() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for (bytes, secret) in [
        (jpeg_with_exif(), "GPSLatitude"),
        (png_with_metadata(), "GPSLatitude"),
        (webp_with_metadata(), "GPSLatitude"),
        (gif_with_metadata(), "GPSLatitude"),
        (mpo_with_metadata(), "GPSLatitude"),
    ] {
        assert!(bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        image::load_from_memory(&bytes).unwrap();
        let tweet = post_with_image(
            &app,
            &alice,
            [text("text", "holiday"), file(&bytes, "p", "image/jpeg")],
        )
        .await
        .expect(201);
        let (_, served) = fetch_image(&app, tweet["image_url"].as_str().unwrap()).await;
        for needle in [
            &b"GPS"[..],
            b"Exif",
            b"EXIF",
            b"eXIf",
            b"tEXt",
            b"XMP",
            b"Canon",
        ] {
            assert!(
                !served.windows(needle.len()).any(|w| w == needle),
                "{} left in",
                String::from_utf8_lossy(needle)
            );
        }
        // Still the same picture.
        let decoded = image::load_from_memory(&served).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (16, 16));
    }
}

#[actix_web::test]
async fn animated_gifs_keep_every_frame_and_their_loop() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let tweet = post_with_image(
        &app,
        &alice,
        [
            text("text", "anim"),
            file(&gif_with_metadata(), "a.gif", "image/gif"),
        ],
    )
    .await
    .expect(201);
    let (_, served) = fetch_image(&app, tweet["image_url"].as_str().unwrap()).await;
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(served.as_slice()).unwrap();
    let mut colours = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!(frame.delay, 10);
        colours.push(frame.buffer[0]);
    }
    assert_eq!(colours, [2, 3]);
    assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
}

#[actix_web::test]
async fn oversized_uploads_are_413_and_bombs_are_refused_before_decoding() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let mut big = encode(ImageFormat::Png, 8, 8);
    big.resize(5 * 1024 * 1024 + 1, 0);
    post_with_image(
        &app,
        &alice,
        [text("text", "big"), file(&big, "big.png", "image/png")],
    )
    .await
    .problem(413);
    // Exactly at the limit the size is fine (and the bytes are then judged).
    let mut at_limit = encode(ImageFormat::Png, 8, 8);
    at_limit.resize(5 * 1024 * 1024 - 2048, 0);
    // (A valid PNG followed by padding: the padding after IEND is dropped.)
    let tweet = post_with_image(
        &app,
        &alice,
        [text("text", "big"), file(&at_limit, "big.png", "image/png")],
    )
    .await
    .expect(201);
    let (_, served) = fetch_image(&app, tweet["image_url"].as_str().unwrap()).await;
    assert!(served.len() < 1024);
    app.delete(
        &format!("/api/v1/tweets/{}", tweet["id"]),
        Some(&alice.token),
    )
    .await
    .expect(204);

    let body = post_with_image(
        &app,
        &alice,
        [
            text("text", "bomb"),
            file(&png_bomb(), "b.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    assert!(
        body["errors"]["image"][0]
            .as_str()
            .unwrap()
            .contains("100000"),
        "{body}"
    );
    assert!(app.media_files().is_empty());
}

#[actix_web::test]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    // Declare 50 MiB but send only a little: the answer comes without waiting for the rest.
    // Hand-made on purpose: reqwest cannot declare a Content-Length its body does not have.
    let res = app
        .send(
            app.request(Method::POST, "/api/v1/tweets", Some(&alice.token))
                .header("content-type", "multipart/form-data; boundary=x")
                .header("content-length", (50 * 1024 * 1024).to_string())
                .body(vec![b'-'; 1024]),
        )
        .await;
    res.problem(413);
}

#[actix_web::test]
async fn a_failed_request_leaves_no_file_behind() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let png = encode(ImageFormat::Png, 8, 8);
    // The database refuses the reply: the stored image must go again.
    post_with_image(
        &app,
        &alice,
        [
            text("text", "reply"),
            text("reply_to_id", "987654"),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    post_with_image(
        &app,
        &alice,
        [text("text", "   "), file(&png, "a.png", "image/png")],
    )
    .await
    .problem(422);
    post_with_image(&app, &alice, [file(&png, "a.png", "image/png")])
        .await
        .problem(422);
    post_with_image(
        &app,
        &alice,
        [
            text("text", "x"),
            text("reply_to_id", "abc"),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    post_with_image(
        &app,
        &alice,
        [
            text("text", "two"),
            file(&png, "a.png", "image/png"),
            file(&png, "b.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    assert!(app.media_files().is_empty());
    // A form without an image is an ordinary tweet; an empty file part counts as none.
    let tweet = post_with_image(
        &app,
        &alice,
        [
            text("text", "no picture"),
            file(b"", "", "application/octet-stream"),
        ],
    )
    .await
    .expect(201);
    assert_eq!(tweet["image_url"], Value::Null);
}

#[actix_web::test]
async fn deleting_a_tweet_removes_its_image_and_retries_keep_one_file() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let png = encode(ImageFormat::Png, 8, 8);
    let fields = || [text("text", "once"), file(&png, "a.png", "image/png")];
    let first = send_form(
        &app,
        Method::POST,
        "/api/v1/tweets",
        &alice,
        fields(),
        Some("img-1"),
    )
    .await
    .expect(201);
    let retry = send_form(
        &app,
        Method::POST,
        "/api/v1/tweets",
        &alice,
        fields(),
        Some("img-1"),
    )
    .await
    .expect(200);
    assert_eq!(first["id"], retry["id"]);
    assert_eq!(app.media_files().len(), 1);
    // Same key, another image: refused, nothing kept.
    let other = encode(ImageFormat::Png, 9, 9);
    send_form(
        &app,
        Method::POST,
        "/api/v1/tweets",
        &alice,
        [text("text", "once"), file(&other, "a.png", "image/png")],
        Some("img-1"),
    )
    .await
    .problem(422);
    assert_eq!(app.media_files().len(), 1);

    let url = first["image_url"].as_str().unwrap().to_string();
    app.delete(
        &format!("/api/v1/tweets/{}", first["id"]),
        Some(&alice.token),
    )
    .await
    .expect(204);
    assert!(app.media_files().is_empty());
    app.get(&url, None).await.problem(404);
}

#[actix_web::test]
async fn avatars_are_set_replaced_and_shown_on_tweets() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let first = encode(ImageFormat::Jpeg, 64, 64);
    let me = send_form(
        &app,
        Method::PUT,
        "/api/v1/me/avatar",
        &alice,
        [file(&first, "me.jpg", "image/jpeg")],
        None,
    )
    .await
    .expect(200);
    let url1 = me["avatar_url"].as_str().unwrap().to_string();
    assert!(url1.starts_with("/media/") && url1.ends_with(".jpg"));
    assert_eq!(app.media_files().len(), 1);
    let tweet = app.post_tweet(&alice, "with a face").await;
    assert_eq!(tweet["author"]["avatar_url"], url1.as_str());
    assert_eq!(
        app.get("/api/v1/users/alice", None).await.expect(200)["avatar_url"],
        url1.as_str()
    );

    // Replacing it removes the old file.
    let second = encode(ImageFormat::Png, 32, 32);
    let me = send_form(
        &app,
        Method::PUT,
        "/api/v1/me/avatar",
        &alice,
        [file(&second, "me.png", "image/png")],
        None,
    )
    .await
    .expect(200);
    let url2 = me["avatar_url"].as_str().unwrap();
    assert_ne!(url1, url2);
    assert_eq!(app.media_files().len(), 1);
    app.get(&url1, None).await.problem(404);

    // Errors change nothing.
    send_form(
        &app,
        Method::PUT,
        "/api/v1/me/avatar",
        &alice,
        [file(b"GIF89a-not-really", "x.gif", "image/gif")],
        None,
    )
    .await
    .problem(422);
    send_form(
        &app,
        Method::PUT,
        "/api/v1/me/avatar",
        &alice,
        [file(b"plain text", "x.png", "image/png")],
        None,
    )
    .await
    .problem(415);
    send_form(
        &app,
        Method::PUT,
        "/api/v1/me/avatar",
        &alice,
        [text("text", "no image")],
        None,
    )
    .await
    .problem(422);
    app.json(
        Method::PUT,
        "/api/v1/me/avatar",
        Some(&alice.token),
        &json!({"image": "x"}),
    )
    .await
    .problem(415);
    assert_eq!(app.media_files().len(), 1);
    assert_eq!(
        app.get("/api/v1/me", Some(&alice.token)).await.expect(200)["avatar_url"],
        url2
    );
}

#[actix_web::test]
async fn media_url_may_be_absolute() {
    let app = crate::helpers::spawn_app_with(
        // `MEDIA_URL` gets a trailing `/` when parsed; the field holds it.
        |s| s.media_url = "https://cdn.example.com/media/".into(),
    )
    .await;
    let alice = app.register("alice").await;
    let png = encode(ImageFormat::Png, 8, 8);
    let tweet = post_with_image(
        &app,
        &alice,
        [text("text", "cdn"), file(&png, "a.png", "image/png")],
    )
    .await
    .expect(201);
    assert!(tweet["image_url"]
        .as_str()
        .unwrap()
        .starts_with("https://cdn.example.com/media/"));
}

/// JSON and multipart parse into the same input: every invalid field is
/// reported in one answer, in either form.
#[actix_web::test]
async fn both_forms_of_a_new_tweet_report_every_invalid_field_together() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let form = post_with_image(
        &app,
        &ana,
        [
            text("text", "   "),
            text("reply_to_id", "x"),
            file(&encode(ImageFormat::Png, 2, 2), "a.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    assert_eq!(
        form["errors"]["text"].as_array().unwrap().len(),
        1,
        "{form}"
    );
    assert_eq!(
        form["errors"]["reply_to_id"][0], "must be a tweet id",
        "{form}"
    );
    let json = app
        .post_tweet_raw(&ana, &json!({"text": "", "reply_to_id": 0}))
        .await
        .problem(422);
    assert_eq!(json["errors"]["text"], form["errors"]["text"], "{json}");
    assert_eq!(
        json["errors"]["reply_to_id"][0], "refers to a tweet that does not exist",
        "{json}"
    );
    assert!(app.media_files().is_empty(), "no image kept");
}

/// Alt text comes with an image, is trimmed, 1–1500 characters, shown as
/// `image_alt` wherever the tweet is; JSON cannot carry one (no image).
#[actix_web::test]
async fn an_image_carries_its_alt_text() {
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    let png = encode(ImageFormat::Png, 4, 4);
    let alt = "  A red square on a grey table  ";
    let tweet = post_with_image(
        &app,
        &alice,
        [
            text("text", "look"),
            ("image_alt", Part::text(alt)),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .expect(201);
    assert_eq!(tweet["image_alt"], "A red square on a grey table");
    let shown = app
        .get(&format!("/api/v1/tweets/{}", tweet["id"]), None)
        .await
        .expect(200);
    assert_eq!(shown["image_alt"], "A red square on a grey table");
    assert_eq!(
        app.get("/api/v1/tweets", None).await.expect(200)["items"][0]["image_alt"],
        shown["image_alt"]
    );

    // Blank is none; without an image there is nothing to describe.
    let plain = post_with_image(
        &app,
        &alice,
        [
            text("text", "blank"),
            text("image_alt", "   "),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .expect(201);
    assert_eq!(plain["image_alt"], Value::Null);
    let problem = post_with_image(
        &app,
        &alice,
        [text("text", "no image"), text("image_alt", "a cat")],
    )
    .await
    .problem(422);
    assert!(
        problem["errors"]["image_alt"][0]
            .as_str()
            .unwrap()
            .contains("image"),
        "{problem}"
    );
    let problem = app
        .post_tweet_raw(&alice, &json!({"text": "json", "image_alt": "a cat"}))
        .await
        .problem(422);
    assert!(problem["errors"]["image_alt"].is_array(), "{problem}");
    let too_long = "é".repeat(1501);
    let problem = post_with_image(
        &app,
        &alice,
        [
            text("text", "long"),
            ("image_alt", Part::text(too_long)),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .problem(422);
    assert!(
        problem["errors"]["image_alt"][0]
            .as_str()
            .unwrap()
            .contains("1500"),
        "{problem}"
    );
    // Exactly 1500 characters is fine, and no file was kept for the refusals.
    let longest = post_with_image(
        &app,
        &alice,
        [
            text("text", "longest"),
            ("image_alt", Part::text("é".repeat(1500))),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .expect(201);
    assert_eq!(longest["image_alt"].as_str().unwrap().chars().count(), 1500);
    assert_eq!(app.media_files().len(), 3);
}
