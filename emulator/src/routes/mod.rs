//! The HTTP surface: Kie's API routes (answering errors as Kie does, HTTP 200 with the error in
//! the body `code`), the upload API under `/upload`, served files, and `/__emulator/*` controls.

use crate::state::{
    new_id, now_ms, Fault, FaultRule, Outcome, State, Task, Upload, MAX_FAULTS, MAX_TASKS, MAX_UPLOAD_BYTES_TOTAL,
};
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path, Query, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use kie_kling::contract::MODEL_ID;
use kie_kling::image::check_image;
use kie_kling::validate::{validate_body, IssueCode};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Shared = Arc<State>;

/// A tiny MP4 the emulator serves as every generated video (made by scripts/make-sample-video.sh).
pub static SAMPLE_MP4: &[u8] = include_bytes!("../../assets/sample.mp4");

// One concern per file; main.rs and the files themselves see every route through these re-exports.
mod admin;
mod answers;
mod callbacks;
mod faults;
mod jobs;
mod uploads;

pub(crate) use admin::*;
pub(crate) use answers::*;
pub(crate) use callbacks::*;
pub(crate) use faults::*;
pub(crate) use jobs::*;
pub(crate) use uploads::*;
