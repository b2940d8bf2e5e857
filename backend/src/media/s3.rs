//! Media in S3-compatible object storage (`MEDIA_STORE=s3`): any replica
//! stores and removes any image, and `MEDIA_URL` points readers at the
//! bucket's CDN (or the bucket). The client is `object_store` (Apache
//! Arrow's): asynchronous, so the store owns a small runtime of its own and
//! [`MediaStore`]'s blocking calls (made on the blocking pool, or by the
//! command line) wait on it.

use std::{future::Future, io, time::Duration};

use object_store::{
    aws::{AmazonS3, AmazonS3Builder},
    path::Path,
    Attribute, Attributes, ClientOptions, ObjectStore, PutOptions, PutPayload, RetryConfig,
};

use super::{new_name, CheckedImage, MediaStore};
use crate::config::S3Settings;

/// How long readers may cache an image: names are random and never reused,
/// so an object never changes under its name.
pub const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

pub struct S3MediaStore {
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
}

impl S3MediaStore {
    pub fn new(settings: &S3Settings) -> anyhow::Result<Self> {
        let client = ClientOptions::new()
            .with_connect_timeout(Duration::from_secs(3))
            .with_timeout(Duration::from_secs(20))
            .with_allow_http(
                settings
                    .endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://")),
            );
        // A few quick retries (S3 asks for them on 503 SlowDown); a request
        // still waiting after them answers 503 instead of holding a worker.
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
            ..RetryConfig::default()
        };
        // From the environment first: the standard AWS_* variables carry the
        // credentials of an ECS task role (AWS_CONTAINER_CREDENTIALS_*), a
        // Kubernetes service account (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)
        // or a session; the S3_* settings then take precedence.
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_client_options(client)
            .with_retry(retry);
        if let Some(endpoint) = &settings.endpoint {
            // S3-compatible servers (MinIO, moto) address buckets by path.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose());
        }
        // Without keys: what the AWS_* variables above name, else the
        // instance profile.
        let store = builder.build()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("media-s3")
            .enable_all()
            .build()?;
        Ok(Self { store, runtime })
    }

    /// Runs an object-store call to completion (never from async code).
    fn wait<T>(&self, call: impl Future<Output = T>) -> T {
        self.runtime.block_on(call)
    }

    /// Stores `bytes` under `name` with its content type.
    pub fn put_named(&self, name: &str, mime: &str, bytes: bytes::Bytes) -> io::Result<()> {
        let attributes = Attributes::from_iter([
            (Attribute::ContentType, mime.to_string()),
            (Attribute::CacheControl, CACHE_CONTROL.to_string()),
        ]);
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        self.wait(
            self.store
                .put_opts(&Path::from(name), PutPayload::from(bytes), options),
        )
        .map(|_| ())
        .map_err(unavailable)
    }

    /// The object stored under `name`, `None` when there is none.
    pub fn get(&self, name: &str) -> io::Result<Option<bytes::Bytes>> {
        match self.wait(async {
            let got = self.store.get(&Path::from(name)).await?;
            got.bytes().await
        }) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// An object-store failure as an I/O error of the kind [`super::Media`]
/// answers `503` for: the store is a remote service, and its failures
/// (unreachable, timed out, refused) are worth a retry.
fn unavailable(e: object_store::Error) -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, e)
}

impl MediaStore for S3MediaStore {
    fn put(&self, image: &CheckedImage) -> io::Result<String> {
        let name = new_name(image.kind);
        self.put_named(&name, image.kind.mime(), image.bytes.clone())?;
        Ok(name)
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        match self.wait(self.store.delete(&Path::from(name))) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}
