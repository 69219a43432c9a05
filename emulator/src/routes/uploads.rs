//! The file upload API (a separate host in production), served under /upload.

use super::*;

pub async fn uploaded_file(AxState(state): AxState<Shared>, Path(path): Path<String>) -> Response {
    let w = state.world();
    match w.uploads.get(&path).filter(|u| u.expires > Instant::now()) {
        Some(u) => ([(header::CONTENT_TYPE, u.mime.clone())], u.bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The SDK's own rule (`validate::check_upload_path`), answered the way the upload API words it.
pub(crate) fn clean_segment_path(p: &str) -> Result<String, &'static str> {
    if p.is_empty() {
        return Err("Missing required parameter: uploadPath");
    }
    kie_kling::validate::check_upload_path(p).map_err(|_| "uploadPath has an invalid segment")?;
    Ok(p.to_owned())
}

pub(crate) fn clean_file_name(name: Option<&str>, mime: &str) -> Result<String, &'static str> {
    match name.filter(|n| !n.is_empty()) {
        None => {
            let ext = mime.rsplit('/').next().unwrap_or("bin").replace("jpeg", "jpg");
            Ok(format!("{}.{ext}", new_id()))
        }
        Some(n)
            if n.len() > 200 || n.contains(['/', '\\']) || n == "." || n == ".." || n.chars().any(char::is_control) =>
        {
            Err("fileName must be a plain file name")
        }
        Some(n) => Ok(n.to_owned()),
    }
}

pub(crate) fn store_upload(state: &State, upload_path: &str, file_name: Option<&str>, bytes: Vec<u8>) -> Response {
    let mime = match check_image(&bytes) {
        Ok(m) => m,
        Err(p) => return upload_error(400, p.message()),
    };
    let path = match clean_segment_path(upload_path) {
        Ok(p) => p,
        Err(m) => return upload_error(400, m),
    };
    let name = match clean_file_name(file_name, mime) {
        Ok(n) => n,
        Err(m) => return upload_error(400, m),
    };
    let file_path = format!("{path}/{name}");
    let size = bytes.len();
    let mut w = state.world();
    if w.upload_bytes + size > MAX_UPLOAD_BYTES_TOTAL {
        return upload_error(500, "emulator upload storage is full (POST /__emulator/reset to clear)");
    }
    if let Some(old) = w.uploads.insert(
        file_path.clone(),
        Upload {
            bytes,
            mime: mime.into(),
            expires: Instant::now() + Duration::from_millis(state.config.upload_ttl_ms),
        },
    ) {
        w.upload_bytes -= old.bytes.len();
    }
    w.upload_bytes += size;
    let download = format!("{}/files/{file_path}", state.base_url);
    json_response(
        StatusCode::OK,
        json!({"success": true, "code": 200, "msg": "File uploaded successfully", "data": {
        "success": true, "fileName": name, "filePath": file_path, "downloadUrl": download, "fileSize": size,
        "mimeType": mime, "uploadedAt": iso8601(now_ms())}}),
    )
}

pub(crate) async fn upload_prelude(state: &State, headers: &HeaderMap) -> Result<(), Response> {
    prelude(state, headers, "upload", false).await.map(|_| ())
}

pub async fn upload_stream(AxState(state): AxState<Shared>, headers: HeaderMap, mut multipart: Multipart) -> Response {
    // Read the whole body before answering anything, errors included: answering mid-upload
    // would leave the client's connection in a state its next request trips over.
    let (mut file, mut upload_path, mut file_name, mut malformed) = (None, String::new(), None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let Ok(data) = field.bytes().await else {
                    malformed = Some("the multipart body could not be read (too large?)");
                    break;
                };
                match name.as_str() {
                    "file" => file = Some(data.to_vec()),
                    "uploadPath" => upload_path = String::from_utf8_lossy(&data).into_owned(),
                    "fileName" => file_name = Some(String::from_utf8_lossy(&data).into_owned()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                malformed = Some("the multipart body is malformed");
                break;
            }
        }
    }
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    if let Some(m) = malformed {
        return upload_error(400, m);
    }
    let Some(file) = file else {
        return upload_error(400, "Missing required parameter: file");
    };
    store_upload(&state, &upload_path, file_name.as_deref(), file)
}

pub async fn upload_base64(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return upload_error(400, "Invalid JSON body");
    };
    let Some(data) = v["base64Data"].as_str() else {
        return upload_error(400, "Missing required parameter: base64Data");
    };
    let payload = match data.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,").map(|(_, b)| b).unwrap_or(""),
        None => data,
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(payload.trim()) else {
        return upload_error(400, "Base64 decoding failed: Invalid Base64 format");
    };
    store_upload(
        &state,
        v["uploadPath"].as_str().unwrap_or(""),
        v["fileName"].as_str(),
        bytes,
    )
}

/// Only loopback URLs are fetched: the emulator never reaches outside this machine.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() {
        return false;
    }
    match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub async fn upload_url(AxState(state): AxState<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = upload_prelude(&state, &headers).await {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return upload_error(400, "Invalid JSON body");
    };
    let Some(url) = v["fileUrl"].as_str() else {
        return upload_error(400, "Missing required parameter: fileUrl");
    };
    if !is_loopback_url(url) {
        return upload_error(
            400,
            "the emulator only fetches loopback URLs (127.0.0.1, localhost, [::1])",
        );
    }
    let resp = match state.http.get(url).timeout(Duration::from_secs(30)).send().await {
        Ok(r) => r,
        Err(_) => return upload_error(400, "could not download fileUrl"),
    };
    if resp.status().is_redirection() {
        return upload_error(400, "fileUrl redirected; redirects are not followed");
    }
    if !resp.status().is_success() {
        return upload_error(400, "fileUrl did not answer 200");
    }
    let limit = kie_kling::contract::IMAGE_MAX_BYTES as usize + 1;
    let mut bytes = Vec::new();
    let mut resp = resp;
    while let Ok(Some(chunk)) = resp.chunk().await {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return upload_error(400, kie_kling::image::ImageProblem::TooLarge.message());
        }
    }
    store_upload(
        &state,
        v["uploadPath"].as_str().unwrap_or(""),
        v["fileName"].as_str(),
        bytes,
    )
}
