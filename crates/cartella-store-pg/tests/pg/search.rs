//! Search and count: each kind of clause, negation, and keyset paging.

use crate::support::search::*;
use crate::support::*;
use cartella_core::TenantId;
use cartella_store::search::*;
use cartella_store::*;

#[tokio::test]
async fn search_clauses() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    seed(&db, &t).await;
    let q = |clauses| plan(&t, clauses);
    let tok = |system: Option<&str>, code: Option<&str>| Match::Token {
        system: system.map(Into::into),
        code: code.map(Into::into),
    };

    assert_eq!(
        ids(&db, &q(vec![])).await,
        ["o1", "o2", "o3", "o4"],
        "deleted and other types excluded"
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index("code", vec![tok(None, Some("8867-4"))])])
        )
        .await,
        ["o1", "o3"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index("code", vec![tok(Some(""), Some("8867-4"))])])
        )
        .await,
        ["o3"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "code",
                vec![tok(Some("http://loinc.org"), None)]
            )])
        )
        .await,
        ["o1", "o2"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "code",
                vec![tok(None, Some("x")), tok(None, Some("8310-5"))]
            )])
        )
        .await,
        ["o2", "o4"]
    );
    assert_eq!(
        ids(&db, &q(vec![index("status", vec![tok(None, None)])]))
            .await
            .len(),
        4
    );
    let not = Clause::Index {
        params: vec!["code".into()],
        negate: true,
        any_of: vec![tok(None, Some("8867-4"))],
    };
    assert_eq!(ids(&db, &q(vec![not])).await, ["o2", "o4"]);
    // The param name is part of the match: a code under another param does not count.
    assert!(
        ids(
            &db,
            &q(vec![index("status", vec![tok(None, Some("8867-4"))])])
        )
        .await
        .is_empty()
    );

    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "identifier",
                vec![Match::Blind(vec![[2; 16], [4; 16], [5; 16]])]
            )])
        )
        .await,
        ["o2", "o4"]
    );

    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "text",
                vec![string("heart", StringMatch::Prefix)]
            )])
        )
        .await,
        ["o1", "o3", "o4"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "text",
                vec![string("heart rate", StringMatch::Exact)]
            )])
        )
        .await,
        ["o1"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "text",
                vec![string("rate", StringMatch::Contains)]
            )])
        )
        .await,
        ["o1", "o3"]
    );
    // LIKE metacharacters are literal.
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "text",
                vec![string("t_r", StringMatch::Contains)]
            )])
        )
        .await,
        ["o3"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![index(
                "text",
                vec![string("100%", StringMatch::Contains)]
            )])
        )
        .await,
        ["o3"]
    );
    assert!(
        ids(
            &db,
            &q(vec![index("text", vec![string("%", StringMatch::Prefix)])])
        )
        .await
        .is_empty()
    );

    let date = |cond| index("date", vec![Match::Date(cond)]);
    assert_eq!(
        ids(
            &db,
            &q(vec![date(DateCond {
                lo_ge: Some(2_000),
                hi_le: Some(3_999),
                ..Default::default()
            })])
        )
        .await,
        ["o2", "o3"]
    );
    assert_eq!(
        ids(
            &db,
            &q(vec![date(DateCond {
                hi_ge: Some(3_500),
                ..Default::default()
            })])
        )
        .await,
        ["o3", "o4"]
    );

    let subject = |ty: Option<&str>, id: &str| {
        index(
            "subject",
            vec![Match::Ref {
                target_type: ty.map(Into::into),
                target_id: id.into(),
            }],
        )
    };
    assert_eq!(ids(&db, &q(vec![subject(None, "p2")])).await, ["o3", "o4"]);
    assert_eq!(
        ids(&db, &q(vec![subject(Some("Patient"), "p1")])).await,
        ["o1", "o2"]
    );
    assert!(
        ids(&db, &q(vec![subject(Some("Group"), "p1")]))
            .await
            .is_empty()
    );

    let qty = |min, max, code: Option<&str>| {
        index(
            "value",
            vec![Match::Quantity {
                cond: NumCond { min, max },
                system: None,
                code: code.map(Into::into),
            }],
        )
    };
    assert_eq!(
        ids(
            &db,
            &q(vec![qty(Some((20.0, true)), Some((40.0, false)), None)])
        )
        .await,
        ["o2", "o3"]
    );
    assert_eq!(
        ids(&db, &q(vec![qty(Some((20.0, false)), None, Some("mg"))])).await,
        ["o3", "o4"]
    );
    assert!(
        ids(&db, &q(vec![qty(None, None, Some("kg"))]))
            .await
            .is_empty()
    );

    assert_eq!(
        ids(
            &db,
            &q(vec![Clause::Id(vec![
                "o4".into(),
                "o5".into(),
                "o1".into()
            ])])
        )
        .await,
        ["o1", "o4"]
    );
    let lu = DateCond {
        lo_ge: Some(20),
        lo_le: Some(30),
        ..Default::default()
    };
    assert_eq!(
        ids(&db, &q(vec![Clause::LastUpdated(lu)])).await,
        ["o2", "o3"]
    );

    // Clauses are ANDed.
    let both = vec![
        index("code", vec![tok(None, Some("8867-4"))]),
        subject(None, "p2"),
    ];
    assert_eq!(ids(&db, &q(both)).await, ["o3"]);
    let mixed = index("code", vec![tok(None, None), Match::Blind(vec![])]);
    assert!(matches!(
        db.search(&q(vec![mixed])).await,
        Err(StoreError::InvalidSearch(_))
    ));
    let other = TenantId::new();
    assert!(ids(&db, &plan(&other, vec![])).await.is_empty());
}

#[tokio::test]
async fn keyset_paging() {
    let Some((db, _)) = backend().await else {
        return;
    };
    let t = tenant(&db, "alpha").await;
    // Equal last_updated: row_id breaks the tie.
    let ops = (0..7)
        .map(|n| op(&t, "Observation", &format!("o{n}"), 1, 100 + n / 3))
        .collect();
    db.write(batch(ops)).await.unwrap();
    let mut seen = Vec::new();
    let mut page = SearchPlan {
        limit: 3,
        ..plan(&t, vec![])
    };
    loop {
        let found = db.search(&page).await.unwrap();
        let Some(last) = found.last() else { break };
        page.after = Some(Cursor {
            value: SortValue::Int(last.last_updated),
            row: last.row_id,
        });
        seen.extend(found.into_iter().map(|r| r.id));
    }
    assert_eq!(seen, (0..7).map(|n| format!("o{n}")).collect::<Vec<_>>());
    assert_eq!(db.count(&page).await.unwrap(), 7, "count ignores paging");
    // An update moves a resource to the end of the order.
    db.write(batch(vec![op(&t, "Observation", "o0", 2, 500)]))
        .await
        .unwrap();
    let all = db.search(&plan(&t, vec![])).await.unwrap();
    assert_eq!(
        all.last().map(|r| (r.id.as_str(), r.version)),
        Some(("o0", 2))
    );
}
