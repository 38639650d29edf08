"""PromptSales: the central portal's data and the campaign-effectiveness warehouse (SPEC S1–S6)."""
