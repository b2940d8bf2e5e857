//! Media in S3-compatible object storage, against a real S3-protocol server
//! started here on loopback (moto's server mode), and against one that
//! drops the connection in the middle of an upload.

use std::{
    io::{Read, Write},
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use sha2::{Digest, Sha256};
use tweets::config::{MediaStoreKind, S3Settings, Settings};

use crate::{
    helpers::{free_port, spawn_app, spawn_app_with, tweets, TestApp},
    images::{encode, file, post_with_image, text},
};

const BUCKET: &str = "tweets-media";

/// moto's S3 server on a free loopback port, with the bucket made; stopped
/// when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

fn moto_server() -> PathBuf {
    std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server")
        })
}

impl Moto {
    async fn start() -> Self {
        let bin = moto_server();
        assert!(
            bin.exists(),
            "{} is missing: `scripts/tools.sh moto` installs it (make test-rust does)",
            bin.display()
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let endpoint = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        // Creating the bucket is also the readiness probe: it answers once
        // the server listens (a bounded poll of a process starting up).
        loop {
            match client.put(format!("{endpoint}/{BUCKET}")).send().await {
                Ok(res) if res.status().is_success() => break,
                _ if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await
                }
                other => panic!("moto did not start: {other:?}"),
            }
        }
        // Readers fetch images as the CDN would: anonymously, through a
        // bucket policy (the bucket itself stays closed to writes).
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{BUCKET}/*"),
            }],
        });
        let res = client
            .put(format!("{endpoint}/{BUCKET}?policy"))
            .body(policy.to_string())
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{:?}", res.text().await);
        Self { child, endpoint }
    }

    fn settings(&self) -> S3Settings {
        s3_at(&self.endpoint)
    }

    /// An object as anyone reads it (moto checks no signatures).
    async fn object(&self, key: &str) -> (u16, Option<String>, Vec<u8>) {
        let res = reqwest::get(format!("{}/{BUCKET}/{key}", self.endpoint))
            .await
            .unwrap();
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, kind, res.bytes().await.unwrap().to_vec())
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3_at(endpoint: &str) -> S3Settings {
    S3Settings {
        bucket: BUCKET.into(),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.into()),
        access_key_id: Some("testing".into()),
        secret_access_key: Some(tweets::config::Secret::new("testing")),
    }
}

fn s3_mode(settings: &mut Settings, s3: S3Settings, media_url: String) {
    settings.media_store = MediaStoreKind::S3(s3);
    settings.media_url = media_url;
}

fn key_of(image_url: &str) -> &str {
    image_url
        .split(&format!("/{BUCKET}/"))
        .nth(1)
        .unwrap_or_else(|| panic!("{image_url}"))
}

#[actix_web::test]
async fn images_are_stored_in_the_bucket_and_deletes_remove_them() {
    let moto = Moto::start().await;
    let media_url = format!("{}/{BUCKET}/", moto.endpoint);
    let (s3, url) = (moto.settings(), media_url.clone());
    let app = spawn_app_with(move |s| s3_mode(s, s3, url)).await;
    let alice = app.register("alice").await;
    let png = encode(image::ImageFormat::Png, 8, 6);
    let tweet = post_with_image(
        &app,
        &alice,
        [
            text("text", "in the bucket"),
            file(&png, "a.png", "image/png"),
        ],
    )
    .await
    .expect(201);
    let image_url = tweet["image_url"].as_str().unwrap().to_string();
    assert!(image_url.starts_with(&media_url), "{image_url}");
    let (status, kind, bytes) = moto.object(key_of(&image_url)).await;
    assert_eq!(status, 200);
    assert_eq!(kind.as_deref(), Some("image/png"));
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "the stored object is the image"
    );
    // Nothing on the local disk: any replica serves any image.
    assert!(app.media_files().is_empty());

    let id = tweet["id"].as_i64().unwrap();
    app.delete(&format!("/api/v1/tweets/{id}"), Some(&alice.token))
        .await;
    let (status, ..) = moto.object(key_of(&image_url)).await;
    assert_eq!(status, 404, "the delete removed the object");
}

/// A server that takes the request's head and part of its body, then drops
/// the connection, on every attempt.
fn dropping_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream.flush();
            drop(stream);
        }
    });
    endpoint
}

#[actix_web::test]
async fn an_upload_that_fails_midway_is_a_503_and_leaves_no_tweet() {
    let endpoint = dropping_server();
    let url = format!("{endpoint}/{BUCKET}/");
    let app = spawn_app_with(move |s| s3_mode(s, s3_at(&endpoint), url)).await;
    let alice = app.register("alice").await;
    let png = encode(image::ImageFormat::Png, 64, 64);
    let res = post_with_image(
        &app,
        &alice,
        [text("text", "lost"), file(&png, "a.png", "image/png")],
    )
    .await;
    let problem = res.problem(503);
    assert_eq!(problem["code"], "unavailable");
    assert!(res.header("retry-after").is_some());
    let me = app.get("/api/v1/users/alice", None).await.expect(200);
    assert_eq!(
        me["tweets_count"], 0,
        "no row for a tweet whose image was not stored"
    );
    assert!(app.walk("/api/v1/tweets", None, 10).await.is_empty());
    // Text tweets do not need the store.
    app.post_tweet(&alice, "still posting").await;
}

fn migrate(app: &TestApp, moto: &Moto) -> std::process::Output {
    let root = app.media_root.display().to_string();
    tweets(
        &["media", "migrate", "--to", "s3"],
        &[
            ("MEDIA_ROOT", root.as_str()),
            ("MEDIA_STORE", "s3"),
            ("S3_BUCKET", BUCKET),
            ("S3_REGION", "us-east-1"),
            ("S3_ENDPOINT", moto.endpoint.as_str()),
            ("S3_ACCESS_KEY_ID", "testing"),
            ("S3_SECRET_ACCESS_KEY", "testing"),
            ("DATABASE_URL", app.db.url.as_str()),
        ],
    )
    .output()
    .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[actix_web::test]
async fn media_migrate_copies_verifies_and_resumes() {
    let moto = Moto::start().await;
    let app = spawn_app().await;
    let alice = app.register("alice").await;
    for (n, format) in [(1, image::ImageFormat::Png), (2, image::ImageFormat::Jpeg)] {
        let (name, kind) = if n == 1 {
            ("a.png", "image/png")
        } else {
            ("b.jpg", "image/jpeg")
        };
        post_with_image(
            &app,
            &alice,
            [
                text("text", "local"),
                file(&encode(format, 8, 8), name, kind),
            ],
        )
        .await
        .expect(201);
    }
    let files = app.media_files();
    assert_eq!(files.len(), 2);

    let out = stdout(&migrate(&app, &moto));
    assert!(
        out.contains("copied 2, already copied 0, failed 0"),
        "{out}"
    );
    for path in &files {
        let key = path
            .strip_prefix(&app.media_root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let (status, _, bytes) = moto.object(&key).await;
        assert_eq!(status, 200, "{key}");
        let local = std::fs::read(path).unwrap();
        assert_eq!(Sha256::digest(&bytes), Sha256::digest(&local), "{key}");
    }
    // A second run finds everything done; a run that lost its journal
    // entry for one image copies that one again.
    let out = stdout(&migrate(&app, &moto));
    assert!(out.contains("copied 0, already copied 2"), "{out}");
    let journal = app.media_root.join(".migrated-s3");
    let kept: Vec<String> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    std::fs::write(&journal, kept.join("\n") + "\n").unwrap();
    let out = stdout(&migrate(&app, &moto));
    assert!(
        out.contains("copied 1, already copied 1, failed 0"),
        "{out}"
    );

    // Without the S3 settings it says what is missing.
    let out = tweets(
        &["media", "migrate", "--to", "s3"],
        &[("DATABASE_URL", app.db.url.as_str())],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MEDIA_STORE=s3"));
}
