"""Background work of the registry (Django tasks; `safetynet run` starts a db_worker). Each task
lives beside the work it queues; they are gathered here so that one module lists them all."""

from safetynet.registry.imports.jobs import import_households

__all__ = ["import_households"]
