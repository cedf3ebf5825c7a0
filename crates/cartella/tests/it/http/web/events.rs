//! Live updates: a page's event stream hears about a colleague's edit of a record of its
//! practice (who and which version), and never about another practice's records.

use super::*;
use futures_util::StreamExt;

async fn next_change(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    want: &str,
) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await;
        let Ok(Some(Ok(bytes))) = chunk else { break };
        seen.push_str(&String::from_utf8_lossy(&bytes));
        if let Some(line) = seen
            .lines()
            .find(|l| l.starts_with("data:") && l.contains(want))
        {
            return line.to_owned();
        }
    }
    panic!("no event containing {want}; stream so far: {seen}");
}

#[tokio::test]
async fn a_colleagues_edit_reaches_an_open_page() {
    for world in support::worlds().await {
        let app = spawn_app(&world).await;
        staff(&app, "sec@a.example", "secretary").await;
        staff(&app, "doc@a.example", "doctor").await;
        let mut sec = Browser::new(&app);
        sec.sign_in("sec@a.example").await;
        let id = register(&mut sec, "Ricci", "Sara", "1999-09-09").await;
        let mut doc = Browser::new(&app);
        doc.sign_in("doc@a.example").await;
        let events = doc.open_stream("/events").await;
        assert_eq!(
            events.headers().get("content-type").unwrap(),
            "text/event-stream"
        );
        let mut stream = events.bytes_stream();
        // Another practice's write is not announced here.
        app.store
            .create(
                &app.tenant_b,
                "Patient",
                serde_json::json!({"resourceType": "Patient", "gender": "male"}),
                Default::default(),
            )
            .await
            .unwrap();
        let edit = sec.get(&format!("/patients/{id}/edit")).await;
        let version = hidden(&edit.text, "version").unwrap();
        let r = sec
            .submit(
                &format!("/patients/{id}/edit"),
                &format!("/patients/{id}/edit"),
                &[
                    ("family", "Ricci"),
                    ("given", "Sara"),
                    ("birth_date", "1999-09-09"),
                    ("sex", "female"),
                    ("phone", "+39 06 5550005"),
                    ("version", &version),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let line = next_change(&mut stream, &id).await;
        assert!(
            line.contains("\"type\":\"Patient\"") && line.contains("\"version\":2"),
            "{line}"
        );
        assert!(
            line.contains("Staff secretary"),
            "names who changed it: {line}"
        );
        assert!(!line.contains("5550005"), "no content in events: {line}");
    }
}
