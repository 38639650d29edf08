"""Data-subject requests (issue 23; GDPR art. 15/17/20, CCPA right to know, delete and opt out) across every store.

* :mod:`.subject` — who the request is about: the CRM clients with an e-mail or national ID, their leads, the
  identifiers to look for in free text, and the keyed reference a request stores instead of the identifier;
* :mod:`.requests` — the record of requests (``crm.privacy_requests``) with their 30/45-day deadlines;
* :mod:`.stores` — what each store holds about a subject (PromptCRM, PromptContent's logs, the cache, the audit
  and AI-usage rows), and how each forgets it;
* :mod:`.service` — export, erase and opt-out, each one recorded request, audited (category ``privacy``);
* :mod:`.archive` — the machine-readable export archive (a zip of JSON per store with a manifest);
* :mod:`.cli`, :mod:`.mcp` — ``promptsales privacy …`` and the CRM server's tools with scope ``privacy:admin``.
"""
