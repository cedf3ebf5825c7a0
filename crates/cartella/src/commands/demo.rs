//! `cartella demo seed`: a demo practice with one user per role (credentials printed once) and
//! a few patients with vital signs, to try Cartella without typing data in.

use crate::settings::Settings;
use cartella_auth::service::NewUser;
use cartella_core::TenantSlug;
use cartella_core::access::Role;
use cartella_store::store::WriteOptions;
use rand::Rng;
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create the demo practice, its users (one per role) and sample patients
    Seed {
        /// Practice slug
        #[arg(long, default_value = "demo")]
        practice: String,
    },
}

fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let part = |rng: &mut rand::rngs::ThreadRng| {
        (0..5)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect::<String>()
    };
    format!("Demo-{}-{}-7!", part(&mut rng), part(&mut rng))
}

pub async fn run(settings: Settings, command: Command) -> anyhow::Result<ExitCode> {
    let Command::Seed { practice } = command;
    let slug = TenantSlug::parse(&practice)?;
    let store = crate::startup::open_store(&settings).await?;
    let auth = cartella_auth::Auth::new(store.clone(), settings.auth.clone()).await?;
    let tenant = match store.tenant_by_slug(slug.as_str()).await {
        Ok(t) => t,
        Err(_) => {
            store
                .create_tenant(&slug, "Studio Medico Demo", "demo-seed")
                .await?
        }
    };
    let ctx = cartella_store::AccessContext::system(tenant.id.clone(), "demo-seed");
    let people = [
        ("Rossi", "Maria", "1958-03-14", "female"),
        ("Bianchi", "Luca", "1984-11-02", "male"),
        ("Esposito", "Giulia", "1999-07-21", "female"),
    ];
    let mut patients = Vec::new();
    for (family, given, birth, gender) in people {
        let p = json!({"resourceType": "Patient", "name": [{"family": family, "given": [given]}], "birthDate": birth, "gender": gender});
        let id = store
            .create(&ctx, "Patient", p, WriteOptions::default())
            .await?
            .resource
            .id;
        for (i, (code, unit, value)) in [
            ("8867-4", "/min", 72.0),
            ("8310-5", "Cel", 36.8),
            ("29463-7", "kg", 68.5),
        ]
        .iter()
        .enumerate()
        {
            let obs = json!({"resourceType": "Observation", "status": "final",
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                "subject": {"reference": format!("Patient/{id}")},
                "effectiveDateTime": format!("2026-11-{:02}T09:00:00+01:00", 10 + i),
                "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}});
            store
                .create(&ctx, "Observation", obs, WriteOptions::default())
                .await?;
        }
        patients.push(id);
    }
    println!(
        "demo practice '{}' with {} patients; users (passwords are shown only now):",
        slug,
        patients.len()
    );
    for role in Role::ALL {
        let email = format!("{}@{}.demo", role.as_str(), slug);
        let pw = password();
        let patient_id = (role == Role::Patient).then(|| patients[0].clone());
        let new = NewUser {
            email: email.clone(),
            name: format!("Demo {}", role.as_str()),
            roles: role.as_str().into(),
            password: Some(pw.clone()),
            patient_id,
            expires_at: None,
        };
        match auth.create_user(&ctx, new).await {
            Ok(u) => {
                if role == Role::External {
                    let year = 365 * 86_400_000_000i64;
                    auth.share_patient(
                        &ctx,
                        &u.id,
                        &patients[1],
                        cartella_core::Timestamp::now().micros() + year,
                    )
                    .await
                    .map_err(super::user::explain)?;
                }
                println!("  {:<16} {email:<28} {pw}", role.as_str());
            }
            Err(e) => println!(
                "  {:<16} {email:<28} not created: {}",
                role.as_str(),
                super::user::explain(e)
            ),
        }
    }
    store.close().await?;
    Ok(ExitCode::SUCCESS)
}
