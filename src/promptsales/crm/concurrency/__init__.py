"""The PromptCRM concurrency lab (SPEC R11): classic transaction anomalies reproduced and fixed.

Five scenarios — cascading deadlock, deadlock between two clients on different computers, lost update,
incorrect summary, dirty read — each run with the unsafe or the safe version of the same business
operation (procedures of migration ``0080_concurrency_lab.sql``). The harness (:mod:`.harness`) runs the
sessions concurrently with a deterministic interleaving (a gate the coordinator opens only when every
session is blocked), records a timeline (:mod:`.timeline`) and checks that nothing is left locked.
See ``docs/concurrency.md``.
"""
