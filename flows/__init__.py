"""The shell of newsflow: settings, HTTP, Prefect tasks and flows, the CLI."""
