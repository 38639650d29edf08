"""PromptCRM's Python lab entries, found by ``promptsales lab`` (``promptsales.<company>.labs``)."""

import promptsales.backup.labs  # noqa: F401,E402  (R6 backup → restore elsewhere demonstration, issue 9)
import promptsales.crm.concurrency.labs  # noqa: F401  (concurrency lab, SPEC R11)
import promptsales.crm.lab_entries  # noqa: F401,E402  (field encryption R5, analytics plans R9)
