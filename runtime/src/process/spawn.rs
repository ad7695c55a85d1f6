//! Starting the child: this very binary, re-executed, with its end of a
//! socket on a known descriptor.
//!
//! Re-executing rather than `fork()`ing: the parent is multi-threaded (its
//! scheduler, threaded components, other children's bridges), and a forked
//! copy of it could inherit locks held by threads that do not exist in the
//! child.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

use super::{CHILD_ENV, TEST_ENTRY};

/// The descriptor the child finds its socket on.
const CHILD_FD: RawFd = 3;

/// Starts a child and returns it with the parent's end of the socket.
pub(crate) fn spawn_child() -> io::Result<(Child, UnixStream)> {
    let exe = std::env::current_exe()?;
    let (ours, theirs) = UnixStream::pair()?;
    let fd = theirs.as_raw_fd();
    let mut command = Command::new(exe);
    // In a binary with its own `main`, `init` takes over before anything
    // reads these; a test binary's harness reads them and runs only the
    // entry test `process_test_entry!` defines.
    command
        .args([TEST_ENTRY, "--quiet", "--test-threads=1", "--nocapture"])
        .env(CHILD_ENV, std::process::id().to_string())
        .stdin(Stdio::null());
    // SAFETY: the closure runs in the child between fork and exec, and only
    // calls `dup2`, `fcntl` and `prctl`, which are async-signal-safe; it touches no
    // memory the parent's other threads may have been changing.
    unsafe {
        command.pre_exec(move || {
            if fd == CHILD_FD {
                // Already in place: only the close-on-exec flag must go.
                if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
            } else if libc::dup2(fd, CHILD_FD) == -1 {
                return Err(io::Error::last_os_error());
            }
            // Die with the thread that started us, so a parent killed
            // outright leaves no orphan computing for nobody.
            #[cfg(target_os = "linux")]
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    drop(theirs);
    Ok((child, ours))
}

/// Whether the known descriptor holds a socket (a child's, from its
/// parent).
pub(crate) fn child_socket_present() -> bool {
    // SAFETY: `fstat` only writes into the zeroed struct we pass it.
    unsafe {
        let mut stat: libc::stat = std::mem::zeroed();
        libc::fstat(CHILD_FD, &mut stat) == 0 && (stat.st_mode & libc::S_IFMT) == libc::S_IFSOCK
    }
}

/// In the child: the socket the parent left on the known descriptor, if it
/// is there and is a socket. It is made close-on-exec: a program the
/// component starts must not hold the link open (the parent would not see
/// the child's end while that program lives).
pub(crate) fn child_socket() -> io::Result<UnixStream> {
    if !child_socket_present() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{CHILD_ENV} is set but descriptor {CHILD_FD} is not a socket: \
                 this process was not started by a myelin process component"
            ),
        ));
    }
    // SAFETY: `fcntl` on an open descriptor has no memory-safety
    // preconditions.
    if unsafe { libc::fcntl(CHILD_FD, libc::F_SETFD, libc::FD_CLOEXEC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the descriptor is open (fstat succeeded) and was placed there
    // for this process alone by the parent; nothing else in the child owns it.
    Ok(unsafe { UnixStream::from_raw_fd(CHILD_FD) })
}
