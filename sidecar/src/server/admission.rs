//! Bounded admission: the bytes of frames and the items in flight. A frame or item that does not
//! fit is refused at once with `BUSY`, so memory never grows without bound and nothing queues.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The in-flight budget of one server.
#[derive(Debug)]
pub struct Admission {
    bytes: Budget,
    items: Budget,
}

#[derive(Debug)]
struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    /// Takes up to `wanted` units, as many as fit (all or nothing when `partial` is false).
    fn take(&self, wanted: usize, partial: bool) -> usize {
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let free = self.limit.saturating_sub(used);
            let granted = if partial {
                wanted.min(free)
            } else if wanted <= free {
                wanted
            } else {
                0
            };
            if granted == 0 {
                return 0;
            }
            match self.used.compare_exchange_weak(used, used + granted, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return granted,
                Err(now) => used = now,
            }
        }
    }

    fn give_back(&self, units: usize) {
        self.used.fetch_sub(units, Ordering::AcqRel);
    }
}

/// Units of a budget held until dropped.
#[derive(Debug)]
pub struct Permit {
    admission: Arc<Admission>,
    bytes: usize,
    items: usize,
}

impl Permit {
    /// The items this permit holds.
    pub fn items(&self) -> usize {
        self.items
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.admission.bytes.give_back(self.bytes);
        self.admission.items.give_back(self.items);
    }
}

impl Admission {
    /// A budget of `max_bytes` frame bytes and `max_items` items.
    pub fn new(max_bytes: usize, max_items: usize) -> Arc<Self> {
        Arc::new(Self {
            bytes: Budget { used: AtomicUsize::new(0), limit: max_bytes },
            items: Budget { used: AtomicUsize::new(0), limit: max_items },
        })
    }

    /// Admits a frame of `bytes`, whole or not at all.
    pub fn frame(self: &Arc<Self>, bytes: usize) -> Option<Permit> {
        (bytes == 0 || self.bytes.take(bytes, false) == bytes).then(|| Permit {
            admission: self.clone(),
            bytes,
            items: 0,
        })
    }

    /// Admits as many of `wanted` items as fit, the first ones of the batch; possibly none.
    pub fn items(self: &Arc<Self>, wanted: usize) -> Permit {
        let items = self.items.take(wanted, true);
        Permit { admission: self.clone(), bytes: 0, items }
    }

    /// Frame bytes in flight.
    pub fn bytes_in_flight(&self) -> usize {
        self.bytes.used.load(Ordering::Relaxed)
    }

    /// Items in flight.
    pub fn items_in_flight(&self) -> usize {
        self.items.used.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_never_exceeded_and_come_back() {
        let admission = Admission::new(100, 10);
        let first = admission.frame(60).unwrap();
        assert!(admission.frame(50).is_none());
        let items = admission.items(7);
        let rest = admission.items(7);
        assert_eq!(rest.items(), 3);
        assert_eq!(admission.items(1).items(), 0);
        assert_eq!((admission.bytes_in_flight(), admission.items_in_flight()), (60, 10));
        drop((first, items, rest));
        assert_eq!((admission.bytes_in_flight(), admission.items_in_flight()), (0, 0));
        assert!(admission.frame(100).is_some());
    }
}
