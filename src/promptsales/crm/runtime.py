"""PromptCRM's part of ``promptsales up``: create the server key store and the linked server, and move clients
still under a shared field key to keys of their own (issue 23; a no-op once done).

A managed "service" (listed in :mod:`promptsales.wiring`) so that ``up`` prepares it after the databases are migrated and
``status`` reports where the key store is; it has no process, so ``down`` has nothing to stop.
"""

from __future__ import annotations

from promptsales.config import Settings
from promptsales.runtime.service import ServiceStatus


class CrmKeyStoreService:
    """Key store (X.509 certificate outside the database) and linked server of PromptCRM."""

    name = "crm-keystore"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start(self) -> bool:
        """Create the key store certificate if missing and point the linked server at PromptAds.

        Returns False: there is no process to start (a new certificate is reported by ``status``).
        """
        from promptsales.crm.keystore import KeyStore
        from promptsales.crm.link import ensure_link
        from promptsales.crm.subject_keys import migrate_to_subject_keys

        store = KeyStore.for_server(self.settings)
        store.ensure()
        ensure_link(self.settings, refresh=True)
        migrate_to_subject_keys(self.settings, keystore=store)
        return False

    def stop(self) -> bool:
        """Nothing runs: nothing to stop."""
        return False

    def status(self) -> ServiceStatus:
        """Healthy when the key store can be located (its server answers); detail tells the certificate."""
        from promptsales.crm.keystore import KeyStore

        try:
            store = KeyStore.for_server(self.settings)
            active = store.active_fingerprint()
        except Exception as error:  # the database is down: report, do not crash `status`
            return ServiceStatus(self.name, "", None, False, detail=str(error).splitlines()[0][:80])
        detail = f"certificate {active[:16]}…" if active else "no certificate yet"
        return ServiceStatus(self.name, str(store.path), None, True, detail=detail)
