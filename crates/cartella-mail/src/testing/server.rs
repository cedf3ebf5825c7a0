//! The test SMTP server: one tokio task accepting on `127.0.0.1:0`, one task per connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::ReceivedMail;

/// Longest command or data line accepted, and largest message, before the connection is dropped.
const MAX_LINE: u64 = 64 * 1024;
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// How the server misbehaves, to exercise a sender's error handling.
#[derive(Debug, Clone, Default)]
pub struct TestSmtpOptions {
    /// Answer `RCPT TO` with `550` when the address contains this text (e.g. `"bounce"`).
    pub reject_recipients_containing: Option<String>,
    /// Answer the end of `DATA` with `451` (and keep nothing) for this many messages first.
    pub transient_failures: usize,
}

struct Shared {
    options: TestSmtpOptions,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    arrived: Notify,
    transient_left: AtomicUsize,
    connections: AtomicUsize,
}

/// A real SMTP server for tests; stops when dropped.
pub struct TestSmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl TestSmtpServer {
    /// Starts a well-behaved server that accepts everything.
    pub async fn start() -> Self {
        Self::start_with(TestSmtpOptions::default()).await
    }

    /// Starts a server with the given failure behaviour.
    ///
    /// # Panics
    /// If no port can be bound on 127.0.0.1.
    pub async fn start_with(options: TestSmtpOptions) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind test SMTP server on 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("local address of test SMTP server");
        let shared = Arc::new(Shared {
            transient_left: AtomicUsize::new(options.transient_failures),
            options,
            received: Arc::new(Mutex::new(Vec::new())),
            arrived: Notify::new(),
            connections: AtomicUsize::new(0),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&accept_shared);
                tokio::spawn(async move {
                    let (read, write) = stream.into_split();
                    // A client hanging up mid-session is not the server's problem.
                    let _ = session(BufReader::new(read), write, &shared).await;
                });
            }
        });
        TestSmtpServer {
            addr,
            shared,
            accept_task,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared list every accepted mail is appended to.
    pub fn messages(&self) -> Arc<Mutex<Vec<ReceivedMail>>> {
        Arc::clone(&self.shared.received)
    }

    /// A snapshot of the mails accepted so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.shared.received).clone()
    }

    /// How many TCP connections the server has accepted (to prove a client never connected).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` mails have been accepted or `timeout` passes, and returns the
    /// mails accepted by then (fewer than `n` on timeout: assert on the length).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before the check, so an arrival in between still wakes us.
            let arrived = self.shared.arrived.notified();
            {
                let mails = lock(&self.shared.received);
                if mails.len() >= n {
                    return mails.clone();
                }
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.received();
            }
        }
    }
}

impl Drop for TestSmtpServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl std::fmt::Debug for TestSmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSmtpServer")
            .field("addr", &self.addr)
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

fn lock(mails: &Mutex<Vec<ReceivedMail>>) -> std::sync::MutexGuard<'_, Vec<ReceivedMail>> {
    // A test that panicked while holding the lock must not hide the mails from the next assertion.
    mails
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The envelope of the transaction in progress.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    recipients: Vec<String>,
}

async fn session<R, W>(mut reader: R, mut writer: W, shared: &Shared) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    writer
        .write_all(b"220 cartella-test ESMTP ready\r\n")
        .await?;
    let mut tx = Transaction::default();
    let mut line = Vec::new();
    loop {
        if read_line(&mut reader, &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = text.split_once(' ').unwrap_or((text, ""));
        let reply: &[u8] = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => b"250-cartella-test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n",
            "HELO" => b"250 cartella-test\r\n",
            "MAIL" => match path_after(arg, "FROM:") {
                _ if tx.from.is_some() => b"503 5.5.1 nested MAIL command\r\n",
                Some(from) => {
                    tx = Transaction {
                        from: Some(from),
                        recipients: Vec::new(),
                    };
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match path_after(arg, "TO:") {
                _ if tx.from.is_none() => b"503 5.5.1 need MAIL before RCPT\r\n",
                Some(to) if rejects(&shared.options, &to) => b"550 5.1.1 mailbox unavailable\r\n",
                Some(to) => {
                    tx.recipients.push(to);
                    b"250 2.1.5 OK\r\n"
                }
                None => b"501 5.5.4 syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if tx.recipients.is_empty() => b"503 5.5.1 need RCPT before DATA\r\n",
            "DATA" => {
                writer
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let tx = std::mem::take(&mut tx);
                accept(shared, tx, data)
            }
            "RSET" => {
                tx = Transaction::default();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                writer.write_all(b"221 2.0.0 bye\r\n").await?;
                return writer.shutdown().await;
            }
            _ => b"502 5.5.2 command not recognized\r\n",
        };
        writer.write_all(reply).await?;
    }
}

/// Decides the reply to the end of `DATA`, storing the mail when it is accepted.
fn accept(shared: &Shared, tx: Transaction, data: Option<String>) -> &'static [u8] {
    let Some(data) = data else {
        return b"552 5.3.4 message too big\r\n";
    };
    let refuse = shared
        .transient_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if refuse {
        return b"451 4.3.0 try again later\r\n";
    }
    lock(&shared.received).push(ReceivedMail {
        from: tx.from.unwrap_or_default(),
        recipients: tx.recipients,
        data,
    });
    shared.arrived.notify_waiters();
    b"250 2.0.0 queued\r\n"
}

fn rejects(options: &TestSmtpOptions, recipient: &str) -> bool {
    options
        .reject_recipients_containing
        .as_deref()
        .is_some_and(|pattern| recipient.contains(pattern))
}

/// `FROM:<a@b> SIZE=10` → `a@b`; the keyword is matched case-insensitively.
fn path_after(arg: &str, keyword: &str) -> Option<String> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// Reads one line (with its line break) of at most [`MAX_LINE`] bytes; 0 at end of stream.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    line.clear();
    let n = (&mut *reader)
        .take(MAX_LINE)
        .read_until(b'\n', line)
        .await?;
    if n > 0 && !line.ends_with(b"\n") && n as u64 == MAX_LINE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(n)
}

/// Reads the message after `354` up to the `.` line, undoing dot-stuffing. `None` when it was
/// larger than [`MAX_MESSAGE`] (the rest is still read, so the session stays in step).
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<String>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    let mut too_big = false;
    loop {
        if read_line(reader, &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + content.len() > MAX_MESSAGE {
            too_big = true;
        } else {
            data.extend_from_slice(content);
        }
    }
    if too_big {
        return Ok(None);
    }
    // The line break before the final dot belongs to the terminator, not to the message.
    if data.ends_with(b"\r\n") {
        data.truncate(data.len() - 2);
    }
    Ok(Some(String::from_utf8_lossy(&data).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            path_after("FROM:<a@b.example> SIZE=1", "FROM:").unwrap(),
            "a@b.example"
        );
        assert_eq!(
            path_after("from: <a@b.example>", "FROM:").unwrap(),
            "a@b.example"
        );
        assert_eq!(path_after("TO:<>", "TO:").unwrap(), "");
        assert_eq!(path_after("TO:a@b", "TO:"), None);
        assert_eq!(path_after("X", "FROM:"), None);
    }
}
