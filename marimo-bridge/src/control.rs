//! Stopping a running notebook: per-job abort state and the asynchronous KeyboardInterrupt.

use std::os::raw::c_long;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::ffi;
use pyo3::prelude::*;

/// The reason the bridge interrupted a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbortReason {
    /// The run's timeout expired.
    Timeout(Duration),
    /// [`crate::Bridge::interrupt`] was called.
    Interrupt,
}

/// Abort state of one run job, shared by the caller, the Python thread and the interrupter.
#[derive(Debug)]
pub(crate) struct JobControl {
    pub(crate) id: u64,
    reason: Mutex<Option<AbortReason>>,
    delivered: AtomicBool,
}

impl JobControl {
    pub(crate) fn new(id: u64) -> Self {
        Self {
            id,
            reason: Mutex::new(None),
            delivered: AtomicBool::new(false),
        }
    }

    pub(crate) fn reason(&self) -> Option<AbortReason> {
        *self
            .reason
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Records why the job is being stopped; the first reason wins.
    pub(crate) fn set_reason(&self, reason: AbortReason) {
        let mut current = self
            .reason
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        current.get_or_insert(reason);
    }

    /// Notes that a cell has reported the KeyboardInterrupt, so no further one is needed.
    pub(crate) fn mark_delivered(&self) {
        self.delivered.store(true, Ordering::SeqCst);
    }

    pub(crate) fn delivered(&self) -> bool {
        self.delivered.load(Ordering::SeqCst)
    }
}

/// State of the Python thread that other threads read to interrupt it.
#[derive(Debug, Default)]
pub(crate) struct ThreadState {
    /// `threading.get_ident()` of the Python thread.
    pub(crate) ident: AtomicU64,
    /// Id of the job running now, or 0 when idle. Written only while holding the GIL.
    pub(crate) running_job: AtomicU64,
    /// Abort state of the running job when it is a notebook run.
    pub(crate) current_run: Mutex<Option<Arc<JobControl>>>,
}

impl ThreadState {
    pub(crate) fn set_current_run(&self, control: Option<Arc<JobControl>>) {
        *self
            .current_run
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = control;
    }

    pub(crate) fn current_run(&self) -> Option<Arc<JobControl>> {
        self.current_run
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }

    /// Raises KeyboardInterrupt in the Python thread if job `job_id` is still running there.
    ///
    /// CPython delivers it the next time the thread executes bytecode, so a cell blocked in
    /// native code (a long `time.sleep`, a socket read) gets it only when that call returns.
    /// Returns whether the exception was scheduled.
    pub(crate) fn interrupt(&self, job_id: u64) -> bool {
        Python::attach(|_py| {
            // The Python thread changes running_job only while holding the GIL, so this check
            // and the call below cannot straddle the end of the job.
            if job_id == 0 || self.running_job.load(Ordering::SeqCst) != job_id {
                return false;
            }
            let ident = self.ident.load(Ordering::SeqCst) as c_long;
            // SAFETY: the GIL is held, PyExc_KeyboardInterrupt is a valid exception type, and
            // the call only schedules the exception on the thread with that ident.
            unsafe { ffi::PyThreadState_SetAsyncExc(ident, ffi::PyExc_KeyboardInterrupt) > 0 }
        })
    }

    /// Drops a KeyboardInterrupt that was scheduled but not yet raised. Called with the GIL
    /// held when a job ends, so the exception cannot fire in the next job.
    pub(crate) fn clear_pending_interrupt(&self, _py: Python<'_>) {
        let ident = self.ident.load(Ordering::SeqCst) as c_long;
        // SAFETY: the GIL is held (the `Python` token proves it); a null exception clears the
        // thread's pending asynchronous exception.
        unsafe {
            ffi::PyThreadState_SetAsyncExc(ident, std::ptr::null_mut());
        }
    }
}
