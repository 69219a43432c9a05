//! `View` over `JsValue`: reads JS objects through `Reflect` and parses JSON with the host's
//! `JSON.parse`, so the wasm carries no JSON parser of its own.

use crate::contract::boundary::{MAX_ITEMS, MAX_STRING_UNITS};
use crate::view::{Kind, View};
use js_sys::{Array, Object, JSON};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// The value's JSON kind in one boundary crossing (see `kindOf` in runtime.js).
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(value: &JsValue) -> u8;
    #[wasm_bindgen(js_name = fieldOf)]
    fn field_of(value: &JsValue, key: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = propOf)]
    fn prop_of(value: &JsValue, key: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = ownKeys)]
    fn own_keys(value: &JsValue, max: u32) -> Array;
    #[wasm_bindgen(js_name = itemsOf)]
    fn items_of(value: &JsValue, max: u32) -> Array;
    #[wasm_bindgen(js_name = stringOf)]
    fn string_of(value: &JsValue, max: u32) -> Option<String>;
    #[wasm_bindgen(js_name = textSlice)]
    pub fn text_slice(text: &JsValue, start: u32, end: u32) -> String;
    #[wasm_bindgen(js_name = snapshot)]
    fn snapshot_of(value: &JsValue, known: &JsValue, nested_key: &JsValue, nested_known: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = unknownKeys)]
    fn unknown_keys_of(value: &JsValue, known: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = setProp)]
    fn set_prop(obj: &Object, key: &JsValue, value: &JsValue);
    #[wasm_bindgen(js_name = textStats)]
    fn text_stats_of(value: &JsValue) -> f64;
}

thread_local! {
    /// Static property names already turned into JS strings, by address and length: decoding a
    /// name costs more than finding it here. Only `&'static str` goes in, so an address never
    /// comes to mean another text. The JS strings live as long as the module (a few dozen names),
    /// so a lookup lends one out without cloning and dropping a heap reference around each read.
    static KEYS: RefCell<Vec<(usize, usize, &'static JsValue)>> = const { RefCell::new(Vec::new()) };
    /// The known-field lists as JS arrays, by the address of their (static) Rust slices.
    static KNOWN: RefCell<Vec<(usize, &'static JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `key` as a JS string, from the cache when it has been seen.
fn js_key(key: &'static str) -> &'static JsValue {
    let (addr, len) = (key.as_ptr() as usize, key.len());
    KEYS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, _, v)) = cache.iter().find(|(a, l, _)| *a == addr && *l == len) {
            return *v;
        }
        let v: &'static JsValue = Box::leak(Box::new(JsValue::from_str(key)));
        cache.push((addr, len, v));
        v
    })
}

fn known_array(known: &'static [&'static str]) -> &'static JsValue {
    KNOWN.with(|cache| {
        let mut cache = cache.borrow_mut();
        let addr = known.as_ptr() as usize;
        if let Some((_, v)) = cache.iter().find(|(a, _)| *a == addr) {
            return *v;
        }
        let list: JsValue = known.iter().map(|k| js_key(k).clone()).collect::<Array>().into();
        let v: &'static JsValue = Box::leak(Box::new(list));
        cache.push((addr, v));
        v
    })
}

impl View for JsValue {
    fn kind(&self) -> Kind {
        match kind_of(self) {
            1 => Kind::Null,
            2 => Kind::Bool,
            3 => Kind::Number,
            4 => Kind::String,
            5 => Kind::Array,
            6 => Kind::Object,
            7 => Kind::Unreadable,
            // undefined, bigint, symbol: nothing the API takes; they read as "not given".
            _ => Kind::Undefined,
        }
    }
    fn string(&self) -> Option<String> {
        // Measured in JS first: an oversized string is never copied into wasm memory.
        string_of(self, MAX_STRING_UNITS as u32)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn get(&self, key: &'static str) -> Option<Self> {
        Some(prop_of(self, js_key(key))).filter(|v| !v.is_undefined())
    }
    fn field(&self, key: &'static str) -> Option<Self> {
        Some(field_of(self, js_key(key))).filter(|v| !v.is_undefined())
    }
    fn unknown_keys(&self, known: &'static [&'static str]) -> Vec<String> {
        let found = unknown_keys_of(self, known_array(known));
        if found.is_null() {
            return Vec::new();
        }
        found
            .unchecked_into::<Array>()
            .iter()
            .filter_map(|k| k.string())
            .collect()
    }
    fn keys(&self) -> Vec<String> {
        own_keys(self, MAX_ITEMS as u32)
            .iter()
            .filter_map(|k| k.string())
            .collect()
    }
    fn items(&self) -> Vec<Self> {
        items_of(self, MAX_ITEMS as u32).iter().collect()
    }
    fn text_stats(&self) -> Option<(usize, bool)> {
        let stats = text_stats_of(self);
        (stats >= 0.0).then(|| ((stats / 2.0) as usize, stats % 2.0 == 1.0))
    }
    fn parse_json(text: &str) -> Option<Self> {
        JSON::parse(text).ok()
    }
    fn with_field(self, key: &'static str, value: Self) -> Self {
        set(self.unchecked_ref(), key, value);
        self
    }
}

/// `value[key]` for a name that is not static (header names); `None` when undefined.
pub fn prop(value: &JsValue, key: &str) -> Option<JsValue> {
    Some(prop_of(value, &JsValue::from_str(key))).filter(|v| !v.is_undefined())
}

/// A stable copy of a caller's object (see `snapshot` in runtime.js): `known` fields and other
/// own keys read once each, `nested`'s object likewise. Validate and build from the copy.
pub fn snapshot(
    value: &JsValue,
    known: &'static [&'static str],
    nested: Option<(&'static str, &'static [&'static str])>,
) -> JsValue {
    let (key, inner) = match nested {
        Some((k, list)) => (js_key(k), known_array(list)),
        None => (&JsValue::UNDEFINED, &JsValue::UNDEFINED),
    };
    snapshot_of(value, known_array(known), key, inner)
}

/// A fresh plain object.
pub fn object() -> Object {
    Object::new()
}

/// Sets `obj[key] = value`; setting a property on a fresh plain object cannot fail.
pub fn set(obj: &Object, key: &'static str, value: impl Into<JsValue>) {
    set_prop(obj, js_key(key), &value.into());
}

/// `Some(x)` as a JS value, `None` as null.
pub fn opt<T: Into<JsValue>>(v: Option<T>) -> JsValue {
    v.map(Into::into).unwrap_or(JsValue::NULL)
}
