//! Command-line arguments of `cartella bench fhir`.

use std::path::PathBuf;

/// What the measured tasks do, each request on its own.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// GET Patient/{id} of a random loaded patient
    Read,
    /// POST Observation for a random loaded patient
    Create,
    /// GET Observation?subject=…&code=http://loinc.org|8867-4&date=ge2021-01-01
    Search,
    /// POST transaction bundles of --batch new Observations, each for a random loaded patient
    /// (a feed that touches the whole database)
    Import,
    /// POST transaction bundles of new patients, each with its encounters and Observations, up
    /// to --batch resources (a migration from another system)
    Migrate,
    /// 80% read, 10% search, 10% create
    Mixed,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Read => "read",
            Workload::Create => "create",
            Workload::Search => "search",
            Workload::Import => "import",
            Workload::Migrate => "migrate",
            Workload::Mixed => "mixed",
        }
    }
}

/// Load synthetic patients into any FHIR R4 server and measure a workload against it.
///
/// Only plain FHIR REST is used, so the same command measures other servers with the same data and
/// requests. With --skip-load the patient ids come from the state file that the last load wrote
/// (see --state) when it was written for the same --url; otherwise they are discovered by paging
/// through `Patient?_count=1000`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// FHIR base URL, e.g. http://127.0.0.1:8080/fhir/R4 (plain HTTP)
    #[arg(long)]
    pub url: String,
    /// Bearer token, sent as `Authorization: Bearer <token>`
    #[arg(long, env = "CARTELLA_BENCH_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Extra request header, e.g. 'X-Cartella-Tenant: demo' (repeatable)
    #[arg(long = "header", value_name = "NAME:VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// The workload to measure
    #[arg(long, value_enum)]
    pub workload: Workload,
    /// Concurrent requests (tokio tasks over one HTTP client); also used for loading
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Measured seconds, after a 2-second warm-up that is not counted
    #[arg(long, default_value_t = 15)]
    pub duration: u64,
    /// Synthetic patients to load
    #[arg(long, default_value_t = 500)]
    pub patients: usize,
    /// Vital-sign Observations per patient
    #[arg(long, default_value_t = 40)]
    pub observations_per_patient: usize,
    /// Seed of the generated data (same seed, same data)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Reuse the patients loaded before instead of loading again
    #[arg(long)]
    pub skip_load: bool,
    /// Resources per transaction bundle, for loading and for the import workload
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Where the loaded patient ids are kept for --skip-load
    #[arg(long, default_value = "cartella-bench-fhir.json")]
    pub state: PathBuf,
}

impl Args {
    pub fn validate(&self) -> anyhow::Result<()> {
        for (name, v) in [
            ("--concurrency", self.concurrency),
            ("--patients", self.patients),
            ("--batch", self.batch),
            ("--duration", self.duration as usize),
        ] {
            if v == 0 {
                anyhow::bail!("{name} must be at least 1");
            }
        }
        if !self.url.starts_with("http://") && !self.url.starts_with("https://") {
            anyhow::bail!("--url must be an http:// URL, got '{}'", self.url);
        }
        Ok(())
    }

    /// The base without a trailing slash, so paths join with one.
    pub fn base(&self) -> String {
        self.url.trim_end_matches('/').to_owned()
    }
}

/// `NAME:VALUE` with surrounding spaces trimmed, checked to be a valid HTTP header.
fn parse_header(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once(':')
        .ok_or_else(|| format!("expected NAME:VALUE, got '{s}'"))?;
    let (name, value) = (name.trim(), value.trim());
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("'{name}' is not a valid header name"))?;
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("the value of '{name}' is not a valid header value"))?;
    Ok((name.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_with_spaces_and_reject_garbage() {
        assert_eq!(
            parse_header("X-Cartella-Tenant: demo"),
            Ok(("X-Cartella-Tenant".into(), "demo".into()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
    }
}
