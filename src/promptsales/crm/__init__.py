"""PromptCRM: clients and leads until the sale closes (SPEC R1–R11)."""
