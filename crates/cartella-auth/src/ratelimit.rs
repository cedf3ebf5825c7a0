//! Fixed-window counters in node memory (a cluster divides limits by its node count, as the
//! architecture says). Used for login throttling and per-client API limits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    window: Duration,
    counters: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(window: Duration) -> Self {
        Limiter {
            window,
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// Count one hit for `key`; `Err(seconds until the window resets)` past `limit`.
    pub fn hit(&self, key: &str, limit: u32) -> Result<u32, u64> {
        if limit == 0 {
            return Ok(0);
        }
        let now = Instant::now();
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        Ok(limit - entry.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_key() {
        let l = Limiter::new(Duration::from_secs(60));
        assert!(l.hit("a", 2).is_ok());
        assert!(l.hit("a", 2).is_ok());
        let retry = l.hit("a", 2).unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(l.hit("b", 2).is_ok());
        assert!(l.hit("c", 0).is_ok());
    }
}
