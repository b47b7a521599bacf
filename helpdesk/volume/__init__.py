"""Volume data: many tickets with a realistic history, written fast (benchmarks, pilotage)."""

from helpdesk.volume.generate import VolumeReport, seed_volume

__all__ = ["VolumeReport", "seed_volume"]
