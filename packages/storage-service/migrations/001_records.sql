-- Records of every Credo record type, partitioned by tenant.
-- Runs with search_path set to the role's schema (issuer, verifier, holder, ...).

CREATE TABLE records (
  tenant_id   text        NOT NULL,
  record_type text        NOT NULL,
  id          text        NOT NULL,
  value       jsonb       NOT NULL,
  tags        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- NULL: kept until deleted. Otherwise the row is invisible from this instant on and the
  -- cleanup worker deletes it.
  expires_at  timestamptz,
  PRIMARY KEY (tenant_id, record_type, id)
) PARTITION BY HASH (tenant_id);

-- 16 hash partitions: each tenant's rows sit in one partition, so indexes stay small and
-- vacuum works partition by partition.
DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF records FOR VALUES WITH (MODULUS 16, REMAINDER %s)',
      'records_p' || lpad(i::text, 2, '0'), i);
    -- Expiring rows churn: vacuum after 2% dead rows instead of the default 20%.
    EXECUTE format(
      'ALTER TABLE %I SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05)',
      'records_p' || lpad(i::text, 2, '0'));
  END LOOP;
END $$;

-- getAll and paginated queries: one tenant's rows of one type in creation order.
CREATE INDEX records_tenant_type_created_idx ON records (tenant_id, record_type, created_at, id);
-- Tag queries: every plain-tag condition is a jsonb containment (tags @> ...).
CREATE INDEX records_tags_idx ON records USING gin (tags jsonb_path_ops);
-- The cleanup worker's scan for expired rows; rows that never expire are not indexed.
CREATE INDEX records_expires_idx ON records (expires_at) WHERE expires_at IS NOT NULL;

-- Second wall behind the tenant filter in every statement. Services connect as an app role
-- that has no privilege on `records` itself, only on this view, which shows and accepts only
-- the rows of the tenant bound to the session (`attesto.tenant_id`; unset shows nothing). A
-- statement that forgot its tenant filter still cannot reach another tenant's rows.
--
-- Why a view and not row-level security for the app role: under RLS, PostgreSQL may not use
-- a non-leakproof operator such as jsonb `@>` as an index condition, so every tag query of
-- the app role became a sequential scan of the tenant's partition. The view is not a security
-- barrier, so the planner keeps the GIN index. See docs/STORAGE-SERVICE.md.
CREATE VIEW tenant_records AS
  SELECT tenant_id, record_type, id, value, tags, created_at, updated_at, expires_at
  FROM records
  WHERE tenant_id = current_setting('attesto.tenant_id', true)
  WITH CASCADED CHECK OPTION;

-- Row-level security binds every other non-owner role given direct access to `records` (a
-- reporting or support role, for example) to the bound tenant in the same way.
ALTER TABLE records ENABLE ROW LEVEL SECURITY;
CREATE POLICY records_tenant_isolation ON records
  USING (tenant_id = current_setting('attesto.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('attesto.tenant_id', true));

-- Deletes up to batch_size expired rows of all tenants and returns how many it deleted. It runs
-- as the table owner (past row-level security) but can only delete rows that have expired.
CREATE FUNCTION purge_expired_records(batch_size integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
  WITH doomed AS (
    SELECT tenant_id, record_type, id FROM records
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT batch_size
    FOR UPDATE SKIP LOCKED
  ), deleted AS (
    DELETE FROM records r USING doomed d
    WHERE r.tenant_id = d.tenant_id AND r.record_type = d.record_type AND r.id = d.id
      AND r.expires_at <= now()
    RETURNING 1
  )
  SELECT count(*)::integer FROM deleted
$$;
REVOKE ALL ON FUNCTION purge_expired_records(integer) FROM PUBLIC;
