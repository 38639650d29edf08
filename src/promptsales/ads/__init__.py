"""PromptAds: campaign execution and optimisation across channels (SPEC A1–A7)."""
