//! kie-kling: a typed, validated client for Kie.ai's Kling V2.1 Standard image-to-video API.
//!
//! A pure core (no I/O, tested natively) and a thin wasm shell:
//! - [`contract`]: limits and documented assumptions, in one place
//! - [`view`]: read-only access to JSON-like values (JS objects or `serde_json::Value`)
//! - [`model`]: request types with the API's field names, and the body's JSON writer
//! - [`validate`]: the contract's rules, every issue at once
//! - [`callback`]: callback bodies and webhook verification decisions
//! - [`image`]: image format and size checks by content
//! - [`wire`]: the response envelope and task records
//! - [`error`]: error kinds, their mapping from Kie codes, key redaction
//! - [`policy`]: retry and poll schedules
//! - [`proxy`]: the decisions of `kie-kling/proxy` (routes, origins, ownership, limits, scrubbing)
//! - `client` and `js` (wasm only): fetch, timers, abort, and the exported JS API

pub mod callback;
pub mod contract;
pub mod error;
pub mod image;
pub mod model;
pub mod op;
pub mod policy;
pub mod proxy;
pub mod validate;
pub mod view;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
mod convert;
#[cfg(target_arch = "wasm32")]
pub mod js;
#[cfg(target_arch = "wasm32")]
mod jsview;
#[cfg(all(target_arch = "wasm32", feature = "proxy"))]
mod proxy_js;
#[cfg(target_arch = "wasm32")]
mod task;
#[cfg(target_arch = "wasm32")]
mod upload;
#[cfg(target_arch = "wasm32")]
mod webhook;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32 without threads runs one thread; the allocator is never shared.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
