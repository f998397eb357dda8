"""Smart alerts (SPEC §9): periodic checks that raise and resolve alerts, their API and screens."""
