//! A task's end: charging it and delivering its (signed) callback.

use super::*;

/// At the task's end: charge a success, then deliver the callback if one was asked for.
pub(crate) async fn settle(state: Shared, id: String, after: Duration, callback: Option<String>) {
    tokio::time::sleep(after).await;
    let body = {
        let mut w = state.world();
        let Some(task) = w.tasks.get(&id).cloned() else {
            return;
        };
        if task.outcome == Outcome::Success && !task.settled {
            let balance = state.balance(&w, &task.key) - task.credits;
            w.credits.insert(task.key.clone(), balance);
        }
        if let Some(t) = w.tasks.get_mut(&id) {
            t.settled = true;
        }
        let remained = state.balance(&w, &task.key);
        let data = task.record(Instant::now() + Duration::from_millis(1), &state.base_url, remained);
        match task.outcome {
            Outcome::Success => {
                json!({"code": 200, "msg": "Playground task completed successfully.", "data": data})
            }
            _ => json!({"code": 501, "msg": "Playground task failed.", "data": {
                "taskId": task.id, "model": MODEL_ID, "state": "fail", "failCode": data["failCode"], "failMsg": data["failMsg"],
                "consumeCredits": 0, "completeTime": data["completeTime"], "param": task.param}}),
        }
    };
    let Some(url) = callback else { return };
    // The emulator never sends traffic off this machine; 0 deliveries stands for a callback
    // Kie lost (clients must still finish by polling).
    if !is_loopback_url(&url) || state.config.callback_deliveries == 0 {
        state.world().counters.callbacks_skipped += 1;
        return;
    }
    for _ in 0..state.config.callback_deliveries {
        let timestamp = now_ms() / 1000;
        let mut req = state
            .http
            .post(&url)
            .timeout(Duration::from_secs(15))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &state.config.webhook_hmac_key {
            req = req
                .header("X-Webhook-Timestamp", timestamp.to_string())
                .header("X-Webhook-Signature", sign(key, &id, timestamp));
        }
        let ok = req.send().await.is_ok_and(|r| r.status().is_success());
        let mut w = state.world();
        if ok {
            w.counters.callbacks_sent += 1;
        } else {
            w.counters.callbacks_failed += 1;
        }
    }
}

/// Base64(HMAC-SHA256(key, taskId + "." + timestamp)) (contract §2).
pub fn sign(key: &str, task_id: &str, timestamp: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{task_id}.{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}
