//! The writer thread's scheduling priority. Every write of the process funnels through the one
//! writer thread, and under imports it was runnable four fifths of the time but on a core only
//! two thirds of it: request threads and the checkpointer preempted it. It runs five nice steps
//! ahead of the thread that spawned it (A/B on a 500k snapshot: imports +12 %).
//!
//! Raising a priority needs root, `CAP_SYS_NICE` or a high enough `RLIMIT_NICE` (systemd:
//! `LimitNICE=-5` for a process at nice 0); without them the writer keeps the process's.

/// Nice steps the writer runs ahead of the thread that spawned it.
const AHEAD: i32 = 5;

/// Lowers the calling thread's nice value (inherited from the thread that spawned it) by
/// [`AHEAD`]. Returns the nice value the thread now has, or `None` where the OS refused or the
/// platform has no per-thread nice.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
pub fn run_this_thread_ahead() -> Option<i32> {
    // SAFETY: plain system calls without pointers. On Linux a thread id given to PRIO_PROCESS
    // names that one thread, and `who = 0` the calling thread; getpriority answers -1 both
    // for nice -1 and for an error, so errno is cleared first and read after.
    unsafe {
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, 0);
        if now == -1 && *libc::__errno_location() != 0 {
            return None;
        }
        let tid = libc::gettid() as libc::id_t;
        let wanted = (now - AHEAD).max(-20);
        (libc::setpriority(libc::PRIO_PROCESS, tid, wanted) == 0).then_some(wanted)
    }
}

#[cfg(not(target_os = "linux"))]
pub fn run_this_thread_ahead() -> Option<i32> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The thread's nice value as the kernel reports it (field 19 of its stat line).
    fn nice_of_this_thread() -> i32 {
        #[allow(unsafe_code)]
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() };
        let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        after_name.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[test]
    fn only_the_calling_thread_runs_ahead_when_the_os_allows_it() {
        let process = nice_of_this_thread();
        let (raised, nice) =
            std::thread::spawn(|| (run_this_thread_ahead(), nice_of_this_thread()))
                .join()
                .unwrap();
        match raised {
            Some(n) => assert_eq!((n, nice), ((process - AHEAD).max(-20), n)),
            // Unprivileged: refused, and the thread kept the process's priority.
            None => assert_eq!(nice, process),
        }
        assert_eq!(
            nice_of_this_thread(),
            process,
            "the caller's thread is untouched"
        );
    }
}
