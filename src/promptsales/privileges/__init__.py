"""Least privilege, declared and checked (issue 23, SPEC N4): a policy file per database role and per OAuth client
(``policy/``), the real grants read from the catalogs (:mod:`promptsales.privileges.catalog`) and the issuer's
client registry, and their differences in either direction (:mod:`promptsales.privileges.policy`)."""
