//! The explorer page: static HTML and JavaScript carried in the binary, with no build step
//! and nothing fetched from elsewhere. It calls the API through the Connect JSON form.

use bytes::Bytes;
use http::{HeaderValue, Response};
use http_body_util::Full;
use tonic::body::Body;

/// One file of the page.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub(super) content: &'static [u8],
    pub(super) content_type: &'static str,
}

const INDEX: Asset = Asset {
    content: include_bytes!("explorer/index.html"),
    content_type: "text/html; charset=utf-8",
};
const SCRIPT: Asset = Asset {
    content: include_bytes!("explorer/explorer.js"),
    content_type: "text/javascript; charset=utf-8",
};
const MESSAGES: Asset = Asset {
    content: include_bytes!("explorer/messages.js"),
    content_type: "text/javascript; charset=utf-8",
};
/// A 32×32 icon (bars on blue), so browsers asking for it get one.
const ICON: Asset = Asset {
    content: include_bytes!("explorer/favicon.ico"),
    content_type: "image/x-icon",
};

/// The asset served at `path`, if any.
pub fn asset(path: &str) -> Option<Asset> {
    match path {
        "/" | "/index.html" => Some(INDEX),
        "/explorer.js" => Some(SCRIPT),
        "/messages.js" => Some(MESSAGES),
        "/favicon.ico" => Some(ICON),
        _ => None,
    }
}

pub fn response(asset: Asset) -> Response<Body> {
    let mut response = Response::new(Body::new(Full::new(Bytes::from_static(asset.content))));
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    // The page runs only its own script and talks only to this server.
    headers.insert(
        http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
        ),
    );
    headers.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
