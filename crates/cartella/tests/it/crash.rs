//! Crash safety of the real `cartella` process: `kill -9` while acknowledged writes are in
//! flight loses none of them, and the audit trail still verifies afterwards.

use crate::support;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

const TOKEN: &str = "crash-test-service-token-0123456789abcdef";
const TENANT: &str = "crash";
const WRITERS: usize = 8;
const PATIENTS: usize = 4;
const WRITE_FOR: Duration = Duration::from_millis(1500);
const START_DEADLINE: Duration = Duration::from_secs(30);

/// Where one backend's data lives, and how to point the binary at it.
struct Setup {
    backend: &'static str,
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Setup {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cartella"));
        // A clean environment: nothing from the caller's CARTELLA_* settings leaks in.
        cmd.env_clear()
            .current_dir(self.dir.path())
            .env("CARTELLA_DATA_DIR", self.data_dir())
            .env("CARTELLA_SERVICE_TOKEN", TOKEN)
            .env("CARTELLA_LOG", "warn")
            .args(args);
        if let Some(url) = &self.database_url {
            cmd.env("CARTELLA_DATABASE_URL", url);
        }
        cmd
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Run a command to completion; returns (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self.command(args).output().expect("run cartella");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }
}

/// A running `cartella serve`; killed (SIGKILL) and reaped when dropped, also on panic.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    fn start(setup: &Setup, n: usize) -> Server {
        let log = setup.dir.path().join(format!("serve-{n}.log"));
        let stderr = std::fs::File::create(&log).expect("log file");
        let mut child = setup
            .command(&["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn cartella serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        // Keep draining stdout for the life of the process, so it never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // Nobody listens after the address line; keep reading anyway.
                let _ = tx.send(line);
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            log,
        };
        let deadline = Instant::now() + START_DEADLINE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = line.strip_prefix("cartella listening on http://") {
                        server.addr = addr.trim().to_owned();
                        break;
                    }
                    seen.push(line);
                }
                Err(e) => panic!(
                    "{}: cartella serve did not report its address ({e:?}); stdout: {seen:?}; stderr:\n{}",
                    setup.backend,
                    server.log_text()
                ),
            }
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/fhir/R4/{path}", self.addr)
    }

    fn log_text(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    fn sigkill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Graceful stop with SIGTERM; falls back to SIGKILL after a deadline. True if it exited
    /// by itself with success.
    fn stop(&mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success());
        if sent {
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = self.child.try_wait() {
                    return status.success();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.sigkill();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.sigkill();
        }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client")
}

fn authed(req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    req.bearer_auth(TOKEN).header("X-Cartella-Tenant", TENANT)
}

async fn create(
    client: &reqwest::Client,
    server: &Server,
    rtype: &str,
    body: &Value,
) -> reqwest::Result<(u16, Option<String>)> {
    let resp = authed(client.post(server.url(rtype)))
        .header("Content-Type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await?;
    let status = resp.status().as_u16();
    let body: Value = resp.json().await?;
    Ok((status, body["id"].as_str().map(str::to_owned)))
}

fn observation(patient: &str, writer: usize, i: usize) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "effectiveDateTime": "2024-05-01T10:00:00Z",
        "valueQuantity": {"value": 60 + (i % 40), "unit": "beats/minute"},
        "note": [{"text": format!("writer {writer} write {i}")}],
    })
}

async fn crash_case(setup: Setup) {
    let name = setup.backend;
    let (code, out, err) = setup.run(&["tenant", "add", TENANT, "--name", "Crash"]);
    assert_eq!(code, Some(0), "{name}: tenant add: {out} {err}");

    let mut server = Server::start(&setup, 1);
    let http = client();
    let mut patients = Vec::new();
    for i in 0..PATIENTS {
        let body = json!({"resourceType": "Patient", "name": [{"family": format!("Crash{i}"), "given": ["Test"]}]});
        let (status, id) = create(&http, &server, "Patient", &body)
            .await
            .expect("create patient");
        assert_eq!(status, 201, "{name}: create patient");
        patients.push(id.expect("patient id"));
    }

    // Writers POST Observations as fast as they can and record every acknowledged (201) id.
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let refused: Arc<Mutex<Vec<u16>>> = Arc::default();
    let killed = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (http, url, patients) = (http.clone(), server.url("Observation"), patients.clone());
        let (acked, refused, killed) = (acked.clone(), refused.clone(), killed.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            loop {
                let patient = &patients[(writer + i) % patients.len()];
                let sent = authed(http.post(&url))
                    .header("Content-Type", "application/fhir+json")
                    .body(observation(patient, writer, i).to_string())
                    .send()
                    .await;
                let outcome = match sent {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        resp.json::<Value>()
                            .await
                            .map(|b| (status, b["id"].as_str().map(str::to_owned)))
                    }
                    Err(e) => Err(e),
                };
                match outcome {
                    Ok((201, Some(id))) => acked.lock().unwrap().push((id, patient.clone())),
                    Ok((status, _)) => refused.lock().unwrap().push(status),
                    // The server is gone: writes in flight at the kill are not acknowledged.
                    Err(_) if killed.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("writer {writer}: transport error before the kill: {e}"),
                }
                i += 1;
            }
        }));
    }
    tokio::time::sleep(WRITE_FOR).await;
    let before_kill = acked.lock().unwrap().len();
    killed.store(true, Ordering::SeqCst);
    server.sigkill();
    for w in writers {
        w.await.expect("writer task");
    }
    let acked = acked.lock().unwrap().clone();
    let refused = refused.lock().unwrap().clone();
    eprintln!(
        "{name}: {} writes acknowledged before kill -9 ({before_kill} when it was sent)",
        acked.len()
    );
    assert!(
        refused.is_empty(),
        "{name}: the live server refused writes: {refused:?}\n{}",
        server.log_text()
    );
    assert!(
        acked.len() >= 20,
        "{name}: only {} writes acknowledged; the test proves little",
        acked.len()
    );

    // Restart on the same data: every acknowledged write is there.
    let mut server = Server::start(&setup, 2);
    let mut missing = Vec::new();
    for (rtype, id, patient) in patients.iter().map(|p| ("Patient", p.clone(), None)).chain(
        acked
            .iter()
            .map(|(id, p)| ("Observation", id.clone(), Some(p.clone()))),
    ) {
        let resp = authed(http.get(server.url(&format!("{rtype}/{id}"))))
            .send()
            .await
            .expect("read after restart");
        let status = resp.status().as_u16();
        if status != 200 {
            missing.push(format!("{rtype}/{id}: {status}"));
            continue;
        }
        let body: Value = resp.json().await.expect("json");
        if let Some(p) = patient {
            assert_eq!(
                body["subject"]["reference"],
                format!("Patient/{p}"),
                "{name}: {rtype}/{id} content"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "{name}: {} of {} acknowledged writes lost after kill -9: {:?}",
        missing.len(),
        acked.len() + patients.len(),
        &missing[..missing.len().min(20)]
    );

    let graceful = server.stop();
    assert!(
        graceful,
        "{name}: cartella serve did not stop cleanly on SIGTERM:\n{}",
        server.log_text()
    );
    if setup.database_url.is_none() {
        // A clean stop copies the whole log into the database file and empties it.
        let wal = setup.data_dir().join("cartella.db-wal");
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(
            left, 0,
            "{name}: {left} bytes of log left after a clean stop"
        );
    }

    let (code, out, err) = setup.run(&["audit", "verify"]);
    assert_eq!(code, Some(0), "{name}: audit verify failed:\n{out}\n{err}");
    assert!(
        out.contains("audit trail OK"),
        "{name}: audit verify says:\n{out}\n{err}"
    );
    // Each write commits with its audit event: the chain holds at least the tenant's creation
    // and one event per acknowledged write.
    let verified: u64 = out
        .lines()
        .find_map(|l| {
            l.strip_prefix("OK")?
                .trim()
                .strip_prefix(&format!("{TENANT}: "))?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{name}: no count for {TENANT} in:\n{out}"));
    let writes = (1 + patients.len() + acked.len()) as u64;
    assert!(
        verified >= writes,
        "{name}: {verified} audit events verified, but {writes} writes were acknowledged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_loses_no_acknowledged_write_sqlite() {
    let setup = Setup {
        backend: "sqlite",
        dir: tempfile::tempdir().expect("temp dir"),
        database_url: None,
    };
    crash_case(setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_loses_no_acknowledged_write_postgres() {
    let Some(url) = support::fresh_pg_url().await else {
        return;
    };
    let setup = Setup {
        backend: "postgres",
        dir: tempfile::tempdir().expect("temp dir"),
        database_url: Some(url),
    };
    crash_case(setup).await;
}
