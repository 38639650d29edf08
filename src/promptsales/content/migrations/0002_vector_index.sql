-- 0002_vector_index: the vector index of PromptContent (SPEC C3). One row per media document in
-- MongoDB; the embedding is all-MiniLM-L6-v2 (384 dimensions, unit length) of its description.
-- The row remembers which description it embeds (sha256) and the document's updated_at, so
-- `promptsales content reindex --changed` re-embeds only documents whose description changed.
CREATE TABLE content.media_embeddings (
    media_id            text PRIMARY KEY,
    media_type          text NOT NULL CHECK (media_type IN ('image', 'video', 'audio')),
    description_sha256  char(64) NOT NULL,
    embedding           vector(384) NOT NULL,
    source_updated_at   timestamptz NOT NULL,
    indexed_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE content.media_embeddings IS 'C3: embeddings of MongoDB media descriptions (all-MiniLM-L6-v2, cosine)';

-- HNSW with cosine distance (<=>); m/ef_construction are pgvector defaults, good for 100k rows.
CREATE INDEX media_embeddings_hnsw ON content.media_embeddings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX media_embeddings_type ON content.media_embeddings (media_type);
CREATE INDEX media_embeddings_source_updated ON content.media_embeddings (source_updated_at);

-- One row per reindex run (full or changed-only), for the index build throughput figures.
CREATE TABLE content.index_runs (
    run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mode          text NOT NULL CHECK (mode IN ('full', 'changed', 'seed')),
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    documents     integer NOT NULL,
    embedded      integer NOT NULL,
    seconds       numeric(12,3) NOT NULL
);
