//! The promise bridge: the shell's asynchronous work is written as explicit states (`Work`), not
//! `async` functions, and a `Task` holds one piece of it. runtime.js `drive` awaits each promise
//! the work hands back and steps the task with how it settled. No futures, closures, queue or
//! waker in the wasm: a task runs only when the promise it waits on has settled.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// How a promise settled: its value, or what it rejected with.
pub type Outcome = Result<JsValue, JsValue>;

/// Asynchronous work, one state per promise it waits on.
pub trait Work {
    /// Given how the promise it waited on settled (`Ok(undefined)` on the first call): the next
    /// promise to wait on, or its result (an `Err` rejects with that value).
    fn advance(&mut self, settled: Outcome) -> Next;
}

pub enum Next {
    Wait(Promise),
    Done(Outcome),
}

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// Runs `task` to its end; the promise of its result.
    fn drive(task: Task) -> Promise;
}

/// The promise of `work`'s result: the one way the shell's asynchronous work reaches JS.
pub fn spawn(work: impl Work + 'static) -> Promise {
    drive(Task { work: Box::new(work) })
}

/// One piece of work in flight (runtime.js `drive` steps it; not part of the public API).
#[wasm_bindgen]
pub struct Task {
    work: Box<dyn Work>,
}

#[wasm_bindgen]
impl Task {
    /// Advances the work, `ok`/`value` being how the promise it waited on settled: the next
    /// promise to wait on, or the result (never a promise), or its error thrown.
    pub fn step(&mut self, ok: bool, value: JsValue) -> Result<JsValue, JsValue> {
        match self.work.advance(if ok { Ok(value) } else { Err(value) }) {
            Next::Wait(promise) => Ok(promise.into()),
            Next::Done(result) => result,
        }
    }
}
