"""Natural-language campaign questions (SPEC S5): parser, query model, query builder, answers."""
