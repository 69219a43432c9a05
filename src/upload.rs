//! Reading a caller's image for the upload API (the shell's side of uploads): which route it
//! takes (`op::Upload`), its checks as the API will make them (size, then format by content),
//! and the body, built in JS so that the image is never copied into wasm whole.

use crate::contract::assumptions::{UPLOAD_RETENTION_MS, URL_MAX_CHARS};
use crate::contract::boundary::MAX_BASE64_CHARS;
use crate::contract::IMAGE_MAX_BYTES;
use crate::convert::Failure;
use crate::image::{base64_payload, sniff_image, Base64Scan, ImageProblem};
use crate::jsview::{object, opt, set, text_slice};
use crate::op::Upload;
use crate::validate::{check_http_url, check_upload_path, IssueCode};
use crate::view::View;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = isBinary)]
    fn is_binary(source: &JsValue) -> bool;
    #[wasm_bindgen(js_name = binarySize)]
    fn binary_size(source: &JsValue) -> f64;
    #[wasm_bindgen(js_name = headBytes, catch)]
    fn head_bytes(source: &JsValue, n: u32) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = uploadForm, catch)]
    fn upload_form(
        source: &JsValue,
        mime_type: &str,
        upload_path: &str,
        file_name: Option<&str>,
    ) -> Result<JsValue, JsValue>;
    fn now() -> f64;
}

/// A request body: JSON text as a JS string, or a multipart form (whose boundary fetch sets).
pub enum Body {
    Json(JsValue),
    Form(JsValue),
}

/// Where uploads go unless `uploadPath` says otherwise.
pub const DEFAULT_UPLOAD_PATH: &str = "kie-kling/images";

fn upload_issue(message: &str, limit: Option<f64>) -> Failure {
    Failure::issue("input.image_url", IssueCode::InvalidImage, message, limit)
}

fn image_issue(p: ImageProblem) -> Failure {
    upload_issue(
        p.message(),
        (p == ImageProblem::TooLarge).then_some(IMAGE_MAX_BYTES as f64),
    )
}

/// What reading an image for upload needs next.
pub enum Prepared {
    /// Its route and body.
    Ready(Upload, Body),
    /// Bytes: the promise of their first bytes, which `sniff_head` reads the format from;
    /// `stream_form` then builds the body.
    Head(Promise),
}

/// The route and body for `source`, checked first: a Blob/File/ArrayBuffer/Uint8Array goes by
/// the stream upload, an http(s) URL by the URL upload, a data: URL or base64 text by the
/// base64 upload. A failure is a "validation" error and nothing is sent.
pub fn prepare(source: &JsValue, upload_path: &str, file_name: Option<&str>) -> Result<Prepared, Failure> {
    if let Err(m) = check_upload_path(upload_path) {
        return Err(Failure::issue("uploadPath", IssueCode::InvalidType, m, None));
    }
    if is_binary(source) {
        return read_head(source).map(Prepared::Head);
    }
    let Some((len, _)) = source.text_stats() else {
        return Err(upload_issue(
            "the image must be a Blob, File, ArrayBuffer, Uint8Array, an http(s) URL, a data: URL or base64 text",
            None,
        ));
    };
    let o = object();
    set(&o, "uploadPath", upload_path);
    if let Some(n) = file_name {
        set(&o, "fileName", n);
    }
    let url = source
        .string()
        .filter(|t| len <= URL_MAX_CHARS && check_http_url(t).is_ok());
    let route = if let Some(url) = url {
        set(&o, "fileUrl", url);
        Upload::Url
    } else {
        check_base64_source(source, len).map_err(image_issue)?;
        // The caller's string goes into the body as it is: never copied into wasm whole.
        set(&o, "base64Data", source.clone());
        Upload::Base64
    };
    let text = js_sys::JSON::stringify(&o).map_err(|_| unreadable())?;
    Ok(Prepared::Ready(route, Body::Json(text.into())))
}

/// The multipart body of the stream upload, once `sniff_head` has named the format.
pub fn stream_form(source: &JsValue, mime: &str, upload_path: &str, file_name: Option<&str>) -> Result<Body, Failure> {
    upload_form(source, mime, upload_path, file_name)
        .map(Body::Form)
        .map_err(|_| unreadable())
}

fn unreadable() -> Failure {
    upload_issue("the image could not be read", None)
}

/// Checks bytes the way the upload API will, size first: the promise of the first bytes, from
/// which `sniff_head` reads the format.
pub fn read_head(source: &JsValue) -> Result<Promise, Failure> {
    if !is_binary(source) {
        return Err(upload_issue(
            "the image must be a Blob, File, ArrayBuffer or Uint8Array",
            None,
        ));
    }
    let size = binary_size(source);
    if size < 0.0 {
        return Err(unreadable());
    }
    if size == 0.0 {
        return Err(image_issue(ImageProblem::Empty));
    }
    if size > IMAGE_MAX_BYTES as f64 {
        return Err(image_issue(ImageProblem::TooLarge));
    }
    head_bytes(source, 16).map_err(|_| unreadable())
}

/// The image's MIME type, from how `read_head`'s promise settled.
pub fn sniff_head(head: Result<JsValue, JsValue>) -> Result<&'static str, Failure> {
    let head = js_sys::Uint8Array::new(&head.map_err(|_| unreadable())?).to_vec();
    sniff_image(&head).ok_or_else(|| image_issue(ImageProblem::NotAnImage))
}

/// Checks base64 text (bare or a `data:` URL) held in JS: its length first (over the limit it is
/// too large and never read), then its payload a slice at a time, so wasm never holds it whole.
fn check_base64_source(source: &JsValue, len: usize) -> Result<(), ImageProblem> {
    if len > MAX_BASE64_CHARS {
        return Err(ImageProblem::TooLarge);
    }
    const SLICE: usize = 65_536;
    let head = text_slice(source, 0, len.min(1024) as u32);
    // Where the payload starts, in UTF-16 units (the header of a data: URL is ASCII).
    let start = if head.is_ascii() {
        let (payload, _) = base64_payload(&head);
        if payload.is_empty() {
            return Err(ImageProblem::Empty);
        }
        payload.as_ptr() as usize - head.as_ptr() as usize
    } else {
        0
    };
    let mut scan = Base64Scan::default();
    let mut at = start;
    while at < len {
        let end = (at + SLICE).min(len);
        scan.feed(text_slice(source, at as u32, end as u32).as_bytes());
        at = end;
    }
    scan.finish().map(|_| ())
}

/// `{ url, fileName, fileSize, mimeType, expiresAt }` from the upload API's `data` (whose
/// `downloadUrl` the machine has checked).
pub fn result_to_js(data: &JsValue) -> JsValue {
    let uploaded = data
        .field("uploadedAt")
        .and_then(|t| t.string())
        .map(|t| js_sys::Date::parse(&t))
        .filter(|t| t.is_finite())
        .unwrap_or_else(now);
    let o = object();
    set(&o, "url", opt(data.field("downloadUrl").and_then(|v| v.string())));
    set(&o, "fileName", opt(data.field("fileName").and_then(|v| v.string())));
    set(&o, "fileSize", opt(data.field("fileSize").and_then(|v| v.number())));
    set(&o, "mimeType", opt(data.field("mimeType").and_then(|v| v.string())));
    set(&o, "expiresAt", uploaded + UPLOAD_RETENTION_MS);
    o.into()
}
