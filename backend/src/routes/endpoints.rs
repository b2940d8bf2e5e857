//! [`Endpoints`]: how every documented route is mounted. A handler is added
//! with its `#[utoipa::path]` description, and the route's path and methods
//! are read from that description: a route cannot exist without its
//! documentation, nor the documentation without the route, and a resource's
//! `405` answer lists (in `Allow`) exactly the methods documented for it.
//!
//! Registered through `utoipa-actix-web`'s scopes and service configs, which
//! collect the paths and the schemas they reference into the OpenAPI
//! document (see `openapi::document`).

use actix_web::{
    dev::{AppService, HttpServiceFactory},
    guard::{self, Guard},
    http::Method,
    web, FromRequest, Handler, Responder,
};
use utoipa::openapi::{
    path::{HttpMethod, Paths},
    schema::Schema,
    RefOr,
};
use utoipa_actix_web::OpenApiFactory;

use crate::error::ApiError;

/// One path: the methods documented for it, and a route for each handler.
struct Resource {
    path: String,
    methods: Vec<HttpMethod>,
    routes: Vec<actix_web::Route>,
}

/// The documented routes of one scope, grouped by path (see the module docs).
#[derive(Default)]
pub struct Endpoints {
    resources: Vec<Resource>,
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Endpoints {
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts `handler` where its description `doc` (the `__path_…` type
    /// `#[utoipa::path]` generates next to it) says, for the methods it
    /// says; a GET also answers HEAD (actix sends the headers, no body).
    pub fn add<P, F, Args>(mut self, doc: P, handler: F) -> Self
    where
        P: utoipa::Path + OpenApiFactory,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        debug_assert!(
            describes::<P, F>(),
            "{} is not the description of {}",
            std::any::type_name::<P>(),
            std::any::type_name::<F>()
        );
        let path = P::path();
        let methods = P::methods();
        self.paths.merge(doc.paths());
        doc.schemas(&mut self.schemas);
        let route = web::route().guard(MethodGuard(actix_methods(&methods)));
        let route = route.to(handler);
        match self.resources.iter_mut().find(|r| r.path == path) {
            Some(resource) => {
                resource.methods.extend(methods);
                resource.routes.push(route);
            }
            None => self.resources.push(Resource {
                path,
                methods,
                routes: vec![route],
            }),
        }
        self
    }
}

/// Whether `P` is the `__path_<name>` type of the handler function `<name>`
/// (both live in the same module): pairs them up without a macro.
fn describes<P, F>() -> bool {
    let doc = std::any::type_name::<P>();
    let handler = std::any::type_name::<F>();
    match (doc.rsplit_once("::"), handler.rsplit_once("::")) {
        (Some((doc_module, doc_name)), Some((module, name))) => {
            doc_module == module && doc_name.strip_prefix("__path_") == Some(name)
        }
        _ => false,
    }
}

fn actix_methods(methods: &[HttpMethod]) -> Vec<Method> {
    let mut out = Vec::new();
    for method in methods {
        let m = match method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
            HttpMethod::Put => Method::PUT,
            HttpMethod::Delete => Method::DELETE,
            HttpMethod::Options => Method::OPTIONS,
            HttpMethod::Head => Method::HEAD,
            HttpMethod::Patch => Method::PATCH,
            HttpMethod::Trace => Method::TRACE,
        };
        out.push(m.clone());
        if m == Method::GET {
            out.push(Method::HEAD);
        }
    }
    out
}

/// Matches any of the methods (actix's `guard::Any` needs a first guard).
struct MethodGuard(Vec<Method>);

impl Guard for MethodGuard {
    fn check(&self, ctx: &guard::GuardContext<'_>) -> bool {
        self.0.contains(&ctx.head().method)
    }
}

/// `GET, HEAD, POST`: the methods, in the order the handlers were added.
fn allow_header(methods: &[HttpMethod]) -> String {
    actix_methods(methods)
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The default service of a resource: 405 with the methods it does support.
pub fn not_allowed(allow: String) -> actix_web::Route {
    web::route().to(move || {
        let allow = allow.clone();
        async move { Err::<&'static str, _>(ApiError::MethodNotAllowed { allow }) }
    })
}

impl HttpServiceFactory for Endpoints {
    fn register(self, config: &mut AppService) {
        for resource in self.resources {
            let allow = allow_header(&resource.methods);
            let mut mounted = web::resource(resource.path.as_str());
            for route in resource.routes {
                mounted = mounted.route(route);
            }
            mounted.default_service(not_allowed(allow)).register(config);
        }
    }
}

impl OpenApiFactory for Endpoints {
    fn paths(&self) -> Paths {
        self.paths.clone()
    }

    fn schemas(&self, schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend(self.schemas.iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(non_camel_case_types)]
    struct __path_create;
    fn create() {}
    fn get() {}

    fn name_of<T>(_: T) -> bool {
        describes::<__path_create, T>()
    }

    #[test]
    fn a_description_pairs_only_with_its_own_handler() {
        assert!(name_of(create));
        assert!(!name_of(get));
    }

    #[test]
    fn get_implies_head_in_guards_and_allow() {
        assert_eq!(
            allow_header(&[HttpMethod::Get, HttpMethod::Post]),
            "GET, HEAD, POST"
        );
        assert_eq!(
            allow_header(&[HttpMethod::Put, HttpMethod::Delete]),
            "PUT, DELETE"
        );
    }
}
