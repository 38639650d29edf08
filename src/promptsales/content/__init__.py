"""PromptContent: the content studio's media, descriptions and vector index (SPEC C1–C5)."""
