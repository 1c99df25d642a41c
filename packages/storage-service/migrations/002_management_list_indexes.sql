-- Management lists (GET /offer-batches): one tenant's bulk-offer batches, newest page by page.
-- Batches live in the service's root partition tagged with their tenant, so the general
-- (tenant_id, record_type, created_at, id) index would walk every tenant's batches; this one
-- walks only the caller's. Partial: no other record type pays for it.
CREATE INDEX records_batches_by_tenant_idx
  ON records ((tags->>'tenantId'), created_at, id)
  WHERE record_type = 'AttestoOfferBatchRecord';
