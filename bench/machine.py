"""What a benchmark reports about the machine it ran on, beside its times: a busy machine's figures read differently."""

import os


def machine_load(load_before: tuple[float, float, float]) -> dict:
    """The core count and the load averages (1, 5 and 15 minutes) before the run and now."""
    return {
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
    }
