//! The `cartella` command line, run as a real process: help, settings layering, tenants, key
//! handling (missing, wrong, rotated) and audit verification.

use std::path::Path;
use std::process::{Command, Output};

fn cartella(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cartella"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARTELLA_DATA_DIR")
        .env_remove("CARTELLA_DATABASE_URL")
        .env_remove("CARTELLA_MASTER_KEY")
        .env_remove("CARTELLA_MASTER_KEY_FILE")
        .env_remove("CARTELLA_CONFIG")
        .output()
        .expect("run cartella")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = cartella(dir.path(), &["--help"]);
    assert!(out.status.success());
    for cmd in [
        "serve", "migrate", "tenant", "keys", "audit", "patient", "reindex", "bench",
    ] {
        assert!(text(&out).contains(cmd), "--help lists {cmd}");
        let sub = cartella(dir.path(), &[cmd, "--help"]);
        assert!(sub.status.success(), "{cmd} --help: {}", text(&sub));
    }
    assert!(
        !dir.path().join("cartella-data").exists(),
        "help touches nothing"
    );
}

#[test]
fn tenants_keys_and_audit_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = cartella(
        d,
        &["tenant", "add", "studio-rossi", "--name", "Studio Rossi"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let key_file = d.join("cartella-data/master.key");
    let original_key = std::fs::read_to_string(&key_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(d.join("cartella-data"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }
    let bad = cartella(d, &["tenant", "add", "Bad Slug", "--name", "x"]);
    assert!(
        !bad.status.success() && text(&bad).contains("invalid tenant slug"),
        "{}",
        text(&bad)
    );
    let dup = cartella(d, &["tenant", "add", "studio-rossi", "--name", "Again"]);
    assert!(
        !dup.status.success() && text(&dup).contains("taken"),
        "{}",
        text(&dup)
    );

    let list = cartella(d, &["tenant", "list"]);
    assert!(text(&list).contains("studio-rossi"), "{}", text(&list));

    let rotate = cartella(d, &["keys", "rotate"]);
    assert!(rotate.status.success(), "{}", text(&rotate));
    let rotated_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(original_key, rotated_key, "the key file was replaced");
    let reindex = cartella(d, &["reindex"]);
    assert!(
        reindex.status.success()
            && text(&reindex).contains("studio-rossi: 0 resource(s) reindexed"),
        "{}",
        text(&reindex)
    );
    let unknown = cartella(d, &["reindex", "--tenant", "nobody"]);
    assert!(!unknown.status.success(), "{}", text(&unknown));
    let verify = cartella(d, &["audit", "verify"]);
    assert!(
        verify.status.success() && text(&verify).contains("audit trail OK"),
        "{}",
        text(&verify)
    );

    // The old key no longer opens the database.
    std::fs::write(&key_file, &original_key).unwrap();
    let wrong = cartella(d, &["tenant", "list"]);
    assert!(!wrong.status.success(), "old key refused");
    assert!(
        text(&wrong).contains("master key does not match"),
        "{}",
        text(&wrong)
    );

    // A missing key file for existing data is an error, never a fresh key.
    std::fs::remove_file(&key_file).unwrap();
    let missing = cartella(d, &["tenant", "list"]);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("does not exist"),
        "{}",
        text(&missing)
    );
    assert!(
        !key_file.exists(),
        "no new key was generated for existing data"
    );

    std::fs::write(&key_file, &rotated_key).unwrap();
    let erase = cartella(
        d,
        &["patient", "erase", "--tenant", "studio-rossi", "--id", "p1"],
    );
    assert!(
        !erase.status.success() && text(&erase).contains("--yes"),
        "{}",
        text(&erase)
    );
    let erase = cartella(
        d,
        &[
            "patient",
            "erase",
            "--tenant",
            "studio-rossi",
            "--id",
            "p1",
            "--yes",
        ],
    );
    assert!(erase.status.success(), "{}", text(&erase));
    let verify = cartella(d, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
}

#[test]
fn settings_layer_file_then_environment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("cartella.toml"), "data_dir = \"from-file\"\n").unwrap();
    assert!(cartella(d, &["migrate"]).status.success());
    assert!(
        d.join("from-file/cartella.db").exists(),
        "cartella.toml is read"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_cartella"))
        .args(["migrate"])
        .current_dir(d)
        .env("CARTELLA_DATA_DIR", d.join("from-env"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        d.join("from-env/cartella.db").exists(),
        "environment overrides the file"
    );

    std::fs::write(d.join("cartella.toml"), "listen = 5\n").unwrap();
    let bad = cartella(d, &["migrate"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("invalid settings file"),
        "{}",
        text(&bad)
    );
    std::fs::write(d.join("cartella.toml"), "colour = \"blue\"\n").unwrap();
    assert!(
        text(&cartella(d, &["migrate"])).contains("unknown field"),
        "typos in settings are reported"
    );
}

#[test]
fn a_foreign_file_is_refused_as_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("notes.db"), "not a database ".repeat(100)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cartella"))
        .args(["migrate", "--database-url", "sqlite://notes.db"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a Cartella database"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read(d.join("notes.db")).unwrap(),
        "not a database ".repeat(100).into_bytes(),
        "left untouched"
    );
}

#[test]
fn users_clients_and_demo_data_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        cartella(d, &["tenant", "add", "studio", "--name", "Studio"])
            .status
            .success()
    );
    let weak = Command::new(env!("CARGO_BIN_EXE_cartella"))
        .args([
            "user",
            "add",
            "--tenant",
            "studio",
            "--email",
            "ada@studio.test",
            "--name",
            "Ada",
            "--roles",
            "doctor",
        ])
        .env("CARTELLA_NEW_PASSWORD", "password")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!weak.status.success());
    assert!(
        text(&weak).contains("password: use at least 12 characters"),
        "{}",
        text(&weak)
    );
    let ok = Command::new(env!("CARGO_BIN_EXE_cartella"))
        .args([
            "user",
            "add",
            "--tenant",
            "studio",
            "--email",
            "ada@studio.test",
            "--name",
            "Ada",
            "--roles",
            "doctor,nurse",
        ])
        .env("CARTELLA_NEW_PASSWORD", "Ambulatorio-2024!x")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", text(&ok));
    let bad_role = cartella(
        d,
        &[
            "user",
            "add",
            "--tenant",
            "studio",
            "--email",
            "x@studio.test",
            "--name",
            "X",
            "--roles",
            "wizard",
        ],
    );
    assert!(
        !bad_role.status.success() && text(&bad_role).contains("unknown role 'wizard'"),
        "{}",
        text(&bad_role)
    );
    let client = cartella(
        d,
        &[
            "client",
            "add",
            "--tenant",
            "studio",
            "--name",
            "Lab",
            "--scopes",
            "system/*.read",
            "--rate-limit",
            "off",
        ],
    );
    assert!(client.status.success(), "{}", text(&client));
    let out = String::from_utf8_lossy(&client.stdout);
    assert!(
        out.contains("client_id: c-") && out.contains("client_secret: "),
        "{out}"
    );
    let demo = cartella(d, &["demo", "seed"]);
    assert!(demo.status.success(), "{}", text(&demo));
    let listing = String::from_utf8_lossy(&demo.stdout);
    for role in [
        "administrator",
        "doctor",
        "secretary",
        "patient",
        "external",
    ] {
        assert!(listing.contains(&format!("{role}@demo.demo")), "{listing}");
    }
    let verify = cartella(d, &["audit", "verify"]);
    assert!(
        verify.status.success() && text(&verify).contains("audit trail OK"),
        "{}",
        text(&verify)
    );
}
