"""Alembic migrations for newsflow's schema (applied on start by storage.engine.migrate)."""
