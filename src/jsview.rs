//! `View` over `JsValue`: reads JS objects through `Reflect` and parses JSON with the host's
//! `JSON.parse`, so the wasm carries no JSON parser of its own.

use crate::view::{Kind, View};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// The value's JSON kind in one boundary crossing (see `kindOf` in runtime.js).
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(value: &JsValue) -> u8;
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
            // undefined, bigint, symbol: nothing the API takes; they read as "not given".
            _ => Kind::Undefined,
        }
    }
    fn string(&self) -> Option<String> {
        self.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined())
    }
    fn keys(&self) -> Vec<String> {
        if !self.is_object() || Array::is_array(self) {
            return Vec::new();
        }
        Object::keys(self.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }
    fn items(&self) -> Vec<Self> {
        if Array::is_array(self) {
            self.unchecked_ref::<Array>().iter().collect()
        } else {
            Vec::new()
        }
    }
    fn text_stats(&self) -> Option<(usize, bool)> {
        let s = self.dyn_ref::<js_sys::JsString>()?;
        Some((s.length() as usize, s.trim().length() == 0))
    }
    fn parse_json(text: &str) -> Option<Self> {
        JSON::parse(text).ok()
    }
}

/// A fresh plain object.
pub fn object() -> Object {
    Object::new()
}

/// Sets `obj[key] = value`; setting a property on a fresh plain object cannot fail.
pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// `Some(x)` as a JS value, `None` as null.
pub fn opt<T: Into<JsValue>>(v: Option<T>) -> JsValue {
    v.map(Into::into).unwrap_or(JsValue::NULL)
}
