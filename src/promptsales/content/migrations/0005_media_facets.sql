-- 0005_media_facets (issue 24): the scene attributes of every media asset next to its embedding, so getContent
-- can re-rank vector candidates by the attributes a query asks for and add assets whose attributes match
-- (hybrid search, docs/content.md). One row per MongoDB media document, written by the seed and by
-- `promptsales content reindex` from the stored scenes; audio has no palette or format. A description edited by
-- hand no longer comes from the scene: its row holds what the embedding model reads in the new text (NULL where
-- nothing stands out).
CREATE TABLE content.media_facets (
    media_id    text PRIMARY KEY,
    media_type  text NOT NULL CHECK (media_type IN ('image', 'video', 'audio')),
    product     text,
    setting     text,
    style       text,
    palette     text,
    mood        text,
    audience    text,
    format      text
);
COMMENT ON TABLE content.media_facets IS 'Issue 24: scene attributes of media assets for hybrid (vector + attribute) search';

-- Attribute candidates: `media_id = ANY(...) OR product = ANY(...) OR setting = ANY(...)` is a BitmapOr of the
-- primary key and these two (EXPLAIN in docs/content.md).
CREATE INDEX media_facets_product ON content.media_facets (product);
CREATE INDEX media_facets_setting ON content.media_facets (setting);
