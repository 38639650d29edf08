"""The teaching lab (SPEC A5–A7, R7–R11, S6): runnable, commented scripts listed by ``promptsales lab``."""
