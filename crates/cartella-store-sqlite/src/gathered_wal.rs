//! The writer connection's VFS: the platform's own, except that the frames a commit appends to
//! the write-ahead log are gathered in memory and handed to the kernel in a few large writes
//! (124 KiB each) when the commit frame is complete. SQLite writes each frame as two `pwrite`s (a 24-byte header, then
//! the page), each spanning two file-system blocks; under imports that was about 40 % of the
//! writer's time, most of it in the kernel's partial-block work.
//!
//! Why this is safe: readers only use frames up to the commit that the wal-index header
//! publishes, and SQLite publishes it after the commit frame's write returns, by which time the
//! gathered bytes are in the kernel (as with SQLite's own writes: the log is synced by the
//! syncer thread). Frames of a commit still being written are invisible to everyone else, as
//! they are without gathering. Anything else that touches the log (a read, a sync, a size or
//! truncate, a frame rewritten in place) hands the gathered bytes over first, and so does a
//! wal-index memory barrier on the database file: no header can be published over bytes still
//! held here.

use rusqlite::ffi;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

/// Name of the VFS, for `Connection::open_with_flags_and_vfs`.
pub const VFS_NAME: &CStr = c"cartella-gathered-wal";

/// Gathered bytes past this are handed over early (a huge commit keeps bounded memory).
const MAX_GATHERED: usize = 16 << 20;
const FRAME_HEADER: c_int = 24;
/// The unix VFS writes at most 128 KiB - 1 per call (it masks the length to 17 bits).
const WRITE_CHUNK: usize = 31 * 4096;

/// One open file. The platform VFS's own file object continues past `real`, which is why it is
/// the last field and the VFS's `szOsFile` is this struct's offset of `real` plus the platform's.
#[repr(C)]
struct File {
    base: ffi::sqlite3_file,
    /// For a log: its database file (whose barrier must find nothing gathered). For a
    /// database: its open log, or null. Both live on the one connection that opened them.
    peer: *mut File,
    start: i64,
    gathered: Vec<u8>,
    /// The header just gathered marks a commit: its page completes the commit.
    commit_pending: bool,
    /// Offset of the last read: SQLite rewrites a frame header (checksums) right after reading
    /// the frame, and such a rewrite may be the commit's last write.
    last_read: i64,
    real: ffi::sqlite3_file,
}

/// The platform VFS this one wraps, once registered.
struct Platform(*mut ffi::sqlite3_vfs);
// SAFETY: SQLite's VFS objects live as long as the process and are not changed once registered.
unsafe impl Send for Platform {}
unsafe impl Sync for Platform {}

static REGISTERED: OnceLock<Result<Platform, c_int>> = OnceLock::new();

fn platform() -> *mut ffi::sqlite3_vfs {
    match REGISTERED.get() {
        Some(Ok(p)) => p.0,
        _ => ptr::null_mut(),
    }
}

/// Registers the VFS once per process (not as the default). Errors are SQLite result codes.
pub fn register() -> Result<(), c_int> {
    let done = REGISTERED.get_or_init(|| unsafe {
        let rc = ffi::sqlite3_initialize();
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let platform = ffi::sqlite3_vfs_find(ptr::null());
        // Written for the unix VFS, whose files all have shared-memory methods (iVersion 3).
        if platform.is_null() || CStr::from_ptr((*platform).zName) != c"unix" {
            return Err(ffi::SQLITE_NOTFOUND);
        }
        // A copy of the platform VFS: every method but xOpen is the platform's own.
        let mut vfs: ffi::sqlite3_vfs = *platform;
        vfs.szOsFile = (offset_of!(File, real) as c_int) + (*platform).szOsFile;
        vfs.zName = VFS_NAME.as_ptr();
        vfs.pNext = ptr::null_mut();
        vfs.xOpen = Some(open);
        // Leaked: SQLite keeps a registered VFS for the life of the process.
        let vfs = Box::into_raw(Box::new(vfs));
        let rc = ffi::sqlite3_vfs_register(vfs, 0);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        Ok(Platform(platform))
    });
    done.as_ref().map(drop).map_err(|rc| *rc)
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe {
        let platform = platform();
        let Some(platform_open) = platform.as_ref().and_then(|p| p.xOpen) else {
            return ffi::SQLITE_ERROR;
        };
        let wal = flags & ffi::SQLITE_OPEN_WAL != 0;
        if !wal && flags & ffi::SQLITE_OPEN_MAIN_DB == 0 {
            // Temporary files and the like: the platform's own object, unwrapped.
            return platform_open(platform, name, file, flags, out_flags);
        }
        let f = file.cast::<File>();
        ptr::write(
            f,
            File {
                base: ffi::sqlite3_file {
                    pMethods: ptr::null(),
                },
                peer: ptr::null_mut(),
                start: 0,
                gathered: Vec::new(),
                commit_pending: false,
                last_read: -1,
                real: ffi::sqlite3_file {
                    pMethods: ptr::null(),
                },
            },
        );
        let rc = platform_open(platform, name, &raw mut (*f).real, flags, out_flags);
        if rc != ffi::SQLITE_OK || (*f).real.pMethods.is_null() {
            ptr::drop_in_place(f);
            (*f).base.pMethods = ptr::null();
            return if rc == ffi::SQLITE_OK {
                ffi::SQLITE_CANTOPEN
            } else {
                rc
            };
        }
        if wal {
            let db = ffi::sqlite3_database_file_object(name).cast::<File>();
            if !db.is_null() && (*db).base.pMethods == &raw const DB_METHODS {
                (*db).peer = f;
                (*f).peer = db;
            }
            (*f).base.pMethods = &raw const WAL_METHODS;
        } else {
            (*f).base.pMethods = &raw const DB_METHODS;
        }
        rc
    }
}

unsafe fn real(file: *mut ffi::sqlite3_file) -> (*mut File, *mut ffi::sqlite3_file) {
    let f = file.cast::<File>();
    (f, unsafe { &raw mut (*f).real })
}

unsafe fn methods(real: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    unsafe { &*(*real).pMethods }
}

/// Hands the gathered bytes to the kernel; the error, if any, is the write's. What a failed
/// write did not take stays gathered, in order, for the next hand-over.
unsafe fn hand_over(f: *mut File) -> c_int {
    unsafe {
        let f = &mut *f;
        f.commit_pending = false;
        if f.gathered.is_empty() {
            return ffi::SQLITE_OK;
        }
        let real = &raw mut f.real;
        let Some(write) = methods(real).xWrite else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let mut written = 0;
        let mut rc = ffi::SQLITE_OK;
        for chunk in f.gathered.chunks(WRITE_CHUNK) {
            #[cfg(test)]
            if tests::fail_this_hand_over() {
                rc = ffi::SQLITE_FULL;
                break;
            }
            rc = write(
                real,
                chunk.as_ptr().cast(),
                chunk.len() as c_int,
                f.start + written as i64,
            );
            if rc != ffi::SQLITE_OK {
                break;
            }
            written += chunk.len();
        }
        f.gathered.drain(..written);
        f.start += written as i64;
        rc
    }
}

/// A hand-over on the way to another operation (a read, a sync, the log's size): its failure is
/// reported as a failed write, which makes SQLite roll the whole transaction back. Reported as
/// it came (SQLITE_FULL, say), a read's failure would only undo a statement, and the
/// transaction could commit over frames that never reached the file.
unsafe fn hand_over_before(f: *mut File) -> c_int {
    match unsafe { hand_over(f) } {
        ffi::SQLITE_OK => ffi::SQLITE_OK,
        _ => ffi::SQLITE_IOERR_WRITE,
    }
}

/// Reads the commit field of a frame header: non-zero marks the last frame of a commit.
fn is_commit_header(bytes: &[u8]) -> bool {
    bytes.len() == FRAME_HEADER as usize && bytes[4..8] != [0, 0, 0, 0]
}

unsafe extern "C" fn wal_write(
    file: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    unsafe {
        let (f, real) = real(file);
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), amount.max(0) as usize);
        let rewrite = offset == (*f).last_read;
        (*f).last_read = -1;
        let fm = &mut *f;
        let end = fm.start + fm.gathered.len() as i64;
        let appends = !fm.gathered.is_empty()
            && offset == end
            && fm.gathered.len() + bytes.len() <= MAX_GATHERED;
        if rewrite {
            let rc = hand_over(f);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            // Should this be a commit frame's header after all (appended where a frame of an
            // earlier log was read), its page, gathered next, is handed over at once.
            (*f).commit_pending = is_commit_header(bytes);
            return match methods(real).xWrite {
                Some(write) => write(real, data, amount, offset),
                None => ffi::SQLITE_IOERR_WRITE,
            };
        }
        if appends {
            fm.gathered.extend_from_slice(bytes);
        } else if offset >= fm.start && offset + bytes.len() as i64 <= end {
            let at = (offset - fm.start) as usize;
            fm.gathered[at..at + bytes.len()].copy_from_slice(bytes);
        } else {
            // A commit frame's header may be gathered already, its page starting a new run.
            let pending = fm.commit_pending;
            let rc = hand_over(f);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            let fm = &mut *f;
            fm.commit_pending = pending;
            fm.start = offset;
            fm.gathered.extend_from_slice(bytes);
        }
        let fm = &mut *f;
        if is_commit_header(bytes) {
            fm.commit_pending = true;
            ffi::SQLITE_OK
        } else if fm.commit_pending {
            // The commit frame's page: the commit is complete, hand it over before SQLite
            // publishes it.
            hand_over(f)
        } else {
            ffi::SQLITE_OK
        }
    }
}

unsafe extern "C" fn wal_read(
    file: *mut ffi::sqlite3_file,
    data: *mut c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    unsafe {
        let (f, real) = real(file);
        let rc = hand_over_before(f);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        (*f).last_read = offset;
        match methods(real).xRead {
            Some(read) => read(real, data, amount, offset),
            None => ffi::SQLITE_IOERR_READ,
        }
    }
}

/// A log method that first hands the gathered bytes over, then forwards.
macro_rules! handing_over {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*), $missing:expr) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            unsafe {
                let (f, real) = real(file);
                (*f).last_read = -1;
                let rc = hand_over_before(f);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                match methods(real).$method {
                    Some(m) => m(real $(, $arg)*),
                    None => $missing,
                }
            }
        }
    };
}

handing_over!(wal_sync, xSync, (flags: c_int), ffi::SQLITE_IOERR_FSYNC);
handing_over!(wal_truncate, xTruncate, (size: i64), ffi::SQLITE_IOERR_TRUNCATE);
handing_over!(wal_file_size, xFileSize, (size: *mut i64), ffi::SQLITE_IOERR_FSTAT);
handing_over!(wal_file_control, xFileControl, (op: c_int, arg: *mut c_void), ffi::SQLITE_NOTFOUND);

/// A method that forwards unchanged to the platform's file.
macro_rules! forward {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty, $missing:expr) => {
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> $ret {
            unsafe {
                let (_, real) = real(file);
                match methods(real).$method {
                    Some(m) => m(real $(, $arg)*),
                    None => $missing,
                }
            }
        }
    };
}

forward!(db_read, xRead, (data: *mut c_void, amount: c_int, offset: i64) -> c_int, ffi::SQLITE_IOERR_READ);
forward!(db_write, xWrite, (data: *const c_void, amount: c_int, offset: i64) -> c_int, ffi::SQLITE_IOERR_WRITE);
forward!(db_truncate, xTruncate, (size: i64) -> c_int, ffi::SQLITE_IOERR_TRUNCATE);
forward!(db_sync, xSync, (flags: c_int) -> c_int, ffi::SQLITE_IOERR_FSYNC);
forward!(db_file_size, xFileSize, (size: *mut i64) -> c_int, ffi::SQLITE_IOERR_FSTAT);
forward!(db_file_control, xFileControl, (op: c_int, arg: *mut c_void) -> c_int, ffi::SQLITE_NOTFOUND);
forward!(lock, xLock, (level: c_int) -> c_int, ffi::SQLITE_OK);
forward!(unlock, xUnlock, (level: c_int) -> c_int, ffi::SQLITE_OK);
forward!(check_reserved_lock, xCheckReservedLock, (out: *mut c_int) -> c_int, ffi::SQLITE_OK);
forward!(sector_size, xSectorSize, () -> c_int, 4096);
forward!(device_characteristics, xDeviceCharacteristics, () -> c_int, 0);
forward!(shm_map, xShmMap, (page: c_int, size: c_int, extend: c_int, out: *mut *mut c_void) -> c_int, ffi::SQLITE_IOERR_SHMMAP);
forward!(shm_unmap, xShmUnmap, (delete: c_int) -> c_int, ffi::SQLITE_OK);
forward!(fetch, xFetch, (offset: i64, amount: c_int, out: *mut *mut c_void) -> c_int, {
    // Without memory mapping SQLite reads instead.
    *out = ptr::null_mut();
    ffi::SQLITE_OK
});
forward!(unfetch, xUnfetch, (offset: i64, page: *mut c_void) -> c_int, ffi::SQLITE_OK);

/// The database's log must hold nothing gathered when the wal-index changes (SQLite publishes a
/// commit between two barriers). A hand-over that fails here cannot be reported to SQLite,
/// whose next reader would read frames that never reached the file: stop, as on a failed sync.
unsafe fn db_log_handed_over(file: *mut ffi::sqlite3_file) {
    unsafe {
        let f = file.cast::<File>();
        let log = (*f).peer;
        if !log.is_null() && hand_over(log) != ffi::SQLITE_OK {
            tracing::error!(
                "writing the SQLite write-ahead log failed before a commit was published: stopping"
            );
            eprintln!("cartella: the database log could not be written; stopping");
            std::process::abort();
        }
    }
}

unsafe extern "C" fn shm_barrier(file: *mut ffi::sqlite3_file) {
    unsafe {
        db_log_handed_over(file);
        let (_, real) = real(file);
        if let Some(m) = methods(real).xShmBarrier {
            m(real);
        }
    }
}

unsafe extern "C" fn shm_lock(
    file: *mut ffi::sqlite3_file,
    at: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    unsafe {
        db_log_handed_over(file);
        let (_, real) = real(file);
        match methods(real).xShmLock {
            Some(m) => m(real, at, n, flags),
            None => ffi::SQLITE_IOERR_SHMLOCK,
        }
    }
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    unsafe {
        let (f, real) = real(file);
        let mut rc = hand_over(f);
        let peer = (*f).peer;
        if !peer.is_null() {
            (*peer).peer = ptr::null_mut();
        }
        let closed = match methods(real).xClose {
            Some(m) => m(real),
            None => ffi::SQLITE_OK,
        };
        if rc == ffi::SQLITE_OK {
            rc = closed;
        }
        ptr::drop_in_place(f);
        rc
    }
}

const DB: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(db_read),
    xWrite: Some(db_write),
    xTruncate: Some(db_truncate),
    xSync: Some(db_sync),
    xFileSize: Some(db_file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(db_file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: Some(shm_map),
    xShmLock: Some(shm_lock),
    xShmBarrier: Some(shm_barrier),
    xShmUnmap: Some(shm_unmap),
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

static DB_METHODS: ffi::sqlite3_io_methods = DB;
static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    xRead: Some(wal_read),
    xWrite: Some(wal_write),
    xTruncate: Some(wal_truncate),
    xSync: Some(wal_sync),
    xFileSize: Some(wal_file_size),
    xFileControl: Some(wal_file_control),
    ..DB
};

#[cfg(test)]
#[path = "gathered_wal_tests.rs"]
mod tests;
