"""OAuth 2.0 for services (SPEC N4): a small local client-credentials issuer (RFC 6749 §4.4,
RFC 8414 metadata, JWKS) and the token command for humans. Any standards-compliant issuer with a
JWKS can replace it (set ``PROMPTSALES_AUTH_ISSUER_URL``)."""
