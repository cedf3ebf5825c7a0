//! Reading resources: the current version, one historic version, and history listings.

use crate::PgBackend;
use crate::rows::{self, HISTORY_COLUMNS, RESOURCE_COLUMNS};
use crate::search::Params;
use cartella_core::TenantId;
use cartella_store::{HistoryQuery, RawResource, StoreError};

type Result<T> = std::result::Result<T, StoreError>;

impl PgBackend {
    pub(crate) async fn current_db(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<RawResource>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {RESOURCE_COLUMNS} FROM resources WHERE tenant_id = $1 AND type = $2 AND id = $3"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&tenant.as_str(), &rtype, &id])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::raw_resource).transpose()
    }

    pub(crate) async fn current_version_db(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
    ) -> Result<Option<i64>> {
        let client = self.conn().await?;
        let stmt = client
            .prepare_cached(
                "SELECT version FROM resources WHERE tenant_id = $1 AND type = $2 AND id = $3",
            )
            .await
            .map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&tenant.as_str(), &rtype, &id])
            .await
            .map_err(crate::db)?;
        row.map(|r| rows::col(&r, 0)).transpose()
    }

    pub(crate) async fn version_db(
        &self,
        tenant: &TenantId,
        rtype: &str,
        id: &str,
        version: i64,
    ) -> Result<Option<RawResource>> {
        let client = self.conn().await?;
        let sql = format!(
            "SELECT {HISTORY_COLUMNS} FROM resource_history \
             WHERE tenant_id = $1 AND type = $2 AND id = $3 AND version = $4"
        );
        let stmt = client.prepare_cached(&sql).await.map_err(crate::db)?;
        let row = client
            .query_opt(&stmt, &[&tenant.as_str(), &rtype, &id, &version])
            .await
            .map_err(crate::db)?;
        row.as_ref().map(rows::raw_resource).transpose()
    }

    /// Built per query with only the filters asked for, so each shape gets a plan that uses the
    /// matching index (an `$n IS NULL OR ..` catch-all would defeat it).
    pub(crate) async fn history_db(&self, q: &HistoryQuery) -> Result<Vec<RawResource>> {
        let mut p = Params::default();
        let mut sql = format!(
            "SELECT {HISTORY_COLUMNS} FROM resource_history WHERE tenant_id = {}",
            p.bind(q.tenant.as_str().to_owned())
        );
        if let Some(rtype) = &q.rtype {
            sql += &format!(" AND type = {}", p.bind(rtype.clone()));
        }
        if let Some(id) = &q.id {
            sql += &format!(" AND id = {}", p.bind(id.clone()));
        }
        if let Some(since) = q.since {
            sql += &format!(" AND last_updated >= {}", p.bind(since));
        }
        if let Some(before) = q.before_row {
            sql += &format!(" AND hist_id < {}", p.bind(before));
        }
        // One resource's versions: by version (same order as hist_id), along the unique index.
        let order = if q.id.is_some() && q.rtype.is_some() {
            "version"
        } else {
            "hist_id"
        };
        sql += &format!(
            " ORDER BY {order} DESC LIMIT {}",
            p.bind(rows::limit(q.limit))
        );
        let client = self.conn().await?;
        let found = client.query(&sql, &p.refs()).await.map_err(crate::db)?;
        found.iter().map(rows::raw_resource).collect()
    }
}
