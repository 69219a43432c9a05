//! The promise bridge, instead of wasm-bindgen-futures: a `Task` holds one future of the shell;
//! each JS promise the future awaits goes back to runtime.js `drive`, which awaits it and steps
//! the task with how it settled. No closures, no queue, no waker: a task is polled only when the
//! promise it waits on has settled.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Outcome = Result<JsValue, JsValue>;

thread_local! {
    /// The promise the future being polled now waits on, for `Task::step` to hand to `drive`.
    static AWAITED: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// How that promise settled, for the next poll.
    static SETTLED: RefCell<Option<Outcome>> = const { RefCell::new(None) };
}

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    /// Runs `task` to its end; the promise of its result.
    fn drive(task: Task) -> Promise;
}

/// The promise of `future`: the one way the shell's async work reaches JS.
pub fn spawn(future: impl Future<Output = Outcome> + 'static) -> Promise {
    drive(Task {
        future: Box::pin(future),
        result: None,
    })
}

/// `promise.await` inside a task: how it settled (a rejection is `Err`, never an exception).
pub fn settled(promise: Promise) -> impl Future<Output = Outcome> {
    Settled(Some(promise))
}

struct Settled(Option<Promise>);

impl Future for Settled {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context) -> Poll<Outcome> {
        match self.0.take() {
            Some(p) => {
                AWAITED.with(|a| *a.borrow_mut() = Some(p));
                Poll::Pending
            }
            None => SETTLED
                .with(|s| s.borrow_mut().take())
                .map_or(Poll::Pending, Poll::Ready),
        }
    }
}

/// One running future (runtime.js `drive` steps it; not part of the public API).
#[wasm_bindgen]
pub struct Task {
    future: Pin<Box<dyn Future<Output = Outcome>>>,
    result: Option<Outcome>,
}

#[wasm_bindgen]
impl Task {
    /// Polls the future, `ok`/`value` being how the promise it waited on settled (nothing on the
    /// first step): the next promise to wait on, or nothing when it has finished.
    pub fn step(&mut self, ok: bool, value: JsValue) -> Option<Promise> {
        SETTLED.with(|s| *s.borrow_mut() = Some(if ok { Ok(value) } else { Err(value) }));
        match self.future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Pending => AWAITED.with(|a| a.borrow_mut().take()),
            Poll::Ready(result) => {
                self.result = Some(result);
                None
            }
        }
    }

    /// The finished future's value, or its error thrown.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        self.result.take().unwrap_or(Err(JsValue::UNDEFINED))
    }
}
