//! `JsonBody<T>`: like `web::Json<T>`, but the body must be a JSON object.
//! serde also accepts a struct written as an array (`[null, null]`), which
//! no client means; this extractor refuses it with the same `422` as any
//! other body of the wrong shape. Size limits, content type and syntax errors
//! are handled by `web::Json` and its `JsonConfig` (see `startup`).

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::data_error;

pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let object = object.await?.into_inner();
            serde_json::from_value(Value::Object(object))
                .map(JsonBody)
                .map_err(|e| data_error(&e).into())
        })
    }
}
