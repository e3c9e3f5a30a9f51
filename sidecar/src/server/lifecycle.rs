//! The phases of a server's life as its listeners and connections see them. *Serving*: work is
//! admitted. *Draining* (after SIGTERM): nothing new is accepted; batches admitted before finish,
//! and every batch read now is answered `SHUTTING_DOWN`. *Closing* (once the admitted work is
//! done, or the grace period is over): connections stop reading and close when their answers are
//! written.

use tokio::sync::{mpsc, watch};

/// A phase; they only move forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Work is admitted.
    Serving,
    /// Admitted work finishes; new work is answered `SHUTTING_DOWN`.
    Draining,
    /// Connections close.
    Closing,
}

/// The server's side: moves the phases on and waits for the admitted work.
#[derive(Debug)]
pub struct Lifecycle {
    phase: watch::Sender<Phase>,
    /// Every admitted batch holds a clone until its answer is queued; dropped when draining.
    work: Option<mpsc::Sender<()>>,
    done: mpsc::Receiver<()>,
    weak: mpsc::WeakSender<()>,
}

/// A listener's or a connection's view of the [`Lifecycle`].
#[derive(Clone, Debug)]
pub struct Watch {
    phase: watch::Receiver<Phase>,
    work: mpsc::WeakSender<()>,
}

/// Held by an admitted batch until its answer is queued.
#[derive(Debug)]
pub struct Work {
    _held: mpsc::Sender<()>,
}

impl Lifecycle {
    /// A server that is serving.
    pub fn new() -> Self {
        let (work, done) = mpsc::channel(1);
        let weak = work.downgrade();
        Self { phase: watch::Sender::new(Phase::Serving), work: Some(work), done, weak }
    }

    /// A view for a listener or a connection.
    pub fn watch(&self) -> Watch {
        Watch { phase: self.phase.subscribe(), work: self.weak.clone() }
    }

    /// Stops admitting work.
    pub fn drain(&mut self) {
        self.phase.send_replace(Phase::Draining);
        self.work = None;
    }

    /// Completes when every batch admitted before [`Lifecycle::drain`] has been answered.
    pub async fn admitted_work_done(&mut self) {
        while self.done.recv().await.is_some() {}
    }

    /// Tells every connection to close.
    pub fn close(&self) {
        self.phase.send_replace(Phase::Closing);
    }
}

impl Watch {
    /// The current phase.
    pub fn phase(&self) -> Phase {
        *self.phase.borrow()
    }

    /// Completes once the phase is `phase` or later (or the server is gone).
    pub async fn reached(&mut self, phase: Phase) {
        let _ = self.phase.wait_for(|now| *now >= phase).await;
    }

    /// Admits a batch while serving; `None` once draining.
    pub fn admit(&self) -> Option<Work> {
        if self.phase() != Phase::Serving {
            return None;
        }
        self.work.upgrade().map(|held| Work { _held: held })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn draining_waits_for_the_admitted_work_only() {
        let mut lifecycle = Lifecycle::new();
        let mut watch = lifecycle.watch();
        let admitted = watch.admit().expect("serving admits");
        lifecycle.drain();
        assert_eq!(watch.phase(), Phase::Draining);
        assert!(watch.admit().is_none(), "draining admits nothing");
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), lifecycle.admitted_work_done());
        assert!(waiting.await.is_err(), "the admitted batch is still running");
        drop(admitted);
        lifecycle.admitted_work_done().await;
        lifecycle.close();
        watch.reached(Phase::Closing).await;
    }
}
