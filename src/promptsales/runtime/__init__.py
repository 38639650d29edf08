"""Local runtime: starts, stops and probes the ecosystem's servers under one data directory."""
